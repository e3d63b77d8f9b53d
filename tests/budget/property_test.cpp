// Property test for the hard cap: thousands of random sequences of reserve / settle /
// release / charge_full / crash / clock moves over several simulated processes sharing one
// ledger. After every step, for every day: agent, public realm and each public sender
// have settled + outstanding ≤ cap (and the month ≤ the monthly cap), unless a provider
// charged above a reservation that day, in which case paid calls must be stopped.
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>

#include "budget/cost.h"
#include "budget/governor.h"
#include "core/log.h"

using frugal::core::realm_kind;

using namespace frugal;
using namespace frugal::budget;
using namespace frugal::tz;

namespace {

struct stats {
  int64_t allowed = 0, shrunk = 0, refused = 0, stopped = 0, overcharged = 0, orphans = 0;
  int64_t day_changes = 0;
};

struct open_res {
  int proc;
  int64_t id;
  int64_t reserved;
  price p;
  int64_t input_tokens_bound;
  int64_t max_tokens;
};

struct sim {
  std::mt19937_64 rng;
  store::database& db;
  config::budget_section cfg;
  limits caps;
  int64_t now = 1735689600;  // 2025-01-01 00:00 UTC
  std::set<int64_t> dead;
  int64_t next_pid = 100;
  std::vector<std::unique_ptr<governor>> procs;
  std::vector<int64_t> pids;
  std::vector<open_res> open;
  stats& st;
  std::optional<zone> tz;

  // One database serves every sequence (opening one costs more than a whole sequence);
  // each sequence starts from empty tables.
  sim(uint64_t seed, store::database& shared, stats& s) : rng(seed), db(shared), st(s) {
    REQUIRE(db.exec("DELETE FROM ledger; DELETE FROM ledger_days; DELETE FROM ledger_sums;"));
    static const char* zones[] = {"UTC", "Europe/Berlin", "Asia/Kolkata", "America/Los_Angeles"};
    cfg.daily_usd = pick<double>({0.005, 0.02, 0.1});
    cfg.public_share = pick<double>({0.3, 0.5, 1.0});
    cfg.per_sender_usd = pick<double>({0, 0.002});
    cfg.monthly_usd = pick<double>({0, cfg.daily_usd * 2.5});
    cfg.min_output_tokens = pick<int64_t>({1, 16, 64});
    cfg.per_message_overhead_tokens = pick<int64_t>({0, 8});
    cfg.timezone = zones[uniform(0, 3)];
    cfg.warn_at = 0.8;
    caps = limits_from(cfg).value();
    tz.emplace(std::move(zone::load(cfg.timezone).value()));
    for (int i = 0; i < 3; ++i) spawn();
  }

  int64_t uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  }
  template <class T>
  T pick(std::initializer_list<T> xs) {
    return *(xs.begin() + uniform(0, static_cast<int64_t>(xs.size()) - 1));
  }

  void spawn(int slot = -1) {
    governor_options o;
    o.clock = [this] { return now; };
    o.self = process_identity{next_pid, "sim:" + std::to_string(next_pid)};
    o.alive = [this](int64_t pid, const std::string&) { return dead.count(pid) == 0; };
    auto g = governor::open(db, cfg, o);
    REQUIRE(g);
    auto gp = std::make_unique<governor>(std::move(g.value()));
    if (slot < 0) {
      procs.push_back(std::move(gp));
      pids.push_back(next_pid);
    } else {
      procs[size_t(slot)] = std::move(gp);
      pids[size_t(slot)] = next_pid;
    }
    ++next_pid;
  }

  std::optional<store::statement> stopped_q, sums_q;

  bool day_stopped(const std::string& day) {
    if (!stopped_q)
      stopped_q.emplace(std::move(
          store::statement::prepare(db.get(), "SELECT stopped FROM ledger_days WHERE day=?")
              .value()));
    stopped_q->bind(1, day);
    bool stopped = stopped_q->step() == SQLITE_ROW && stopped_q->int_at(0) != 0;
    stopped_q->reset();
    return stopped;
  }

