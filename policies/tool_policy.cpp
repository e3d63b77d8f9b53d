// tool_policy: check_tool() and tools_for(). The rules are in tool_policy.h; the point of
// keeping them here is that the turn loop checks every call the model makes against the
// same function that built the offered list, so an unoffered tool is refused too.
#include "policies/tool_policy.h"

#include <algorithm>
#include <string_view>

#include "tools/sandbox.h"

namespace frugal::policies {

tool_verdict check_tool(const config::realm& realm, const tools::descriptor& tool, int landlock_abi,
                        bool seccomp) {
  using kind = tool_verdict::kind;
  const std::string name = tool.name ? tool.name : "";
  unsigned bit = 0;
  if (realm.name == "private") bit = tools::realm_private;
  if (realm.name == "public") bit = tools::realm_public;
  if (bit == 0) return {kind::deny, "unknown realm '" + realm.name + "'"};
  if (std::find(realm.tools.begin(), realm.tools.end(), name) == realm.tools.end())
    return {kind::deny, "tool '" + name + "' is not enabled in the " + realm.name + " realm"};
  if ((tool.realms & bit) == 0)
    return {kind::deny, "tool '" + name + "' is not available in the " + realm.name + " realm"};
  if (bit == tools::realm_public && tool.needs_sandbox && (landlock_abi <= 0 || !seccomp)) {
    std::string missing = landlock_abi <= 0 && !seccomp ? "Landlock and seccomp"
                          : landlock_abi <= 0           ? "Landlock"
                                                        : "seccomp";
    return {kind::deny, "tool '" + name + "' needs the sandbox (" + missing +
                            " unavailable); refused in the public realm"};
  }
  return {kind::allow, "tool '" + name + "' allowed in the " + realm.name + " realm"};
}

std::vector<const tools::descriptor*> tools_for(const config::realm& realm,
                                                const std::vector<const tools::descriptor*>& all,
                                                int landlock_abi, bool seccomp) {
  std::vector<const tools::descriptor*> out;
  for (const tools::descriptor* d : all)
    if (d && check_tool(realm, *d, landlock_abi, seccomp).verdict == tool_verdict::kind::allow)
      out.push_back(d);
  return out;
}

tool_verdict check_tool(const config::realm& realm, const tools::descriptor& tool,
                        const tools::sandbox_caps* caps) {
  return check_tool(realm, tool, caps ? caps->landlock_abi : 0, caps ? caps->seccomp : false);
}

std::vector<const tools::descriptor*> tools_for(const config::realm& realm,
                                                const std::vector<const tools::descriptor*>& all,
                                                const tools::sandbox_caps* caps) {
  return tools_for(realm, all, caps ? caps->landlock_abi : 0, caps ? caps->seccomp : false);
}

}  // namespace frugal::policies
