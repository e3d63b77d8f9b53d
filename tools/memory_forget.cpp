// memory_forget: deletes one memory by id, only within the calling realm.
#include "core/log.h"
#include "tools/all_tools.h"
#include "tools/memory_store.h"
#include "tools/tool_args.h"

namespace frugal::tools {
namespace {

void exec(const context& ctx, std::string_view args_json, done_fn done) {
  auto args = tool_args::parse(args_json);
  if (!args) return done(tool_error(args.message()));
  int64_t id = 0;
  if (auto s = args->get_int("id", id, true); !s) return done(tool_error(s.message()));
  if (!ctx.db) return done(tool_error("memory: no database in this context"));
  auto gone = memory::forget(*ctx.db, ctx.realm, id);
  if (!gone) return done(tool_error(gone.message()));
  if (!*gone) return done(tool_error(log::cat("memory: no memory #", id, " in this realm")));
  done(tool_ok(log::cat("forgot #", id)));
}

const descriptor k_memory_forget{
    "memory_forget",
    "Forget one of your notes, by the id memory_recall showed.",
    R"({"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]})",
    realm_both,
    false,
    false,
    exec};

}  // namespace

const descriptor& memory_forget_tool() {
  return k_memory_forget;
}

}  // namespace frugal::tools
