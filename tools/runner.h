// runner: the one way the turn loop runs a tool. It re-checks what must never slip
// (the tool is offered to this realm; a sandboxed tool in the public realm has its sandbox),
// writes the audit row, times the call and invokes the tool. The realm's tool allowlist
// itself is policies/' job and is checked before this is called.
#pragma once
#include <string>
#include <string_view>

#include "tools/tool.h"

namespace frugal::tools {

// Runs `d` with `args_json` for `ctx`. `done` is called exactly once (possibly
// synchronously) with the tool's output, or with an error output when the call is refused
// here or the audit row cannot be written. ctx.db (the audit log) must be set and, like
// ctx.loop and ctx.http, outlive the call; the strings in ctx are copied.
void run_tool(const context& ctx, const descriptor& d, std::string_view args_json, done_fn done);

// The result text for a tool call past [sandbox] max_calls_per_step in one model response.
std::string over_step_cap(size_t cap);

}  // namespace frugal::tools
