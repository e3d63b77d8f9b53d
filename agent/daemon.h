// daemon: `frugal run`. Builds the runtime and every configured transport on one loop,
// routes each inbound message through a turn and the answer back to where it came from,
// and handles signals: SIGHUP reloads the config (prices, tiers, budget, allowlists)
// without dropping connections; SIGINT/SIGTERM stop taking messages, let turns in flight
// finish (up to a grace period, then cancel them: reservations are settled or charged),
// say goodbye on every transport and close the database. A second SIGINT/SIGTERM during
// the drain cancels the turns in flight at once (their reservations charged in full);
// any further ones are ignored until the process has closed the ledger and exited.
// It listens on <state_dir>/control.sock (agent/control) for `frugal say` and `status`.
#pragma once
#include <string>

namespace frugal::agent {

struct daemon_options {
  std::string config_path;
  std::string log_level;  // overrides the config's when set
  int64_t drain_ms = 20'000;
};

// Runs until stopped by a signal. Returns the process exit code (0 after a clean stop,
// however many signals asked for it; 2 for a configuration error, 1 when nothing could
// start).
int run_daemon(const daemon_options& opts);

}  // namespace frugal::agent
