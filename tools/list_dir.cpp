// list_dir: the entries of one folder inside the realm's workspace (at most 500, sorted),
// folders marked with a trailing '/', files with their size. Symbolic links are listed as
// such, never followed, and their targets are not shown.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "core/log.h"
#include "core/utf8.h"
#include "tools/all_tools.h"
#include "tools/tool_args.h"
#include "tools/workspace_path.h"

namespace frugal::tools {
namespace {

constexpr size_t max_entries = 500;

struct dir_closer {
  void operator()(DIR* d) const { ::closedir(d); }
};

void exec(const context& ctx, std::string_view args_json, done_fn done) {
  auto args = tool_args::parse(args_json);
  if (!args) return done(tool_error(args.message()));
  std::string path = ".";
  if (auto s = args->get_string("path", path, false); !s) return done(tool_error(s.message()));
  auto ws = open_workspace(ctx.workspace);
  if (!ws) return done(tool_error(ws.err()));
  auto fd = open_beneath(ws->get(), path, O_RDONLY | O_DIRECTORY);
  if (!fd) return done(tool_error(fd.err(), "list_dir: "));
  int dirfd = fd->get();
  std::unique_ptr<DIR, dir_closer> dir(::fdopendir(fd->release()));
  if (!dir) return done(tool_error(log::cat("list_dir: \"", path, "\": ", std::strerror(errno))));

  std::vector<std::string> lines;
  size_t total = 0;
  while (dirent* e = ::readdir(dir.get())) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (++total > max_entries) continue;
    struct stat st {};
    std::string line = utf8::repair(name);
    if (::fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
      line += " (unreadable)";
    else if (S_ISDIR(st.st_mode))
      line += "/";
    else if (S_ISLNK(st.st_mode))
      line += " (symbolic link)";
    else if (S_ISREG(st.st_mode))
      line += log::cat("  ", static_cast<int64_t>(st.st_size), " bytes");
    else
      line += " (special file)";
    lines.push_back(std::move(line));
  }
  std::sort(lines.begin(), lines.end());
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  if (lines.empty()) text = "(empty folder)\n";
  if (total > max_entries)
    text += log::cat("[truncated: ", total, " entries; ", max_entries, " listed]\n");
  done(tool_ok(std::move(text)));
}

const descriptor k_list_dir{
    "list_dir",
    "List a folder in your workspace (relative path, default the workspace itself).",
    R"({"type":"object","properties":{"path":{"type":"string"}}})",
    realm_both,
    false,
    false,
    exec};

}  // namespace

const descriptor& list_dir_tool() {
  return k_list_dir;
}

}  // namespace frugal::tools
