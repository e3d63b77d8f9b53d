// Tests for policies/tool_policy and its use in tools/registry.cpp: realm lists, descriptor realm
// masks, and the public realm failing closed without a sandbox.
#include "policies/tool_policy.h"

#include <catch2/catch.hpp>
#include <list>

#include "tools/sandbox.h"
#include "tools/tool.h"

using frugal::core::realm_kind;

using frugal::policies::check_tool;
using frugal::policies::tool_verdict;
namespace tools = frugal::tools;
using kind = tool_verdict::kind;

namespace {
const tools::descriptor clock_tool{"clock", "time", "{}", tools::realm_both, false, false, nullptr};
const tools::descriptor shell_tool{"shell", "run", "{}", tools::realm_both, false, true, nullptr};
const tools::descriptor secret_tool{"memory_recall", "recall", "{}",   tools::realm_private,
                                    false,           false,    nullptr};

frugal::config::realm realm(realm_kind kind, std::vector<std::string> tools) {
  frugal::config::realm r;
  r.kind = kind;
  r.tools = std::move(tools);
  return r;
}

// A probe result that lives to the end of the test run.
const tools::sandbox_caps* caps(int landlock_abi, bool seccomp) {
  static std::list<tools::sandbox_caps> kept;
  tools::sandbox_caps c;
  c.landlock_abi = landlock_abi;
  c.seccomp = seccomp;
  c.namespaces = tools::namespace_answer("");
  return &kept.emplace_back(c);
}
}  // namespace

TEST_CASE("a tool must be listed for the realm and made for it", "[tool_policy]") {
  auto pub = realm(realm_kind::public_, {"clock", "shell", "memory_recall"});
  auto priv = realm(realm_kind::private_, {"clock", "shell", "memory_recall"});
  CHECK(check_tool(pub, clock_tool.traits(), 2, true).verdict == kind::allow);
  // Listed in the public realm's config, but the descriptor is private-only.
  tool_verdict v = check_tool(pub, secret_tool.traits(), 2, true);
  CHECK(v.verdict == kind::deny);
  CHECK(v.reason.find("not available in the public realm") != std::string::npos);
  CHECK(check_tool(priv, secret_tool.traits(), 2, true).verdict == kind::allow);
  // Not listed.
  auto bare = realm(realm_kind::public_, {"clock"});
  CHECK(check_tool(bare, shell_tool.traits(), 2, true).verdict == kind::deny);
  // A realm other than the two cannot be built (core::realm_kind); the config loader refuses
  // an unknown [realms.NAME] (tests/core/config_test.cpp).
}

TEST_CASE("public realm refuses sandboxed tools without a sandbox", "[tool_policy]") {
  auto pub = realm(realm_kind::public_, {"clock", "shell"});
  auto priv = realm(realm_kind::private_, {"clock", "shell"});
  CHECK(check_tool(pub, shell_tool.traits(), 2, true).verdict == kind::allow);
  tool_verdict no_landlock = check_tool(pub, shell_tool.traits(), 0, true);
  CHECK(no_landlock.verdict == kind::deny);
  CHECK(no_landlock.reason.find("Landlock") != std::string::npos);
  tool_verdict no_seccomp = check_tool(pub, shell_tool.traits(), 3, false);
  CHECK(no_seccomp.verdict == kind::deny);
  CHECK(no_seccomp.reason.find("seccomp") != std::string::npos);
  CHECK(check_tool(pub, shell_tool.traits(), -1, false).verdict == kind::deny);
  // Tools that don't need the sandbox still work; the owner keeps every tool.
  CHECK(check_tool(pub, clock_tool.traits(), 0, false).verdict == kind::allow);
  CHECK(check_tool(priv, shell_tool.traits(), 0, false).verdict == kind::allow);
}

