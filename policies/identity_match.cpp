// identity_match: parsing and matching owner/allowlist patterns. Matching is core/wildcard
// (no regex, no allocation); the pattern forms are documented in identity_match.h.
// Validation is strict so that a typo in the config stops the program instead of quietly
// admitting or refusing someone.
#include "policies/identity_match.h"

#include "core/wildcard.h"

namespace frugal::policies {
namespace {

bool has_space_or_control(std::string_view s) {
  for (unsigned char c : s)
    if (c <= ' ' || c == 0x7f) return true;
  return false;
}

// Splits a Matrix id "@local:server" at the first ':'. Returns false if malformed.
bool split_matrix(std::string_view id, std::string_view& local, std::string_view& server) {
  if (id.size() < 4 || id[0] != '@') return false;
  size_t colon = id.find(':');
  if (colon == std::string_view::npos || colon < 2 || colon + 1 >= id.size()) return false;
  local = id.substr(1, colon - 1);
  server = id.substr(colon + 1);
  return true;
}

}  // namespace

char irc_lower(char c) {
  if (c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
  switch (c) {
    case '[':
      return '{';
    case ']':
      return '}';
    case '\\':
      return '|';
    case '~':
      return '^';
    default:
      return c;
  }
}

pattern_kind kind_of(std::string_view pattern) {
  if (!validate_pattern(pattern).ok()) return pattern_kind::invalid;
  if (pattern == "*") return pattern_kind::anyone;
  if (pattern == "stdin") return pattern_kind::stdin_operator;
  if (pattern.starts_with("account:")) return pattern_kind::irc_account;
  if (pattern[0] == '@') return pattern_kind::matrix_id;
  return pattern_kind::irc_mask;
}

status validate_pattern(std::string_view pattern) {
  if (pattern.empty()) return fail("identity pattern is empty");
  if (has_space_or_control(pattern))
    return fail("identity pattern '", pattern, "' contains a space or control character");
  if (pattern == "*" || pattern == "stdin") return {};
  if (pattern.starts_with("account:")) {
    std::string_view name = pattern.substr(8);
    if (name.empty()) return fail("identity pattern '", pattern, "': empty account name");
    if (name.find_first_of("!@:") != std::string_view::npos)
      return fail("identity pattern '", pattern, "': an account name has no '!', '@' or ':'");
    return {};
  }
  if (pattern[0] == '@') {
    std::string_view local, server;
    if (!split_matrix(pattern, local, server))
      return fail("identity pattern '", pattern, "' is not a Matrix id (@user:server)");
    if (local != "*" && wildcard::has_wildcards(local))
      return fail("identity pattern '", pattern, "': only a whole '*' localpart may be a glob");
    if (wildcard::has_wildcards(server))
      return fail("identity pattern '", pattern, "': globs are not allowed in a Matrix server");
    return {};
  }
  size_t bang = pattern.find('!');
  size_t at = pattern.find('@');
  if (bang == std::string_view::npos && at == std::string_view::npos &&
      pattern.find(':') == std::string_view::npos)
    return fail("identity pattern '", pattern, "' is a bare nick; use account:", pattern, " or ",
                pattern, "!*@host");
  if (bang == std::string_view::npos || at == std::string_view::npos || at < bang)
    return fail("identity pattern '", pattern,
                "' is not account:NAME, nick!user@host, @user:server, stdin or *");
  if (bang == 0 || at == bang + 1 || at + 1 == pattern.size())
    return fail("identity pattern '", pattern, "': nick, user and host must be non-empty");
  if (pattern.find('!', bang + 1) != std::string_view::npos ||
      pattern.find('@', at + 1) != std::string_view::npos)
    return fail("identity pattern '", pattern, "': more than one '!' or '@'");
  return {};
}

bool matches(std::string_view pattern, const core::identity& who) {
  switch (kind_of(pattern)) {
    case pattern_kind::invalid:
      return false;
    case pattern_kind::anyone:
      return true;
    case pattern_kind::stdin_operator:
      return who.network == "stdin";
    case pattern_kind::irc_account:
      return who.network == "irc" && !who.account.empty() &&
             wildcard::match(pattern.substr(8), who.account, irc_lower);
    case pattern_kind::irc_mask:
      return who.network == "irc" && !who.mask.empty() &&
             wildcard::match(pattern, who.mask, irc_lower);
    case pattern_kind::matrix_id: {
      if (who.network != "matrix") return false;
      std::string_view p_local, p_server, local, server;
      if (!split_matrix(pattern, p_local, p_server)) return false;
      if (!split_matrix(who.account, local, server)) return false;
      return (p_local == "*" || p_local == local) && p_server == server;
    }
  }
  return false;
}

const std::string* first_match(const std::vector<std::string>& patterns,
                               const core::identity& who) {
  for (const std::string& p : patterns)
    if (matches(p, who)) return &p;
  return nullptr;
}

}  // namespace frugal::policies
