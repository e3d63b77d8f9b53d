// Command-line front door: parses argv, loads the config and runs one subcommand
// (ask, chat, run, say, status, budget, doctor, init). Returns the process exit code:
// 0 answered/ok, 1 internal or storage error, 2 usage or configuration error, 3 refused by
// the budget, 4 no model reachable.
#pragma once

namespace frugal::cli {

enum exit_code : int {
  exit_ok = 0,
  exit_internal = 1,
  exit_usage = 2,
  exit_budget = 3,
  exit_unreachable = 4,
};

int main(int argc, char** argv);

// Opens /dev/null on whichever of descriptors 0, 1 and 2 is closed (0 read-only, 1 and 2
// write-only). Returns false when that was impossible; called first thing by main().
bool open_standard_fds();

}  // namespace frugal::cli
