// read_file: returns up to 64 KB of one regular file inside the realm's workspace, as
// UTF-8 text (invalid bytes replaced). Confinement is workspace_path's job; this file adds
// the size cap and refuses FIFOs, devices and hard-linked files.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/log.h"
#include "core/utf8.h"
#include "tools/all_tools.h"
#include "tools/tool_args.h"
#include "tools/workspace_path.h"

namespace frugal::tools {
namespace {

constexpr size_t max_read_bytes = 64 * 1024;

void exec(const context& ctx, std::string_view args_json, done_fn done) {
  auto args = tool_args::parse(args_json);
  if (!args) return done(tool_error(args.message()));
  std::string path;
  if (auto s = args->get_string("path", path, true); !s) return done(tool_error(s.message()));
  auto ws = open_workspace(ctx.workspace);
  if (!ws) return done(tool_error(ws.err()));
  // O_NONBLOCK: a FIFO planted in the workspace must not stall the daemon's loop.
  auto fd = open_beneath(ws->get(), path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  if (!fd) return done(tool_error(fd.err(), "read_file: "));
  if (auto s = check_regular_single_link(fd->get(), path); !s)
    return done(tool_error(s.err(), "read_file: "));
  struct stat st {};
  ::fstat(fd->get(), &st);
  std::string data(max_read_bytes, '\0');
  size_t got = 0;
  while (got < data.size()) {
    ssize_t n = ::read(fd->get(), data.data() + got, data.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return done(tool_error(log::cat("read_file: \"", path, "\": ", std::strerror(errno))));
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  data.resize(got);
  std::string text = utf8::repair(data);
  if (static_cast<uint64_t>(st.st_size) > got)
    text += log::cat("\n[truncated: the file has ", static_cast<int64_t>(st.st_size),
                     " bytes; the first ", got, " are shown]");
  done(tool_ok(std::move(text)));
}

const descriptor k_read_file{
    "read_file",
    "Read a text file from your workspace (relative path, at most 64 KB returned).",
    R"({"type":"object","properties":{"path":{"type":"string"}},"required":["path"]})",
    realm_both,
    false,
    false,
    exec};

}  // namespace

const descriptor& read_file_tool() {
  return k_read_file;
}

}  // namespace frugal::tools
