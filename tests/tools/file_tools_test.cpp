// read_file, write_file and list_dir against every way out of a workspace a model might
// try from the public realm: "..", absolute paths, planted symlinks (to files, to folders,
// dangling), hard links, /proc magic links, FIFOs. The canary must never come back, and
// nothing outside the workspace may change. The owner's realm uses the same tools normally.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "core/config/config.h"
#include "core/json_writer.h"
#include "tests/tools/tools_fixture.h"
#include "tools/all_tools.h"
#include "tools/workspace_path.h"

using frugal::core::realm_kind;

using namespace frugal;
using namespace frugal::tools;
using namespace frugal::tools::test;

namespace {

context public_ctx(const tree& t) {
  context c;
  c.realm = realm_kind::public_;
  c.sender = "irc:stranger!u@h";
  c.workspace = t.pub;
  return c;
}

std::string args_path(const std::string& p) {
  return R"({"path":)" + json_quote(p) + "}";
}

void expect_refused(const output& o) {
  INFO(o.text);
  CHECK(o.is_error);
  CHECK(o.text.find(canary) == std::string::npos);
}

}  // namespace

TEST_CASE("read_file refuses every path out of the public workspace", "[tools][files][canary]") {
  tree t;
  context ctx = public_ctx(t);
  REQUIRE(::symlink((t.priv + "/secret.txt").c_str(), (t.pub + "/link").c_str()) == 0);
  REQUIRE(::symlink(t.priv.c_str(), (t.pub + "/privdir").c_str()) == 0);
  REQUIRE(::symlink("/proc/self/environ", (t.pub + "/env").c_str()) == 0);
  REQUIRE(::link(t.outside.c_str(), (t.pub + "/hard").c_str()) == 0);
  REQUIRE(::mkfifo((t.pub + "/fifo").c_str(), 0666) == 0);

  for (const std::string& p :
       {std::string("../private/secret.txt"), t.priv + "/secret.txt", std::string("/etc/passwd"),
        std::string("/proc/self/environ"), std::string("link"), std::string("privdir/secret.txt"),
        std::string("env"), std::string("hard"), std::string("fifo"),
        std::string("./../private/secret.txt"), std::string("sub/../../private/secret.txt"),
        std::string(""), std::string("a\0b", 3)}) {
    INFO("path: " << p);
    expect_refused(run_tool_sync(read_file_tool(), ctx, args_path(p)));
  }
  // Leaving the workspace, by any road, is the tool's refusal (its audit row says "denied");
  // a path that merely does not exist is an error.
  for (const std::string& p :
       {std::string("../private/secret.txt"), t.priv + "/secret.txt", std::string("link"),
        std::string("privdir/secret.txt"), std::string("env"), std::string("hard")}) {
    INFO("path: " << p);
    CHECK(run_tool_sync(read_file_tool(), ctx, args_path(p)).refused == refusal::tool);
  }
  CHECK(run_tool_sync(read_file_tool(), ctx, args_path("missing.txt")).refused == refusal::none);
  // Malformed arguments are errors too, never crashes.
  for (const char* bad : {"", "[]", "{", R"({"path":5})", R"({"other":"x"})", "null"})
    expect_refused(run_tool_sync(read_file_tool(), ctx, bad));
}

TEST_CASE("write_file can't reach outside the public workspace", "[tools][files][canary]") {
  tree t;
  context ctx = public_ctx(t);
  REQUIRE(::symlink((t.priv + "/secret.txt").c_str(), (t.pub + "/link").c_str()) == 0);
  REQUIRE(::symlink((t.priv + "/new.txt").c_str(), (t.pub + "/dangling").c_str()) == 0);
  REQUIRE(::symlink(t.priv.c_str(), (t.pub + "/privdir").c_str()) == 0);
  REQUIRE(::link(t.outside.c_str(), (t.pub + "/hard").c_str()) == 0);
  const std::string before = read_text(t.outside);

  for (const std::string& p :
       {std::string("../private/secret.txt"), t.priv + "/x.txt", std::string("link"),
        std::string("dangling"), std::string("privdir/secret.txt"), std::string("hard"),
        std::string("../outside.txt")}) {
    INFO("path: " << p);
    expect_refused(run_tool_sync(write_file_tool(), ctx,
                                 R"({"path":)" + json_quote(p) + R"(,"content":"owned"})"));
  }
  CHECK(read_text(t.priv + "/secret.txt").find(canary) != std::string::npos);
  CHECK(read_text(t.outside) == before);  // the hard link was refused before truncation
  CHECK(::access((t.priv + "/new.txt").c_str(), F_OK) != 0);
  CHECK(::access((t.priv + "/x.txt").c_str(), F_OK) != 0);

  std::string big(256 * 1024 + 1, 'x');
  expect_refused(
      run_tool_sync(write_file_tool(), ctx, R"({"path":"big","content":")" + big + "\"}"));
}

