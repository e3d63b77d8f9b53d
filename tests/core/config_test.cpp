// Config loader: good files load; every kind of mistake names file, line and key.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "agent/cli/starter_config.h"
#include "core/config/config.h"

using namespace frugal;

namespace {

std::string write_temp(const std::string& text) {
  char path[] = "/tmp/frugal-config-XXXXXX.toml";
  int fd = mkstemps(path, 5);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  close(fd);
  return path;
}

std::string fake_env(const std::string& name) {
  if (name == "TEST_KEY") return "sk-test-0123456789";
  if (name == "SASL_PW") return "s3cretpw";
  return "";
}

const char* k_good = R"(
[agent]
state_dir = "/tmp/frugal-state"
system_prompt = "Be brief."

[providers.remote]
kind = "openai"
base_url = "http://127.0.0.1:9/v1/"
api_key_env = "TEST_KEY"

[providers.local]
kind = "openai"
base_url = "http://127.0.0.1:11434/v1"
local = true

[models.cheap]
provider = "remote"
model = "gpt-5-nano"
input_usd_per_mtok = 0.05
output_usd_per_mtok = 0.4
max_output_tokens = 512

[models.tiny]
provider = "local"
model = "qwen3:4b"

[tiers]
chat = ["cheap", "tiny"]
local = ["tiny"]
[tiers.tools]
models = ["cheap"]
reasoning_effort = "low"
temperature = 0.2

[budget]
daily_usd = 2.0
timezone = "Europe/Berlin"

[realms.public]
allowed = ["*"]
tools = ["clock"]

[transports.irc.libera]
server = "irc.libera.chat"
nick = "frugalbot"
channels = ["#frugal", { name = "#busy", respond_to = "all" }, "#secret key123"]
sasl = "plain"
sasl_user = "frugalbot"
sasl_password_env = "SASL_PW"
owners = ["account:alice"]
)";

}  // namespace

TEST_CASE("a good config loads with every section") {
  auto path = write_temp(k_good);
  auto f = config::load(path, fake_env);
  REQUIRE(f.ok());
  CHECK(f->providers.at("remote").base_url == "http://127.0.0.1:9/v1");
  CHECK(f->providers.at("remote").api_key == "sk-test-0123456789");
  CHECK(f->models.at("cheap").input_micro_per_mtok == 50'000);
  CHECK(f->models.at("cheap").output_micro_per_mtok == 400'000);
  CHECK(f->models.at("tiny").input_micro_per_mtok == -1);
  CHECK(f->tiers.at("chat").models == std::vector<std::string>{"cheap", "tiny"});
  CHECK(f->tiers.at("tools").reasoning_effort == "low");
  CHECK(!f->tiers.at("tools").tools);  // unset: the realm's tools
  CHECK(f->budget.timezone == "Europe/Berlin");
  REQUIRE(f->irc.size() == 1);
  const auto& irc = f->irc[0];
  CHECK(irc.port == 6697);
  REQUIRE(irc.channels.size() == 3);
  CHECK(irc.channels[1].respond_to == "all");
  CHECK(irc.channels[2].key == "key123");
  CHECK(irc.sasl_password == "s3cretpw");
  CHECK(f->realms.at("private").workspace == "/tmp/frugal-state/workspaces/private");
  CHECK(f->realms.at("public").allowed == std::vector<std::string>{"*"});
  unlink(path.c_str());
}

namespace {
// Loads k_good with `from` replaced by `to` and returns the error message.
std::string error_after(const std::string& from, const std::string& to) {
  std::string text = k_good;
  auto pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  text.replace(pos, from.size(), to);
  auto path = write_temp(text);
  auto f = config::load(path, fake_env);
  unlink(path.c_str());
  REQUIRE_FALSE(f.ok());
  REQUIRE(f.message().rfind(path + ":", 0) == 0);  // starts with the file name
  return f.message().substr(path.size());
}
}  // namespace

TEST_CASE("config errors name the line and the key") {
  CHECK(error_after("daily_usd = 2.0", "daily_usd = \"two\"") ==
        ":36: budget.daily_usd: expected a number");
  CHECK(error_after("system_prompt = \"Be brief.\"", "sytem_prompt = \"x\"") ==
        ":4: agent.sytem_prompt: unknown key");
  CHECK(error_after("chat = [\"cheap\", \"tiny\"]", "chat = [\"cheap\", \"nope\"]") ==
        ":28: tiers.chat: no model named \"nope\" ([models.nope])");
  CHECK(error_after("api_key_env = \"TEST_KEY\"", "api_key_env = \"MISSING_KEY\"") ==
        ":9: providers.remote.api_key_env: environment variable MISSING_KEY is not set or "
        "empty");
  CHECK(error_after("timezone = \"Europe/Berlin\"", "timezone = \"Mars/Base\"") ==
        ":37: budget.timezone: unknown IANA time zone \"Mars/Base\"");
  CHECK(error_after("owners = [\"account:alice\"]", "owners = [\"alice\"]").find(
            "transports.irc.libera.owners: \"alice\" looks like a bare nick") !=
        std::string::npos);
  CHECK(error_after("kind = \"openai\"\nbase_url = \"http://127.0.0.1:9",
                    "kind = \"gemini\"\nbase_url = \"http://127.0.0.1:9")
            .find("providers.remote.kind: must be one of") != std::string::npos);
  CHECK(error_after("temperature = 0.2", "temperature = 0.2\ntools = [\"clock\", \"rm\"]")
            .find("tiers.tools.tools: unknown tool \"rm\"") != std::string::npos);
  CHECK(error_after("[budget]\ndaily_usd = 2.0\n", "[budget]\n").find(
            "missing required key 'daily_usd'") != std::string::npos);
  CHECK(error_after("provider = \"remote\"\nmodel = \"gpt-5-nano\"",
                    "provider = \"remote\"\nmodel = \"gpt-5-nano\"\nmax_output_tokens = 5\n"
                    "max_output_tokens = 6")
            .find("syntax error") != std::string::npos);
}

TEST_CASE("the starter config written by init loads") {
  cli::starter_options o;
  o.irc_server = "irc.example.org";
  auto path = write_temp(cli::render_starter_config(o));
  auto f = config::load(path, [](const std::string&) { return std::string("key-abcdef"); });
  INFO((f.ok() ? std::string() : f.message()));
  REQUIRE(f.ok());
  CHECK(f->tiers.count("chat") == 1);
  CHECK(f->irc.size() == 1);
  unlink(path.c_str());
}

TEST_CASE("default config path follows FRUGAL_CONFIG then XDG_CONFIG_HOME") {
  setenv("FRUGAL_CONFIG", "/etc/x.toml", 1);
  CHECK(config::default_path() == "/etc/x.toml");
  unsetenv("FRUGAL_CONFIG");
  setenv("XDG_CONFIG_HOME", "/home/u/.cfg", 1);
  CHECK(config::default_path() == "/home/u/.cfg/frugal/frugal.toml");
  unsetenv("XDG_CONFIG_HOME");
}
