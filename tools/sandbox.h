// sandbox: probes what the kernel offers (Landlock ABI, seccomp, user namespaces) and runs
// one child process confined by it: fork + exec with, in the child before exec, a new
// session, rlimits, no_new_privs, a Landlock ruleset, a seccomp filter, an empty
// environment and capped, piped output; the parent watches it on the libuv loop.
// It never confines the daemon itself and never runs a shell: argv goes to execve as is.
#pragma once
#include <uv.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/result.h"

namespace frugal::tools {

// Whether this process can create a tool child's namespaces, asked of the kernel (ns::probe:
// one short-lived cloned child) the first time it is read and kept for every copy. Most
// processes never read it: a cron `ask` whose turn runs no public tool clones nothing.
class namespace_answer {
 public:
  namespace_answer();                            // unknown: the first read asks the kernel
  explicit namespace_answer(std::string known);  // already known ("" = available), for tests
  // "" when the namespaces can be created, else why not. Thread-safe; asks at most once.
  const std::string& error() const;
  bool available() const { return error().empty(); }
  bool asked() const;  // whether the answer is known yet (no clone happens for this call)

 private:
  struct state {
    std::once_flag once;
    std::string error;
    std::atomic<bool> known{false};
  };
  std::shared_ptr<state> s_;
};

struct sandbox_caps {
  int kernel_landlock_abi = 0;    // 0 = Landlock unavailable
  int landlock_abi = 0;           // what children get: the kernel's, capped by max_landlock_abi
  int max_landlock_abi = 0;       // the configured cap, 0 = none
  bool seccomp = false;           // seccomp filters can be installed
  bool namespaces_wanted = true;  // the config requires the namespace layer
  namespace_answer namespaces;    // lazily probed; read it only where the answer decides
  size_t max_children = 0;        // [sandbox] caps on concurrent tool children, 0 = none
  size_t max_children_per_realm = 0;
};

// Asks the running kernel for what costs a few syscalls (Landlock ABI, seccomp) and records
// the [sandbox] settings tools apply to their children. The namespace probe is left to the
// first reader of `namespaces` (a public sandboxed tool's check, `frugal doctor`).
sandbox_caps probe(const config::sandbox_section& settings = {});

// True when `caps` has every layer a public tool needs: Landlock, seccomp and, unless the
// config turned them off, the namespaces (read, and so probed, only when the other layers
// are there and the config wants them). Otherwise `why` (when given) says what is missing.
bool sandbox_complete(const sandbox_caps* caps, std::string* why = nullptr);

struct spawn_spec {
  // argv[0] is a bare program name resolved against the fixed PATH
  // (/usr/local/bin:/usr/bin:/bin) or an absolute path. Never passed to a shell.
  std::vector<std::string> argv;
  // Absolute, existing folder: the only writable tree, the child's cwd and HOME; with the
  // namespaces it is bound at /workspace (ns::workspace_inside) and seen only by that name.
  std::string workspace;
  bool network = false;         // seccomp and Landlock let the child open inet sockets
  int64_t timeout_ms = 10'000;  // then SIGKILL to the whole process group
  // rlimits applied in the child.
  int64_t cpu_seconds = 10;
  int64_t address_space_bytes = int64_t{1} << 30;
  int64_t file_size_bytes = int64_t{16} << 20;
  int64_t max_processes = 64;  // RLIMIT_NPROC counts every process of the child's uid
  int64_t max_open_files = 64;
  size_t max_output_bytes = 64 * 1024;  // per stream; the rest is read and dropped
  // Layers. A layer that is wanted but missing on this kernel makes spawn() fail when
  // fail_closed is set, and is skipped (with a log line) otherwise. Turning a layer off is
  // for benchmarks and tests that prove what the layer does.
  bool use_landlock = true;
  bool use_seccomp = true;
  // New user, PID, mount, IPC, UTS (and network unless `network`) namespaces with a
  // private root: the system folders read-only, the workspace the only writable tree.
  bool use_namespaces = true;
  // Use at most this Landlock ABI (0 = the kernel's own): lets tests and CI prove what an
  // older kernel (Debian 12: 2, Ubuntu 24.04: 4) still confines.
  int max_landlock_abi = 0;
  bool fail_closed = true;
  // Disk: when > 0, the workspace is re-measured every quota_poll_ms while the child runs
  // and the child's process group is killed once it holds more than this many bytes. The
  // caller also lowers file_size_bytes to what is left, so one file cannot pass it.
  int64_t workspace_quota_bytes = 0;
  int64_t quota_poll_ms = 20;
  // Processes: spawn() refuses (an error, no child) while max_children children are running
  // in total, or max_children_per_group with the same `group` (the realm). 0 = no cap.
  std::string group;
  size_t max_children = 0;
  size_t max_children_per_group = 0;
  // When the daemon runs as root, the child switches to this uid/gid (nobody) before exec,
  // so RLIMIT_NPROC applies (the kernel exempts uid 0) and no capability survives.
  uint32_t root_fallback_uid = 65534;
  uint32_t root_fallback_gid = 65534;
};

struct spawn_result {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;      // the terminating signal, 0 when it exited
  bool timed_out = false;
  bool output_truncated = false;  // stdout or stderr passed max_output_bytes
  bool quota_exceeded = false;    // killed because the workspace passed its quota
  std::string stdout_text;
  std::string stderr_text;
  int64_t duration_ms = 0;
};

using spawn_fn = std::function<void(spawn_result)>;

// Starts the child. On error (bad spec, missing required layer, fork failure) returns it
// and never calls `done`. Otherwise `done` runs exactly once, from the loop, after the
// child was reaped, its process group killed and its pipes drained (at most 500 ms after
// exit). `loop` must outlive the child.
status spawn(uv_loop_t* loop, const spawn_spec& spec, spawn_fn done);

// Children started by spawn() and not yet reported (with `group`: of that group only).
size_t active_children();
size_t active_children(const std::string& group);
// Sends SIGKILL to every running child's process group (shutdown); their `done` callbacks
// still run from the loop.
void kill_all_children();

// The fixed PATH children get, and the lookup spawn() uses for bare names: the absolute
// path of an executable regular file, or an error.
inline constexpr const char* fixed_path = "/usr/local/bin:/usr/bin:/bin";
result<std::string> resolve_program(const std::string& name);

}  // namespace frugal::tools
