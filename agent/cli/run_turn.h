// run_turn: drives the runtime's loop until one turn has finished and nothing it started
// is still in flight (a cancelled call must still settle its reservation). Used by the
// terminal front ends (`ask`, `chat`); the daemon never blocks like this.
#pragma once
#include "agent/runtime.h"

namespace frugal::cli {

// SIGINT/SIGTERM while waiting cancel the turn (its reservation is charged or released)
// and the result says so; the signal's number is stored in *signal_seen when given (it
// is left alone when no signal came).
agent::turn_result run_turn(agent::runtime& rt, agent::turn_request req,
                            int* signal_seen = nullptr);

// The exit code for a process stopped by signal `signum`: 128 + signum, the shell's rule.
inline int exit_code_for_signal(int signum) {
  return 128 + signum;
}

// The exit code of `ask` for a result (see cli.h).
int exit_code_for(const agent::turn_result& r);

}  // namespace frugal::cli
