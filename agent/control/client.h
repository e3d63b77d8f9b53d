// client: the command line's end of the control socket (`frugal say`, `frugal status`).
// Blocking and short: connect, write one request, read one reply, with a deadline. No
// loop, no config beyond the socket's path.
#pragma once
#include <string>

#include "agent/control/protocol.h"

namespace frugal::control {

struct call_result {
  bool reached = false;  // false: no daemon listens at the path (or it did not answer)
  std::string problem;   // why not reached, one line
  reply answer;          // when reached
};

// Sends `r` to the daemon listening at `socket_path` and waits up to `timeout_ms` for its
// reply.
call_result call(const std::string& socket_path, const request& r, int timeout_ms = 10'000);

}  // namespace frugal::control
