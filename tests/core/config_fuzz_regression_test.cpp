// Inputs found by tests/fuzz/config_fuzz that crashed the config loader: every error about
// a table as a whole (fail_at with no key: a missing required key, an empty [tiers], an
// anthropic provider without api_key_env) built its key path from a null pointer, which
// threw std::logic_error out of load() at the top level and crashed inside a table.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "core/config/config.h"

using namespace frugal;

namespace {

std::string load_error(const std::string& text) {
  char path[] = "/tmp/frugal-config-regr-XXXXXX.toml";
  int fd = mkstemps(path, 5);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  close(fd);
  auto f = config::load(path, [](const std::string&) { return std::string("secret-value"); });
  unlink(path);
  REQUIRE_FALSE(f.ok());
  REQUIRE(f.message().rfind(std::string(path) + ":", 0) == 0);
  return f.message().substr(sizeof(path) - 1);
}

const char* k_head = R"([providers.p]
kind = "openai"
base_url = "http://127.0.0.1:1"
[models.m]
provider = "p"
model = "x"
)";

}  // namespace

TEST_CASE("config: an empty file names the missing top-level key") {
  CHECK(load_error("") == ":1: missing required key 'providers'");
}

TEST_CASE("config: errors about a whole table name the table") {
  CHECK(load_error(std::string(k_head) + "[tiers]\nchat = [\"m\"]\n[budget]\n") ==
        ":9: budget: missing required key 'daily_usd'");
  CHECK(load_error(std::string(k_head) + "[tiers]\n[budget]\ndaily_usd = 1.0\n") ==
        ":7: tiers: define at least one tier, e.g. chat = [\"model\"]");
  CHECK(load_error("[providers.a]\nkind = \"anthropic\"\nbase_url = \"https://x\"\n") ==
        ":1: providers.a: anthropic providers need api_key_env (the variable holding the key)");
}
