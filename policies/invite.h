// invite: whether a Matrix user may make the bot join a room by inviting it — the one rule
// for invites, matched with identity_match's patterns (the same matcher as owners and
// allowed users). It does not join or decline anything: transports/matrix acts on it.
#pragma once
#include <string>
#include <string_view>

#include "core/config/config.h"

namespace frugal::policies {

struct invite_verdict {
  enum class kind { allow, deny } verdict = kind::deny;
  std::string reason;  // for the log: the matching pattern, or why not
};

// Allows `inviter` (a Matrix user id, e.g. "@alice:example.org") when it matches one of
// `acct.inviters`, or, when that list is empty, one of `acct.owners` or `acct.allowed`
// (see identity_match.h: exact ids, "@*:server", "*"). An empty inviter is denied, as is
// everyone when all those lists are empty.
invite_verdict may_invite(const config::matrix_account& acct, std::string_view inviter);

}  // namespace frugal::policies
