// Builds the children's seccomp filter with libseccomp, exports it through a memfd into a
// vector of sock_filter and keeps one copy per network setting for the process lifetime.
// Syscalls unknown to this libseccomp or architecture are skipped, not fatal.
#include "tools/seccomp_filter.h"

#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "tools/unique_fd.h"

namespace frugal::tools::seccomp_filter {
namespace {

struct ctx_deleter {
  void operator()(scmp_filter_ctx c) const { seccomp_release(c); }
};
using ctx_ptr = std::unique_ptr<void, ctx_deleter>;

const char* const denied_eperm[] = {"ptrace",
                                    "process_vm_readv",
                                    "process_vm_writev",
                                    "mount",
                                    "umount2",
                                    "pivot_root",
                                    "chroot",
                                    "unshare",
                                    "setns",
                                    "kexec_load",
                                    "kexec_file_load",
                                    "init_module",
                                    "finit_module",
                                    "delete_module",
                                    "bpf",
                                    "perf_event_open",
                                    "keyctl",
                                    "add_key",
                                    "request_key",
                                    "userfaultfd",
                                    "setsid",
                                    "setpgid",
                                    "acct",
                                    "swapon",
                                    "swapoff",
                                    "reboot",
                                    "settimeofday",
                                    "clock_settime",
                                    "adjtimex",
                                    "clock_adjtime",
                                    "quotactl",
                                    "open_by_handle_at",
                                    "name_to_handle_at",
                                    "fsopen",
                                    "fsconfig",
                                    "fsmount",
                                    "fspick",
                                    "move_mount",
                                    "open_tree",
                                    "mount_setattr",
                                    "syslog",
                                    "vhangup",
                                    "io_uring_setup",
                                    "io_uring_enter",
                                    "io_uring_register",
                                    "personality",
                                    "lookup_dcookie"};

const unsigned long clone_ns_flags[] = {CLONE_NEWUSER, CLONE_NEWNS,  CLONE_NEWNET,   CLONE_NEWPID,
                                        CLONE_NEWIPC,  CLONE_NEWUTS, CLONE_NEWCGROUP};

// SCMP_A0() is a C compound literal, which ISO C++ forbids: build the comparison here.
scmp_arg_cmp arg(unsigned index, scmp_compare op, uint64_t a, uint64_t b = 0) {
  return scmp_arg_cmp{index, op, a, b};
}

status add(scmp_filter_ctx c, uint32_t action, const char* name, unsigned count = 0,
           scmp_arg_cmp cmp = {}) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) return status::success();  // unknown here: nothing to deny
  int rc = count ? seccomp_rule_add(c, action, nr, 1, cmp) : seccomp_rule_add(c, action, nr, 0);
  if (rc != 0) return fail("seccomp: rule for ", name, ": ", std::strerror(-rc));
  return status::success();
}

result<std::vector<sock_filter>> build(bool network) {
  ctx_ptr c(seccomp_init(SCMP_ACT_ALLOW));
  if (!c) return fail("seccomp: init failed");
  scmp_filter_ctx f = c.get();
  const uint32_t eacces = SCMP_ACT_ERRNO(EACCES), eperm = SCMP_ACT_ERRNO(EPERM);

  // socket(): nothing without network, not even AF_UNIX, because a Unix socket path (the
  // Docker or D-Bus socket) is not covered by Landlock before ABI 8; socketpair() stays.
  // With network: AF_UNIX, AF_INET and AF_INET6. Families are small integers, so "not
  // allowed" is written as equalities and one upper bound.
  if (network) {
    if (auto s = add(f, eacces, "socket", 1, arg(0, SCMP_CMP_EQ, AF_UNSPEC)); !s) return s.err();
    for (int fam = AF_UNIX + 1; fam < AF_INET6; ++fam)
      if (fam != AF_INET)
        if (auto s = add(f, eacces, "socket", 1, arg(0, SCMP_CMP_EQ, fam)); !s) return s.err();
    if (auto s = add(f, eacces, "socket", 1, arg(0, SCMP_CMP_GT, AF_INET6)); !s) return s.err();
  } else {
    if (auto s = add(f, eacces, "socket"); !s) return s.err();
  }
  for (const char* name : denied_eperm)
    if (auto s = add(f, eperm, name); !s) return s.err();
  for (unsigned long flag : clone_ns_flags)
    if (auto s = add(f, eperm, "clone", 1, arg(0, SCMP_CMP_MASKED_EQ, flag, flag)); !s)
      return s.err();
  if (auto s = add(f, SCMP_ACT_ERRNO(ENOSYS), "clone3"); !s) return s.err();
  // The kernel reads the request as 32 bits: compare only those, or high bits would slip by.
  if (auto s = add(f, eperm, "ioctl", 1, arg(1, SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI)); !s)
    return s.err();
  if (auto s = add(f, eperm, "ioctl", 1, arg(1, SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX)); !s)
    return s.err();

  unique_fd mem(static_cast<int>(::syscall(SYS_memfd_create, "frugal-seccomp", MFD_CLOEXEC)));
  if (!mem) return fail("seccomp: memfd_create: ", std::strerror(errno));
  if (int rc = seccomp_export_bpf(f, mem.get()); rc != 0)
    return fail("seccomp: export: ", std::strerror(-rc));
  off_t size = ::lseek(mem.get(), 0, SEEK_END);
  if (size <= 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0)
    return fail("seccomp: exported program has a bad size (", static_cast<int64_t>(size), ")");
  std::vector<sock_filter> prog(static_cast<size_t>(size) / sizeof(sock_filter));
  if (::pread(mem.get(), prog.data(), static_cast<size_t>(size), 0) != size)
    return fail("seccomp: read back exported program: ", std::strerror(errno));
  return prog;
}

struct cached {
  std::once_flag once;
  std::vector<sock_filter> code;
  sock_fprog prog{};
  std::string error;
};

}  // namespace

bool available() {
  if (::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL) return false;
  uint32_t action = SECCOMP_RET_ERRNO;
  if (::syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) != 0) return false;
  return seccomp_api_get() >= 1;
}

result<const sock_fprog*> program(bool network) {
  static cached with_net, without_net;
  cached& c = network ? with_net : without_net;
  std::call_once(c.once, [&] {
    auto built = build(network);
    if (!built) {
      c.error = built.message();
      return;
    }
    c.code = std::move(built.value());
    c.prog.len = static_cast<unsigned short>(c.code.size());
    c.prog.filter = c.code.data();
  });
  if (!c.error.empty()) return fail(c.error);
  return &c.prog;
}

int install(const sock_fprog* prog) noexcept {
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) != 0) return -errno;
  return 0;
}

}  // namespace frugal::tools::seccomp_filter
