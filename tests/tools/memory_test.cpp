// Memory per realm: the public realm never sees, finds or forgets a private row, and no
// query text (quotes, FTS operators, SQL) produces an error.
#include <catch2/catch.hpp>

#include "core/json_writer.h"
#include "core/store/database.h"
#include "tests/tools/tools_fixture.h"
#include "tools/all_tools.h"
#include "tools/memory_store.h"

using namespace frugal;
using namespace frugal::tools;
using namespace frugal::tools::test;

TEST_CASE("memories never cross realms", "[tools][memory][canary]") {
  auto db = store::database::open_memory();
  REQUIRE(db.ok());
  auto priv = memory::remember(*db, "private", std::string("the vault code is ") + canary);
  REQUIRE(priv.ok());
  auto pub = memory::remember(*db, "public", "the channel topic is about vault gardening");
  REQUIRE(pub.ok());

  context ctx;
  ctx.realm = "public";
  ctx.db = &db.value();
  for (const char* q : {"vault", "code", "CANARY", canary, "vault code is", "*", "\"vault\""}) {
    auto o = run_tool_sync(memory_recall_tool(), ctx, R"({"query":)" + json_quote(q) + "}");
    INFO(q << " → " << o.text);
    CHECK_FALSE(o.is_error);
    CHECK(o.text.find(canary) == std::string::npos);
    CHECK(o.text.find("#" + std::to_string(*priv)) == std::string::npos);
  }
  auto gone = run_tool_sync(memory_forget_tool(), ctx, R"({"id":)" + std::to_string(*priv) + "}");
  CHECK(gone.is_error);  // not this realm's memory
  auto still = memory::recall(*db, "private", "vault");
  REQUIRE(still.ok());
  REQUIRE(still->size() == 1);
  CHECK(still->front().text.find(canary) != std::string::npos);
}

TEST_CASE("memory tools remember, recall and forget", "[tools][memory]") {
  auto db = store::database::open_memory();
  REQUIRE(db.ok());
  context ctx;
  ctx.realm = "private";
  ctx.db = &db.value();
  auto r =
      run_tool_sync(memory_remember_tool(), ctx, R"({"text":"Alice prefers tea over coffee"})");
  REQUIRE(r.text == "remembered as #1");
  run_tool_sync(memory_remember_tool(), ctx, R"({"text":"Bob's birthday is in May"})");
  auto found =
      run_tool_sync(memory_recall_tool(), ctx, R"({"query":"what does alice drink? tea"})");
  CHECK_FALSE(found.is_error);
  CHECK(found.text.find("#1 (") == 0);
  CHECK(found.text.find("Alice prefers tea") != std::string::npos);
  CHECK(found.text.find("Bob") == std::string::npos);
  auto f = run_tool_sync(memory_forget_tool(), ctx, R"({"id":1})");
  CHECK(f.text == "forgot #1");
  auto none = run_tool_sync(memory_recall_tool(), ctx, R"({"query":"tea"})");
  CHECK(none.text == "no matching memories");
  CHECK(run_tool_sync(memory_remember_tool(), ctx, R"({"text":""})").is_error);
  CHECK(run_tool_sync(memory_remember_tool(), ctx,
                      R"({"text":")" + std::string(memory::max_text_bytes + 1, 'x') + "\"}")
            .is_error);
}

TEST_CASE("hostile query text never reaches FTS5 as syntax", "[tools][memory]") {
  auto db = store::database::open_memory();
  REQUIRE(db.ok());
  REQUIRE(memory::remember(*db, "public", "quotes \"and\" NEAR operators OR stars*").ok());
  for (const char* q : {"\"",
                        "\"\"\"",
                        "a\" OR \"b",
                        "NEAR(a b)",
                        "text:quotes",
                        "*",
                        "^quotes",
                        "a AND",
                        "OR",
                        "NOT",
                        "(",
                        ")",
                        "'; DROP TABLE memories; --",
                        "col:val",
                        "-x",
                        "+",
                        "\xff\xfe",
                        "",
                        "   ",
                        "quotes\" NEAR/2 \"operators"}) {
    auto rows = memory::recall(*db, "public", q);
    INFO(q);
    CHECK(rows.ok());
  }
  CHECK(memory::fts_query("a\"b c*d") == "\"a\" OR \"b\" OR \"c\" OR \"d\"");
  CHECK(memory::fts_query("  ;; ") == "");
  auto hits = memory::recall(*db, "public", "NEAR operators");
  REQUIRE(hits.ok());
  CHECK(hits->size() == 1);
}