  void reserve() {
    static const price prices[] = {
        {250'000, 25'000, 250'000, 2'000'000},       // gpt-5-mini
        {1'000'000, 100'000, 1'250'000, 5'000'000},  // haiku (cache writes dearer)
        {3'000'000, 300'000, 3'750'000, 15'000'000},
        {}};  // local
    int proc = int(uniform(0, int64_t(procs.size()) - 1));
    call_info info{uniform(0, 9) < 7 ? realm_kind::public_ : realm_kind::private_,
                   pick<std::string>({"alice", "bob", "carol"}),
                   "irc.x",
                   "chat",
                   "m",
                   ""};
    const price p = prices[uniform(0, 3)];
    const int64_t bytes = uniform(0, 3000), msgs = uniform(0, 6), max_tokens = uniform(0, 3000);
    const bool was_stopped = day_stopped(tz->day_key(now));
    verdict v = procs[size_t(proc)]->reserve(info, p, bytes, msgs, max_tokens);
    REQUIRE(v.kind != verdict_kind::error);
    if (was_stopped && !p.free()) REQUIRE(v.kind == verdict_kind::stopped);
    if (v.kind == verdict_kind::stopped) ++st.stopped;
    if (v.kind == verdict_kind::refuse) {
      ++st.refused;
      REQUIRE(v.reason.find(" left of $") != std::string::npos);
    }
    if (!v.allowed()) return;
    ++(v.kind == verdict_kind::shrunk ? st.shrunk : st.allowed);
    REQUIRE(v.max_tokens <= max_tokens);
    if (v.kind == verdict_kind::shrunk) REQUIRE(v.max_tokens >= cfg.min_output_tokens);
    const int64_t overhead = cfg.per_message_overhead_tokens;
    REQUIRE(v.reserved_micro == worst_case_micro(p, bytes, msgs, overhead, v.max_tokens));
    open.push_back(
        {proc, v.reservation_id, v.reserved_micro, p, bytes + msgs * overhead, v.max_tokens});
  }

  // Closes a random open reservation in one of the ways a call can end.
  void close() {
    if (open.empty()) return;
    size_t k = size_t(uniform(0, int64_t(open.size()) - 1));
    open_res r = open[k];
    open.erase(open.begin() + long(k));
    governor& g = *procs[size_t(r.proc)];
    int64_t how = uniform(0, 99);
    budget::usage u;
    u.present = true;
    if (how < 35) {  // usage within the bounds sent: must never exceed the reservation
      u.input_tokens = uniform(0, r.input_tokens_bound);
      u.cached_input_tokens = uniform(0, u.input_tokens);
      u.cache_write_tokens = uniform(0, u.input_tokens - u.cached_input_tokens);
      u.output_tokens = uniform(0, r.max_tokens);
      REQUIRE(actual_micro(r.p, u) <= r.reserved);
      REQUIRE(g.settle(r.id, u));
    } else if (how < 50) {
      u.cost_micro_usd = uniform(0, r.reserved);  // below or at
      REQUIRE(g.settle(r.id, u));
    } else if (how < 57) {
      u.cost_micro_usd = r.reserved + uniform(1, r.reserved + 10);  // above: documented case
      REQUIRE(g.settle(r.id, u));
      ++st.overcharged;
    } else if (how < 75) {
      REQUIRE(g.release(r.id, "not sent"));
    } else if (how < 90) {
      REQUIRE(g.charge_full(r.id, "timeout"));
    } else {
      REQUIRE(g.settle(r.id, budget::usage{}));  // no usage: charged in full
    }
  }

  // kill -9 of one process: its reservations are abandoned; a new process starts.
  void crash() {
    int proc = int(uniform(0, int64_t(procs.size()) - 1));
    dead.insert(pids[size_t(proc)]);
    std::erase_if(open, [&](const open_res& r) { return r.proc == proc; });
    spawn(proc);
    const size_t live_open = open.size();
    REQUIRE(procs[size_t(proc)]->recover_orphans());
    auto q =
        store::statement::prepare(db.get(), "SELECT COUNT(*) FROM ledger WHERE state='reserved'");
    REQUIRE(q->step() == SQLITE_ROW);
    REQUIRE(size_t(q->int_at(0)) == live_open);  // live processes' rows untouched
    ++st.orphans;
  }

  void check() {
    if (!sums_q)
      sums_q.emplace(std::move(
          store::statement::prepare(
              db.get(),
              "SELECT day, realm, sender, SUM(CASE state WHEN 'reserved' THEN reserved_micro"
              " WHEN 'released' THEN 0 ELSE actual_micro END), SUM(actual_micro > reserved_micro)"
              " FROM ledger GROUP BY day, realm, sender")
              .value()));
    auto* q = &*sums_q;
    std::map<std::string, int64_t> agent, pub, month;
    std::map<std::string, bool> overcharged_day, overcharged_month;
    std::map<std::pair<std::string, std::string>, int64_t> sender;
    while (q->step() == SQLITE_ROW) {
      std::string day = q->text_at(0), realm = q->text_at(1);
      int64_t sum = q->int_at(3);
      agent[day] += sum;
      month[day.substr(0, 7)] += sum;
      if (realm == "public") {
        pub[day] += sum;
        sender[{day, q->text_at(2)}] += sum;
      }
      if (q->int_at(4) > 0) overcharged_day[day] = overcharged_month[day.substr(0, 7)] = true;
    }
    q->reset();
    for (const auto& [day, total] : agent) {
      INFO("day " << day << " seed config daily " << caps.daily);
      const bool stopped = day_stopped(day);
      REQUIRE(stopped == overcharged_day[day]);  // stopped exactly when overcharged
      if (stopped) continue;
      REQUIRE(total <= caps.daily);
      REQUIRE(pub[day] <= caps.public_realm);
    }
    if (caps.per_sender > 0)
      for (const auto& [key, total] : sender)
        if (!overcharged_day[key.first]) REQUIRE(total <= caps.per_sender);
    if (caps.monthly > 0)
      for (const auto& [m, total] : month)
        if (!overcharged_month[m]) REQUIRE(total <= caps.monthly);
  }

  // The running sums the governor decides on must equal the rows (checked at the end of
  // each sequence: a drift never heals by itself).
  void check_sums() {
    auto drift = store::statement::prepare(
        db.get(),
        "SELECT COUNT(*) FROM (SELECT day, realm, sender,"
        " SUM(CASE WHEN state IN ('settled','orphan_settled') THEN actual_micro ELSE 0 END) s,"
        " SUM(CASE WHEN state='reserved' THEN reserved_micro ELSE 0 END) o"
        " FROM ledger GROUP BY day, realm, sender) r"
        " LEFT JOIN ledger_sums m USING(day, realm, sender)"
        " WHERE m.settled IS NOT r.s OR m.outstanding IS NOT r.o");
    REQUIRE(drift);
    REQUIRE(drift->step() == SQLITE_ROW);
    REQUIRE(drift->int_at(0) == 0);
  }

  void step() {
    int64_t op = uniform(0, 99);
    if (op < 45) {
      reserve();
    } else if (op < 85) {
      close();
    } else if (op < 89) {
      crash();
    } else {
      now += pick<int64_t>({60, 3600, 4 * 3600, 20 * 3600});
      ++st.day_changes;
    }
    check();
  }
};

}  // namespace

TEST_CASE("property: settled + outstanding never passes a cap", "[governor][property]") {
  stats st;
  auto db = store::database::open_memory();
  REQUIRE(db);
  REQUIRE(ledger::open(*db, {}));  // creates the tables each sequence empties
  const log::level was = log::current_level();
  log::set_level(log::level::off);  // thousands of expected warnings and errors
  const int sequences = 2000, steps = 15;
  for (int seed = 1; seed <= sequences; ++seed) {
    INFO("seed " << seed);
    sim s(uint64_t(seed), *db, st);
    for (int i = 0; i < steps; ++i) s.step();
    s.check_sums();
  }
  log::set_level(was);
  // The run must have exercised every branch, or it proves nothing.
  CHECK(st.allowed > 1000);
  CHECK(st.shrunk > 100);
  CHECK(st.refused > 100);
  CHECK(st.stopped > 10);
  CHECK(st.overcharged > 100);
  CHECK(st.orphans > 100);
  WARN("allowed " << st.allowed << ", shrunk " << st.shrunk << ", refused " << st.refused
                  << ", stopped " << st.stopped << ", overcharged " << st.overcharged
                  << ", crashes " << st.orphans);
}
