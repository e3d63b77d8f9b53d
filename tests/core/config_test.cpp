// Config loader: good files load; every kind of mistake names file, line and key.
#include "core/config/config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

#include "agent/cli/starter_config.h"
#include "budget/prices.h"

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

  CHECK(f->router.tool_turns == config::tool_route::cheap_first);
  CHECK(f->budget.timezone == "Europe/Berlin");
  REQUIRE(f->irc.size() == 1);
  const auto& irc = f->irc[0];
  CHECK(irc.port == 6697);
  REQUIRE(irc.channels.size() == 3);
  CHECK(irc.channels[1].respond_to == "all");
  CHECK(irc.channels[2].key == "key123");
  CHECK(irc.sasl_password == "s3cretpw");
  CHECK(f->realms.at(core::realm_kind::private_).workspace ==
        "/tmp/frugal-state/workspaces/private");
  CHECK(f->realms.at(core::realm_kind::public_).allowed == std::vector<std::string>{"*"});
  CHECK(f->realms.at(core::realm_kind::public_).kind == core::realm_kind::public_);
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

TEST_CASE("identity lists are left to policies/ with their lines recorded") {
  // The pattern rules live in policies/ (validate_identity_lists); the loader keeps each
  // list's line so that those errors still name FILE:LINE: KEY.
  std::string text = k_good;
  size_t at = text.find("owners = [\"account:alice\"]");
  REQUIRE(at != std::string::npos);
  int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
  text.replace(at, 26, "owners = [\"alice\"]");
  auto path = write_temp(text);
  auto f = config::load(path, fake_env);
  unlink(path.c_str());
  REQUIRE(f.ok());
  CHECK(f->key_lines.at("transports.irc.libera.owners") == line);
}

TEST_CASE("a realm the code does not know is refused with file, line and key") {
  // Realm names go through core::parse_realm: exact, case-sensitive, two names only.
  const std::string line = ":39: ";  // [realms.public] in k_good
  CHECK(error_after("[realms.public]", "[realms.Public]") ==
        line + "realms.Public: unknown realm \"Public\" (use \"private\" or \"public\")");
  CHECK(error_after("[realms.public]", "[realms.privat]") ==
        line + "realms.privat: unknown realm \"privat\" (use \"private\" or \"public\")");
  CHECK(error_after("[realms.public]", "[realms.\"\"]") ==
        line + "realms.: unknown realm \"\" (use \"private\" or \"public\")");
  // A realm's tier list names tiers of [tiers]; the mistake points at the realm's line.
  CHECK(error_after("tools = [\"clock\"]", "tools = [\"clock\"]\ntiers = [\"chat\", \"tool\"]") ==
        ":42: realms.public.tiers: no tier named \"tool\"");
  // A known realm still reports its own keys' mistakes.
  CHECK(error_after("tools = [\"clock\"]", "tools = [\"clock\"]\nowner = []") ==
        ":42: realms.public.owner: unknown key");
}

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
  CHECK(error_after("kind = \"openai\"\nbase_url = \"http://127.0.0.1:9",
                    "kind = \"gemini\"\nbase_url = \"http://127.0.0.1:9")
            .find("providers.remote.kind: must be one of") != std::string::npos);
  CHECK(error_after("[budget]\ndaily_usd = 2.0\n", "[budget]\n")
            .find("missing required key 'daily_usd'") != std::string::npos);
  // The keyword router's keys name their replacement (the router is a classifier now).
  CHECK(error_after("[budget]\ndaily_usd = 2.0\n",
                    "[router]\ntools_threshold = 3\n[budget]\ndaily_usd = 2.0\n")
            .find("router.tools_threshold: no longer used: the router is a trained classifier; "
                  "set tools_confidence") != std::string::npos);
  CHECK(error_after("[budget]\ndaily_usd = 2.0\n",
                    "[router]\ntools_confidence = 1.5\n[budget]\ndaily_usd = 2.0\n")
            .find("router.tools_confidence: must be between 0 and 1") != std::string::npos);
  CHECK(error_after("[budget]\ndaily_usd = 2.0\n",
                    "[router]\ntool_turns = \"cheap\"\n[budget]\ndaily_usd = 2.0\n")
            .find("router.tool_turns: must be one of \"cheap_first\", \"tools_tier\" (got "
                  "\"cheap\")") != std::string::npos);
  CHECK(error_after("provider = \"remote\"\nmodel = \"gpt-5-nano\"",
                    "provider = \"remote\"\nmodel = \"gpt-5-nano\"\nmax_output_tokens = 5\n"
                    "max_output_tokens = 6")
            .find("syntax error") != std::string::npos);
}

