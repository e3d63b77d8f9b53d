// The shell tool: only bare, allowlisted, non-interpreter program names run, always as an
// argv in the sandbox. An allowed `cat` aimed at the private workspace is stopped by the
// kernel (Landlock), and the canary never reaches the output.
#include <catch2/catch.hpp>

#include "core/config/config.h"
#include "core/json_writer.h"
#include "tests/tools/tools_fixture.h"
#include "tools/all_tools.h"
#include "tools/sandbox.h"

using namespace frugal;
using namespace frugal::tools;
using namespace frugal::tools::test;

namespace {

std::string call(const std::string& program, const std::vector<std::string>& args = {}) {
  std::string j = R"({"program":)" + json_quote(program) + R"(,"args":[)";
  for (size_t i = 0; i < args.size(); ++i) j += (i ? "," : "") + json_quote(args[i]);
  return j + "]}";
}

}  // namespace

TEST_CASE("shell refuses shells, interpreters, paths and unlisted programs",
          "[tools][shell][canary]") {
  tree t;
  config::realm realm;
  realm.name = "public";
  // A careless config that lists interpreters: they must still be refused.
  realm.shell_allow = {"cat", "ls", "echo", "sh", "bash", "env", "python3", "perl", "awk"};
  sandbox_caps caps = probe();
  context ctx;
  ctx.realm = "public";
  ctx.workspace = t.pub;
  ctx.realm_cfg = &realm;
  ctx.caps = &caps;

  for (const char* p : {"sh",   "bash", "bash -c",  "env",   "python3", "python3.11", "perl",
                        "awk",  "dash", "/bin/cat", "./cat", "../cat",  "bin/cat",    "curl",
                        "wget", "nc",   "id",       "",      "-c",      "cat;id"}) {
    auto o = run_tool_sync(shell_tool(), ctx, call(p, {"-c", "cat ../private/secret.txt"}));
    INFO(p << " → " << o.text);
    CHECK(o.is_error);
    CHECK((o.text.find("refused") != std::string::npos ||
           o.text.find("not on this realm's allowlist") != std::string::npos ||
           o.text.find("bare program name") != std::string::npos));
    CHECK(o.text.find(canary) == std::string::npos);
  }
}

TEST_CASE("an allowed program is confined by the kernel, not by argument checks",
          "[tools][shell][canary]") {
  tree t;
  config::realm realm;
  realm.shell_allow = {"cat", "echo", "ls"};
  sandbox_caps caps = probe();
  context ctx;
  ctx.realm = "public";
  ctx.workspace = t.pub;
  ctx.realm_cfg = &realm;
  ctx.caps = &caps;

  for (const std::string& target :
       {std::string("../private/secret.txt"), t.priv + "/secret.txt", std::string("/etc/passwd"),
        std::string("/proc/self/environ"), t.outside}) {
    auto o = run_tool_sync(shell_tool(), ctx, call("cat", {target}));
    INFO(o.text);
    CHECK(o.is_error);
    CHECK(o.exit_status == 1);
    CHECK(o.text.find("Permission denied") != std::string::npos);
    CHECK(o.text.find(canary) == std::string::npos);
  }
  // Shell syntax in arguments is inert text.
  auto echo =
      run_tool_sync(shell_tool(), ctx, call("echo", {"$(cat ../private/secret.txt)", "|", "id"}));
  CHECK_FALSE(echo.is_error);
  CHECK(echo.text == "exit code 0\n--- stdout ---\n$(cat ../private/secret.txt) | id\n\n");
}

TEST_CASE("the owner runs allowed programs in the private workspace", "[tools][shell]") {
  tree t;
  config::realm realm;
  realm.shell_allow = {"cat", "ls"};
  sandbox_caps caps = probe();
  context ctx;
  ctx.realm = "private";
  ctx.workspace = t.priv;
  ctx.realm_cfg = &realm;
  ctx.caps = &caps;
  auto o = run_tool_sync(shell_tool(), ctx, call("cat", {"secret.txt"}));
  CHECK_FALSE(o.is_error);
  CHECK(o.text.find(canary) != std::string::npos);
  auto ls = run_tool_sync(shell_tool(), ctx, call("ls", {"-1"}));
  CHECK(ls.text == "exit code 0\n--- stdout ---\nsecret.txt\n\n");
  auto missing = run_tool_sync(shell_tool(), ctx, call("ls", {"nope"}));
  CHECK(missing.is_error);
  CHECK(missing.exit_status == 2);
}
