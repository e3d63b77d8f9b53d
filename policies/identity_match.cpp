// identity_match: parsing and matching owner/allowlist patterns. Matching is a plain glob
// walk (no regex, no allocation); the pattern forms are documented in identity_match.h.
// Validation is strict so that a typo in the config stops the program instead of quietly
// admitting or refusing someone.
#include "policies/identity_match.h"

namespace frugal::policies {
namespace {

bool has_space_or_control(std::string_view s) {
  for (unsigned char c : s)
    if (c <= ' ' || c == 0x7f) return true;
  return false;
}

bool has_glob(std::string_view s) {
  return s.find_first_of("*?") != std::string_view::npos;
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

bool irc_iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (irc_lower(a[i]) != irc_lower(b[i])) return false;
  return true;
}

bool glob_match(std::string_view pattern, std::string_view text, bool irc_fold) {
  // Iterative matcher with one backtrack point: linear in practice, no recursion.
  auto same = [irc_fold](char p, char t) {
    return irc_fold ? irc_lower(p) == irc_lower(t) : p == t;
  };
  size_t p = 0, t = 0;
  size_t star = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_t = t;
    } else if (p < pattern.size() && (pattern[p] == '?' || same(pattern[p], text[t]))) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
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
    if (local != "*" && has_glob(local))
      return fail("identity pattern '", pattern, "': only a whole '*' localpart may be a glob");
    if (has_glob(server))
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
             glob_match(pattern.substr(8), who.account, true);
    case pattern_kind::irc_mask:
      return who.network == "irc" && !who.mask.empty() && glob_match(pattern, who.mask, true);
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
