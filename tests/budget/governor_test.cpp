// Tests for budget/governor.cpp: allow, shrink, refuse (with the reply text), stop after
// an overcharge, free models, the realm / sender / month caps, settle semantics, warnings
// once per day across processes, orphan recovery, the day boundary in a DST zone, and the
// seal's kept statement (prepared once per process).
#include "budget/governor.h"

#include <sqlite3.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "budget/cost.h"
#include "core/log.h"

using frugal::core::realm_kind;

using namespace frugal;
using namespace frugal::budget;

namespace {

std::vector<std::string> g_lines;
void capture(log::level, std::string_view line) {
  g_lines.emplace_back(line);
}

struct log_capture {
  log_capture() {
    g_lines.clear();
    log::set_sink(&capture);
  }
  ~log_capture() { log::set_sink(nullptr); }
  int count(std::string_view needle) const {
    int n = 0;
    for (const auto& l : g_lines) n += l.find(needle) != std::string::npos;
    return n;
  }
};

// $1/Mtok input and output: one byte or token costs one micro-dollar.
constexpr price k_unit{1'000'000, 1'000'000, 1'000'000, 1'000'000};
constexpr price k_free{};

struct rig {
  store::database db = std::move(store::database::open_memory().value());
  int64_t now = 1750012200;  // 2025-06-15 18:30:00 UTC
  config::budget_section cfg;

  rig() {
    cfg.daily_usd = 1.0;
    cfg.public_share = 0.25;
    cfg.min_output_tokens = 64;
    cfg.per_message_overhead_tokens = 0;
    cfg.warn_at = 0;
  }
  governor make(int64_t pid = 1, liveness_fn alive = nullptr) {
    governor_options o;
    o.clock = [this] { return now; };
    o.self = process_identity{pid, "test:" + std::to_string(pid)};
    o.alive = std::move(alive);
    auto g = governor::open(db, cfg, o);
    if (!g) FAIL(g.message());
    return std::move(g.value());
  }
};

call_info owner() {
  return {realm_kind::private_, "owner", "stdin", "chat", "m", ""};
}
call_info pub(std::string who) {
  return {realm_kind::public_, std::move(who), "irc.x", "chat", "m", ""};
}

budget::usage cost(int64_t micro) {
  budget::usage u;
  u.present = true;
  u.cost_micro_usd = micro;
  return u;
}

}  // namespace

