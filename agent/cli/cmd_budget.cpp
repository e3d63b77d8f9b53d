// `frugal budget`: today's cap, spend, reservations and reset time, with breakdowns, as
// text or JSON; `--history N` for the last N days. Opens only what it reads: the config
// (no secrets resolved: none is needed) and the ledger in state_dir/frugal.db, through the
// governor — no loop, no providers, no folders made. Safe while the daemon runs. Orphaned
// reservations of dead processes are settled first, so the figures are the truth; with no
// database yet, nothing has been spent. `--accept-new-ledger` takes a replaced ledger
// (deleted, emptied, restored from a copy) as the ledger from now on.
#include <sys/stat.h>

#include <cstdio>
#include <memory>

#include "agent/cli/cli.h"
#include "agent/cli/command.h"
#include "budget/governor.h"
#include "budget/report.h"
#include "core/config/config.h"
#include "core/log.h"
#include "core/store/database.h"

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
  struct stat st {};
  if (::stat(g.config_path.c_str(), &st) != 0)
    return complain(exit_usage, "no config at " + g.config_path +
                                    "; write a starter one with `frugal --config " + g.config_path +
                                    " init`");
  auto cfg = config::load(g.config_path, nullptr, config::secrets::skip);
  if (!cfg) return complain(exit_usage, cfg.message());
  if (auto s = budget::governor::check(cfg->budget); !s) return complain(exit_usage, s.message());
  log::level lvl = log::level::info;
  log::parse_level(g.log_level.empty() ? cfg->agent.log_level : g.log_level, lvl);
  log::set_level(lvl);
  // No database yet: nothing was ever spent; report that without creating one (accepting
  // a new ledger writes one, as before).
  const std::string path = cfg->agent.state_dir + "/frugal.db";
  auto db = o.accept || ::stat(path.c_str(), &st) == 0 ? store::database::open(path)
                                                       : store::database::open_memory();
  if (!db) return complain(exit_internal, db.message());
  auto opened = budget::governor::open(*db, cfg->budget);
  if (!opened) return complain(exit_internal, opened.message());
  auto& gov = opened.value();
  if (auto s = gov.recover_orphans(); !s) return complain(exit_internal, s.message());
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

command_fn setup(arg_table& t, const global_options& g) {
  auto o = std::make_shared<options>();
  t.options = {
      {.name = "json", .help = "print JSON instead of text", .flag = &o->json},
      {.name = "accept-new-ledger",
       .help = "take a replaced ledger (deleted, emptied, an older copy) as the ledger",
       .flag = &o->accept},
      {.name = "history",
       .value_name = "N",
       .help = "the last N days instead of today (1-3660)",
       .number = &o->history,
       .min = 1,
       .max = 3660},
  };
  return [&g, o] { return exec(g, *o); };
}

}  // namespace

const command cmd_budget = {"budget", "show today's cap, spend, reservations and reset time", true,
                            setup};

}  // namespace frugal::cli
