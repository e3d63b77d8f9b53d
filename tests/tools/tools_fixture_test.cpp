// The tools test fixture (tools_fixture.h) and a check that it plants what the boundary
// tests rely on. It lives in a *_test.cpp file because only those are built into tools_tests.
#include "tests/tools/tools_fixture.h"

#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

namespace frugal::tools::test {

tree::tree() {
  char tmpl[] = "/tmp/frugal-tools-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  root = tmpl;
  pub = root + "/public";
  priv = root + "/private";
  outside = root + "/outside.txt";
  REQUIRE(::chmod(root.c_str(), 0755) == 0);
  REQUIRE(::mkdir(pub.c_str(), 0777) == 0);
  REQUIRE(::mkdir(priv.c_str(), 0777) == 0);
  REQUIRE(::chmod(pub.c_str(), 0777) == 0);  // umask would have trimmed it
  REQUIRE(::chmod(priv.c_str(), 0777) == 0);
  write_text(priv + "/secret.txt", std::string("private notes: ") + canary + "\n");
  write_text(outside, std::string("outside: ") + canary + "\n");
  ::setenv("FRUGAL_TEST_CANARY", canary, 1);
}

tree::~tree() {
  ::nftw(
      root.c_str(), [](const char* p, const struct stat*, int, struct FTW*) { return ::remove(p); },
      16, FTW_DEPTH | FTW_PHYS);
}

void write_text(const std::string& path, const std::string& text, unsigned mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    REQUIRE(out.good());
  }
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

spawn_result run_child(const spawn_spec& spec) {
  uv_loop_t loop;
  REQUIRE(uv_loop_init(&loop) == 0);
  spawn_result out;
  bool reported = false;
  status s = spawn(&loop, spec, [&](spawn_result r) {
    out = std::move(r);
    reported = true;
  });
  INFO((s ? std::string() : s.message()));
  REQUIRE(s.ok());
  uv_run(&loop, UV_RUN_DEFAULT);
  REQUIRE(uv_loop_close(&loop) == 0);
  REQUIRE(reported);
  return out;
}

std::string spawn_refusal(const spawn_spec& spec) {
  uv_loop_t loop;
  REQUIRE(uv_loop_init(&loop) == 0);
  status s = spawn(&loop, spec, [](spawn_result) {});
  uv_run(&loop, UV_RUN_DEFAULT);
  REQUIRE(uv_loop_close(&loop) == 0);
  return s ? std::string() : s.message();
}

output run_tool_sync(const descriptor& d, context ctx, const std::string& args_json) {
  uv_loop_t loop;
  REQUIRE(uv_loop_init(&loop) == 0);
  ctx.loop = &loop;
  output out;
  bool reported = false;
  d.exec(ctx, args_json, [&](output o) {
    out = std::move(o);
    reported = true;
  });
  uv_run(&loop, UV_RUN_DEFAULT);
  REQUIRE(uv_loop_close(&loop) == 0);
  REQUIRE(reported);
  return out;
}

TEST_CASE("fixture plants the canary where the boundary tests expect it", "[tools][fixture]") {
  tree t;
  CHECK(read_text(t.priv + "/secret.txt").find(canary) != std::string::npos);
  CHECK(read_text(t.outside).find(canary) != std::string::npos);
  CHECK(std::string(::getenv("FRUGAL_TEST_CANARY")) == canary);
}

}  // namespace frugal::tools::test
