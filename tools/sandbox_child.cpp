// The child half of spawn(): session, descriptors, rlimits, uid drop, no_new_privs,
// Landlock, closing inherited fds, seccomp, execve, in that order (seccomp last so the setup
// itself is not filtered; Landlock before close_range so its fd is still open).
// Only raw syscalls and hand-rolled formatting here: this runs in a forked copy of a
// multi-threaded process.
#include "tools/sandbox_child.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
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
  for (const auto& l : p.limits) {
    rlimit rl{l.value, l.value};
    if (::syscall(SYS_prlimit64, 0, l.resource, &rl, nullptr) != 0) die("setrlimit", errno, 126);
  }
  if (::chdir(p.workspace) != 0) die("chdir workspace", errno, 126);
  if (p.drop_root) {
    if (::syscall(SYS_setgroups, 0, nullptr) != 0) die("setgroups", errno, 126);
    if (::syscall(SYS_setresgid, p.gid, p.gid, p.gid) != 0) die("setresgid", errno, 126);
    if (::syscall(SYS_setresuid, p.uid, p.uid, p.uid) != 0) die("setresuid", errno, 126);
  }
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("no_new_privs", errno, 126);
  if (p.ruleset_fd >= 0)
    if (int rc = landlock::restrict_self(p.ruleset_fd); rc != 0) die("landlock", rc, 126);
  if (::syscall(SYS_close_range, 3u, ~0u, 0u) != 0) {
    for (int fd = 3; fd < p.max_fd; ++fd) ::close(fd);
  }
  if (p.filter)
    if (int rc = seccomp_filter::install(p.filter); rc != 0) die("seccomp", rc, 126);
  ::execve(p.path, p.argv, p.envp);
  die("execve", errno, 127, p.path);
}

}  // namespace frugal::tools
