// memory_remember: stores one short text in the calling realm's memory (see memory_store.h).
#include "core/log.h"
#include "tools/all_tools.h"
#include "tools/memory_store.h"
#include "tools/tool_args.h"

namespace frugal::tools {
namespace {

void exec(const context& ctx, std::string_view args_json, done_fn done) {
  auto args = tool_args::parse(args_json);
  if (!args) return done(tool_error(args.message()));
  std::string text;
  if (auto s = args->get_string("text", text, true); !s) return done(tool_error(s.message()));
  if (!ctx.db) return done(tool_error("memory: no database in this context"));
  auto id = memory::remember(*ctx.db, ctx.realm, text);
  if (!id) return done(tool_error(id.message()));
  done(tool_ok(log::cat("remembered as #", *id)));
}

const descriptor k_memory_remember{
    "memory_remember",
    "Remember a short note (at most 4 KB) for later conversations in this realm.",
    R"({"type":"object","properties":{"text":{"type":"string"}},"required":["text"]})",
    realm_both,
    false,
    false,
    exec};

}  // namespace

const descriptor& memory_remember_tool() {
  return k_memory_remember;
}

}  // namespace frugal::tools
