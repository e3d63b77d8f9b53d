// run_tool: the one place a tool call is judged (policies::check_tool) and audited. Every
// call leaves exactly one audit row (redacted arguments, verdict, status, time); a tool the
// realm does not list, or a sandboxed tool in the public realm without a sandbox, is
// refused; no realm at all is refused. Also the registry and the clock tool, which need no
// fixture of their own.
#include "tools/runner.h"

#include <catch2/catch.hpp>

#include "core/config/config.h"
#include "core/log.h"
#include "core/store/database.h"
#include "tests/tools/tools_fixture.h"
#include "tools/all_tools.h"
#include "tools/audit.h"
#include "tools/sandbox.h"

using frugal::core::realm_kind;

using namespace frugal;
using namespace frugal::tools;
using namespace frugal::tools::test;

namespace {

output run(const context& base, const descriptor& d, const std::string& args) {
  uv_loop_t loop;
  REQUIRE(uv_loop_init(&loop) == 0);
  context ctx = base;
  ctx.loop = &loop;
  output out;
  bool reported = false;
  run_tool(ctx, d.name, &d, args, [&](output o) {
    out = std::move(o);
    reported = true;
  });
  uv_run(&loop, UV_RUN_DEFAULT);
  REQUIRE(uv_loop_close(&loop) == 0);
  REQUIRE(reported);
  return out;
}

}  // namespace

TEST_CASE("run_tool audits allowed calls with redacted arguments", "[tools][runner]") {
  tree t;
  auto db = store::database::open_memory();
  REQUIRE(db.ok());
  log::add_secret("sk-test-SECRET-9876");
  config::realm realm;
  realm.kind = realm_kind::public_;
  realm.tools = {"write_file", "read_file"};
  context ctx;
  ctx.realm_cfg = &realm;
  ctx.realm = realm_kind::public_;
  ctx.sender = "irc:account:alice";
  ctx.workspace = t.pub;
  ctx.db = &db.value();

  auto o = run(ctx, write_file_tool(), R"({"path":"k.txt","content":"key sk-test-SECRET-9876"})");
  CHECK_FALSE(o.is_error);
  auto bad = run(ctx, read_file_tool(), R"({"path":"../private/secret.txt"})");
  CHECK(bad.is_error);

  auto rows = audit::recent(*db, 10);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 2);
  const audit_entry& w = rows->at(1);
  CHECK(w.tool == "write_file");
  CHECK(w.realm == realm_kind::public_);
  CHECK(w.sender == "irc:account:alice");
  CHECK(w.allowed);
  CHECK(w.exit_status == 0);
  CHECK(w.duration_ms >= 0);
  CHECK(w.arguments.find("SECRET") == std::string::npos);
  CHECK(w.arguments.find("***") != std::string::npos);
  // The read ran and refused itself (the path leaves the workspace): the one row of the call
  // holds that final verdict. Before, it said "allowed" with exit status 1.
  CHECK(bad.refused == refusal::tool);
  CHECK_FALSE(rows->at(0).allowed);
  CHECK(rows->at(0).reason == bad.text);
  CHECK(rows->at(0).exit_status == 1);
  CHECK(rows->at(0).duration_ms >= 0);

  // A tool the realm does not list: refused, with one row saying why, and never run.
  auto listed = run(ctx, list_dir_tool(), "{}");
  CHECK(listed.is_error);
  CHECK(listed.text.find("not enabled in the public realm") != std::string::npos);
  rows = audit::recent(*db, 10);
  REQUIRE(rows->size() == 3);
  CHECK_FALSE(rows->at(0).allowed);
  CHECK(rows->at(0).tool == "list_dir");
  CHECK(rows->at(0).reason == listed.text);
  // Arguments that are not a JSON object never reach the tool, and leave one "denied" row
  // (before, none).
  CHECK(run(ctx, write_file_tool(), "[1]").text == "arguments are not a valid JSON object");
  rows = audit::recent(*db, 10);
  REQUIRE(rows->size() == 4);
  CHECK_FALSE(rows->at(0).allowed);
  CHECK(rows->at(0).reason == "arguments are not a valid JSON object");
  CHECK(rows->at(0).arguments == "[1]");
  // A name no tool has: one "denied" row naming it (before, none).
  uv_loop_t loop;
  REQUIRE(uv_loop_init(&loop) == 0);
  ctx.loop = &loop;
  output unknown;
  run_tool(ctx, "rm_rf", nullptr, R"({"path":"."})", [&](output o) { unknown = std::move(o); });
  REQUIRE(uv_loop_close(&loop) == 0);
  CHECK(unknown.text == "unknown tool \"rm_rf\"");
  CHECK(unknown.refused == refusal::policy);
  rows = audit::recent(*db, 10);
  REQUIRE(rows->size() == 5);
  CHECK_FALSE(rows->at(0).allowed);
  CHECK(rows->at(0).tool == "rm_rf");
  CHECK(rows->at(0).reason == unknown.text);
  // Past max_calls_per_step: not run, one "denied" row.
  auto over = refuse_over_step_cap(ctx, "write_file", "{}", 4);
  CHECK(over.is_error);
  CHECK(over.text.find("at most 4 tool calls") != std::string::npos);
  rows = audit::recent(*db, 10);
  REQUIRE(rows->size() == 6);
  CHECK_FALSE(rows->at(0).allowed);
  CHECK(rows->at(0).reason == over.text);
  // No realm to judge the call against: refused.
  ctx.realm_cfg = nullptr;
  CHECK(run(ctx, write_file_tool(), R"({"path":"x","content":"y"})").is_error);
  CHECK_FALSE(audit::recent(*db, 1)->front().allowed);
  CHECK(audit::recent(*db, 10)->size() == 7);
}

