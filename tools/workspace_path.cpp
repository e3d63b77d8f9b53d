// Confined opening of workspace paths. openat2 does the whole walk in the kernel with the
// RESOLVE_* rules; the fallback opens one component at a time with O_NOFOLLOW so the same
// tricks fail the same way. Error messages name only the model's own path.
#include "tools/workspace_path.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace frugal::tools {
namespace {

#ifndef SYS_openat2
constexpr long SYS_openat2 = 437;
#endif

std::vector<std::string> components(std::string_view rel) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string_view::npos) end = rel.size();
    std::string_view part = rel.substr(start, end - start);
    if (!part.empty() && part != ".") parts.emplace_back(part);
    start = end + 1;
  }
  return parts;
}

error open_error(std::string_view rel, int err) {
  switch (err) {
    case ELOOP:
    case EXDEV:
      return refuse("\"", rel, "\" goes through a symbolic link or leaves the workspace");
    case ENOENT:
      return fail("\"", rel, "\" does not exist");
    case ENOTDIR:
      return fail("\"", rel, "\": a parent is not a folder (or is a link)");
    case EISDIR:
      return fail("\"", rel, "\" is a folder");
    default:
      return fail("\"", rel, "\": ", std::strerror(err));
  }
}

}  // namespace

status check_relative(std::string_view path) {
  if (path.empty()) return fail("empty path");
  if (path.size() > max_path_bytes) return fail("path longer than ", max_path_bytes, " bytes");
  if (path.find('\0') != std::string_view::npos) return fail("path contains a NUL byte");
  if (path[0] == '/')
    return refuse("\"", path, "\" is absolute; paths are relative to the workspace");
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (path.substr(start, end - start) == "..")
      return refuse("\"", path, "\" contains \"..\"; paths stay inside the workspace");
    start = end + 1;
  }
  return status::success();
}

result<unique_fd> open_workspace(const std::string& workspace) {
  if (workspace.empty() || workspace[0] != '/') return fail("workspace is not configured");
  unique_fd fd(::open(workspace.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return fail("workspace is not available: ", std::strerror(errno));
  return fd;
}

result<unique_fd> open_beneath(int dirfd, std::string_view rel, int flags, mode_t mode) {
  if (auto s = check_relative(rel); !s) return s.err();
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & O_CREAT) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  std::string path(rel);
  long fd = ::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
  if (fd >= 0) return unique_fd(static_cast<int>(fd));
  if (errno == ENOSYS) return open_beneath_walk(dirfd, rel, flags, mode);
  return open_error(rel, errno);
}

result<unique_fd> open_beneath_walk(int dirfd, std::string_view rel, int flags, mode_t mode) {
  if (auto s = check_relative(rel); !s) return s.err();
  std::vector<std::string> parts = components(rel);
  unique_fd cur(::fcntl(dirfd, F_DUPFD_CLOEXEC, 3));
  if (!cur) return fail("workspace: ", std::strerror(errno));
  if (parts.empty()) {
    unique_fd fd(::openat(cur.get(), ".", flags | O_CLOEXEC, mode));
    if (!fd) return open_error(rel, errno);
    return fd;
  }
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    unique_fd next(
        ::openat(cur.get(), parts[i].c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next) return open_error(rel, errno);
    cur = std::move(next);
  }
  unique_fd fd(::openat(cur.get(), parts.back().c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode));
  if (!fd) return open_error(rel, errno);
  return fd;
}

status check_regular_single_link(int fd, std::string_view rel) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail("\"", rel, "\": ", std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return fail("\"", rel, "\" is not a regular file");
  if (st.st_nlink > 1) return refuse("\"", rel, "\" has other hard links; refused");
  return status::success();
}

}  // namespace frugal::tools
