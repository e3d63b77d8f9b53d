// Several processes race for the last dollars of one ledger file: forked children each
// open the same sqlite file (WAL) in a temp folder, migrate it, and reserve at the same
// instant. The total never passes the cap and exactly the right number win. A second
// round kills its winners before they settle; the next start settles them in full.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "budget/governor.h"
#include "core/log.h"

using frugal::core::realm_kind;

using namespace frugal;
using namespace frugal::budget;

namespace {

constexpr price k_unit{1'000'000, 1'000'000, 1'000'000, 1'000'000};  // 1 µ$ per byte/token

config::budget_section one_dollar() {
  config::budget_section c;
  c.daily_usd = 1.0;
  c.public_share = 1.0;
  c.min_output_tokens = 1000;  // equal to max_tokens below: no shrinking, win or lose
  c.per_message_overhead_tokens = 0;
  c.warn_at = 0;
  return c;
}

// Child body: wait for the start signal, reserve 300'000 µ$, then settle or vanish.
// Exit 0 = won, 3 = refused, 1 = error.
[[noreturn]] void child(const std::string& path, int start_fd, bool settle) {
  log::set_level(log::level::off);
  char go;
  if (read(start_fd, &go, 1) != 0) _exit(1);  // EOF is the signal
  auto db = store::database::open(path);
  if (!db) _exit(1);
  auto gov = governor::open(*db, one_dollar());
  if (!gov) _exit(1);
  call_info who{realm_kind::private_, "cron", "stdin", "chat", "m", ""};
  verdict v = gov->reserve(who, k_unit, 299'000, 0, 1000);
  if (v.kind == verdict_kind::refuse) _exit(3);
  if (!v.allowed() || v.reserved_micro != 300'000) _exit(1);
  if (settle && !gov->charge_full(v.reservation_id)) _exit(1);
  _exit(0);  // without settling: a crash as far as the ledger can tell
}

struct round_result {
  int won = 0, refused = 0, failed = 0;
};

round_result race(const std::string& path, int children, bool settle) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  std::vector<pid_t> pids;
  for (int i = 0; i < children; ++i) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      close(fds[1]);
      child(path, fds[0], settle);
    }
    pids.push_back(pid);
  }
  close(fds[0]);
  close(fds[1]);  // all children start now
  round_result r;
  for (pid_t pid : pids) {
    int st = 0;
    REQUIRE(waitpid(pid, &st, 0) == pid);
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 99;
    (code == 0 ? r.won : code == 3 ? r.refused : r.failed)++;
  }
  return r;
}

int64_t ledger_total(store::database& db) {
  auto q =
      store::statement::prepare(db.get(),
                                "SELECT COALESCE(SUM(CASE state WHEN 'reserved' THEN reserved_micro"
                                " WHEN 'released' THEN 0 ELSE actual_micro END), 0) FROM ledger");
  REQUIRE(q);
  REQUIRE(q->step() == SQLITE_ROW);
  return q->int_at(0);
}

}  // namespace

TEST_CASE("processes racing for the last dollar: total ≤ cap, right number of winners",
          "[governor][multiprocess]") {
  char tmpl[] = "/tmp/frugal-budget-XXXXXX";
  REQUIRE(mkdtemp(tmpl));
  const std::string dir = tmpl, path = dir + "/state.db";

  // Round 1: eight fresh processes (they also race to create the schema); 3 × $0.30 fit.
  round_result r1 = race(path, 8, true);
  CHECK(r1.failed == 0);
  CHECK(r1.won == 3);
  CHECK(r1.refused == 5);
  {
    auto db = store::database::open(path);
    REQUIRE(db);
    CHECK(ledger_total(*db) == 900'000);
    REQUIRE(db->exec("DELETE FROM ledger; DELETE FROM ledger_sums;"));
  }
  // Emptying the ledger on purpose: the seal (budget/ledger_seal.h) would otherwise take
  // it for an older copy and refuse every paid call, as it should for a real ledger.
  std::filesystem::remove(dir + "/ledger.seal");

  // Round 2: winners exit without settling, as if killed mid-call.
  round_result r2 = race(path, 6, false);
  CHECK(r2.failed == 0);
  CHECK(r2.won == 3);
  CHECK(r2.refused == 3);
  auto db = store::database::open(path);
  REQUIRE(db);
  CHECK(ledger_total(*db) == 900'000);
  auto gov = governor::open(*db, one_dollar());
  REQUIRE(gov);
  const log::level was = log::current_level();
  log::set_level(log::level::off);
  REQUIRE(gov->recover_orphans());  // the real liveness check of the dead pids
  log::set_level(was);
  auto s = gov->today();
  REQUIRE(s);
  CHECK(s->spent == 900'000);
  CHECK(s->reserved == 0);
  CHECK(s->remaining == 100'000);
  std::filesystem::remove_all(dir);
}