TEST_CASE("tools::offered offers exactly the allowed tools, in registry order", "[tool_policy]") {
  const std::vector<const tools::descriptor*> all = {&clock_tool, &shell_tool, &secret_tool,
                                                     nullptr};
  auto pub = realm(realm_kind::public_, {"memory_recall", "shell", "clock"});
  auto offered = frugal::tools::offered(pub, all, caps(2, true));
  REQUIRE(offered.size() == 2);
  CHECK(offered[0] == &clock_tool);
  CHECK(offered[1] == &shell_tool);
  CHECK(frugal::tools::offered(pub, all, caps(0, true)) ==
        std::vector<const tools::descriptor*>{&clock_tool});
  CHECK(frugal::tools::offered(realm(realm_kind::private_, {"memory_recall", "shell", "clock"}),
                               all, caps(0, false))
            .size() == 3);
  CHECK(frugal::tools::offered(realm(realm_kind::public_, {}), all, caps(2, true)).empty());
}

TEST_CASE("tools::check and tools::offered read the probe, and null means no sandbox",
          "[tool_policy]") {
  auto pub = realm(realm_kind::public_, {"clock", "shell"});
  tools::sandbox_caps full;
  full.landlock_abi = 3;
  full.seccomp = true;
  full.namespaces = tools::namespace_answer("");
  tools::sandbox_caps no_seccomp = full;
  no_seccomp.seccomp = false;
  tools::sandbox_caps no_namespaces = full;  // required by default, missing on this host
  no_namespaces.namespaces = tools::namespace_answer("clone: Operation not permitted");
  tools::sandbox_caps namespaces_off = no_namespaces;  // [sandbox] namespaces = false
  namespaces_off.namespaces_wanted = false;
  CHECK(frugal::tools::check(pub, shell_tool, &full).verdict == kind::allow);
  CHECK(frugal::tools::check(pub, shell_tool, &no_seccomp).verdict == kind::deny);
  auto v = frugal::tools::check(pub, shell_tool, &no_namespaces);
  CHECK(v.verdict == kind::deny);
  CHECK(v.reason.find("namespaces are unavailable (clone: Operation not permitted)") !=
        std::string::npos);
  CHECK(frugal::tools::check(pub, shell_tool, &namespaces_off).verdict == kind::allow);
  CHECK(frugal::tools::check(pub, shell_tool, nullptr).verdict == kind::deny);
  CHECK(frugal::tools::check(pub, clock_tool, nullptr).verdict == kind::allow);
  const std::vector<const tools::descriptor*> all = {&clock_tool, &shell_tool};
  CHECK(frugal::tools::offered(pub, all, &full).size() == 2);
  CHECK(frugal::tools::offered(pub, all, nullptr).size() == 1);
}

TEST_CASE("the namespace probe runs only when its answer decides a tool", "[tool_policy]") {
  // Landlock and seccomp as on a complete host; the namespace answer left to the kernel.
  tools::sandbox_caps c;
  c.landlock_abi = 3;
  c.seccomp = true;
  auto priv = realm(realm_kind::private_, {"clock", "shell"});
  auto pub = realm(realm_kind::public_, {"clock", "shell"});
  const std::vector<const tools::descriptor*> all = {&clock_tool, &shell_tool};
  // The owner's realm and tools without a sandbox never need it: no child is cloned.
  CHECK(frugal::tools::offered(priv, all, &c).size() == 2);
  CHECK(frugal::tools::check(pub, clock_tool, &c).verdict == kind::allow);
  tools::sandbox_caps off = c;  // [sandbox] namespaces = false
  off.namespaces = tools::namespace_answer();
  off.namespaces_wanted = false;
  CHECK(frugal::tools::check(pub, shell_tool, &off).verdict == kind::allow);
  CHECK_FALSE(c.namespaces.asked());
  CHECK_FALSE(off.namespaces.asked());
  // A public sandboxed tool asks, once, and the snapshot's copies share the answer.
  tools::sandbox_caps copy = c;
  frugal::tools::check(pub, shell_tool, &copy);
  CHECK(c.namespaces.asked());
  CHECK(frugal::tools::check(pub, shell_tool, &c).verdict ==
        (c.namespaces.available() ? kind::allow : kind::deny));
}
