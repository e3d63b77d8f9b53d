// placement: the "who else reads this place" rule of placement.h. Matrix members are matched
// with the same owner patterns classify() uses, so an owner listed for another account or
// a look-alike user id counts as someone else.
#include "policies/placement.h"

#include <string_view>

#include "policies/identity_match.h"

namespace frugal::policies {
namespace {

bool matrix_owner(const std::string& user_id, std::string_view account_name,
                  const config::file& cfg) {
  core::identity who{"matrix", user_id, "", ""};
  auto priv = cfg.realms.find(core::realm_kind::private_);
  if (priv != cfg.realms.end() && first_match(priv->second.owners, who)) return true;
  for (const auto& acct : cfg.matrix)
    if (acct.name == account_name && first_match(acct.owners, who)) return true;
  return false;
}

}  // namespace

std::string readable_by_others(const core::inbound& msg, const config::file& cfg) {
  std::string_view t = msg.transport;
  if (t == "stdin") return "";
  if (t.starts_with("irc.")) return msg.direct ? "" : "an IRC channel (" + msg.target + ")";
  if (t.starts_with("matrix.")) {
    if (!msg.audience_known) return "a Matrix room whose members are not known";
    for (const auto& member : msg.audience)
      if (!matrix_owner(member, t.substr(7), cfg))
        return "a Matrix room with members who are not owners";
    return "";
  }
  return "an unknown kind of place";
}

}  // namespace frugal::policies
