// tool_policy: check_tool(), the one rule for whether a realm may call a tool. The list of
// tools offered to the model (tools::offered) and the check of every call the model makes
// both come here.
#include "policies/tool_policy.h"

#include <algorithm>

namespace frugal::policies {

tool_verdict check_tool(const config::realm& realm, const tool_traits& tool, int landlock_abi,
                        bool seccomp) {
  using kind = tool_verdict::kind;
  const std::string name(tool.name);
  const bool in_public = realm.kind == core::realm_kind::public_;
  const unsigned bit = in_public ? realm_public : realm_private;
  const std::string realm_name(core::realm_name(realm.kind));
  if (std::find(realm.tools.begin(), realm.tools.end(), name) == realm.tools.end())
    return {kind::deny, "tool '" + name + "' is not enabled in the " + realm_name + " realm"};
  if ((tool.realms & bit) == 0)
    return {kind::deny, "tool '" + name + "' is not available in the " + realm_name + " realm"};
  if (in_public && tool.needs_sandbox && (landlock_abi <= 0 || !seccomp)) {
    std::string missing = landlock_abi <= 0 && !seccomp ? "Landlock and seccomp"
                          : landlock_abi <= 0           ? "Landlock"
                                                        : "seccomp";
    return {kind::deny, "tool '" + name + "' needs the sandbox (" + missing +
                            " unavailable); refused in the public realm"};
  }
  return {kind::allow, "tool '" + name + "' allowed in the " + realm_name + " realm"};
}

}  // namespace frugal::policies
