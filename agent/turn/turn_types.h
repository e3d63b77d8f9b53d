// What a front end hands the agent for one turn and what it gets back. The status maps to
// `frugal ask` exit codes (agent/cli/cli.h); `text` is what the user sees.
#pragma once
#include <functional>
#include <string>

#include "transports/transport.h"

namespace frugal::agent {

struct turn_request {
  transports::inbound msg;
  std::string forced_tier;  // `ask --tier NAME`; empty = the router decides
  bool dry_run = false;     // route and quote the reservation, call nothing
  // Starts the session over (one-shot `ask`): earlier messages are neither loaded nor
  // used as routing signals, and this exchange replaces them when the turn is answered.
  bool fresh_session = false;
  // A terminal that shows the answer as it arrives (`chat`, `ask` on a TTY): every model
  // call of the turn is streamed and its text pieces passed here. Pieces of a call that
  // then failed (a fallback follows) were shown too: turn_result::text is the answer.
  std::function<void(std::string_view)> on_text;
};

enum class turn_status {
  answered,
  refused_budget,  // the governor refused every option: exit 3
  unreachable,     // every model failed: exit 4
  misconfigured,   // every model rejected its API key (401/403): exit 2, never retried
  denied,          // policy: not allowed, rate-limited, unknown tier: exit 2 for ask
  internal,        // a bug or a storage fault (the database failed, the disk is full): exit 1
};

struct turn_result {
  turn_status status = turn_status::internal;
  std::string text;  // reply for the user; never private detail in the public realm
  // For the operator only (`ask` prints it on stderr, the daemon logs it; never sent to a
  // chat): the file and cause of a storage fault.
  std::string detail;
  bool private_realm = false;  // the turn ran in the private realm (replies are guarded)
};

using turn_done = std::function<void(turn_result)>;

}  // namespace frugal::agent
