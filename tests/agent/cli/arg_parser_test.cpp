// agent/cli/arg_parser: the table-driven argv parser every command declares its options in.
// A table of command lines against one ask-like table, each with the values it must leave
// or the one-line error it must give; then the two-walk use cli.cpp makes of it.
#include "agent/cli/arg_parser.h"

#include <catch2/catch.hpp>
#include <initializer_list>

using namespace frugal::cli;

namespace {

const char* const k_levels[] = {"debug", "info", "warn", "error", nullptr};

// What a parse left: every target rendered, for one comparison per case.
struct values {
  std::string tier, level, config;
  bool dry = false, json = false, prom = false, any = false;
  int verbose = 0;
  int64_t history = 0;
  std::vector<std::string> words;
};

arg_table table_for(values& v) {
  arg_table t;
  t.options = {
      {.name = "tier", .value_name = "NAME", .help = "the tier", .text = &v.tier},
      {.name = "dry-run", .help = "call nothing", .flag = &v.dry, .given = &v.any},
      {.name = "continue", .letter = 'c', .help = "resume", .flag = &v.json},
      {.name = "prometheus", .help = "prom", .flag = &v.prom, .excludes = "continue"},
      {.name = "history",
       .value_name = "N",
       .help = "days",
       .number = &v.history,
       .min = 1,
       .max = 3660},
      {.name = "log-level", .value_name = "LEVEL", .text = &v.level, .choices = k_levels},
      {.name = "verbose", .letter = 'v', .count = &v.verbose},
      {.name = "version", .letter = 'V', .stop = option_spec::action::version},
      // A later entry never takes a letter an earlier one owns: -c stays --continue.
      {.name = "config", .letter = 'c', .value_name = "FILE", .text = &v.config},
  };
  t.positionals = {{.value_name = "TEXT", .help = "words", .rest = &v.words}};
  return t;
}

struct run_result {
  bool ok;
  parsed what;
  std::string error;
  values v;
};

run_result run(std::initializer_list<const char*> args) {
  std::vector<std::string> storage{"ask"};
  for (const char* a : args) storage.emplace_back(a);
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  run_result out{};
  arg_table t = table_for(out.v);
  auto r = parse_args(static_cast<int>(storage.size()), argv.data(), t);
  out.ok = r.ok();
  if (r)
    out.what = *r;
  else
    out.error = r.message();
  return out;
}

}  // namespace

TEST_CASE("arg_parser: accepted command lines leave the declared values") {
  struct accepted {
    std::initializer_list<const char*> args;
    std::string tier;
    bool dry;
    int64_t history;
    int verbose;
    std::vector<std::string> words;
  };
  const accepted cases[] = {
      {{"--tier", "tools", "hi"}, "tools", false, 0, 0, {"hi"}},
      {{"--tier=tools", "hi"}, "tools", false, 0, 0, {"hi"}},
      {{"hi", "there", "--tier", "tools"}, "tools", false, 0, 0, {"hi", "there"}},
      {{"hi", "--dry-run", "there"}, "", true, 0, 0, {"hi", "there"}},
      {{"--dry-run", "--dry-run"}, "", true, 0, 0, {}},
      {{"-vv", "x", "-v"}, "", false, 0, 3, {"x"}},
      {{"--history=1", "--verbose"}, "", false, 1, 1, {}},
      {{"--history", "3660"}, "", false, 3660, 0, {}},
      {{"--", "--tier", "is", "-v"}, "", false, 0, 0, {"--tier", "is", "-v"}},
      {{"a", "--", "--dry-run"}, "", false, 0, 0, {"a", "--dry-run"}},
      {{"--tier", "--dry-run"}, "--dry-run", false, 0, 0, {}},
      {{"-"}, "", false, 0, 0, {"-"}},
      {{}, "", false, 0, 0, {}},
  };
  for (const auto& c : cases) {
    auto r = run(c.args);
    std::string line;
    for (const char* a : c.args) line += std::string(a) + " ";
    INFO(line);
    REQUIRE(r.ok);
    CHECK(r.error.empty());
    CHECK(r.what == parsed::ok);
    CHECK(r.v.tier == c.tier);
    CHECK(r.v.dry == c.dry);
    CHECK(r.v.any == c.dry);
    CHECK(r.v.history == c.history);
    CHECK(r.v.verbose == c.verbose);
    CHECK(r.v.words == c.words);
  }
}

TEST_CASE("arg_parser: a shared letter belongs to the first entry; choices and help stop") {
  auto r = run({"-c", "x"});
  REQUIRE(r.ok);
  CHECK(r.v.json);
  CHECK(r.v.config.empty());
  CHECK(r.v.words == std::vector<std::string>{"x"});
  r = run({"--config", "f.toml", "--log-level=debug"});
  REQUIRE(r.ok);
  CHECK(r.v.config == "f.toml");
  CHECK(r.v.level == "debug");
  r = run({"x", "--help", "--no-such"});
  REQUIRE(r.ok);
  CHECK(r.what == parsed::help);
  r = run({"-h"});
  REQUIRE(r.ok);
  CHECK(r.what == parsed::help);
  r = run({"-V"});
  REQUIRE(r.ok);
  CHECK(r.what == parsed::version);
}

