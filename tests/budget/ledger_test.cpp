// Tests for budget/ledger.cpp and budget/process_identity.cpp: rows and their states, the
// totals per scope, the stopped and warned flags, orphan recovery with pid reuse, and the
// summaries used by `frugal budget`.
#include "budget/ledger.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <set>

using frugal::core::realm_kind;

using namespace frugal;
using namespace frugal::budget;

namespace {

struct fixture {
  store::database db = std::move(store::database::open_memory().value());
  ledger open_as(int64_t pid, std::string marker) {
    auto l = ledger::open(db, {pid, std::move(marker)});
    REQUIRE(l);
    return std::move(l.value());
  }
};

call_info who(realm_kind realm, std::string sender, std::string model = "mini") {
  return {realm, std::move(sender), "irc.test", "chat", std::move(model), "score 1"};
}

int64_t reserve(ledger& l, const std::string& day, const call_info& c, int64_t amount) {
  auto id = l.reserve(day, 1000, c, false, [&](const day_totals&) { return amount; });
  REQUIRE(id);
  return *id;
}

}  // namespace

TEST_CASE("reserve writes a row only when decide says so, inside the totals read", "[ledger]") {
  fixture f;
  ledger l = f.open_as(10, "a");
  int64_t id = reserve(l, "2025-06-15", who(realm_kind::public_, "alice"), 500);
  CHECK(id > 0);
  day_totals seen;
  auto none = l.reserve("2025-06-15", 1001, who(realm_kind::public_, "bob"), true,
                        [&](const day_totals& t) {
                          seen = t;
                          return int64_t{-1};
                        });
  REQUIRE(none);
  CHECK(*none == 0);
  CHECK(seen.agent.outstanding == 500);
  CHECK(seen.realm.outstanding == 500);
  CHECK(seen.sender.outstanding == 0);  // bob, not alice
  CHECK(seen.month == 500);

  auto q = store::statement::prepare(
      f.db.get(),
      "SELECT day, pid, proc_start, realm, sender, transport, tier, model,"
      " route_reason, reserved_micro, state, created_at FROM ledger");
  REQUIRE(q);
  REQUIRE(q->step() == SQLITE_ROW);
  CHECK(q->text_at(0) == "2025-06-15");
  CHECK(q->int_at(1) == 10);
  CHECK(q->text_at(2) == "a");
  CHECK(q->text_at(3) == "public");
  CHECK(q->text_at(4) == "alice");
  CHECK(q->text_at(5) == "irc.test");
  CHECK(q->text_at(6) == "chat");
  CHECK(q->text_at(7) == "mini");
  CHECK(q->text_at(8) == "score 1");
  CHECK(q->int_at(9) == 500);
  CHECK(q->text_at(10) == "reserved");
  CHECK(q->int_at(11) == 1000);
  CHECK(q->step() == SQLITE_DONE);
}

TEST_CASE("settle, release and charge_full close a reservation exactly once", "[ledger]") {
  fixture f;
  ledger l = f.open_as(10, "a");
  const std::string day = "2025-06-15";
  int64_t a = reserve(l, day, who(realm_kind::private_, "owner"), 1000);
  int64_t b = reserve(l, day, who(realm_kind::public_, "alice"), 300);
  int64_t c = reserve(l, day, who(realm_kind::public_, "alice"), 200);

  auto sa = l.settle(a, 700, {100, 50, 20}, "ok", "", 2000);
  REQUIRE(sa);
  CHECK(sa->actual == 700);
  CHECK_FALSE(sa->exceeded());
  REQUIRE(l.release(b, "released: 429", 2000));
  auto sc = l.charge_full(c, "charged in full: timeout", 2000);
  REQUIRE(sc);
  CHECK(sc->actual == 200);

  auto t = l.totals(day, who(realm_kind::public_, "alice"), false);
  REQUIRE(t);
  CHECK(t->agent.settled == 900);
  CHECK(t->agent.outstanding == 0);
  CHECK(t->realm.settled == 200);
  CHECK(t->sender.settled == 200);
  CHECK_FALSE(t->stopped);

  auto again = l.settle(a, 1, {}, "ok", "", 3000);
  REQUIRE_FALSE(again);
  CHECK(again.message().find("already settled") != std::string::npos);
  CHECK_FALSE(l.release(b, "x", 3000));
  CHECK_FALSE(l.charge_full(9999, "x", 3000));
  auto tokens = store::statement::prepare(
      f.db.get(), "SELECT tokens_in, tokens_out, tokens_cached, outcome FROM ledger WHERE id=?");
  REQUIRE(tokens);
  tokens->bind(1, a);
  REQUIRE(tokens->step() == SQLITE_ROW);
  CHECK(tokens->int_at(0) == 100);
  CHECK(tokens->int_at(1) == 50);
  CHECK(tokens->int_at(2) == 20);
  CHECK(tokens->text_at(3) == "ok");
}

