// tool_policy: whether a realm may call a tool, decided in code from the config and the
// tool's descriptor — never by asking the model. It does not run tools or check their
// arguments (each tool confines itself; tools/sandbox.h confines the child process).
#pragma once
#include <string>
#include <vector>

#include "agent/config/config.h"
#include "tools/tool.h"  // declares tools::sandbox_caps (defined in tools/sandbox.h)

namespace frugal::policies {

struct tool_verdict {
  enum class kind { allow, deny } verdict = kind::deny;
  std::string reason;  // safe to show the caller: names only the tool and the realm
};

// Allows `tool` in `realm` only when all hold:
//  - realm.name is "private" or "public" (anything else is denied);
//  - tool.name is listed in realm.tools (exact, case-sensitive);
//  - tool.realms (tools::realm_mask) includes that realm;
//  - in the public realm, a tool with needs_sandbox has a sandbox to run in:
//    landlock_abi > 0 and seccomp (fail closed). The private realm runs it regardless.
// `landlock_abi` and `seccomp` come from the start-up probe (tools::sandbox_caps).
tool_verdict check_tool(const config::realm& realm, const tools::descriptor& tool, int landlock_abi,
                        bool seccomp);

// The same, from the start-up probe result; a null `caps` means no sandbox at all.
tool_verdict check_tool(const config::realm& realm, const tools::descriptor& tool,
                        const tools::sandbox_caps* caps);

// The tools of `all` (in their order) that check_tool allows: the list offered to the
// model for a turn in `realm`. Pass tools::registry() as `all`.
std::vector<const tools::descriptor*> tools_for(const config::realm& realm,
                                                const std::vector<const tools::descriptor*>& all,
                                                int landlock_abi, bool seccomp);

std::vector<const tools::descriptor*> tools_for(const config::realm& realm,
                                                const std::vector<const tools::descriptor*>& all,
                                                const tools::sandbox_caps* caps);

}  // namespace frugal::policies