TEST_CASE("arg_parser: every usage error is one line naming the option or word") {
  struct refused {
    std::initializer_list<const char*> args;
    std::string error;
  };
  const refused cases[] = {
      {{"--no-such-flag", "x"}, "unknown option --no-such-flag"},
      {{"--no-such=3"}, "unknown option --no-such"},
      {{"-x"}, "unknown option -x"},
      {{"-vx"}, "unknown option -x"},
      {{"--dry", "x"}, "unknown option --dry"},  // no abbreviations
      {{"--dry=1"}, "unknown option --dry"},
      {{"--tie"}, "unknown option --tie"},
      {{"--tier"}, "--tier needs a value NAME"},
      {{"--config"}, "--config needs a value FILE"},
      {{"--dry-run=yes"}, "--dry-run takes no value"},
      {{"--tier", "a", "--tier=b"}, "--tier given more than once"},
      {{"--history", "0"}, "--history: 0 is not in 1-3660"},
      {{"--history", "3661"}, "--history: 3661 is not in 1-3660"},
      {{"--history=abc"}, "--history: \"abc\" is not a whole number (1-3660)"},
      {{"--history=12x"}, "--history: \"12x\" is not a whole number (1-3660)"},
      {{"--history="}, "--history: \"\" is not a whole number (1-3660)"},
      {{"--log-level", "loud"}, "--log-level: \"loud\" is not one of debug, info, warn, error"},
      {{"--prometheus", "-c"}, "--prometheus and --continue cannot be given together"},
  };
  for (const auto& [args, want] : cases) {
    auto r = run(args);
    INFO(want);
    REQUIRE_FALSE(r.ok);
    CHECK(r.error == want);
    CHECK(r.error.find('\n') == std::string::npos);
  }
}

TEST_CASE("arg_parser: positionals: one required word, extras refused") {
  std::string target;
  std::vector<std::string> rest;
  arg_table say;
  say.positionals = {{.value_name = "TARGET", .help = "where", .one = &target},
                     {.value_name = "TEXT", .help = "what", .rest = &rest}};
  char prog[] = "say", a[] = "irc.x:#a", b[] = "hello", c[] = "world";
  char* one[] = {prog, nullptr};
  auto r = parse_args(1, one, say);
  REQUIRE_FALSE(r);
  CHECK(r.message() == "TARGET is required");
  char* three[] = {prog, a, b, c, nullptr};
  REQUIRE(parse_args(4, three, say));
  CHECK(target == "irc.x:#a");
  CHECK(rest == std::vector<std::string>{"hello", "world"});

  arg_table none;
  char* extra[] = {prog, b, nullptr};
  r = parse_args(2, extra, none);
  REQUIRE_FALSE(r);
  CHECK(r.message() == "unexpected argument \"hello\"");
}

TEST_CASE("arg_parser: stop_at_word walks the global options up to the command word") {
  std::string config;
  int verbose = 0;
  arg_table globals;
  globals.options = {{.name = "config", .letter = 'c', .value_name = "FILE", .text = &config},
                     {.name = "verbose", .letter = 'v', .count = &verbose}};
  char prog[] = "frugal", c[] = "-c", f[] = "f.toml", v[] = "-v", ask[] = "ask", t[] = "--tier";
  char* argv[] = {prog, c, f, v, ask, t, nullptr};
  int at = -1;
  auto r = parse_args(6, argv, globals, &at);
  REQUIRE(r);
  CHECK(at == 4);
  CHECK(config == "f.toml");
  CHECK(verbose == 1);
  // The same parser then walks the command's words, from the command word on.
  r = parse_args(2, argv + 4, globals);
  REQUIRE_FALSE(r);
  CHECK(r.message() == "unknown option --tier");
  char* bare[] = {prog, nullptr};
  REQUIRE(parse_args(1, bare, globals, &at));
  CHECK(at == 1);
}

TEST_CASE("arg_parser: help is generated from the same table") {
  values v;
  v.tier = "chat";
  arg_table t = table_for(v);
  std::string h = help_text(t);
  CHECK(h.rfind("Arguments:\n  TEXT...", 0) == 0);
  CHECK(h.find("  -h, --help ") != std::string::npos);
  CHECK(h.find("  --tier NAME ") != std::string::npos);
  CHECK(h.find("the tier (default: chat)") != std::string::npos);
  CHECK(h.find("  -c, --continue ") != std::string::npos);
  CHECK(h.find("--history N") != std::string::npos);
  CHECK(h.find("prom (not with --continue)") != std::string::npos);
  CHECK(h.find("  --config FILE ") != std::string::npos);  // -c is --continue's
  for (const auto& o : t.options) CHECK(h.find(std::string("--") + o.name) != std::string::npos);
}