TEST_CASE("an actual above its reservation stops the day in the same transaction", "[ledger]") {
  fixture f;
  ledger l = f.open_as(10, "a");
  int64_t id = reserve(l, "2025-06-15", who(realm_kind::private_, "owner"), 100);
  auto s = l.settle(id, 150, {}, "ok", "model mini charged $0.00015", 2000);
  REQUIRE(s);
  CHECK(s->exceeded());
  auto t = l.totals("2025-06-15", who(realm_kind::private_, "owner"), false);
  REQUIRE(t);
  CHECK(t->stopped);
  CHECK(t->agent.settled == 150);
  CHECK(*l.stop_reason("2025-06-15") == "model mini charged $0.00015");
  CHECK_FALSE(l.totals("2025-06-16", who(realm_kind::private_, "owner"), false)->stopped);
  CHECK(l.stop_reason("2025-06-16")->empty());
}

TEST_CASE("orphans of ended processes are settled in full; live ones are left", "[ledger]") {
  fixture f;
  ledger dead = f.open_as(111, "boot:1");
  ledger live = f.open_as(222, "boot:2");
  ledger reused = f.open_as(333, "boot:3");  // pid 333 now belongs to someone else
  const std::string day = "2025-06-15";
  reserve(dead, day, who(realm_kind::public_, "a"), 100);
  reserve(dead, "2025-06-14", who(realm_kind::public_, "a"), 50);
  int64_t settled = reserve(dead, day, who(realm_kind::public_, "a"), 70);
  REQUIRE(dead.settle(settled, 10, {}, "ok", "", 1));
  reserve(live, day, who(realm_kind::public_, "b"), 200);
  reserve(reused, day, who(realm_kind::public_, "c"), 300);

  ledger me = f.open_as(444, "boot:4");
  reserve(me, day, who(realm_kind::private_, "owner"), 400);
  std::set<int64_t> asked;
  auto alive = [&](int64_t pid, const std::string& marker) {
    asked.insert(pid);
    if (pid == 222) return marker == "boot:2";
    if (pid == 333) return marker == "boot:NEW";
    return false;
  };
  auto n = me.recover_orphans(alive, 5000);
  REQUIRE(n);
  CHECK(*n == 3);
  CHECK(asked == std::set<int64_t>{111, 222, 333});  // never itself
  auto t = me.totals(day, who(realm_kind::public_, "a"), false);
  REQUIRE(t);
  CHECK(t->agent.settled == 10 + 100 + 300);
  CHECK(t->agent.outstanding == 200 + 400);
  auto q = store::statement::prepare(
      f.db.get(),
      "SELECT COUNT(*) FROM ledger WHERE state='orphan_settled' AND"
      " actual_micro=reserved_micro AND outcome LIKE 'orphan: process %'");
  REQUIRE(q);
  REQUIRE(q->step() == SQLITE_ROW);
  CHECK(q->int_at(0) == 3);
  CHECK(*me.recover_orphans(alive, 6000) == 0);  // idempotent
}

TEST_CASE("month totals, warned flag, breakdown and history", "[ledger]") {
  fixture f;
  ledger l = f.open_as(1, "m");
  reserve(l, "2025-05-31", who(realm_kind::private_, "o", "big"), 1000);
  int64_t a = reserve(l, "2025-06-01", who(realm_kind::private_, "o", "big"), 300);
  REQUIRE(l.settle(a, 250, {}, "ok", "", 1));
  reserve(l, "2025-06-02", who(realm_kind::public_, "p", "mini"), 40);
  int64_t r = reserve(l, "2025-06-02", who(realm_kind::public_, "p", "mini"), 5);
  REQUIRE(l.release(r, "released", 1));
  auto t = l.totals("2025-06-02", who(realm_kind::public_, "p"), true);
  REQUIRE(t);
  CHECK(t->month == 290);  // May's row is not June's

  CHECK(*l.mark_warned("2025-06-02"));
  CHECK_FALSE(*l.mark_warned("2025-06-02"));
  ledger other = f.open_as(2, "n");
  CHECK_FALSE(*other.mark_warned("2025-06-02"));
  CHECK(*other.mark_warned("2025-06-03"));

  auto by_model = l.breakdown("2025-06-02", "model");
  REQUIRE(by_model);
  REQUIRE(by_model->size() == 1);
  CHECK(by_model->at(0).key == "mini");
  CHECK(by_model->at(0).outstanding == 40);
  CHECK(by_model->at(0).calls == 1);  // the released one is not a call
  CHECK_FALSE(l.breakdown("2025-06-02", "sender; DROP TABLE ledger"));

  auto h = l.history(2);
  REQUIRE(h);
  REQUIRE(h->size() == 2);
  CHECK(h->at(0).day == "2025-06-02");
  CHECK(h->at(1).day == "2025-06-01");
  CHECK(h->at(1).settled == 250);
}

