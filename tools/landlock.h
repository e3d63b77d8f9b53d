// landlock: the filesystem (and, from ABI 4, TCP) ruleset for sandboxed children, built in
// the parent and applied in the child with one raw syscall. Rights are downgraded to the
// running kernel's ABI; constants past ABI 2 are defined here because bookworm's headers
// stop there. It never restricts the calling (daemon) process.
#pragma once
#include <string>

#include "core/result.h"
#include "tools/unique_fd.h"

namespace frugal::tools::landlock {

// The kernel's Landlock ABI version, 0 when Landlock is missing or disabled.
int abi_version();

// A ruleset fd allowing: read+execute on the system folders (/usr /bin /sbin /lib*), read on
// a few files under /etc (loader cache, time zone, TLS roots, resolver) and /dev/{null,zero,
// urandom}, everything on `workspace`, nothing else. With `network` false and ABI >= 4,
// TCP bind/connect are denied too; with ABI >= 6, abstract Unix sockets and signals outside
// the sandbox are scoped out. Fails when `abi` < 1 or the workspace can't be opened.
result<unique_fd> build_ruleset(int abi, const std::string& workspace, bool network);

// Child side, async-signal-safe: applies `ruleset_fd` to the calling thread. 0 or -errno.
// no_new_privs must already be set.
int restrict_self(int ruleset_fd) noexcept;

}  // namespace frugal::tools::landlock