TEST_CASE("router.tool_turns picks where tools turns start") {
  std::string text = k_good;
  text.replace(text.find("[budget]\n"), 9, "[router]\ntool_turns = \"tools_tier\"\n[budget]\n");
  auto path = write_temp(text);
  auto f = config::load(path, fake_env);
  unlink(path.c_str());
  REQUIRE(f.ok());
  CHECK(f->router.tool_turns == config::tool_route::tools_tier);
}

TEST_CASE("every numeric key outside its documented range names file:line:key") {
  struct row {
    const char* after;  // a line of k_good the bad key is added after
    const char* bad;    // the bad line
    const char* want;   // expected "KEY: message" after ":LINE: "
  };
  const row rows[] = {
      {"daily_usd = 2.0", "per_message_overhead_tokens = -1",
       "budget.per_message_overhead_tokens: must be between 0 and 100000 (got -1)"},
      {"system_prompt = \"Be brief.\"", "turn_deadline_s = 18446744073709552",
       "agent.turn_deadline_s: must be between 5 and 86400"},
      {"system_prompt = \"Be brief.\"", "turn_deadline_s = 4",
       "agent.turn_deadline_s: must be between 5 and 86400 (got 4)"},
      {"system_prompt = \"Be brief.\"", "history_tokens = 100",
       "agent.history_tokens: must be between 200 and 1000000 (got 100)"},
      {"system_prompt = \"Be brief.\"", "history_messages = 20",
       "agent.history_messages: replaced by history_tokens"},
      {"api_key_env = \"TEST_KEY\"", "first_byte_timeout_s = 9223372036854775807",
       "providers.remote.first_byte_timeout_s: must be between 0 and 3600"},
      {"api_key_env = \"TEST_KEY\"", "connect_timeout_s = -5",
       "providers.remote.connect_timeout_s: must be between 1 and 300 (got -5)"},
      {"temperature = 0.2", "thinking_budget_tokens = -1024",
       "tiers.tools.thinking_budget_tokens: must be between 0 and 1000000 (got -1024)"},
      {"temperature = 0.2", "max_output_tokens = -1",
       "tiers.tools.max_output_tokens: must be between 0 and 1000000 (got -1)"},
      {"max_output_tokens = 512", "context_tokens = -3",
       "models.cheap.context_tokens: must be between 0 and 100000000 (got -3)"},
      {"daily_usd = 2.0", "warn_at = 1.5", "budget.warn_at: must be between 0 and 1"},
      {"daily_usd = 2.0", "monthly_usd = -1", "budget.monthly_usd: must be between 0 and"},
      {"daily_usd = 2.0", "min_output_tokens = 0",
       "budget.min_output_tokens: must be between 1 and 1000000 (got 0)"},
      {"tools = [\"clock\"]", "rate_per_minute = -1",
       "realms.public.rate_per_minute: must be between 0 and 100000 (got -1)"},
      {"owners = [\"account:alice\"]", "flood_burst = 0",
       "transports.irc.libera.flood_burst: must be between 1 and 100 (got 0)"},
      {"owners = [\"account:alice\"]", "keepalive_ping_ms = 5",
       "transports.irc.libera.keepalive_ping_ms: must be between 10 and 86400000 (got 5)"},
  };
  for (const row& r : rows) {
    INFO(r.bad);
    // The bad key goes on the line after `after`: its 1-based line number in k_good + 1.
    std::string text = k_good;
    const int line =
        2 + static_cast<int>(std::count(text.begin(), text.begin() + text.find(r.after), '\n'));
    std::string err = error_after(r.after, std::string(r.after) + "\n" + r.bad);
    CHECK(err.rfind(":" + std::to_string(line) + ": " + r.want, 0) == 0);
    if (err.rfind(":" + std::to_string(line) + ": " + r.want, 0) != 0) WARN(err);
  }
  // A price that rounds to 0 µ$ would make a paid model free.
  CHECK(error_after("output_usd_per_mtok = 0.4", "output_usd_per_mtok = 0.0000004")
            .find(": models.cheap.output_usd_per_mtok: rounds to $0") != std::string::npos);
}

