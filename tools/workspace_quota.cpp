// A depth-first walk with openat/fstatat relative to each folder's fd, so a folder renamed
// or swapped for a link during the walk cannot send it outside the tree. Depth is capped
// (a deeper tree counts as over quota rather than exhausting descriptors).
#include "tools/workspace_quota.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace frugal::tools::quota {
namespace {

constexpr int max_depth = 64;

struct walker {
  int64_t total = 0;
  int64_t stop_above = 0;
  bool over() const { return stop_above > 0 && total > stop_above; }

  // Adds everything under the open folder `fd` (which it takes over).
  void walk(int fd, int depth) {
    DIR* d = ::fdopendir(fd);
    if (!d) {
      ::close(fd);
      return;
    }
    while (dirent* e = ::readdir(d)) {
      if (over()) break;
      if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
      struct stat st {};
      if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      total += static_cast<int64_t>(st.st_blocks) * 512;
      if (!S_ISDIR(st.st_mode)) continue;
      if (depth >= max_depth) {
        total = stop_above > 0 ? stop_above + 1 : total;
        break;
      }
      int sub = ::openat(::dirfd(d), e->d_name,
                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
      if (sub >= 0) walk(sub, depth + 1);
    }
    ::closedir(d);
  }
};

}  // namespace

result<int64_t> usage(const std::string& dir, int64_t stop_above) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return fail("quota: open ", dir, ": ", std::strerror(errno));
  walker w;
  w.stop_above = stop_above;
  w.walk(fd, 0);
  if (w.over()) return stop_above + 1;
  return w.total;
}

}  // namespace frugal::tools::quota
