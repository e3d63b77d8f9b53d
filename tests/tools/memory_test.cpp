// Memory per realm: the public realm never sees, finds or forgets a private row, and no
// query text (quotes, FTS operators, SQL) produces an error.
#include <algorithm>
#include <catch2/catch.hpp>

#include "core/json_writer.h"
#include "core/store/database.h"
#include "tests/tools/tools_fixture.h"
#include "tools/all_tools.h"
#include "tools/memory_store.h"

using frugal::core::realm_kind;

using namespace frugal;
using namespace frugal::tools;
using namespace frugal::tools::test;

TEST_CASE("memories never cross realms", "[tools][memory][canary]") {
  auto db = store::database::open_memory();
  REQUIRE(db.ok());
  REQUIRE(memory::remember(*db, realm_kind::private_, "an older private note").ok());
  auto priv =
      memory::remember(*db, realm_kind::private_, std::string("the vault code is ") + canary);
  REQUIRE(priv.ok());
  auto pub =
      memory::remember(*db, realm_kind::public_, "the channel topic is about vault gardening");
  REQUIRE(pub.ok());
  REQUIRE(*priv == 2);
  REQUIRE(*pub == 1);  // numbered per realm: the public realm cannot count private rows

  context ctx;
  ctx.realm = realm_kind::public_;
  ctx.db = &db.value();
  for (const char* q : {"vault", "code", "CANARY", canary, "vault code is", "*", "\"vault\""}) {
    auto o = run_tool_sync(memory_recall_tool(), ctx, R"({"query":)" + json_quote(q) + "}");
    INFO(q << " → " << o.text);
    CHECK_FALSE(o.is_error);
    CHECK(o.text.find(canary) == std::string::npos);
    CHECK(o.text.find("#" + std::to_string(*priv)) == std::string::npos);
  }
  auto gone = run_tool_sync(memory_forget_tool(), ctx, R"({"id":)" + std::to_string(*priv) + "}");
  CHECK(gone.is_error);  // the public realm has no #2
  auto still = memory::recall(*db, realm_kind::private_, "vault");
  REQUIRE(still.ok());
  REQUIRE(still->size() == 1);
  CHECK(still->front().text.find(canary) != std::string::npos);
  // The public #1 is the public note; forgetting it leaves the private #1 alone.
  auto own = run_tool_sync(memory_forget_tool(), ctx, R"({"id":1})");
  CHECK(own.text == "forgot #1");
  auto older = memory::recall(*db, realm_kind::private_, "older");
  REQUIRE(older.ok());
  REQUIRE(older->size() == 1);
  CHECK(older->front().id == 1);
}

TEST_CASE("memory ids are numbered per realm and never reused", "[tools][memory]") {
  auto db = store::database::open_memory();
  REQUIRE(db.ok());
  for (int i = 0; i < 3; ++i)
    REQUIRE(memory::remember(*db, realm_kind::private_, "private note").ok());
  // Before: the public note was "#4", telling a stranger that three private notes exist.
  CHECK(memory::remember(*db, realm_kind::public_, "public note").value() == 1);
  CHECK(memory::remember(*db, realm_kind::public_, "second public note").value() == 2);
  REQUIRE(memory::forget(*db, realm_kind::public_, 2).value());
  CHECK(memory::remember(*db, realm_kind::public_, "third public note").value() ==
        3);  // #2 stays gone
  CHECK(memory::remember(*db, realm_kind::private_, "private note").value() == 4);
}

TEST_CASE("a database from before per-realm ids is renumbered in order", "[tools][memory]") {
  auto db = store::database::open_memory();
  REQUIRE(db.ok());
  // The memory area as shipped before (migration #1 only), holding rows of both realms
  // with global ids 1..5.
  const std::vector<std::string_view> v1 = {
      "CREATE TABLE memories(id INTEGER PRIMARY KEY, realm TEXT NOT NULL,"
      " created_at INTEGER NOT NULL, text TEXT NOT NULL);"
      "CREATE INDEX memories_realm ON memories(realm, id);"
      "CREATE VIRTUAL TABLE memories_fts USING fts5(text, content='memories',"
      " content_rowid='id', tokenize='unicode61');"
      "CREATE TRIGGER memories_ai AFTER INSERT ON memories BEGIN"
      " INSERT INTO memories_fts(rowid, text) VALUES (new.id, new.text); END;"
      "CREATE TRIGGER memories_ad AFTER DELETE ON memories BEGIN"
      " INSERT INTO memories_fts(memories_fts, rowid, text) VALUES ('delete', old.id, old.text);"
      " END;"};
  REQUIRE(db->migrate("memory", v1).ok());
  REQUIRE(db->exec("INSERT INTO memories(realm, created_at, text) VALUES"
                   " ('private', 1, 'apple one'), ('public', 2, 'apple two'),"
                   " ('private', 3, 'apple three'), ('private', 4, 'apple four'),"
                   " ('public', 5, 'apple five');")
              .ok());
  auto ids = [&](realm_kind realm) {
    std::vector<std::pair<int64_t, std::string>> out;
    auto found = memory::recall(*db, realm, "apple", 10);
    REQUIRE(found.ok());
    for (const auto& r : *found) out.emplace_back(r.id, r.text);
    std::sort(out.begin(), out.end());
    return out;
  };
  using rows = std::vector<std::pair<int64_t, std::string>>;
  CHECK(ids(realm_kind::private_) == rows{{1, "apple one"}, {2, "apple three"}, {3, "apple four"}});
  CHECK(ids(realm_kind::public_) == rows{{1, "apple two"}, {2, "apple five"}});
  CHECK(memory::remember(*db, realm_kind::public_, "apple six").value() == 3);
  CHECK(memory::remember(*db, realm_kind::private_, "apple seven").value() == 4);
  REQUIRE(memory::forget(*db, realm_kind::private_, 2).value());
  CHECK(ids(realm_kind::private_) == rows{{1, "apple one"}, {3, "apple four"}, {4, "apple seven"}});
  CHECK(ids(realm_kind::public_).size() == 3);
}

TEST_CASE("memory tools remember, recall and forget", "[tools][memory]") {
  auto db = store::database::open_memory();
  REQUIRE(db.ok());
  context ctx;
  ctx.realm = realm_kind::private_;
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
  REQUIRE(
      memory::remember(*db, realm_kind::public_, "quotes \"and\" NEAR operators OR stars*").ok());
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
    auto rows = memory::recall(*db, realm_kind::public_, q);
    INFO(q);
    CHECK(rows.ok());
  }
  CHECK(memory::fts_query("a\"b c*d") == "\"a\" OR \"b\" OR \"c\" OR \"d\"");
  CHECK(memory::fts_query("  ;; ") == "");
  auto hits = memory::recall(*db, realm_kind::public_, "NEAR operators");
  REQUIRE(hits.ok());
  CHECK(hits->size() == 1);
}
