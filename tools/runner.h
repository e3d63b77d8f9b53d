// runner: the one way a tool call runs. It refuses a name the turn's registry does not
// hold, decides whether the realm may call the tool (policies::check_tool with the start-up
// sandbox probe; no realm means no), refuses a tool the request did not offer (ctx.offered:
// the tier's narrower set), rejects arguments that are not a JSON object, asks the
// turn's egress guard (ctx.egress) before a network tool's "url" is fetched, writes the
// call's one audit row with its final verdict, times the call and invokes the tool. Each
// tool still confines itself (paths, addresses); its own refusal turns the row "denied".
#pragma once
#include <string>
#include <string_view>

#include "tools/tool.h"

namespace frugal::tools {

// Runs the call of tool `name` (`d`, or nullptr when no tool of that name is offered) with
// `args_json` (empty means {}) for `ctx`. `done` is called exactly once (possibly
// synchronously) with the tool's output, or with an error output when the call is refused
// (its reason, safe to show; output::refused says who refused), the arguments are not an
// object, or the audit row cannot be written. Every call but the last case leaves exactly
// one audit row. ctx.db (the audit log) and ctx.realm_cfg must be set and, like ctx.loop,
// ctx.http and ctx.egress, outlive the call; the strings in ctx are copied.
void run_tool(const context& ctx, std::string_view name, const descriptor* d,
              std::string_view args_json, done_fn done);

// A call past [sandbox] max_calls_per_step (`cap`) in one model response: not run; its
// audit row says "denied" and the returned error output says why.
output refuse_over_step_cap(const context& ctx, std::string_view name, std::string_view args_json,
                            size_t cap);

}  // namespace frugal::tools
