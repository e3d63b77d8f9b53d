// tool_policy: whether a realm may call a tool, decided in code from the config and the
// tool's descriptor — never by asking the model. It does not run tools or check their
// arguments (each tool confines itself; tools/sandbox.h confines the child process).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.h"

namespace frugal::policies {

// Which realms a tool is built for (tools::descriptor::realms).
enum realm_mask : unsigned { realm_private = 1, realm_public = 2, realm_both = 3 };

// What policy needs to know of a tool; tools::descriptor::traits() gives it.
struct tool_traits {
  std::string_view name;
  unsigned realms = 0;         // realm_mask
  bool needs_sandbox = false;  // refused in the public realm when the sandbox is missing
};

struct tool_verdict {
  enum class kind { allow, deny } verdict = kind::deny;
  std::string reason;  // safe to show the caller: names only the tool and the realm
};

// Allows `tool` in `realm` only when all hold:
//  - tool.name is listed in realm.tools (exact, case-sensitive);
//  - tool.realms (realm_mask) includes that realm;
//  - in the public realm, a tool with needs_sandbox has a sandbox to run in:
//    landlock_abi > 0 and seccomp (fail closed). The private realm runs it regardless.
// `landlock_abi` and `seccomp` come from the start-up probe (tools::sandbox_caps). The list
// offered to the model is built from this same function (tools::offered), so an unoffered
// tool is refused too.
tool_verdict check_tool(const config::realm& realm, const tool_traits& tool, int landlock_abi,
                        bool seccomp);

}  // namespace frugal::policies