TEST_CASE("list_dir stays in the workspace and shows links without following them",
          "[tools][files][canary]") {
  tree t;
  context ctx = public_ctx(t);
  REQUIRE(::symlink(t.priv.c_str(), (t.pub + "/privdir").c_str()) == 0);
  write_text(t.pub + "/a.txt", "hello");
  REQUIRE(::mkdir((t.pub + "/sub").c_str(), 0755) == 0);

  auto ls = run_tool_sync(list_dir_tool(), ctx, "{}");
  CHECK_FALSE(ls.is_error);
  CHECK(ls.text == "a.txt  5 bytes\nprivdir (symbolic link)\nsub/\n");
  for (const char* p : {"privdir", "..", "../private", "/", "/proc/self/fd"})
    expect_refused(run_tool_sync(list_dir_tool(), ctx, args_path(p)));
}

TEST_CASE("the owner's realm reads, writes and lists its own workspace", "[tools][files]") {
  tree t;
  context ctx;
  ctx.realm = realm_kind::private_;
  ctx.workspace = t.priv;
  auto w = run_tool_sync(write_file_tool(), ctx, R"({"path":"notes/../x","content":"a"})");
  CHECK(w.is_error);  // ".." is refused for the owner too
  REQUIRE(::mkdir((t.priv + "/notes").c_str(), 0755) == 0);
  w = run_tool_sync(write_file_tool(), ctx, R"({"path":"notes/todo.txt","content":"buy milk\n"})");
  CHECK_FALSE(w.is_error);
  auto a = run_tool_sync(write_file_tool(), ctx,
                         R"({"path":"notes/todo.txt","content":"call bob\n","append":true})");
  CHECK(a.text == "appended 9 bytes to notes/todo.txt");
  auto r = run_tool_sync(read_file_tool(), ctx, R"({"path":"notes/todo.txt"})");
  CHECK_FALSE(r.is_error);
  CHECK(r.text == "buy milk\ncall bob\n");
  auto s = run_tool_sync(read_file_tool(), ctx, R"({"path":"secret.txt"})");
  CHECK(s.text.find(canary) != std::string::npos);  // the owner may read their own secret
  auto ls = run_tool_sync(list_dir_tool(), ctx, R"({"path":"notes"})");
  CHECK(ls.text == "todo.txt  18 bytes\n");
  auto replace =
      run_tool_sync(write_file_tool(), ctx, R"({"path":"notes/todo.txt","content":"x"})");
  CHECK(read_text(t.priv + "/notes/todo.txt") == "x");
  (void)replace;
}

TEST_CASE("read_file caps what it returns", "[tools][files]") {
  tree t;
  write_text(t.pub + "/big.txt", std::string(100 * 1024, 'a'));
  auto r = run_tool_sync(read_file_tool(), public_ctx(t), R"({"path":"big.txt"})");
  CHECK_FALSE(r.is_error);
  CHECK(r.text.find("[truncated: the file has 102400 bytes; the first 65536 are shown]") !=
        std::string::npos);
  CHECK(r.text.size() < 66 * 1024);
}

TEST_CASE("the per-component fallback refuses the same escapes as openat2", "[tools][files]") {
  tree t;
  REQUIRE(::symlink((t.priv + "/secret.txt").c_str(), (t.pub + "/link").c_str()) == 0);
  REQUIRE(::symlink(t.priv.c_str(), (t.pub + "/privdir").c_str()) == 0);
  REQUIRE(::mkdir((t.pub + "/d").c_str(), 0755) == 0);
  write_text(t.pub + "/d/f.txt", "inside");
  auto ws = open_workspace(t.pub);
  REQUIRE(ws.ok());
  CHECK(open_beneath_walk(ws->get(), "d/f.txt", O_RDONLY, 0).ok());
  CHECK(open_beneath_walk(ws->get(), "./d//f.txt", O_RDONLY, 0).ok());
  CHECK_FALSE(open_beneath_walk(ws->get(), "link", O_RDONLY, 0).ok());
  CHECK_FALSE(open_beneath_walk(ws->get(), "privdir/secret.txt", O_RDONLY, 0).ok());
  CHECK_FALSE(open_beneath_walk(ws->get(), "../private/secret.txt", O_RDONLY, 0).ok());
  CHECK_FALSE(open_beneath_walk(ws->get(), "/etc/passwd", O_RDONLY, 0).ok());
}
