// Fuzzes what a model's tool call arguments go through before a file tool touches the disk:
// tools::tool_args (the arguments object, model text) and the workspace path checks. The
// input is the arguments JSON; its "path" (or the whole input when it is not JSON) is then
// opened inside a scratch workspace both with openat2(RESOLVE_BENEATH) and with the
// component walk used on kernels without openat2. The workspace holds a file, a folder,
// a symlink to a file outside and a symlink to "..". Checks: getters never throw and an
// array holds at most max_items; a path check_relative accepts is relative, has no ".."
// component and no NUL; whatever either opener returns resolves inside the workspace.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fuzz/fuzz_support.h"
#include "tools/tool_args.h"
#include "tools/workspace_path.h"

using namespace frugal::tools;

namespace {

struct workspace_fixture {
  std::string root;  // holds ws/ and outside.txt
  std::string ws;    // the workspace, canonical
  int dirfd = -1;

  workspace_fixture() {
    char tmpl[] = "/tmp/frugal-fuzz-ws-XXXXXX";
    FUZZ_CHECK(::mkdtemp(tmpl) != nullptr);
    root = tmpl;
    ws = root + "/ws";
    FUZZ_CHECK(::mkdir(ws.c_str(), 0700) == 0);
    FUZZ_CHECK(::mkdir((ws + "/sub").c_str(), 0700) == 0);
    write(ws + "/a.txt");
    write(ws + "/sub/b.txt");
    write(root + "/outside.txt");
    FUZZ_CHECK(::symlink((root + "/outside.txt").c_str(), (ws + "/out").c_str()) == 0);
    FUZZ_CHECK(::symlink("..", (ws + "/sub/up").c_str()) == 0);
    FUZZ_CHECK(::symlink("../..", (ws + "/sub/upup").c_str()) == 0);
    auto fd = open_workspace(ws);
    FUZZ_CHECK(fd.ok());
    dirfd = fd->release();
  }
  ~workspace_fixture() {
    std::string cmd = "rm -rf '" + root + "'";
    (void)std::system(cmd.c_str());
  }
  static void write(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "w");
    FUZZ_CHECK(f != nullptr);
    std::fputs("x\n", f);
    std::fclose(f);
  }
};

workspace_fixture& fixture() {
  static workspace_fixture f;
  return f;
}

std::string resolved(int fd) {
  char buf[4096];
  std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
  FUZZ_CHECK(n > 0);
  return std::string(buf, static_cast<size_t>(n));
}

void check_inside(int fd) {
  const std::string& ws = fixture().ws;
  std::string where = resolved(fd);
  FUZZ_CHECK(where == ws || std::string_view(where).starts_with(ws + "/"));
}

void try_open(std::string_view path) {
  bool accepted = check_relative(path).ok();
  if (accepted) {
    FUZZ_CHECK(!path.empty() && path[0] != '/' && path.size() <= max_path_bytes);
    FUZZ_CHECK(path.find('\0') == std::string_view::npos);
    FUZZ_CHECK(path != ".." && !path.starts_with("../") && !path.ends_with("/..") &&
               path.find("/../") == std::string_view::npos);
  }
  int dirfd = fixture().dirfd;
  for (int flags : {O_RDONLY, O_PATH}) {
    if (auto fd = open_beneath(dirfd, path, flags); fd.ok()) {
      FUZZ_CHECK(accepted);
      check_inside(fd->get());
      (void)check_regular_single_link(fd->get(), path);
    }
    if (auto fd = open_beneath_walk(dirfd, path, flags, 0); fd.ok()) {
      FUZZ_CHECK(accepted);
      check_inside(fd->get());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto args = tool_args::parse(in);
  if (!args.ok()) {
    FUZZ_CHECK(!args.message().empty());
    if (size <= 2 * max_path_bytes) try_open(in);
    return 0;
  }
  std::string path, text;
  int64_t n = 0;
  bool b = false;
  std::vector<std::string> argv;
  (void)args->get_string("text", text, false);
  (void)args->get_int("max_bytes", n, false);
  (void)args->get_bool("append", b, false);
  if (args->get_string_array("argv", argv, false, 4).ok()) FUZZ_CHECK(argv.size() <= 4);
  if (auto s = args->get_string("path", path, true); !s) {
    FUZZ_CHECK(!s.message().empty());
    return 0;
  }
  try_open(path);
  return 0;
}
