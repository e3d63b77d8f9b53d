// write_file: creates, replaces or appends to one regular file inside the realm's
// workspace (at most 256 KB per call). The file is opened without O_TRUNC and checked
// first, so a hard link to a file elsewhere is refused before a byte of it is touched.
// It does not create folders.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/log.h"
#include "tools/all_tools.h"
#include "tools/tool_args.h"
#include "tools/workspace_path.h"
#include "tools/workspace_quota.h"

namespace frugal::tools {
namespace {

constexpr size_t max_write_bytes = 256 * 1024;

void exec(const context& ctx, std::string_view args_json, done_fn done) {
  auto args = tool_args::parse(args_json);
  if (!args) return done(tool_error(args.message()));
  std::string path, content;
  bool append = false;
  if (auto s = args->get_string("path", path, true); !s) return done(tool_error(s.message()));
  if (auto s = args->get_string("content", content, true); !s) return done(tool_error(s.message()));
  if (auto s = args->get_bool("append", append, false); !s) return done(tool_error(s.message()));
  if (content.size() > max_write_bytes)
    return done(tool_refused(log::cat("write_file: content is ", content.size(),
                                      " bytes; the limit is ", max_write_bytes)));
  if (ctx.realm_cfg && ctx.realm_cfg->workspace_quota_mb > 0) {
    // Conservative: the old content of a replaced file is not subtracted.
    const int64_t quota = quota::bytes(ctx.realm_cfg->workspace_quota_mb);
    auto used = quota::usage(ctx.workspace, quota);
    if (!used) return done(tool_error("write_file: " + used.message()));
    if (*used + static_cast<int64_t>(content.size()) > quota)
      return done(tool_refused(log::cat("write_file: the workspace may hold at most ",
                                        quota / (1024 * 1024), " MB and ", *used,
                                        " bytes are used; remove files to make room")));
  }
  auto ws = open_workspace(ctx.workspace);
  if (!ws) return done(tool_error(ws.err()));
  auto fd = open_beneath(ws->get(), path, O_WRONLY | O_CREAT | O_NONBLOCK | O_NOCTTY, 0600);
  if (!fd) return done(tool_error(fd.err(), "write_file: "));
  if (auto s = check_regular_single_link(fd->get(), path); !s)
    return done(tool_error(s.err(), "write_file: "));
  // A root daemon's workspace belongs to the sandbox user (nobody): the file is handed to
  // the workspace's owner, so the realm's tool children can read the 0600 file.
  if (struct stat ws_st{}, f_st{}; ::geteuid() == 0 && ::fstat(ws->get(), &ws_st) == 0 &&
                                   ::fstat(fd->get(), &f_st) == 0 && f_st.st_uid != ws_st.st_uid)
    if (::fchown(fd->get(), ws_st.st_uid, ws_st.st_gid) != 0)
      return done(tool_error(log::cat("write_file: \"", path, "\": ", std::strerror(errno))));
  if (append ? ::lseek(fd->get(), 0, SEEK_END) < 0 : ::ftruncate(fd->get(), 0) != 0)
    return done(tool_error(log::cat("write_file: \"", path, "\": ", std::strerror(errno))));
  size_t put = 0;
  while (put < content.size()) {
    ssize_t n = ::write(fd->get(), content.data() + put, content.size() - put);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return done(tool_error(log::cat("write_file: \"", path, "\": ", std::strerror(errno))));
    put += static_cast<size_t>(n);
  }
  done(tool_ok(log::cat(append ? "appended " : "wrote ", put, " bytes to ", path)));
}

const descriptor k_write_file{
    "write_file",
    "Write (or append to) a text file in your workspace (relative path, at most 256 KB).",
    R"({"type":"object","properties":{"path":{"type":"string"},"content":{"type":"string"},)"
    R"("append":{"type":"boolean"}},"required":["path","content"]})",
    realm_both,
    false,
    false,
    exec};

}  // namespace

const descriptor& write_file_tool() {
  return k_write_file;
}

}  // namespace frugal::tools
