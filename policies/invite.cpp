// invite: may_invite() — which list applies, then identity_match's first_match on it.
#include "policies/invite.h"

#include "policies/identity_match.h"

namespace frugal::policies {

invite_verdict may_invite(const config::matrix_account& acct, std::string_view inviter) {
  using kind = invite_verdict::kind;
  if (inviter.empty()) return {kind::deny, "unknown inviter"};
  core::identity who;
  who.network = "matrix";
  who.account = std::string(inviter);
  if (!acct.inviters.empty()) {
    if (const std::string* p = first_match(acct.inviters, who))
      return {kind::allow, "matches '" + *p + "' in inviters"};
    return {kind::deny, "not in inviters"};
  }
  if (const std::string* p = first_match(acct.owners, who))
    return {kind::allow, "matches '" + *p + "' in owners"};
  if (const std::string* p = first_match(acct.allowed, who))
    return {kind::allow, "matches '" + *p + "' in allowed"};
  return {kind::deny, "not in owners or allowed"};
}

}  // namespace frugal::policies
