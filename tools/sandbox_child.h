// sandbox_child: what the forked child does between fork and exec. Everything it needs is
// prepared by the parent in a child_plan; the child only makes raw syscalls (async-signal-
// safe, no allocation, no locks), so forking a multi-threaded daemon is safe.
#pragma once
#include <linux/filter.h>
#include <sys/resource.h>

#include <cstddef>
#include <cstdint>

namespace frugal::tools {

// One step of building the child's private root (planned by sandbox_ns.cpp). `path` is
// absolute and already prefixed with the staging folder the root is built in.
struct mount_step {
  enum class kind : uint8_t { dir, bind_dir, bind_file, symlink };
  kind what = kind::dir;
  const char* path = nullptr;
  const char* source = nullptr;     // bind: the host path; symlink: the link's target
  bool writable = false;            // bind: leave it writable (the workspace, /dev nodes)
  unsigned long remount_flags = 0;  // bind read-only: flags the source mount has (locked)
};

inline constexpr size_t max_mount_steps = 96;

struct child_plan {
  const char* path = nullptr;  // absolute program path
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  const char* workspace = nullptr;  // the cwd: /workspace inside the namespaces, else the host path
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
  // Namespace layer: the child was cloned into new namespaces; it waits for one byte on
  // sync_fd (the parent wrote its id maps), builds its root from `mounts` on a tmpfs at
  // `staging`, pivots into it and drops the old root.
  bool namespaces = false;
  int sync_fd = -1;  // read end; the write end is sync_close_fd, closed in the child
  int sync_close_fd = -1;
  const mount_step* mounts = nullptr;
  size_t mount_count = 0;
  const char* staging = "/tmp";
  // With namespaces the child stays as the namespace's init (pid 1): it forks the program,
  // reaps everything, writes the program's wait status (4 bytes) to status_fd and exits.
  // The program itself is not pid 1, so signals (SIGXFSZ, SIGPIPE) act on it as usual.
  int status_fd = -1;
  uint32_t uid = 0;
  uint32_t gid = 0;
};

// Sets up the sandbox and execs. On any failure writes "sandbox: <step>: errno N" to the
// child's stderr and exits with 126 (setup) or 127 (exec). Never returns.
[[noreturn]] void run_child(const child_plan& plan) noexcept;

}  // namespace frugal::tools
