// identity_match: the patterns that name owners and allowed users, and matching them
// against a transport's identity. Never matches a nick alone: IRC users are named by SASL
// account or full hostmask, Matrix users by user id. It does not decide realms (realm.h).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/inbound.h"
#include "core/result.h"

namespace frugal::policies {

// The pattern forms:
//   "*"               anyone, on any network (including stdin).
//   "stdin"           the local operator (identity.network == "stdin").
//   "account:NAME"    an IRC user logged in (SASL / account-tag) as NAME. Compared with the
//                     rfc1459 casemapping; NAME may use * and ? globs ("account:*" = any
//                     logged-in IRC user). Never matches a user with no account.
//   "nick!user@host"  an IRC hostmask; * and ? globs; rfc1459 case-insensitive; matched
//                     against identity.mask. Each of the three parts must be non-empty.
//   "@user:server"    a Matrix user id, compared exactly (byte for byte) against
//                     identity.account. "@*:server" is any user on that server. The only
//                     glob allowed in a Matrix pattern is a whole "*" localpart.
// An IRC pattern matches only identities with network "irc"; a Matrix one only "matrix".
enum class pattern_kind { invalid, anyone, stdin_operator, irc_account, irc_mask, matrix_id };

// The form of `pattern`, or invalid.
pattern_kind kind_of(std::string_view pattern);

// Success when `pattern` is one of the forms above. The error names the problem, e.g.
// "'alice' is a bare nick; use account:alice or alice!*@host".
status validate_pattern(std::string_view pattern);

// True when `who` matches `pattern`. An invalid pattern matches nobody (fail closed).
bool matches(std::string_view pattern, const core::identity& who);

// The first pattern in `patterns` that matches `who`, or nullptr.
const std::string* first_match(const std::vector<std::string>& patterns, const core::identity& who);

// rfc1459 casemapping: A-Z → a-z, [ → {, ] → }, \ → |, ~ → ^. IRC patterns are matched
// with core/wildcard.h under this folding.
char irc_lower(char c);

}  // namespace frugal::policies
