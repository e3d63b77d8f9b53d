// Reply splitting for IRC: model text becomes lines that are safe to put after
// "PRIVMSG target :". Invalid UTF-8 is repaired, CR/LF end a line, NUL, \x01 (CTCP) and
// every other C0 control byte and DEL are removed (tab becomes a space), so nothing in the
// text can act as protocol. It does not add the command or the target.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace frugal::irc {

inline constexpr std::string_view truncation_marker = "\xE2\x80\xA6(truncated)";  // "…(truncated)"

// One line of model text made wire-safe: UTF-8 repaired, tab → space, CR, LF, NUL, other
// C0 controls and DEL removed.
std::string sanitize_line(std::string_view text);

struct split_options {
  size_t max_bytes = 400;  // per line, text only (see privmsg_text_budget); at least 32
  size_t max_lines = 8;    // at least 1; past it the last kept line ends with the marker
};

// Splits `text` into lines of at most max_bytes bytes, each valid UTF-8 and free of
// control bytes. Newlines in the text start new lines; empty and blank lines are skipped.
// A long line breaks at the last space that leaves the line at least a quarter full, else
// at a character boundary. If more than max_lines result, the first max_lines are kept
// and the last of them ends with " …(truncated)" (shortened to fit).
std::vector<std::string> split_reply(std::string_view text, const split_options& opt);

// Bytes left for the text of `command target :text` so that the line as relayed by the
// server, ":" + self_mask + " " + command + " " + target + " :" + text + CRLF, fits in
// `linelen`. Pass the mask the server knows us by, or a worst case when it is unknown.
size_t text_budget(size_t linelen, size_t self_mask_bytes, std::string_view command,
                   std::string_view target);

}  // namespace frugal::irc
