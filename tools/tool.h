// tool: what one tool is (a static descriptor) and how it runs (an async exec function).
// Each tool lives in one file tools/<name>.cpp with a `static const descriptor` registered
// in tools/registry.cpp. Policy code (policies/) decides whether a realm may call a tool;
// the tool itself only enforces its own confinement (workspace paths, address checks) and
// runs child processes through tools/sandbox.h.
#pragma once
#include <uv.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "policies/tool_policy.h"

namespace frugal::config {
struct realm;
}
namespace frugal::policies {
class egress_guard;
}
namespace frugal::http {
class client;
}
namespace frugal::store {
class database;
}

namespace frugal::tools {

struct sandbox_caps;  // tools/sandbox.h

using policies::realm_both;
using policies::realm_mask;
using policies::realm_private;
using policies::realm_public;

// Everything a tool may touch during one call. Pointers are borrowed for the call only.
struct context {
  uv_loop_t* loop = nullptr;
  core::realm_kind realm = core::realm_kind::public_;
  std::string sender;     // identity string, for the audit log
  std::string workspace;  // absolute path of the realm's workspace (exists)
  const config::realm* realm_cfg = nullptr;
  store::database* db = nullptr;
  http::client* http = nullptr;
  const sandbox_caps* caps = nullptr;
  // The turn's egress guard, when the turn keeps one: a tool that needs the network is
  // refused a "url" argument the guard does not allow (tools/runner.h).
  const policies::egress_guard* egress = nullptr;
  // The tool names the model was offered in the request it answered (the tier's set: a
  // cheap chat model sees fewer tools than the realm allows). When set, a call to any
  // other name is refused even if the realm allows it: the model's choice of tools is
  // untrusted, and the turn always sets this.
  const std::vector<std::string>* offered = nullptr;
};

// Who refused a call, when one was refused: the realm's tool policy (or the runner's own
// checks), the turn's egress guard, or the tool itself by its own rule (a path that leaves
// the workspace, a program not on the allowlist, an address or host not allowed). A
// refused call's audit row says "denied" with the output's text as the reason.
enum class refusal { none, policy, egress, tool };

struct output {
  bool is_error = false;
  std::string text;  // fed back to the model; capped by the tool
  // For the audit log: a child's exit code (128 + signal when killed) for tools that run
  // one; otherwise 0, or 1 when is_error.
  int exit_status = 0;
  refusal refused = refusal::none;
};

using done_fn = std::function<void(output)>;

struct descriptor {
  const char* name;
  const char* description;
  const char* schema_json;  // JSON Schema of the arguments object
  unsigned realms;          // realm_mask
  bool needs_network;       // seccomp lets it open inet sockets
  bool needs_sandbox;       // refused in the public realm when the sandbox is missing
  // Runs the tool. `args_json` is the model's raw arguments (may be invalid). `done` is
  // called exactly once, possibly synchronously. Must not throw.
  void (*exec)(const context& ctx, std::string_view args_json, done_fn done);

  policies::tool_traits traits() const { return {name, realms, needs_sandbox}; }
};

// All tools, in a fixed order: the one list of tools there is.
const std::vector<const descriptor*>& registry();
// The tool named `name`, or nullptr.
const descriptor* find(std::string_view name);

// Gives every realm left to its default (config::realm::every_tool) every registered tool,
// and checks that each name in realms.*.tools and tiers.*.tools is a registered tool.
// Errors name the file, the line (cfg.key_lines) and the key, as the loader's do:
// "frugal.toml:12: tiers.tools.tools: unknown tool \"rm\"". Called on every loaded config
// before it is used (agent/runtime.cpp: at start and on reload).
status resolve_tool_names(config::file& cfg);

// policies::check_tool for a descriptor, with the sandbox the start-up probe found (a null
// `caps` means no sandbox at all).
policies::tool_verdict check(const config::realm& realm, const descriptor& tool,
                             const sandbox_caps* caps);
// The tools of `all` (in their order) that check() allows: the list offered to the model
// for a turn in `realm`.
std::vector<const descriptor*> offered(const config::realm& realm,
                                       const std::vector<const descriptor*>& all,
                                       const sandbox_caps* caps);

}  // namespace frugal::tools
