// The tool-call wrapper: defence-in-depth checks, audit rows (begin/finish) and timing.
// It adds no policy of its own beyond the two checks that must hold whatever the config.
#include "tools/runner.h"

#include <uv.h>

#include "core/log.h"
#include "tools/audit.h"
#include "tools/sandbox.h"

namespace frugal::tools {
namespace {

unsigned realm_bit(const std::string& realm) {
  if (realm == "private") return realm_private;
  if (realm == "public") return realm_public;
  return 0;
}

}  // namespace

void run_tool(const context& ctx, const descriptor& d, std::string_view args_json, done_fn done) {
  if (!ctx.db) return done(output{true, "tool refused: no audit log is available", 1});
  audit_entry e;
  e.realm = ctx.realm;
  e.sender = ctx.sender;
  e.tool = d.name;
  e.arguments = std::string(args_json);

  std::string refusal;
  if (!(d.realms & realm_bit(ctx.realm)))
    refusal = log::cat("tool ", d.name, " is not offered to the ", ctx.realm, " realm");
  else if (std::string missing;
           d.needs_sandbox && ctx.realm != "private" && !sandbox_complete(ctx.caps, &missing))
    refusal = log::cat("tool ", d.name, " needs the sandbox, which this host lacks: ", missing);
  if (!refusal.empty()) {
    e.allowed = false;
    e.reason = refusal;
    if (auto s = audit::record(*ctx.db, e); !s) LOG_ERROR("tools", s.message());
    LOG_INFO("tools", "refused ", d.name, " for ", ctx.realm, ": ", refusal);
    return done(output{true, refusal, 1});
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
  d.exec(ctx, args_json, [db, row = *id, start, name, done = std::move(done)](output out) {
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
