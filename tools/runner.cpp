// The tool-call wrapper: the policy check (policies::check_tool, through tools::check), the
// argument check, the turn's egress guard, the audit row and timing. The turn calls nothing
// else, so a tool call is judged and audited here and only here: one row per call, holding
// its final verdict (a refusal here, or the tool's own, says "denied").
#include "tools/runner.h"

#include <simdjson.h>
#include <uv.h>

#include <algorithm>

#include "core/log.h"
#include "policies/egress.h"
#include "tools/audit.h"

namespace frugal::tools {
namespace {

audit_entry entry_for(const context& ctx, std::string_view name, std::string_view args_json) {
  audit_entry e;
  e.realm = ctx.realm;
  e.sender = ctx.sender;
  e.tool = std::string(name);
  e.arguments = std::string(args_json);
  return e;
}

// The one row of a call refused before it ran, and its result.
output refused(const context& ctx, audit_entry e, std::string reason, refusal by) {
  LOG_INFO("policy", core::realm_name(ctx.realm), " ", ctx.sender, ": tool ", e.tool,
           " refused: ", reason);
  e.allowed = false;
  e.reason = reason;
  if (auto s = audit::record(*ctx.db, e); !s) LOG_ERROR("audit", s.message());
  output out{true, std::move(reason), 1};
  out.refused = by;
  return out;
}

}  // namespace

void run_tool(const context& ctx, std::string_view name, const descriptor* d,
              std::string_view args_json, done_fn done) {
  if (!ctx.db) return done(output{true, "tool refused: no audit log is available", 1});
  audit_entry e = entry_for(ctx, name, args_json);
  if (!d) return done(refused(ctx, e, log::cat("unknown tool \"", name, "\""), refusal::policy));

  // Fail closed: a call with no realm to judge it against is refused like any other.
  policies::tool_verdict v =
      ctx.realm_cfg ? check(*ctx.realm_cfg, *d, ctx.caps)
                    : policies::tool_verdict{policies::tool_verdict::kind::deny,
                                             log::cat("tool '", d->name, "' has no realm")};
  if (v.verdict != policies::tool_verdict::kind::allow)
    return done(refused(ctx, e, v.reason, refusal::policy));
  if (ctx.offered &&
      std::find(ctx.offered->begin(), ctx.offered->end(), d->name) == ctx.offered->end())
    return done(refused(ctx, e, log::cat("tool \"", d->name, "\" was not offered in this request"),
                        refusal::policy));

  const std::string args = args_json.empty() ? "{}" : std::string(args_json);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(args).get(doc) != simdjson::SUCCESS || !doc.is_object())
    return done(refused(ctx, e, "arguments are not a valid JSON object", refusal::policy));
  e.arguments = args;

  // The turn's egress guard (policies/egress.h): once untrusted and private content have
  // met in the turn, a tool that reaches the network may fetch only what the rule allows.
  if (std::string_view url;
      ctx.egress && d->needs_network && doc["url"].get(url) == simdjson::SUCCESS) {
    if (auto g = ctx.egress->check(url); g.verdict != policies::egress_verdict::kind::allow)
      return done(refused(ctx, e, g.reason, refusal::egress));
  }

  e.allowed = true;
  auto id = audit::begin(*ctx.db, e);
  if (!id) {
    LOG_ERROR("tools", id.message());
    return done(output{true, "tool refused: the audit log cannot be written", 1});
  }
  store::database* db = ctx.db;
  const uint64_t start = uv_hrtime();
  d->exec(ctx, args, [db, row = *id, start, name = e.tool, done = std::move(done)](output out) {
    int64_t ms = static_cast<int64_t>((uv_hrtime() - start) / 1'000'000);
    int exit_status = out.exit_status != 0 ? out.exit_status : (out.is_error ? 1 : 0);
    out.exit_status = exit_status;
    // The tool's own refusal is the call's final verdict: the row turns "denied".
    const std::string* refusal_reason = out.refused != refusal::none ? &out.text : nullptr;
    if (auto s = audit::finish(*db, row, exit_status, ms, refusal_reason); !s)
      LOG_ERROR("tools", s.message());
    if (refusal_reason) LOG_INFO("policy", name, " refused by the tool: ", out.text);
    LOG_DEBUG("tools", name, " finished in ", ms, " ms, status ", exit_status);
    done(std::move(out));
  });
}

output refuse_over_step_cap(const context& ctx, std::string_view name, std::string_view args_json,
                            size_t cap) {
  std::string reason = log::cat("not run: at most ", cap,
                                " tool calls run per model response; ask for the rest in the "
                                "next step");
  if (!ctx.db) return output{true, std::move(reason), 1, refusal::policy};
  return refused(ctx, entry_for(ctx, name, args_json), std::move(reason), refusal::policy);
}

}  // namespace frugal::tools