TEST_CASE("process identity tells a live process from a dead one and a reused pid", "[ledger]") {
  process_identity me = process_identity::current();
  CHECK(me.pid == getpid());
  CHECK(me.marker.find(':') != std::string::npos);
  CHECK(process_alive(me.pid, me.marker));
  CHECK_FALSE(process_alive(me.pid, me.marker + "0"));  // same pid, other start time
  std::string other_boot =
      "00000000-0000-0000-0000-000000000000" + me.marker.substr(me.marker.find(':'));
  CHECK_FALSE(process_alive(me.pid, other_boot));
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) _exit(0);
  REQUIRE(waitpid(child, nullptr, 0) == child);
  CHECK_FALSE(process_alive(child, "x:1"));
  CHECK_FALSE(process_alive(0, ""));
  CHECK_FALSE(process_alive(-5, ""));
}

TEST_CASE("prune drops old closed rows and keeps daily totals, open rows and the cap", "[ledger]") {
  fixture f;
  ledger l = f.open_as(1, "p");
  int64_t a = reserve(l, "2025-05-30", who(realm_kind::public_, "p"), 300);
  int64_t b = reserve(l, "2025-05-30", who(realm_kind::public_, "p"), 300);
  int64_t c = reserve(l, "2025-05-30", who(realm_kind::public_, "p"), 300);
  REQUIRE(l.settle(a, 100, {1000, 50, 600, 0}, "ok", "", 1));
  REQUIRE(l.settle(b, 200, {2000, 80, 0, 1500}, "ok", "", 1));
  REQUIRE(l.release(c, "released", 1));
  int64_t open = reserve(l, "2025-05-31", who(realm_kind::public_, "p"), 70);
  int64_t kept = reserve(l, "2025-06-01", who(realm_kind::public_, "p"), 40);
  REQUIRE(l.settle(kept, 10, {}, "ok", "", 1));
  auto before = l.totals("2025-05-30", who(realm_kind::public_, "p"), true);
  REQUIRE(before);

  auto n = l.prune("2025-06-01");
  REQUIRE(n);
  CHECK(*n == 3);  // the three closed rows of 05-30; the open one of 05-31 stays
  auto rows = [&](const char* where) {
    auto q =
        store::statement::prepare(f.db.get(), std::string("SELECT COUNT(*) FROM ledger ") + where);
    REQUIRE(q);
    REQUIRE(q->step() == SQLITE_ROW);
    return q->int_at(0);
  };
  CHECK(rows("WHERE day='2025-05-30'") == 0);
  CHECK(rows("WHERE day='2025-05-31' AND state='reserved'") == 1);
  CHECK(rows("WHERE day='2025-06-01'") == 1);

  // What the caps read is unchanged: the day's sums, and the month's.
  auto after = l.totals("2025-05-30", who(realm_kind::public_, "p"), true);
  REQUIRE(after);
  CHECK(after->agent.settled == 300);
  CHECK(after->sender.total() == before->sender.total());
  CHECK(after->month == before->month);
  auto h = l.history(10);
  REQUIRE(h);
  REQUIRE(h->size() == 3);
  CHECK(h->at(2).day == "2025-05-30");
  CHECK(h->at(2).settled == 300);
  CHECK(h->at(2).calls == 2);  // the released call was never a call
  // The day's input, cache reads and cache writes survive the pruning of its rows.
  CHECK(h->at(2).tokens.in == 3000);
  CHECK(h->at(2).tokens.cached == 600);
  CHECK(h->at(2).tokens.cache_write == 1500);
  CHECK(h->at(1).outstanding == 70);
  CHECK(h->at(1).calls == 1);
  CHECK(h->at(0).calls == 1);

  // The open reservation still settles into its day; a second prune changes nothing.
  REQUIRE(l.settle(open, 60, {}, "ok", "", 2));
  CHECK(*l.prune("2025-05-31") == 0);
  CHECK(*l.prune("2025-06-01") == 1);
  h = l.history(10);
  REQUIRE(h);
  CHECK(h->at(1).settled == 60);
  CHECK(h->at(1).calls == 1);
  CHECK(h->at(2).calls == 2);
  CHECK(h->at(2).tokens.cached == 600);  // pruning twice does not count twice
}
