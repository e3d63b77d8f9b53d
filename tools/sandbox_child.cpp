// The child half of spawn(): session, descriptors, (namespaces: wait for the id maps, build
// a private root and pivot into it), rlimits, uid drop, no_new_privs,
// Landlock, closing inherited fds, seccomp, execve, in that order (seccomp last so the setup
// itself is not filtered; Landlock before close_range so its fd is still open).
// Only raw syscalls and hand-rolled formatting here: this runs in a forked copy of a
// multi-threaded process.
#include "tools/sandbox_child.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "tools/landlock.h"
#include "tools/seccomp_filter.h"

namespace frugal::tools {
namespace {

#ifndef SYS_close_range
constexpr long SYS_close_range = 436;
#endif

// Writes "sandbox: <step>[ <detail>]: errno <n>\n" to fd 2 and exits.
[[noreturn]] void die(const char* step, int err, int code, const char* detail = nullptr) {
  char buf[160];
  size_t n = 0;
  auto put = [&](const char* s) {
    for (size_t i = 0; s[i] && n < sizeof buf - 16; ++i) buf[n++] = s[i];
  };
  put("sandbox: ");
  put(step);
  if (detail) {
    put(" ");
    put(detail);
  }
  put(": errno ");
  char digits[12];
  size_t d = 0;
  unsigned v = err < 0 ? static_cast<unsigned>(-err) : static_cast<unsigned>(err);
  do {
    digits[d++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v && d < sizeof digits);
  while (d) buf[n++] = digits[--d];
  buf[n++] = '\n';
  (void)!::write(2, buf, n);
  ::_exit(code);
}

// Writes `v` (>= 0) in decimal with a terminating NUL; `out` has room for 11 bytes.
void format_int(char* out, int v) {
  char digits[12];
  size_t d = 0;
  do {
    digits[d++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v && d < sizeof digits);
  while (d) *out++ = digits[--d];
  *out = '\0';
}

// Builds the private root on a tmpfs at p.staging from p.mounts, pivots into it, detaches
// the host's root and makes the new root read-only. Runs with the namespace's full
// capabilities (the child created it) and with fsuid/fsgid set to the ids it will run as,
// so what it creates on the tmpfs is owned by a mapped id.
void build_root(const child_plan& p) {
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    die("mount private /", errno, 126);
  // Open every bind source now: the tmpfs below may cover it (a workspace under /tmp).
  int fds[max_mount_steps];
  for (size_t i = 0; i < p.mount_count && i < max_mount_steps; ++i) {
    fds[i] = -1;
    const mount_step& m = p.mounts[i];
    if (m.what != mount_step::kind::bind_dir && m.what != mount_step::kind::bind_file) continue;
    fds[i] = ::open(m.source, O_PATH | O_CLOEXEC);
    if (fds[i] < 0) die("open", errno, 126, m.source);
  }
  // A root parent's child is uid 0 outside, unmapped inside: it opened the sources as
  // root's uid (a workspace under a 0700 folder, as before), and creates as the mapped id.
  if (p.drop_root && (::syscall(SYS_setfsgid, p.gid) < 0 || ::syscall(SYS_setfsuid, p.uid) < 0))
    die("setfsuid", errno, 126);
  if (::mount("tmpfs", p.staging, "tmpfs", MS_NOSUID | MS_NODEV,
              "mode=0755,size=1m,nr_inodes=4096") != 0)
    die("mount tmpfs", errno, 126, p.staging);
  for (size_t i = 0; i < p.mount_count; ++i) {
    const mount_step& m = p.mounts[i];
    switch (m.what) {
      case mount_step::kind::dir:
        if (::mkdir(m.path, 0755) != 0 && errno != EEXIST) die("mkdir", errno, 126, m.path);
        continue;
      case mount_step::kind::symlink:
        if (::symlink(m.source, m.path) != 0) die("symlink", errno, 126, m.path);
        continue;
      case mount_step::kind::bind_dir:
        if (::mkdir(m.path, 0755) != 0 && errno != EEXIST) die("mkdir", errno, 126, m.path);
        break;
      case mount_step::kind::bind_file: {
        int fd = ::open(m.path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) die("create", errno, 126, m.path);
        ::close(fd);
        break;
      }
    }
    char via[32] = "/proc/self/fd/";
    format_int(via + 14, fds[i]);
    if (::mount(via, m.path, nullptr, MS_BIND | MS_REC, nullptr) != 0)
      die("bind", errno, 126, m.path);
    ::close(fds[i]);
    if (!m.writable && ::mount(nullptr, m.path, nullptr,
                               MS_REMOUNT | MS_BIND | MS_RDONLY | m.remount_flags, nullptr) != 0)
      die("remount read-only", errno, 126, m.path);
  }
  // pivot_root(".", ".") stacks the old root under the new one; detaching it leaves only
  // what was bound above.
  if (::chdir(p.staging) != 0) die("chdir staging", errno, 126);
  if (::syscall(SYS_pivot_root, ".", ".") != 0) die("pivot_root", errno, 126);
  if (::umount2(".", MNT_DETACH) != 0) die("detach old root", errno, 126);
  if (::chdir("/") != 0) die("chdir /", errno, 126);
  if (::mount(nullptr, "/", nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
              nullptr) != 0)
    die("remount / read-only", errno, 126);
}

// Forks: the new process returns (and execs the program); this one, pid 1 of the
// namespace, reaps every process until the program exits, reports its wait status on
// `status_fd` and exits, which kills whatever is left in the namespace.
void become_init(int status_fd) {
  long program = ::syscall(SYS_clone, SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  if (program < 0) die("fork program", errno, 126);
  if (program == 0) {
    ::close(status_fd);
    return;
  }
  ::close(0);
  ::close(1);
  ::close(2);
  for (;;) {
    int ws = 0;
    long r = ::syscall(SYS_wait4, -1, &ws, 0, nullptr);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) ::_exit(126);
    if (r == program) {
      (void)!::write(status_fd, &ws, sizeof ws);
      ::_exit(0);
    }
  }
}

}  // namespace

void run_child(const child_plan& p) noexcept {
  // Ignored signals survive exec: give the program default dispositions and an open mask.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  if (::setsid() < 0) die("setsid", errno, 126);
  if (::dup2(p.stdin_fd, 0) < 0 || ::dup2(p.stdout_fd, 1) < 0 || ::dup2(p.stderr_fd, 2) < 0)
    ::_exit(126);  // no stderr to report on
  if (p.namespaces) {
    ::close(p.sync_close_fd);
    char go = 0;
    if (::read(p.sync_fd, &go, 1) != 1) ::_exit(126);  // the parent could not map our ids
    ::umask(0);  // the private root's folders and mount points get exactly the modes asked
    build_root(p);
  }
  ::umask(077);  // what the program creates in its workspace is 0600 / 0700
  for (const auto& l : p.limits) {
    rlimit rl{l.value, l.value};
    if (::syscall(SYS_prlimit64, 0, l.resource, &rl, nullptr) != 0) die("setrlimit", errno, 126);
  }
  if (::chdir(p.workspace) != 0) die("chdir workspace", errno, 126);
  if (p.drop_root) {
    // Root's supplementary groups would survive into the namespace: drop them. (A non-root
    // parent's child keeps its groups; its namespace denies setgroups.)
    if (::syscall(SYS_setgroups, 0, nullptr) != 0) die("setgroups", errno, 126);
    if (::syscall(SYS_setresgid, p.gid, p.gid, p.gid) != 0) die("setresgid", errno, 126);
    if (::syscall(SYS_setresuid, p.uid, p.uid, p.uid) != 0) die("setresuid", errno, 126);
  }
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("no_new_privs", errno, 126);
  if (p.ruleset_fd >= 0)
    if (int rc = landlock::restrict_self(p.ruleset_fd); rc != 0) die("landlock", rc, 126);
  int keep = 3;  // the status fd, moved to 3 (close-on-exec) when there is one
  if (p.namespaces && p.status_fd >= 0) {
    if (p.status_fd != 3 && ::syscall(SYS_dup3, p.status_fd, 3, O_CLOEXEC) != 3)
      die("dup status fd", errno, 126);
    keep = 4;
  }
  if (::syscall(SYS_close_range, static_cast<unsigned>(keep), ~0u, 0u) != 0) {
    for (int fd = keep; fd < p.max_fd; ++fd) ::close(fd);
  }
  if (p.filter)
    if (int rc = seccomp_filter::install(p.filter); rc != 0) die("seccomp", rc, 126);
  if (keep == 4) become_init(3);
  ::execve(p.path, p.argv, p.envp);
  die("execve", errno, 127, p.path);
}

}  // namespace frugal::tools
