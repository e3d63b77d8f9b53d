// run_turn: drives the runtime's loop until one turn has finished and nothing it started
// is still in flight (a cancelled call must still settle its reservation). Used by the
// terminal front ends (`ask`, `chat`); the daemon never blocks like this.
#pragma once
#include "agent/runtime.h"

namespace frugal::cli {

// SIGINT/SIGTERM while waiting cancel the turn (its reservation is charged or released)
// and the result says so.
agent::turn_result run_turn(agent::runtime& rt, agent::turn_request req);

// The exit code of `ask` for a result (see cli.h).
int exit_code_for(const agent::turn_result& r);

}  // namespace frugal::cli
