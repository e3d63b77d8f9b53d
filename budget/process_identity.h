// Who owns a reservation: a process id plus a start marker, so that a pid reused by an
// unrelated process after a crash is not mistaken for the owner. The marker is
// "<boot id>:<start time in clock ticks>" from /proc; it does not survive a reboot, which
// is the point. It does not signal or wait for processes.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

namespace frugal::budget {

struct process_identity {
  int64_t pid = 0;
  std::string marker;
  // The calling process. Reads /proc each call (cheap); call it after fork(), not before.
  static process_identity current();
};

// True while the process that wrote (pid, marker) may still be running: the pid exists and,
// when /proc can tell, it is the same process (same boot, same start time).
bool process_alive(int64_t pid, const std::string& marker);

// Injected by tests to simulate crashes.
using liveness_fn = std::function<bool(int64_t pid, const std::string& marker)>;

}  // namespace frugal::budget
