// Landlock ruleset construction via raw syscalls. The structs and rights are declared here
// (not taken from <linux/landlock.h>) so ABI 3-7 work on older headers; a kernel ignores
// nothing silently: every right we pass is first masked to what its ABI handles.
#include "tools/landlock.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "tools/system_paths.h"

namespace frugal::tools::landlock {
namespace {

#ifndef SYS_landlock_create_ruleset
constexpr long SYS_landlock_create_ruleset = 444;
constexpr long SYS_landlock_add_rule = 445;
constexpr long SYS_landlock_restrict_self = 446;
#endif

constexpr uint32_t create_ruleset_version = 1u << 0;
constexpr int rule_path_beneath = 1;

// Filesystem rights (ABI 1 unless noted).
constexpr uint64_t fs_execute = 1ull << 0;
constexpr uint64_t fs_write_file = 1ull << 1;
constexpr uint64_t fs_read_file = 1ull << 2;
constexpr uint64_t fs_read_dir = 1ull << 3;
constexpr uint64_t fs_abi1_all = (1ull << 13) - 1;  // execute … make_sym
constexpr uint64_t fs_refer = 1ull << 13;           // ABI 2
constexpr uint64_t fs_truncate = 1ull << 14;        // ABI 3
constexpr uint64_t fs_ioctl_dev = 1ull << 15;       // ABI 5
// Network rights (ABI 4) and scopes (ABI 6).
constexpr uint64_t net_bind_tcp = 1ull << 0;
constexpr uint64_t net_connect_tcp = 1ull << 1;
constexpr uint64_t scope_abstract_unix = 1ull << 0;
constexpr uint64_t scope_signal = 1ull << 1;

// Rights that make sense on a non-directory (others make add_rule fail with EINVAL).
constexpr uint64_t file_rights =
    fs_execute | fs_write_file | fs_read_file | fs_truncate | fs_ioctl_dev;

struct ruleset_attr {  // the kernel accepts a larger struct whose tail is zero
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};

struct __attribute__((packed)) path_beneath_attr {
  uint64_t allowed_access;
  int32_t parent_fd;
};

uint64_t handled_fs(int abi) {
  uint64_t r = fs_abi1_all;
  if (abi >= 2) r |= fs_refer;
  if (abi >= 3) r |= fs_truncate;
  if (abi >= 5) r |= fs_ioctl_dev;
  return r;
}

// Adds a rule for `path`; a missing path is skipped (not every system has /lib32).
status add_path(int ruleset, const char* path, uint64_t rights, uint64_t handled) {
  unique_fd fd(::open(path, O_PATH | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT || errno == ENOTDIR) return status::success();
    return fail("landlock: open ", path, ": ", std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return fail("landlock: stat ", path, ": ", std::strerror(errno));
  if (!S_ISDIR(st.st_mode)) rights &= file_rights;
  path_beneath_attr attr{rights & handled, fd.get()};
  if (::syscall(SYS_landlock_add_rule, ruleset, rule_path_beneath, &attr, 0) != 0)
    return fail("landlock: add rule for ", path, ": ", std::strerror(errno));
  return status::success();
}

}  // namespace

int abi_version() {
  long v = ::syscall(SYS_landlock_create_ruleset, nullptr, 0, create_ruleset_version);
  return v < 0 ? 0 : static_cast<int>(v);
}

result<unique_fd> build_ruleset(int abi, const std::string& workspace, bool network) {
  if (abi < 1) return fail("landlock: not available on this kernel");
  const uint64_t handled = handled_fs(abi);
  ruleset_attr attr{handled, 0, 0};
  if (abi >= 4 && !network) attr.handled_access_net = net_bind_tcp | net_connect_tcp;
  if (abi >= 6) attr.scoped = scope_abstract_unix | scope_signal;
  unique_fd rs(static_cast<int>(::syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0)));
  if (!rs) return fail("landlock: create ruleset (ABI ", abi, "): ", std::strerror(errno));

  const uint64_t read_exec = fs_execute | fs_read_file | fs_read_dir;
  for (const char* p : system_paths::read_only_trees)
    if (auto s = add_path(rs.get(), p, read_exec, handled); !s) return s.err();
  for (const char* p : system_paths::read_only_files)
    if (auto s = add_path(rs.get(), p, fs_read_file, handled); !s) return s.err();
  for (const char* p : system_paths::devices)
    if (auto s = add_path(rs.get(), p, fs_read_file, handled); !s) return s.err();
  if (auto s = add_path(rs.get(), system_paths::dev_null,
                        fs_read_file | fs_write_file | fs_truncate | fs_ioctl_dev, handled);
      !s)
    return s.err();

  // The workspace must exist: a missing one is an error, not a silent skip.
  struct stat st {};
  if (::stat(workspace.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return fail("landlock: workspace ", workspace, " is not a folder");
  if (auto s = add_path(rs.get(), workspace.c_str(), handled, handled); !s) return s.err();
  return rs;
}

int restrict_self(int ruleset_fd) noexcept {
  if (::syscall(SYS_landlock_restrict_self, ruleset_fd, 0) != 0) return -errno;
  return 0;
}

}  // namespace frugal::tools::landlock
