// sandbox_child: what the forked child does between fork and exec. Everything it needs is
// prepared by the parent in a child_plan; the child only makes raw syscalls (async-signal-
// safe, no allocation, no locks), so forking a multi-threaded daemon is safe.
#pragma once
#include <linux/filter.h>
#include <sys/resource.h>

#include <cstdint>

namespace frugal::tools {

struct child_plan {
  const char* path = nullptr;  // absolute program path
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  const char* workspace = nullptr;
  struct limit {
    int resource;
    rlim_t value;
  };
  limit limits[6] = {};
  int stdin_fd = -1;  // all three are >= 3 and close-on-exec in the parent
  int stdout_fd = -1;
  int stderr_fd = -1;
  int max_fd = 1024;    // the parent's fd limit, for closing fds where close_range is missing
  int ruleset_fd = -1;  // Landlock ruleset, -1 = none
  const sock_fprog* filter = nullptr;  // seccomp program, nullptr = none
  bool drop_root = false;              // switch to uid/gid below (the parent runs as root)
  uint32_t uid = 0;
  uint32_t gid = 0;
};

// Sets up the sandbox and execs. On any failure writes "sandbox: <step>: errno N" to the
// child's stderr and exits with 126 (setup) or 127 (exec). Never returns.
[[noreturn]] void run_child(const child_plan& plan) noexcept;

}  // namespace frugal::tools
