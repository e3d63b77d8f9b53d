// `frugal budget`: today's cap, spend, reservations and reset time, with breakdowns, as
// text or JSON; `--history N` for the last N days. Reads the shared ledger only: safe
// while the daemon runs. Orphaned reservations of dead processes are settled first (the
// runtime does it at start), so the figures are the truth. `--accept-new-ledger` takes a
// replaced ledger (deleted, emptied, restored from a copy) as the ledger from now on.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "agent/cli/cli.h"
#include "agent/cli/command.h"
#include "agent/runtime.h"
#include "budget/report.h"

namespace frugal::cli {
namespace {

struct options {
  bool json = false;
  bool accept = false;
  int64_t history = 0;
};

int exec(const global_options& g, const options& o) {
  const bool json = o.json;
  const int64_t history = o.history;
  agent::startup_error err;
  auto rt = agent::runtime::create(g.config_path, g.log_level, err, /*need_secrets=*/false);
  if (!rt) return complain(err.exit_code, err.message);
  auto& gov = rt->governor();
  if (o.accept) {
    std::string was = gov.ledger_problem();
    if (auto s = gov.accept_new_ledger(); !s) return complain(exit_internal, s.message());
    std::fprintf(stderr, "frugal: %s\n",
                 was.empty() ? "the ledger already matched its seal; seal rewritten"
                             : "accepted the current database as the spend ledger");
  } else if (!gov.ledger_problem().empty()) {
    complain(exit_internal, gov.ledger_problem());
  }
  std::string out;
  if (history > 0) {
    auto days = gov.history(history);
    if (!days) return complain(exit_internal, days.message());
    out = json ? budget::format_history_json(*days, gov.caps().daily, gov.time_zone().name())
               : budget::format_history_text(*days, gov.caps().daily, gov.time_zone().name());
  } else {
    auto s = gov.today();
    if (!s) return complain(exit_internal, s.message());
    out = json ? budget::format_json(*s) : budget::format_text(*s);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return exit_ok;
}

command_fn setup(CLI::App& sub, const global_options& g) {
  auto o = std::make_shared<options>();
  sub.add_flag("--json", o->json, "print JSON instead of text");
  sub.add_flag("--accept-new-ledger", o->accept,
               "take a replaced ledger (deleted, emptied, an older copy) as the ledger");
  sub.add_option("--history", o->history, "the last N days instead of today (1-3660)")
      ->type_name("N")
      ->check(CLI::Range(int64_t{1}, int64_t{3660}));
  return [&g, o] { return exec(g, *o); };
}

}  // namespace

const command cmd_budget = {"budget", "show today's cap, spend, reservations and reset time", true,
                            setup};

}  // namespace frugal::cli
