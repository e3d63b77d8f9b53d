// runner: the one way a tool call runs. It decides whether the realm may call the tool
// (policies::check_tool with the start-up sandbox probe; no realm means no), writes the
// audit row of the refusal or of the call, rejects arguments that are not a JSON object,
// asks the turn's egress guard (ctx.egress) before a network tool's "url" is fetched, times
// the call and invokes the tool. Each tool still confines itself (paths, addresses).
#pragma once
#include <string>
#include <string_view>

#include "tools/tool.h"

namespace frugal::tools {

// Runs `d` with `args_json` (empty means {}) for `ctx`. `done` is called exactly once
// (possibly synchronously) with the tool's output, or with an error output when the call
// is refused (its reason, safe to show), the arguments are not an object, or the audit
// row cannot be written. ctx.db (the audit log) and ctx.realm_cfg must be set and, like
// ctx.loop and ctx.http, outlive the call; the strings in ctx are copied.
void run_tool(const context& ctx, const descriptor& d, std::string_view args_json, done_fn done);

// The result text for a tool call past [sandbox] max_calls_per_step in one model response.
std::string over_step_cap(size_t cap);

}  // namespace frugal::tools
