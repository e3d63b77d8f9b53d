// tools::resolve_tool_names: the registry is the only tool list. A config's tool names are
// checked against it after loading (errors still name FILE:LINE: KEY), and the private
// realm without a `tools` key gets every registered tool.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "core/config/config.h"
#include "tools/tool.h"

using frugal::core::realm_kind;

using namespace frugal;

namespace {

const char* k_config = R"([agent]
state_dir = "/tmp/frugal-registry-state"

[providers.local]
kind = "openai"
base_url = "http://127.0.0.1:9/v1"
local = true

[models.tiny]
provider = "local"
model = "tiny"

[tiers.tools]
models = ["tiny"]
tools = ["clock", "TIER_TOOL"]

[budget]
daily_usd = 1.0

[realms.public]
tools = ["clock", "REALM_TOOL"]
)";

result<config::file> load_with(const std::string& tier_tool, const std::string& realm_tool,
                               std::string& path) {
  std::string text = k_config;
  text.replace(text.find("TIER_TOOL"), 9, tier_tool);
  text.replace(text.find("REALM_TOOL"), 10, realm_tool);
  char tmpl[] = "/tmp/frugal-registry-XXXXXX.toml";
  int fd = mkstemps(tmpl, 5);
  REQUIRE(fd >= 0);
  close(fd);
  path = tmpl;
  std::ofstream(path) << text;
  auto f = config::load(path);
  unlink(path.c_str());
  return f;
}

}  // namespace

TEST_CASE("resolve_tool_names: unknown names are FILE:LINE: KEY errors", "[tools][registry]") {
  std::string path;
  auto f = load_with("rm", "memory_recall", path);
  REQUIRE(f.ok());  // core keeps no tool list: the loader leaves the names to tools/
  status s = tools::resolve_tool_names(*f);
  REQUIRE_FALSE(s.ok());
  CHECK(s.message() == path + ":15: tiers.tools.tools: unknown tool \"rm\"");

  f = load_with("clock", "bogus", path);
  REQUIRE(f.ok());
  s = tools::resolve_tool_names(*f);
  REQUIRE_FALSE(s.ok());
  CHECK(s.message() == path + ":21: realms.public.tools: unknown tool \"bogus\"");
}

TEST_CASE("resolve_tool_names: the private realm's default is the whole registry",
          "[tools][registry]") {
  std::string path;
  auto f = load_with("clock", "http_get", path);
  REQUIRE(f.ok());
  REQUIRE(tools::resolve_tool_names(*f));
  std::vector<std::string> all;
  for (const tools::descriptor* d : tools::registry()) all.emplace_back(d->name);
  CHECK(f->realms.at(realm_kind::private_).tools == all);
  CHECK(f->realms.at(realm_kind::public_).tools == std::vector<std::string>{"clock", "http_get"});
  // A private realm that lists its tools keeps its list.
  f->realms.at(realm_kind::private_).every_tool = false;
  f->realms.at(realm_kind::private_).tools = {"clock"};
  REQUIRE(tools::resolve_tool_names(*f));
  CHECK(f->realms.at(realm_kind::private_).tools == std::vector<std::string>{"clock"});
}
