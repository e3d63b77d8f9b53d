// seccomp_filter: the BPF program installed in sandboxed children, built once per network
// setting with libseccomp in the parent and exported to memory, so the child installs it
// with one raw syscall (nothing between fork and exec allocates).
// Default allow; it refuses what a tool never needs: sockets (without network: every family,
// Unix included; with network: all but Unix, IPv4 and IPv6),
// io_uring, ptrace, namespaces, mounts, module/kexec/bpf, new sessions or process groups
// (so the kill timer reaches every descendant), TIOCSTI. It is not a syscall allowlist.
#pragma once
#include <linux/filter.h>

#include "core/result.h"

namespace frugal::tools::seccomp_filter {

// True when the kernel accepts seccomp filters (and libseccomp agrees).
bool available();

// The program for children with (or without) network access. The pointer stays valid for
// the life of the process. socket() of a refused family fails with EACCES, the other
// refused calls with EPERM (clone3 with ENOSYS so libc falls back to clone, whose flags
// the filter can see).
result<const sock_fprog*> program(bool network);

// Child side, async-signal-safe: installs `prog` on the calling thread. 0 or -errno.
// no_new_privs must already be set.
int install(const sock_fprog* prog) noexcept;

}  // namespace frugal::tools::seccomp_filter