TEST_CASE("run_tool fails closed for sandboxed tools without a sandbox", "[tools][runner]") {
  tree t;
  auto db = store::database::open_memory();
  REQUIRE(db.ok());
  config::realm realm;
  realm.kind = realm_kind::public_;
  realm.tools = {"shell", "clock"};
  realm.shell_allow = {"echo"};
  sandbox_caps missing;  // as on a kernel without Landlock and seccomp
  missing.landlock_abi = 0;
  context ctx;
  ctx.realm = realm_kind::public_;
  ctx.sender = "irc:stranger";
  ctx.workspace = t.pub;
  ctx.realm_cfg = &realm;
  ctx.db = &db.value();
  ctx.caps = &missing;

  auto o = run(ctx, shell_tool(), R"({"program":"echo","args":["hi"]})");
  CHECK(o.is_error);
  CHECK(o.text.find("needs the sandbox") != std::string::npos);
  auto rows = audit::recent(*db, 1);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  CHECK_FALSE(rows->front().allowed);
  CHECK(rows->front().reason.find("needs the sandbox") != std::string::npos);

  // The owner's realm decides for itself; with a real sandbox the public call runs.
  config::realm owner = realm;
  owner.kind = realm_kind::private_;
  ctx.realm_cfg = &owner;
  ctx.realm = realm_kind::private_;
  ctx.workspace = t.priv;
  CHECK(run(ctx, shell_tool(), R"({"program":"echo","args":["hi"]})").text.find("hi") !=
        std::string::npos);
  sandbox_caps real = probe();
  ctx.realm = realm_kind::public_;
  ctx.realm_cfg = &realm;
  ctx.workspace = t.pub;
  ctx.caps = &real;
  auto ok = run(ctx, shell_tool(), R"({"program":"echo","args":["hi"]})");
  CHECK_FALSE(ok.is_error);
  CHECK(audit::recent(*db, 1)->front().exit_status == 0);

  // A realm other than the two cannot be written (core::realm_kind); no realm at all is
  // refused like any other call.
  ctx.realm_cfg = nullptr;
  CHECK(run(ctx, clock_tool(), "{}").text.find("has no realm") != std::string::npos);
  ctx.db = nullptr;
  CHECK(run(ctx, clock_tool(), "{}").is_error);
}

TEST_CASE("registry lists every tool once with a JSON schema", "[tools][registry]") {
  std::vector<std::string> names;
  for (const descriptor* d : registry()) {
    names.push_back(d->name);
    CHECK(std::string(d->schema_json).rfind(R"({"type":"object")", 0) == 0);
    CHECK(find(d->name) == d);
  }
  CHECK(names == std::vector<std::string>{"clock", "read_file", "write_file", "list_dir", "shell",
                                          "http_get", "memory_remember", "memory_recall",
                                          "memory_forget"});
  CHECK(find("nope") == nullptr);
  CHECK(find("shell")->needs_sandbox);
  CHECK(find("http_get")->needs_network);
}

// Every tools-tier request carries all of these, so each byte is paid on every call. The
// tools read their arguments with tool_args, which ignores unknown keys: a schema keyword
// such as "additionalProperties":false would only cost bytes (252 of them, 10 % of a
// tools-tier `ask` body, before they were taken out).
TEST_CASE("the tool schemas are compact", "[tools][registry]") {
  size_t total = 0;
  for (const descriptor* d : registry()) {
    const std::string schema(d->schema_json);
    CHECK(schema.find("additionalProperties") == std::string::npos);
    total +=
        std::string_view(d->name).size() + std::string_view(d->description).size() + schema.size();
  }
  WARN("tool names, descriptions and schemas: " << total << " bytes");
  CHECK(total <= 1800);
}

TEST_CASE("clock tells UTC and a named zone", "[tools][clock]") {
  context ctx;
  auto utc = run_tool_sync(clock_tool(), ctx, "");
  CHECK_FALSE(utc.is_error);
  CHECK(utc.text.rfind("UTC: 20", 0) == 0);
  CHECK(utc.text.find("Z (") != std::string::npos);
  auto tokyo = run_tool_sync(clock_tool(), ctx, R"({"zone":"Asia/Tokyo"})");
  CHECK(tokyo.text.find("Asia/Tokyo: ") != std::string::npos);
  CHECK(tokyo.text.find("+09:00 (") != std::string::npos);
  for (const char* bad : {R"({"zone":"../../etc/passwd"})", R"({"zone":"/etc/passwd"})",
                          R"({"zone":"Mars/Olympus"})", R"({"zone":7})"})
    CHECK(run_tool_sync(clock_tool(), ctx, bad).is_error);
}