TEST_CASE("allow reserves the worst case and settle records the actual", "[governor]") {
  rig r;
  governor g = r.make();
  const price mini{250'000, 25'000, 250'000, 2'000'000};
  r.cfg.per_message_overhead_tokens = 8;
  REQUIRE(g.reconfigure(r.cfg));
  verdict v = g.reserve(owner(), mini, 1000, 3, 500);
  REQUIRE(v.kind == verdict_kind::allow);
  CHECK(v.allowed());
  CHECK(v.reserved_micro == 1256);
  CHECK(v.max_tokens == 500);
  CHECK(v.reservation_id > 0);
  auto s = g.today();
  REQUIRE(s);
  CHECK(s->reserved == 1256);
  CHECK(s->remaining == 1'000'000 - 1256);

  budget::usage u;
  u.present = true;
  u.input_tokens = 900;
  u.cached_input_tokens = 400;
  u.output_tokens = 100;  // 500×0.25 + 400×0.025 + 100×2 = 125 + 10 + 200 = 335
  REQUIRE(g.settle(v.reservation_id, u));
  s = g.today();
  CHECK(s->spent == 335);
  CHECK(s->reserved == 0);
  CHECK_FALSE(s->stopped);
  CHECK_FALSE(g.settle(v.reservation_id, u));  // once only
}

TEST_CASE("shrink picks the largest max_tokens that fits, not below the floor", "[governor]") {
  rig r;
  r.cfg.daily_usd = 0.01;  // 10'000 µ$
  governor g = r.make();
  const price p{1'000'000, 1'000'000, 1'000'000, 10'000'000};  // 10 µ$ per output token
  verdict v = g.reserve(owner(), p, 1000, 0, 2000);            // 21'000 µ$ asked
  REQUIRE(v.kind == verdict_kind::shrunk);
  CHECK(v.max_tokens == 900);
  CHECK(v.reserved_micro == 10'000);
  CHECK(worst_case_micro(p, 1000, 0, 0, v.max_tokens + 1) > 10'000);
  REQUIRE(g.release(v.reservation_id));

  // 600 µ$ left: not even the 1'000 µ$ of input fits.
  verdict big = g.reserve(owner(), k_unit, 9'400, 0, 0);
  REQUIRE(big.allowed());
  verdict small = g.reserve(owner(), p, 1000, 0, 2000);
  CHECK(small.kind == verdict_kind::refuse);
  REQUIRE(g.release(big.reservation_id));
  // 1'630 µ$ left: the input fits, with room for 63 output tokens, one short of the floor.
  verdict edge = g.reserve(owner(), k_unit, 10'000 - 1630, 0, 0);
  REQUIRE(edge.allowed());
  verdict floor = g.reserve(owner(), p, 1000, 0, 2000);
  CHECK(floor.kind == verdict_kind::refuse);
  CHECK(g.today()->reserved == 10'000 - 1630);
}

TEST_CASE("quote answers as reserve would and writes nothing", "[governor]") {
  rig r;
  r.cfg.daily_usd = 0.01;  // 10'000 µ$
  governor g = r.make();
  const price p{1'000'000, 1'000'000, 1'000'000, 10'000'000};
  verdict q = g.quote(owner(), p, 1000, 0, 2000);
  CHECK(q.kind == verdict_kind::shrunk);
  CHECK(q.max_tokens == 900);
  CHECK(q.reservation_id == 0);
  CHECK(g.today()->reserved == 0);
  verdict big = g.reserve(owner(), k_unit, 9'400, 0, 0);
  REQUIRE(big.allowed());
  verdict refused = g.quote(owner(), p, 1000, 0, 2000);
  CHECK(refused.kind == verdict_kind::refuse);
  CHECK(refused.reason.find("daily budget reached") == 0);
  CHECK(g.today()->reserved == 9'400);
}

TEST_CASE("refusal says how much is left and when the day resets", "[governor]") {
  rig r;
  r.cfg.daily_usd = 2.0;
  r.cfg.timezone = "Europe/Berlin";
  r.now = 1750012200 + 18 * 60;  // 18:48 UTC = 20:48 CEST: 3h12m before midnight
  governor g = r.make();
  verdict most = g.reserve(owner(), k_unit, 1'998'800, 0, 0);
  REQUIRE(most.kind == verdict_kind::allow);
  verdict v = g.reserve(owner(), k_unit, 2000, 0, 100);
  REQUIRE(v.kind == verdict_kind::refuse);
  CHECK_FALSE(v.allowed());
  CHECK(v.reason ==
        "daily budget reached: $0.0012 left of $2.00 (this request needs at least $0.002064); "
        "resets at 00:00 Europe/Berlin (in 3h12m)");
  CHECK(g.today()->reserved == 1'998'800);  // a refusal writes nothing
}

TEST_CASE("an overcharge is recorded and stops paid calls until the reset", "[governor]") {
  log_capture logs;
  rig r;
  governor g = r.make();
  verdict v = g.reserve(owner(), k_unit, 100, 1, 200);
  REQUIRE(v.allowed());
  budget::usage u;
  u.present = true;
  u.input_tokens = 100;
  u.output_tokens = 5000;  // far past max_tokens
  REQUIRE(g.settle(v.reservation_id, u));
  CHECK(logs.count("above its reservation") == 1);
  auto s = g.today();
  CHECK(s->spent == 5100);
  CHECK(s->stopped);
  CHECK(s->stop_reason == "model m charged $0.0051, above its reservation of $0.0003");
  verdict next = g.reserve(owner(), k_unit, 1, 0, 1);
  CHECK(next.kind == verdict_kind::stopped);
  CHECK(next.reason.find("paid calls are stopped for today") == 0);
  CHECK(next.reason.find("resets at 00:00 UTC (in 5h30m)") != std::string::npos);
  verdict local = g.reserve(owner(), k_free, 10'000, 5, 4096);  // free models still work
  CHECK(local.kind == verdict_kind::allow);
  CHECK(local.max_tokens == 4096);
  REQUIRE(g.settle(local.reservation_id, budget::usage{true, 10'000, 0, 0, 300, std::nullopt}));
  r.now += 6 * 3600;  // next day
  CHECK(g.reserve(owner(), k_unit, 1, 0, 1).kind == verdict_kind::allow);
}

TEST_CASE("free models are always allowed and still leave a row", "[governor]") {
  rig r;
  r.cfg.daily_usd = 0;
  governor g = r.make();
  CHECK(g.reserve(owner(), k_unit, 1, 0, 1).kind == verdict_kind::refuse);
  verdict v = g.reserve(pub("x"), k_free, 1'000'000, 10, 8192);
  REQUIRE(v.kind == verdict_kind::allow);
  CHECK(v.reserved_micro == 0);
  REQUIRE(g.settle(v.reservation_id, budget::usage{true, 5, 0, 0, 5, std::nullopt}));
  auto s = g.today();
  REQUIRE(s->by_model.size() == 1);
  CHECK(s->by_model[0].calls == 1);
  CHECK(s->spent == 0);
}

TEST_CASE("public share, per-sender and whole-agent caps each bind", "[governor]") {
  rig r;
  r.cfg.per_sender_usd = 0.10;
  governor g = r.make();
  CHECK(g.reserve(pub("alice"), k_unit, 90'000, 0, 0).allowed());
  verdict a2 = g.reserve(pub("alice"), k_unit, 20'000, 0, 0);
  REQUIRE(a2.kind == verdict_kind::refuse);
  CHECK(a2.reason.find("your daily budget reached: $0.01 left of $0.10") == 0);
  CHECK(g.reserve(pub("bob"), k_unit, 90'000, 0, 0).allowed());
  verdict c = g.reserve(pub("carol"), k_unit, 90'000, 0, 0);
  REQUIRE(c.kind == verdict_kind::refuse);
  CHECK(c.reason.find("the public share of today's budget reached: $0.07 left of $0.25") == 0);
  CHECK(g.reserve(pub("carol"), k_unit, 70'000, 0, 0).allowed());
  CHECK(g.fraction_left(realm_kind::public_, "dave") == 0.0);
  // The private realm is bound only by the whole cap.
  CHECK(g.reserve(owner(), k_unit, 700'000, 0, 0).allowed());
  verdict o = g.reserve(owner(), k_unit, 100'000, 0, 0);
  REQUIRE(o.kind == verdict_kind::refuse);
  CHECK(o.reason.find("daily budget reached: $0.05 left of $1.00") == 0);
  CHECK(g.fraction_left(realm_kind::private_, "owner") == Approx(0.05));
}

TEST_CASE("the monthly cap spans days and names its own reset", "[governor]") {
  rig r;
  r.cfg.monthly_usd = 1.5;
  governor g = r.make();
  verdict d1 = g.reserve(owner(), k_unit, 900'000, 0, 0);
  REQUIRE(d1.allowed());
  REQUIRE(g.settle(d1.reservation_id, cost(900'000)));
  r.now += 86400;
  verdict d2 = g.reserve(owner(), k_unit, 700'000, 0, 0);
  REQUIRE(d2.kind == verdict_kind::refuse);
  CHECK(d2.reason ==
        "monthly budget reached: $0.60 left of $1.50 (this request needs at least $0.70); "
        "resets on 2025-07-01 UTC");
  CHECK(g.today()->month_total == 900'000);
}

TEST_CASE("settle without usage charges in full; release frees", "[governor]") {
  rig r;
  governor g = r.make();
  verdict a = g.reserve(owner(), k_unit, 1000, 0, 0);
  verdict b = g.reserve(owner(), k_unit, 2000, 0, 0);
  verdict c = g.reserve(owner(), k_unit, 4000, 0, 0);
  REQUIRE(g.settle(a.reservation_id, budget::usage{}));
  REQUIRE(g.release(b.reservation_id, "HTTP 429"));
  REQUIRE(g.charge_full(c.reservation_id, "timeout"));
  auto s = g.today();
  CHECK(s->spent == 5000);
  CHECK(s->reserved == 0);
  CHECK_FALSE(g.release(b.reservation_id));
  CHECK_FALSE(g.charge_full(12345));
  CHECK_FALSE(g.settle(12345, cost(1)));
}

TEST_CASE("usage in doubt charges the reservation in full and records the counts seen",
          "[governor]") {
  rig r;
  governor g = r.make();
  // An Anthropic stream without final usage: message_start's input and placeholder output.
  verdict a = g.reserve(owner(), k_unit, 1000, 0, 500);
  budget::usage seen{true, 900, 0, 0, 1, std::nullopt};
  seen.doubt = "the stream's final message_delta carried no output_tokens";
  REQUIRE(g.settle(a.reservation_id, seen));
  auto s = g.today();
  CHECK(s->spent == a.reserved_micro);  // was 901 (input + the placeholder output token)
  auto row = store::statement::prepare(
      r.db.get(), "SELECT tokens_in, tokens_out, actual_micro, outcome FROM ledger WHERE id=?");
  REQUIRE(row);
  row->bind(1, a.reservation_id);
  REQUIRE(row->step() == SQLITE_ROW);
  CHECK(row->int_at(0) == 900);
  CHECK(row->int_at(1) == 1);
  CHECK(row->int_at(2) == 1500);
  CHECK(row->text_at(3).find("usage in doubt") != std::string::npos);
  // Counts in doubt that already price above the reservation settle at that price (and
  // stop the day), never below it.
  verdict b = g.reserve(owner(), k_unit, 10, 0, 10);
  budget::usage over{true, 10, 0, 0, 5000, std::nullopt};
  over.doubt = "usage without prompt_tokens or completion_tokens";
  REQUIRE(g.settle(b.reservation_id, over));
  CHECK(g.today()->spent == 1500 + 5010);
  CHECK(g.today()->stopped);
}

TEST_CASE("the warning is logged once per day across processes", "[governor]") {
  log_capture logs;
  rig r;
  r.cfg.warn_at = 0.5;
  governor a = r.make(1);
  governor b = r.make(2);
  verdict v1 = a.reserve(owner(), k_unit, 400'000, 0, 0);
  REQUIRE(a.settle(v1.reservation_id, cost(400'000)));
  CHECK_FALSE(a.take_warning());
  verdict v2 = b.reserve(owner(), k_unit, 200'000, 0, 0);
  REQUIRE(b.settle(v2.reservation_id, cost(200'000)));
  auto w = b.take_warning();
  REQUIRE(w);
  CHECK(*w == "spent $0.60 of the $1.00 daily budget on 2025-06-15 (warning at $0.50)");
  CHECK_FALSE(b.take_warning());
  verdict v3 = a.reserve(owner(), k_unit, 100'000, 0, 0);
  REQUIRE(a.settle(v3.reservation_id, cost(100'000)));
  CHECK_FALSE(a.take_warning());
  CHECK(logs.count("daily budget on 2025-06-15") == 1);
}

TEST_CASE("recover_orphans settles a dead process's reservations in full", "[governor]") {
  rig r;
  governor crashed = r.make(7);
  verdict v = crashed.reserve(owner(), k_unit, 3000, 0, 0);
  REQUIRE(v.allowed());
  governor alive_peer = r.make(8);
  verdict w = alive_peer.reserve(owner(), k_unit, 500, 0, 0);
  governor next = r.make(9, [](int64_t pid, const std::string&) { return pid == 8; });
  REQUIRE(next.recover_orphans());
  auto s = next.today();
  CHECK(s->spent == 3000);
  CHECK(s->reserved == 500);
  REQUIRE(alive_peer.settle(w.reservation_id, cost(100)));
}

TEST_CASE("configuration errors name the key; ledger errors fail closed", "[governor]") {
  rig r;
  r.cfg.timezone = "Nowhere/City";
  auto bad_zone = governor::open(r.db, r.cfg);
  REQUIRE_FALSE(bad_zone);
  CHECK(bad_zone.message().find("budget.timezone") == 0);
  r.cfg.timezone = "UTC";
  r.cfg.daily_usd = -1;
  CHECK(governor::open(r.db, r.cfg).message().find("budget.daily_usd") == 0);
  r.cfg.daily_usd = 1;
  r.cfg.public_share = 1.5;
  CHECK(governor::open(r.db, r.cfg).message().find("budget.public_share") == 0);
  r.cfg.public_share = 0.5;
  governor g = r.make();
  r.cfg.warn_at = -2;
  CHECK_FALSE(g.reconfigure(r.cfg));
  CHECK(g.caps().warn == 0);  // unchanged

  log_capture logs;
  REQUIRE(r.db.exec("DROP TABLE ledger"));
  verdict v = g.reserve(owner(), k_unit, 1, 0, 1);
  CHECK(v.kind == verdict_kind::error);
  CHECK_FALSE(v.allowed());
  CHECK(logs.count("ledger: reserve for m") == 1);
}

TEST_CASE("the day turns at local midnight in Europe/Berlin, DST day included", "[governor]") {
  rig r;
  r.cfg.timezone = "Europe/Berlin";
  r.now = 1743289170;  // 2025-03-29 23:59:30 CET
  governor g = r.make();
  verdict all = g.reserve(owner(), k_unit, 1'000'000, 0, 0);
  REQUIRE(all.allowed());
  verdict no = g.reserve(owner(), k_unit, 1, 0, 0);
  REQUIRE(no.kind == verdict_kind::refuse);
  CHECK(no.reason.find("resets at 00:00 Europe/Berlin (in 30s)") != std::string::npos);
  CHECK(g.today()->day == "2025-03-29");

  r.now = 1743289230;  // 2025-03-30 00:00:30 CET: a new day, 23 hours long
  auto s = g.today();
  CHECK(s->day == "2025-03-30");
  CHECK(s->resets_at_local == "2025-03-31T00:00:00+02:00");
  CHECK(s->resets_at - r.now == 23 * 3600 - 30);
  // The call reserved before midnight is still in flight: it will end (and be billed) on
  // the new day, so it already takes the new day's room (README, budget: midnight).
  CHECK(s->reserved == 1'000'000);
  CHECK(g.reserve(owner(), k_unit, 600'000, 0, 0).kind == verdict_kind::refuse);
  REQUIRE(g.settle(all.reservation_id, cost(999'000)));
  auto h = g.history(5);
  REQUIRE(h);
  REQUIRE(h->size() == 1);
  CHECK(h->at(0).day == "2025-03-30");
  CHECK(h->at(0).settled == 999'000);
  verdict yes = g.reserve(owner(), k_unit, 1'000, 0, 0);
  REQUIRE(yes.allowed());

  r.now = 1743372000 - 1;  // 2025-03-30 23:59:59 CEST
  CHECK(g.reserve(owner(), k_unit, 400'001, 0, 0).kind == verdict_kind::refuse);
  r.now = 1743372000;  // 2025-03-31 00:00:00 CEST: `yes` (1,000) still open, counted
  CHECK(g.reserve(owner(), k_unit, 999'001, 0, 0).kind == verdict_kind::refuse);
  CHECK(g.reserve(owner(), k_unit, 400'001, 0, 0).allowed());
}

TEST_CASE("midnight: a call reserved 23:59:59 and settled 00:00:01 counts on the new day",
          "[governor]") {
  rig r;               // UTC, $1 a day
  r.now = 1750031999;  // 2025-06-15 23:59:59
  governor g = r.make();
  verdict late = g.reserve(owner(), k_unit, 300'000, 0, 0);
  REQUIRE(late.allowed());
  r.now = 1750032000;  // 2025-06-16 00:00:00: in flight, it takes the new day's room
  CHECK(g.today()->reserved == 300'000);
  verdict early = g.reserve(owner(), k_unit, 700'000, 0, 0);
  REQUIRE(early.allowed());
  CHECK(g.reserve(owner(), k_unit, 1, 0, 0).kind == verdict_kind::refuse);
  r.now = 1750032001;  // 00:00:01: both end; the provider bills both on the 16th
  REQUIRE(g.settle(late.reservation_id, cost(300'000)));
  REQUIRE(g.settle(early.reservation_id, cost(700'000)));
  auto s = g.today();
  CHECK(s->day == "2025-06-16");
  CHECK(s->spent == 1'000'000);  // never above the cap: was 700,000 here + 300,000 on the 15th
  CHECK(s->spent + s->reserved <= s->cap);
  auto h = g.history(5);
  REQUIRE(h->size() == 1);
  CHECK(h->at(0).day == "2025-06-16");
  // A release (not billed) never moves: it freed the 15th's reservation, nothing else.
  r.now = 1750118399;  // 2025-06-16 23:59:59
  g = r.make();
  r.cfg.daily_usd = 2.0;
  REQUIRE(g.reconfigure(r.cfg));
  verdict freed = g.reserve(owner(), k_unit, 500'000, 0, 0);
  REQUIRE(freed.allowed());
  r.now = 1750118401;
  REQUIRE(g.release(freed.reservation_id, "HTTP 429"));
  CHECK(g.today()->reserved == 0);
  CHECK(g.today()->spent == 0);
}

TEST_CASE("prune_calls keeps today and the last keep_days days, across a DST change",
          "[governor]") {
  rig r;
  r.cfg.timezone = "Europe/Berlin";
  r.cfg.daily_usd = 100.0;
  governor g = r.make();
  // 2025-03-27 .. 2025-03-31 local noon: one settled call a day (03-30 is 23 hours long).
  for (int64_t t : {1743076800, 1743163200, 1743249600, 1743332400, 1743418800}) {
    r.now = t;
    verdict v = g.reserve(owner(), k_unit, 10, 0, 0);
    REQUIRE(v.allowed());
    REQUIRE(g.settle(v.reservation_id, cost(5)));
  }
  CHECK(*g.prune_calls(0) == 0);  // 0 keeps everything
  r.now = 1743372000 + 60;        // 2025-03-31 00:01 CEST
  auto n = g.prune_calls(2);      // keeps 03-29, 03-30 and today
  REQUIRE(n);
  CHECK(*n == 2);
  auto h = g.history(10);
  REQUIRE(h);
  REQUIRE(h->size() == 5);
  for (const auto& d : *h) {
    CHECK(d.settled == 5);
    CHECK(d.calls == 1);
  }
  CHECK(g.today()->by_model.size() == 1);
}

namespace {
// sqlite calls an authorizer only while it compiles a statement: counting its reads of the
// seal's own table counts the seal's statements prepared.
int count_identity_reads(void* n, int action, const char* table, const char*, const char*,
                         const char*) {
  if (action == SQLITE_READ && table && std::string_view(table) == "ledger_identity")
    ++*static_cast<int*>(n);
  return SQLITE_OK;
}
}  // namespace

TEST_CASE("the seal prepares its ledger query once per process, not at every reserve and settle",
          "[governor][seal]") {
  char tmpl[] = "/tmp/frugal-seal-XXXXXX";
  REQUIRE(mkdtemp(tmpl));
  const std::string dir = tmpl;
  {
    auto db = store::database::open(dir + "/state.db");
    REQUIRE(db);
    config::budget_section cfg;
    cfg.daily_usd = 1.0;
    cfg.min_output_tokens = 64;
    cfg.per_message_overhead_tokens = 0;
    governor_options o;
    o.clock = [] { return int64_t{1750012200}; };
    o.self = process_identity{1, "test:1"};
    auto g = governor::open(*db, cfg, o);
    REQUIRE(g);
    REQUIRE(g->ledger_problem().empty());
    auto call = [&] {
      verdict v = g->reserve(owner(), k_unit, 100, 1, 100);
      REQUIRE(v.allowed());
      REQUIRE(g->settle(v.reservation_id, cost(50)));
    };
    // Setting an authorizer expires every prepared statement (sqlite re-prepares them), so
    // count from one call to three: what the seal prepares must not grow with the calls.
    int compiled = 0;
    sqlite3_set_authorizer(db->get(), &count_identity_reads, &compiled);
    call();
    const int after_one = compiled;
    call();
    call();
    sqlite3_set_authorizer(db->get(), nullptr, nullptr);
    CHECK(compiled == after_one);  // was 4 then 12: the id, last row and spend re-read by
                                   // three new statements at each reserve and each settle
    // The kept statement is reset after each use: no read snapshot left open.
    for (sqlite3_stmt* st = sqlite3_next_stmt(db->get(), nullptr); st;
         st = sqlite3_next_stmt(db->get(), st))
      CHECK(sqlite3_stmt_busy(st) == 0);
    // The seal still follows the ledger: last row 3, 150 µ$ settled that day.
    auto sealed = read_seal(dir + "/ledger.seal");
    REQUIRE(sealed);
    CHECK(sealed->last_row == 3);
    CHECK(sealed->spent == 150);
  }
  std::filesystem::remove_all(dir);
}
