// `frugal budget`: today's cap, spend, reservations and reset time, with breakdowns, as
// text or JSON; `--history N` for the last N days. Reads the shared ledger only: safe
// while the daemon runs. Orphaned reservations of dead processes are settled first (the
// runtime does it at start), so the figures are the truth.
#include <cstdio>

#include "agent/cli/cli.h"
#include "agent/cli/command.h"
#include "agent/runtime.h"
#include "budget/report.h"

namespace frugal::cli {
namespace {

int exec(const global_options& g, const std::vector<std::string>& args) {
  bool json = false;
  int64_t history = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--json") {
      json = true;
    } else if (args[i] == "--history" && i + 1 < args.size()) {
      try {
        history = std::stoll(args[++i]);
      } catch (...) {
        history = -1;
      }
      if (history < 1 || history > 3660)
        return complain(exit_usage, "budget: --history needs a number of days (1-3660)");
    } else {
      return complain(exit_usage, "budget: unknown or incomplete option " + args[i]);
    }
  }
  agent::startup_error err;
  auto rt = agent::runtime::create(g.config_path, g.log_level, err, /*need_secrets=*/false);
  if (!rt) return complain(err.exit_code, err.message);
  auto& gov = rt->governor();
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

}  // namespace

const command cmd_budget = {"budget", "budget [--json] [--history N]",
                            "show today's cap, spend, reservations and reset time", exec};

}  // namespace frugal::cli
