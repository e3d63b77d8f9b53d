// Unit tests for the account's sqlite state: txn ids persisted and monotonic across
// reopenings, pending sends kept with their txn id, seen ids bounded, per-room facts.
#include "transports/matrix/state.h"

#include <unistd.h>

#include <catch2/catch.hpp>

using namespace frugal;
using namespace frugal::matrix;

namespace {
std::string temp_db() {
  char tmpl[] = "/tmp/frugal-matrix-state-XXXXXX";
  int fd = mkstemp(tmpl);
  close(fd);
  return tmpl;
}
int64_t txn_number(const std::string& txn) {
  return std::stoll(txn.substr(txn.find('.') + 1));
}
}  // namespace

TEST_CASE("txn ids are persisted, monotonic, and survive a reopen", "[matrix][state]") {
  std::string path = temp_db();
  std::string first_txn, prefix;
  {
    auto db = store::database::open(path);
    REQUIRE(db.ok());
    auto st = state_store::open(*db, "main");
    REQUIRE(st.ok());
    auto a = st->enqueue("!r:hs", R"({"body":"a"})");
    auto b = st->enqueue("!r:hs", R"({"body":"b"})");
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(txn_number(b->txn_id) == txn_number(a->txn_id) + 1);
    first_txn = a->txn_id;
    prefix = a->txn_id.substr(0, a->txn_id.find('.'));
    REQUIRE(st->remove_pending(a->id).ok());
  }
  {
    auto db = store::database::open(path);
    REQUIRE(db.ok());
    auto st = state_store::open(*db, "main");
    REQUIRE(st.ok());
    auto pend = st->pending();
    REQUIRE(pend.ok());
    REQUIRE(pend->size() == 1);  // the unacknowledged one, with the same txn id
    CHECK((*pend)[0].content == R"({"body":"b"})");
    CHECK(txn_number((*pend)[0].txn_id) == txn_number(first_txn) + 1);
    auto c = st->enqueue("!r:hs", "{}");
    REQUIRE(c.ok());
    CHECK(c->txn_id == prefix + "." + std::to_string(txn_number(first_txn) + 2));

    // Another account on the same database has its own counter and queue.
    auto other = state_store::open(*db, "second");
    REQUIRE(other.ok());
    CHECK(other->pending()->empty());
  }
  unlink(path.c_str());
  unlink((path + "-wal").c_str());
  unlink((path + "-shm").c_str());
}

TEST_CASE("next_batch is stored per account", "[matrix][state]") {
  auto db = store::database::open_memory();
  REQUIRE(db.ok());
  auto a = state_store::open(*db, "a");
  auto b = state_store::open(*db, "b");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->next_batch()->empty());
  REQUIRE(a->set_next_batch("s1").ok());
  REQUIRE(a->set_next_batch("s2").ok());
  CHECK(*a->next_batch() == "s2");
  CHECK(b->next_batch()->empty());
}

TEST_CASE("seen event ids are recorded once and bounded", "[matrix][state]") {
  auto db = store::database::open_memory();
  REQUIRE(db.ok());
  auto st = state_store::open(*db, "main", 100);
  REQUIRE(st.ok());
  CHECK(*st->mark_seen("$a"));
  CHECK_FALSE(*st->mark_seen("$a"));
  for (int i = 0; i < 300; ++i) REQUIRE(*st->mark_seen("$n" + std::to_string(i)));
  CHECK_FALSE(*st->mark_seen("$n299"));  // recent ones are still known
  CHECK(*st->mark_seen("$a"));           // the oldest was pruned
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(db->get(), "SELECT count(*) FROM matrix_seen", -1, &q, nullptr);
  sqlite3_step(q);
  CHECK(sqlite3_column_int(q, 0) <= 200);
  sqlite3_finalize(q);
}

TEST_CASE("room facts round-trip", "[matrix][state]") {
  auto db = store::database::open_memory();
  REQUIRE(db.ok());
  auto st = state_store::open(*db, "main");
  REQUIRE(st.ok());
  auto none = st->room("!x:hs");
  REQUIRE(none.ok());
  CHECK_FALSE(none->encrypted);
  CHECK(none->members == -1);
  room_info info;
  info.encrypted = true;
  info.notified = true;
  info.members = 2;
  REQUIRE(st->set_room("!x:hs", info).ok());
  auto back = st->room("!x:hs");
  CHECK(back->encrypted);
  CHECK(back->notified);
  CHECK_FALSE(back->direct);
  CHECK(back->members == 2);
}
