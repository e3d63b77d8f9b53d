// irc::message: one IRC line parsed into a typed struct at the boundary. Parsing never
// fails loudly: garbage yields nullopt, and NUL bytes, invalid UTF-8 and huge lines are
// tolerated (bytes pass through as they are; callers repair UTF-8 where text is shown).
// It does not build outbound lines beyond the small helpers at the end.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace frugal::irc {

// Wire format (RFC 1459 / 2812 with IRCv3 message-tags), one line:
//
//   ['@' tags SP] [':' prefix SP] command *(SP middle) [SP ':' trailing] (CRLF | LF)
//
//   tags     = tag *(';' tag);  tag = key ['=' value]
//              value escapes: "\:" → ';'  "\s" → ' '  "\\" → '\'  "\r" → CR  "\n" → LF;
//              a backslash before any other char is dropped; a trailing lone '\' is dropped
//   prefix   = servername | nick ['!' user] ['@' host]
//   command  = letters (upper-cased here) or a three-digit numeric
//   middle   = a parameter without spaces that does not start with ':'
//   trailing = the rest of the line after " :" (may be empty, may hold spaces and ':')
//
// Several spaces between parts are accepted. A NUL, CR or LF byte ends the line (as in C
// servers), so no parsed field contains one.
// The trailing parameter, when present, is the last element of `params`.
struct message {
  std::vector<std::pair<std::string, std::string>> tags;
  std::string prefix;
  std::string command;
  std::vector<std::string> params;

  // The value of tag `key`, or nullptr if the tag is absent.
  const std::string* tag(std::string_view key) const;
  // params[i], or "" when there are fewer parameters.
  const std::string& param(size_t i) const;
  // The nick part of the prefix ("nick" of "nick!user@host"); the whole prefix if no '!'.
  std::string nick() const;
};

// Parses one line (with or without its CR LF). Returns nullopt for an empty line or one
// without a valid command. At most 64 parameters are kept.
std::optional<message> parse(std::string_view line);

// Unescapes an IRCv3 tag value (see the wire format above).
std::string unescape_tag_value(std::string_view v);

// True if `s` can be sent as a middle parameter: non-empty, no space, CR, LF or NUL, and
// not starting with ':'.
bool is_safe_middle(std::string_view s);

// `s` without CR, LF and NUL bytes (for config values put on the wire as they are).
std::string strip_line_breaks(std::string_view s);

}  // namespace frugal::irc
