// memory_recall: the five memories of the calling realm that best match a query. The query
// is free text; it reaches FTS5 only as quoted words (memory::fts_query).
#include <ctime>

#include "core/log.h"
#include "core/utf8.h"
#include "tools/all_tools.h"
#include "tools/memory_store.h"
#include "tools/tool_args.h"

namespace frugal::tools {
namespace {

void exec(const context& ctx, std::string_view args_json, done_fn done) {
  auto args = tool_args::parse(args_json);
  if (!args) return done(tool_error(args.message()));
  std::string query;
  if (auto s = args->get_string("query", query, true); !s) return done(tool_error(s.message()));
  if (!ctx.db) return done(tool_error("memory: no database in this context"));
  auto rows = memory::recall(*ctx.db, ctx.realm, query, 5);
  if (!rows) return done(tool_error(rows.message()));
  if (rows->empty()) return done(tool_ok("no matching memories"));
  std::string text;
  for (const auto& r : *rows) {
    time_t t = static_cast<time_t>(r.created_at);
    tm utc{};
    gmtime_r(&t, &utc);
    char day[16];
    strftime(day, sizeof day, "%Y-%m-%d", &utc);
    text += log::cat("#", r.id, " (", day, "): ", utf8::repair(r.text), "\n");
  }
  done(tool_ok(std::move(text)));
}

const descriptor k_memory_recall{
    "memory_recall",
    "Search your notes from earlier conversations in this realm; returns the 5 best matches.",
    R"({"type":"object","properties":{"query":{"type":"string"}},"required":["query"]})",
    realm_both,
    false,
    false,
    exec};

}  // namespace

const descriptor& memory_recall_tool() {
  return k_memory_recall;
}

}  // namespace frugal::tools
