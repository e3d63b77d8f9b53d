// The shell tool: only bare, allowlisted, non-interpreter program names run, always as an
// argv in the sandbox. An allowed `cat` aimed at the private workspace is stopped by the
// kernel (Landlock), and the canary never reaches the output.
#include <catch2/catch.hpp>

#include "core/config/config.h"
#include "core/json_writer.h"
#include "tests/tools/tools_fixture.h"
#include "tools/all_tools.h"
#include "tools/sandbox.h"
#include "tools/workspace_quota.h"

using frugal::core::realm_kind;

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
  realm.kind = realm_kind::public_;
  // A careless config that lists interpreters: they must still be refused.
  realm.shell_allow = {"cat", "ls", "echo", "sh", "bash", "env", "python3", "perl", "awk"};
  sandbox_caps caps = probe();
  context ctx;
  ctx.realm = realm_kind::public_;
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
    CHECK(o.refused == refusal::tool);  // a rule refused it: the audit row says "denied"
  }
}

TEST_CASE("an allowed program is confined by the kernel, not by argument checks",
          "[tools][shell][canary]") {
  tree t;
  config::realm realm;
  realm.shell_allow = {"cat", "echo", "ls"};
  sandbox_caps caps = probe();
  context ctx;
  ctx.realm = realm_kind::public_;
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
    // Landlock denies it, or the namespace layer left the path out of the child's root.
    CHECK((o.text.find("Permission denied") != std::string::npos ||
           o.text.find("No such file or directory") != std::string::npos));
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
  ctx.realm = realm_kind::private_;
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

namespace {

struct public_shell {
  tree t;
  config::realm realm;
  sandbox_caps caps = probe();
  context ctx;
  explicit public_shell(std::vector<std::string> allow) {
    realm.kind = realm_kind::public_;
    realm.shell_allow = std::move(allow);
    realm.workspace_quota_mb = 16;
    ctx.realm = realm_kind::public_;
    ctx.workspace = t.pub;
    ctx.realm_cfg = &realm;
    ctx.caps = &caps;
  }
  output run(const std::string& program, const std::vector<std::string>& args) {
    return run_tool_sync(shell_tool(), ctx, call(program, args));
  }
};

}  // namespace

TEST_CASE("launchers and their exec options are refused unless the realm opts in",
          "[tools][shell][launchers]") {
  // Each of these ran a full sh for a public sender before (issue 13 item 4).
  const std::vector<std::pair<std::string, std::vector<std::string>>> attacks = {
      {"sort", {"--compress-program=sh", "x"}},
      {"sort", {"--compress-prog", "sh", "x"}},  // getopt_long takes any unique prefix
      {"tar", {"cf", "a.tar", "--checkpoint=1", "--checkpoint-action=exec=sh -c id", "x"}},
      {"tar", {"-cIsh", "-f", "a.tar", "x"}},
      {"tar", {"cIf", "sh", "a.tar", "x"}},
      {"split", {"--filter=sh", "x"}},
      {"zip", {"-T", "-TT", "sh -c id", "a.zip", "x"}},
      {"zip", {"--unzip-command=sh", "a.zip", "x"}},
      {"find", {".", "-exec", "sh", "-c", "id", ";"}},
      {"find", {".", "-okdir", "id", ";"}},
      {"prlimit", {"sh", "-c", "id"}},
      {"view", {"-c", "!sh"}},
      {"vi", {"-c", "!sh"}},
      {"cmake", {"-P", "x.cmake"}},
      {"fakeroot", {"sh", "-c", "id"}},
      {"xargs", {"sh", "-c", "id"}},
      {"env", {"sh", "-c", "id"}},
      {"nice", {"sh"}},
      {"nohup", {"sh"}},
      {"timeout", {"5", "sh"}},
      {"setsid", {"sh"}},
      {"stdbuf", {"-o0", "sh"}},
      {"git", {"-c", "core.pager=sh", "log"}},
      {"less", {"+!sh", "x"}},
      {"more", {"x"}},
      {"make", {"-f", "x.mk"}},
      {"ssh", {"-o", "ProxyCommand=sh -c id", "h"}},
      {"awk", {"BEGIN{system(\"id\")}"}},
      {"mawk", {"BEGIN{system(\"id\")}"}},
  };
  std::vector<std::string> allow = {"sed"};
  for (const auto& [p, a] : attacks) allow.push_back(p);
  public_shell sh(allow);
  write_text(sh.t.pub + "/x", "line\n");
  size_t checked = 0;
  for (const auto& [program, args] : attacks) {
    if (!resolve_program(program)) {
      WARN(program << " is not installed here; not checked");
      continue;
    }
    auto o = sh.run(program, args);
    INFO(program << " → " << o.text);
    CHECK(o.is_error);
    CHECK(o.text.find("launch") != std::string::npos);
    CHECK(o.refused == refusal::tool);                // the audit row says "denied"
    CHECK(o.text.find("uid=") == std::string::npos);  // nothing ran
    ++checked;
  }
  CHECK(checked >= 20);

  // sed gets --sandbox: its `e` command is rejected by sed itself, the rest works.
  auto e = sh.run("sed", {"-n", "1e echo PWNED", "x"});
  INFO(e.text);
  CHECK(e.is_error);
  CHECK(e.text.find("PWNED") == std::string::npos);
  CHECK(e.text.find("sandbox mode") != std::string::npos);
  auto ok = sh.run("sed", {"-n", "s/line/word/p", "x"});
  CHECK(ok.text.find("word") != std::string::npos);
  // Plain uses of the same programs still run.
  auto sorted = sh.run("sort", {"x"});
  CHECK_FALSE(sorted.is_error);
  auto found = sh.run("find", {".", "-name", "x"});
  CHECK(found.text.find("./x") != std::string::npos);

  // A realm that opts in runs them (still inside the sandbox).
  sh.realm.shell_launchers = true;
  auto opted = sh.run("sed", {"-n", "1e echo PWNED", "x"});
  INFO(opted.text);
  CHECK(opted.text.find("PWNED") != std::string::npos);
}

TEST_CASE("the workspace quota holds against split and write_file", "[tools][shell][quota]") {
  public_shell sh({"split", "head"});
  sh.realm.workspace_quota_mb = 8;
  const int64_t quota = int64_t{8} << 20;
  auto du = [&] {
    auto u = quota::usage(sh.t.pub);
    REQUIRE(u);
    return *u;
  };
  // One big file per chunk: RLIMIT_FSIZE is what is left of the quota.
  auto big = sh.run("split", {"-b16M", "/dev/zero"});
  INFO(big.text);
  CHECK(big.is_error);
  CHECK(big.text.find("at most 8 MB") != std::string::npos);
  CHECK(du() <= quota);  // 1.9 GB in 10 s before
  // The workspace is full now: the next writer gets nothing more.
  auto more = sh.run("split", {"-b1M", "/dev/zero", "more-"});
  CHECK(more.is_error);
  CHECK(du() <= quota);
  auto w = run_tool_sync(write_file_tool(), sh.ctx, R"({"path":"w.txt","content":"hello"})");
  CHECK(w.is_error);
  CHECK(w.text.find("at most 8 MB") != std::string::npos);
}

TEST_CASE("many small files: the sandbox measures the workspace while the child runs",
          "[tools][shell][quota]") {
  public_shell sh({"split"});
  sh.realm.workspace_quota_mb = 8;
  auto r = sh.run("split", {"-b256K", "-a4", "/dev/zero"});
  INFO(r.text);
  CHECK(r.is_error);
  CHECK(r.text.find("at most 8 MB") != std::string::npos);
  auto u = quota::usage(sh.t.pub);
  REQUIRE(u);
  // Killed within one 20 ms poll of passing the quota: bounded, not the 10 s time limit.
  CHECK(*u < (int64_t{8} << 20) + (int64_t{64} << 20));
  WARN("workspace after the many-files attack: " << *u / 1024 << " KiB of an 8192 KiB quota");
}
