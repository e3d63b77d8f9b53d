// The front door: global options, then one command from the table. Usage errors exit 2
// with a one-line message; --help and --version print to stdout and exit 0.
#include "agent/cli/cli.h"

#include <csignal>
#include <cstdio>
#include <cstring>

#include "agent/cli/command.h"
#include "core/config/config.h"
#include "core/log.h"

namespace frugal::cli {
namespace {

const command* const k_commands[] = {&cmd_ask,    &cmd_chat,   &cmd_run,
                                     &cmd_budget, &cmd_doctor, &cmd_init};

void print_help() {
  std::printf(
      "frugal %s — a small always-on AI agent with a hard daily spend cap\n\n"
      "usage: frugal [--config FILE] [--log-level LEVEL] [--log-format text|json] COMMAND ...\n\n"
      "commands:\n",
      FRUGAL_VERSION);
  for (const command* c : k_commands) std::printf("  %-52s %s\n", c->usage, c->summary);
  std::printf(
      "\nThe config is --config FILE, else $FRUGAL_CONFIG, else "
      "$XDG_CONFIG_HOME/frugal/frugal.toml.\n"
      "Exit codes of ask: 0 answered, 1 internal error, 2 usage or configuration error,\n"
      "3 refused by the budget, 4 no model reachable.\n");
}

}  // namespace

int complain(int code, const std::string& message) {
  std::string line = "frugal: " + log::redact(message) + "\n";
  std::fputs(line.c_str(), stderr);
  return code;
}

int main(int argc, char** argv) {
  // A peer that closes its socket must become an EPIPE error value on the write, not a
  // signal that kills the daemon (libuv leaves SIGPIPE to the application).
  std::signal(SIGPIPE, SIG_IGN);
  global_options g;
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) return nullptr;
      (void)name;
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      print_help();
      return exit_ok;
    } else if (a == "--version" || a == "-V") {
      std::printf("frugal %s\n", FRUGAL_VERSION);
      return exit_ok;
    } else if (a == "--config" || a == "-c") {
      const char* v = value("--config");
      if (!v) return complain(exit_usage, "--config needs a file");
      g.config_path = v;
      g.config_given = true;
    } else if (a.rfind("--config=", 0) == 0) {
      g.config_path = a.substr(9);
      g.config_given = true;
    } else if (a == "--log-level") {
      const char* v = value("--log-level");
      log::level lvl;
      if (!v || !log::parse_level(v, lvl))
        return complain(exit_usage, "--log-level needs debug, info, warn or error");
      g.log_level = v;
    } else if (a == "--log-format") {
      const char* v = value("--log-format");
      if (!v || (std::strcmp(v, "json") != 0 && std::strcmp(v, "text") != 0))
        return complain(exit_usage, "--log-format needs text or json");
      g.log_json = std::strcmp(v, "json") == 0;
    } else if (!a.empty() && a[0] == '-') {
      return complain(exit_usage, "unknown option " + a + " (see frugal --help)");
    } else {
      break;
    }
  }
  if (i >= argc) {
    print_help();
    return exit_usage;
  }
  if (g.config_path.empty()) g.config_path = config::default_path();
  log::set_json(g.log_json);
  std::string name = argv[i];
  std::vector<std::string> args(argv + i + 1, argv + argc);
  for (const command* c : k_commands) {
    if (name != c->name) continue;
    for (const auto& a : args) {
      if (a == "--help" || a == "-h") {
        std::printf("usage: frugal %s\n  %s\n", c->usage, c->summary);
        return exit_ok;
      }
    }
    return c->exec(g, args);
  }
  return complain(exit_usage, "unknown command \"" + name + "\" (see frugal --help)");
}

}  // namespace frugal::cli
