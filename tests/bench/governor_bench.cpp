// governor_bench: the cost of one reserve + settle pair on a real sqlite file (WAL, the
// same pragmas as the daemon), median microseconds over batches, on a quiet day and on a
// busy one (2000 calls already in the ledger). Prints figures; asserts nothing (the unit
// tests do). Numbers from a Debug/ASan build are pessimistic.
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "budget/governor.h"
#include "core/log.h"

using frugal::core::realm_kind;

using namespace frugal;

namespace {

constexpr budget::price k_mini{250'000, 25'000, 250'000, 2'000'000};

// Median µs of one reserve+settle, over `batches` batches of `per_batch` pairs.
double median_us(budget::governor& gov, int batches, int per_batch) {
  budget::call_info who{
      realm_kind::public_, "account:alice", "irc.libera", "chat", "mini", "score 1"};
  budget::usage used;
  used.present = true;
  used.input_tokens = 900;
  used.cached_input_tokens = 300;
  used.output_tokens = 120;
  std::vector<double> samples;
  for (int b = 0; b < batches; ++b) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < per_batch; ++i) {
      budget::verdict v = gov.reserve(who, k_mini, 3000, 6, 512);
      if (!v.allowed() || !gov.settle(v.reservation_id, used)) {
        std::fprintf(stderr, "governor_bench: reserve/settle failed: %s\n", v.reason.c_str());
        std::exit(1);
      }
    }
    std::chrono::duration<double, std::micro> d = std::chrono::steady_clock::now() - start;
    samples.push_back(d.count() / per_batch);
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

}  // namespace

int main() {
  log::set_level(log::level::error);
  char tmpl[] = "/tmp/frugal-governor-bench-XXXXXX";
  if (!mkdtemp(tmpl)) return 1;
  const std::string dir = tmpl;
  int rc = 0;
  {
    auto db = store::database::open(dir + "/state.db");
    if (!db) return std::fprintf(stderr, "%s\n", db.message().c_str()), 1;
    config::budget_section cfg;
    cfg.daily_usd = 1000.0;  // never the limit here: this measures the bookkeeping
    cfg.public_share = 1.0;
    cfg.timezone = "Europe/Berlin";
    auto gov = budget::governor::open(*db, cfg);
    if (!gov) return std::fprintf(stderr, "%s\n", gov.message().c_str()), 1;
    double quiet = median_us(*gov, 21, 50);
    median_us(*gov, 1, 2000 - 21 * 50);  // fill the day to 2000 calls
    double busy = median_us(*gov, 21, 50);
    std::printf(
        "governor reserve+settle, file db (WAL): median %.1f us (quiet day), %.1f us "
        "(day with 2000 calls)\n",
        quiet, busy);
  }
  std::filesystem::remove_all(dir);
  return rc;
}
