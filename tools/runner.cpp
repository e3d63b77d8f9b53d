// The tool-call wrapper: the policy check (policies::check_tool, through tools::check),
// the audit rows (the refusal, or begin/finish), the argument sanity check and timing. The
// turn calls nothing else, so a tool call is judged and audited here and only here.
#include "tools/runner.h"

#include <simdjson.h>
#include <uv.h>

#include "core/log.h"
#include "policies/egress.h"
#include "tools/audit.h"

namespace frugal::tools {

void run_tool(const context& ctx, const descriptor& d, std::string_view args_json, done_fn done) {
  if (!ctx.db) return done(output{true, "tool refused: no audit log is available", 1});
  audit_entry e;
  e.realm = ctx.realm;
  e.sender = ctx.sender;
  e.tool = d.name;
  e.arguments = std::string(args_json);

  // Fail closed: a call with no realm to judge it against is refused like any other.
  policies::tool_verdict v =
      ctx.realm_cfg ? check(*ctx.realm_cfg, d, ctx.caps)
                    : policies::tool_verdict{policies::tool_verdict::kind::deny,
                                             log::cat("tool '", d.name, "' has no realm")};
  if (v.verdict != policies::tool_verdict::kind::allow) {
    e.allowed = false;
    e.reason = v.reason;
    if (auto s = audit::record(*ctx.db, e); !s) LOG_ERROR("audit", s.message());
    LOG_INFO("policy", ctx.realm, " ", ctx.sender, ": tool ", d.name, " refused: ", v.reason);
    output out{true, v.reason, 1};
    out.refused = refusal::policy;
    return done(std::move(out));
  }

  const std::string args = args_json.empty() ? "{}" : std::string(args_json);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(args).get(doc) != simdjson::SUCCESS || !doc.is_object())
    return done(output{true, "arguments are not a valid JSON object", 1});
  e.arguments = args;

  // The turn's egress guard (policies/egress.h): once untrusted and private content have
  // met in the turn, a tool that reaches the network may fetch only what the rule allows.
  if (std::string_view url;
      ctx.egress && d.needs_network && doc["url"].get(url) == simdjson::SUCCESS) {
    if (auto g = ctx.egress->check(url); g.verdict != policies::egress_verdict::kind::allow) {
      e.allowed = false;
      e.reason = g.reason;
      if (auto s = audit::record(*ctx.db, e); !s) LOG_ERROR("audit", s.message());
      LOG_INFO("policy", ctx.realm, " ", ctx.sender, ": tool ", d.name, " refused: ", g.reason);
      output out{true, g.reason, 1};
      out.refused = refusal::egress;
      return done(std::move(out));
    }
  }

  e.allowed = true;
  auto id = audit::begin(*ctx.db, e);
  if (!id) {
    LOG_ERROR("tools", id.message());
    return done(output{true, "tool refused: the audit log cannot be written", 1});
  }
  store::database* db = ctx.db;
  const uint64_t start = uv_hrtime();
  const std::string name = d.name;
  d.exec(ctx, args, [db, row = *id, start, name, done = std::move(done)](output out) {
    int64_t ms = static_cast<int64_t>((uv_hrtime() - start) / 1'000'000);
    int exit_status = out.exit_status != 0 ? out.exit_status : (out.is_error ? 1 : 0);
    out.exit_status = exit_status;
    if (auto s = audit::finish(*db, row, exit_status, ms); !s) LOG_ERROR("tools", s.message());
    LOG_DEBUG("tools", name, " finished in ", ms, " ms, status ", exit_status);
    done(std::move(out));
  });
}

std::string over_step_cap(size_t cap) {
  return log::cat("not run: at most ", cap,
                  " tool calls run per model response; ask for the rest in the next step");
}

}  // namespace frugal::tools