TEST_CASE("a config that is not a regular file is refused at once") {
  char dir[] = "/tmp/frugal-cfgdir-XXXXXX";
  REQUIRE(mkdtemp(dir));
  auto d = config::load(dir, fake_env);
  REQUIRE_FALSE(d.ok());
  CHECK(d.message() == std::string(dir) +
                           ": not a regular file (a directory): give the path of the TOML "
                           "config file");
  std::string fifo = std::string(dir) + "/fifo.toml";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  auto f = config::load(fifo, fake_env);  // before: blocked forever in open()
  REQUIRE_FALSE(f.ok());
  CHECK(f.message().find("not a regular file (a FIFO)") != std::string::npos);
  unlink(fifo.c_str());
  rmdir(dir);
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

TEST_CASE("init gives models it has no price for placeholder prices that load") {
  // Before: "models.cheap: no price for paid model acme/brand-new-1" and nothing loaded.
  cli::starter_options o;
  o.chat_model = "acme/brand-new-1";
  o.tools_model = "anthropic/claude-sonnet-4.6";  // known: no placeholder
  auto path = write_temp(cli::render_starter_config(o));
  auto f = config::load(path, [](const std::string&) { return std::string("key-abcdef"); });
  INFO((f.ok() ? std::string() : f.message()));
  REQUIRE(f.ok());
  const auto& cheap = f->models.at("cheap");
  CHECK(cheap.price_placeholder);
  CHECK(cheap.input_micro_per_mtok == 15'000'000);
  CHECK(cheap.output_micro_per_mtok == 75'000'000);
  CHECK_FALSE(f->models.at("capable").price_placeholder);
  CHECK(f->models.at("capable").input_micro_per_mtok == -1);  // the built-in table's price
  auto p = budget::price_for(cheap, f->providers.at(cheap.provider));
  REQUIRE(p.ok());
  CHECK(p->output == 75'000'000);
  unlink(path.c_str());
}

TEST_CASE("the default state folder is /var/lib/frugal for root, XDG state otherwise") {
  CHECK(config::default_state_dir(0) == "/var/lib/frugal");
  setenv("XDG_STATE_HOME", "/home/u/.st", 1);
  CHECK(config::default_state_dir(1000) == "/home/u/.st/frugal");
  unsetenv("XDG_STATE_HOME");
  const char* home = std::getenv("HOME");
  CHECK(config::default_state_dir(1000) == std::string(home ? home : "") + "/.local/state/frugal");
  // A config without state_dir gets the same default as init suggests for this user.
  auto f = config::load(write_temp(std::string(k_good).replace(
                            std::string(k_good).find("state_dir = \"/tmp/frugal-state\"\n"),
                            std::string("state_dir = \"/tmp/frugal-state\"\n").size(), "")),
                        fake_env);
  REQUIRE(f);
  CHECK(f->agent.state_dir == config::default_state_dir(::geteuid()));
  if (::geteuid() == 0)
    CHECK(cli::starter_state_dir() == "/var/lib/frugal");
  else
    CHECK(cli::starter_state_dir() == "~/.local/state/frugal");
}

TEST_CASE("default config path follows FRUGAL_CONFIG then XDG_CONFIG_HOME") {
  setenv("FRUGAL_CONFIG", "/etc/x.toml", 1);
  CHECK(config::default_path() == "/etc/x.toml");
  unsetenv("FRUGAL_CONFIG");
  setenv("XDG_CONFIG_HOME", "/home/u/.cfg", 1);
  CHECK(config::default_path() == "/home/u/.cfg/frugal/frugal.toml");
  unsetenv("XDG_CONFIG_HOME");
}

TEST_CASE("retention keys default to 90 days and are range-checked") {
  auto f = config::load(write_temp(k_good), fake_env);
  REQUIRE(f);
  CHECK(f->agent.ledger_retention_days == 90);
  CHECK(f->agent.audit_retention_days == 90);
  auto g = config::load(write_temp(std::string(k_good).replace(
                            std::string(k_good).find("system_prompt"), 0,
                            "ledger_retention_days = 0\naudit_retention_days = 30\n")),
                        fake_env);
  REQUIRE(g);
  CHECK(g->agent.ledger_retention_days == 0);
  CHECK(g->agent.audit_retention_days == 30);
  CHECK(error_after("system_prompt = \"Be brief.\"", "audit_retention_days = -1")
            .find(":4: agent.audit_retention_days: must be between 0 and 36500") == 0);
  CHECK(error_after("system_prompt = \"Be brief.\"", "ledger_retention_days = 40000")
            .find(":4: agent.ledger_retention_days: must be between 0 and 36500") == 0);
}

TEST_CASE("IRC manners keys: defaults, 0 turns rejoin and reclaim off, ranges name the key") {
  auto f = config::load(write_temp(k_good), fake_env);
  REQUIRE(f);
  CHECK(f->irc[0].rejoin_delay_ms == 5000);
  CHECK(f->irc[0].rejoin_max_ms == 600000);
  CHECK(f->irc[0].nick_check_ms == 180000);
  CHECK(f->irc[0].sasl_quick_retries == 3);
  const std::string owners = "owners = [\"account:alice\"]";
  auto with = [&](const std::string& extra) {
    std::string text = k_good;
    text.replace(text.find(owners), owners.size(), owners + "\n" + extra);
    return config::load(write_temp(text), fake_env);
  };
  auto off = with("rejoin_delay_ms = 0\nnick_check_ms = 0\nsasl_quick_retries = 0");
  REQUIRE(off);
  CHECK(off->irc[0].rejoin_delay_ms == 0);
  CHECK(off->irc[0].nick_check_ms == 0);
  CHECK(off->irc[0].sasl_quick_retries == 0);
  // A long first delay alone raises the (unset) maximum with it.
  auto slow = with("rejoin_delay_ms = 900000");
  REQUIRE(slow);
  CHECK(slow->irc[0].rejoin_max_ms == 900000);
  const std::pair<const char*, const char*> bad[] = {
      {"rejoin_delay_ms = 50", "transports.irc.libera.rejoin_delay_ms: must be 0 (never rejoin)"},
      {"rejoin_delay_ms = -1", "transports.irc.libera.rejoin_delay_ms: must be between 0 and"},
      {"rejoin_delay_ms = 9000\nrejoin_max_ms = 8000",
       "transports.irc.libera.rejoin_max_ms: must not be below rejoin_delay_ms"},
      {"nick_check_ms = 500", "transports.irc.libera.nick_check_ms: must be 0 (keep the"},
      {"sasl_quick_retries = 11",
       "transports.irc.libera.sasl_quick_retries: must be between 0 and 10 (got 11)"},
  };
  for (const auto& [line, want] : bad) {
    INFO(line);
    CHECK(error_after(owners, owners + "\n" + line).find(want) != std::string::npos);
  }
}
