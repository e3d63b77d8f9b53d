// workspace_path: how the file tools open a model-supplied path inside a realm's
// workspace and nowhere else. Paths must be relative with no ".." component; they are
// opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
// RESOLVE_NO_XDEV) relative to a workspace dirfd (or, without openat2, one O_NOFOLLOW step
// per component), so no symlink, magic link or mount leads out. Regular files with more
// than one hard link are refused (a hard link can point anywhere on the same filesystem).
// Those refusals are errors with error::refused set; "does not exist" and the like are not.
#pragma once
#include <sys/types.h>

#include <string>
#include <string_view>

#include "core/result.h"
#include "tools/unique_fd.h"

namespace frugal::tools {

inline constexpr size_t max_path_bytes = 1024;

// Accepts "notes.txt", "dir/sub/file", "." and "./x"; refuses empty, absolute, "..", NUL,
// and longer than max_path_bytes. The message quotes the path (model text, not secret).
status check_relative(std::string_view path);

// The workspace folder as an O_PATH directory fd.
result<unique_fd> open_workspace(const std::string& workspace);

// Opens `rel` (already checked) beneath `dirfd`; flags as for openat (O_CLOEXEC is added).
result<unique_fd> open_beneath(int dirfd, std::string_view rel, int flags, mode_t mode = 0);
// The fallback used when the kernel lacks openat2 (before 5.6); exposed for its test.
result<unique_fd> open_beneath_walk(int dirfd, std::string_view rel, int flags, mode_t mode);

// Checks an open fd: a regular file with exactly one link. `rel` is for the message.
status check_regular_single_link(int fd, std::string_view rel);

}  // namespace frugal::tools
