// The front door: global options (accepted before or after the command, as --opt VALUE or
// --opt=VALUE), then one command from the table, each parsed by CLI11. Usage errors exit 2
// with a one-line message; --help (also COMMAND --help) and --version print to stdout and
// exit 0. It does not load the config: the commands do.
#include "agent/cli/cli.h"

#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <csignal>
#include <cstdio>

#include "agent/cli/command.h"
#include "core/config/config.h"
#include "core/log.h"

namespace frugal::cli {
namespace {

const command* const k_commands[] = {&cmd_ask,    &cmd_chat,   &cmd_run,    &cmd_say,
                                     &cmd_status, &cmd_budget, &cmd_doctor, &cmd_init};

const char* const k_footer =
    "The config is --config FILE, else $FRUGAL_CONFIG, else "
    "$XDG_CONFIG_HOME/frugal/frugal.toml.\n"
    "Global options may come before or after the command. `frugal COMMAND --help` lists a\n"
    "command's options.\n"
    "Exit codes: 0 answered/ok, 1 internal or storage error, 2 usage or configuration error\n"
    "(a rejected API key included), 3 refused by the budget, 4 no model reachable,\n"
    "128+N stopped by signal N.";

// The level a command logs at: --log-level wins; else terminal commands show warnings
// and errors (-v info, -vv debug) and the daemon keeps the config's level (-v debug).
std::string effective_level(const global_options& g, const command& c) {
  if (!g.log_level.empty()) return g.log_level;
  if (c.quiet_by_default) return g.verbose >= 2 ? "debug" : g.verbose == 1 ? "info" : "warn";
  return g.verbose > 0 ? "debug" : "";
}

std::string one_line(std::string what) {
  while (!what.empty() && what.back() == '\n') what.pop_back();
  for (auto& ch : what)
    if (ch == '\n') ch = ' ';
  return what;
}

// True when argv named one of the commands.
bool chosen_name(const CLI::App& app) {
  return !app.get_subcommands().empty();
}

}  // namespace

bool open_standard_fds() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) >= 0 || errno != EBADF) continue;
    // open() returns the lowest free descriptor, which is `fd` (the ones below are open).
    int got = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (got != fd) {
      if (got >= 0) ::close(got);
      return false;
    }
  }
  return true;
}

int complain(int code, const std::string& message) {
  std::string line = "frugal: " + log::redact(message) + "\n";
  std::fputs(line.c_str(), stderr);
  return code;
}

namespace {

// What argv asked for: the command and how to run it, or an exit code to return at once
// (help, version, a usage error).
struct parsed_args {
  const command* chosen = nullptr;
  command_fn run;
  std::string log_format = "text";
  int exit_now = -1;
};

// Parses argv with CLI11 into `g` and the chosen command's own options. The CLI::App tree
// lives only here: it is freed before the command runs, so a daemon does not keep it for
// months. Commands therefore read what they need at parse time, never the App.
parsed_args parse_args(int argc, char** argv, global_options& g) {
  parsed_args p;
  CLI::App app("frugal " FRUGAL_VERSION " — a small always-on AI agent with a hard daily spend cap",
               "frugal");
  app.set_version_flag("-V,--version", "frugal " FRUGAL_VERSION);
  app.require_subcommand(0, 1);
  app.option_defaults()->always_capture_default(false);
  app.add_option("-c,--config", g.config_path, "config file (TOML)")->type_name("FILE");
  app.add_option("--log-level", g.log_level,
                 "debug, info, warn or error (default: warn for terminal commands, the "
                 "config's [agent] log_level for run)")
      ->type_name("LEVEL")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  app.add_option("--log-format", p.log_format, "text or json lines on stderr")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_flag("-v,--verbose", g.verbose, "more log lines: -v info, -vv debug");

  for (const command* c : k_commands) {
    CLI::App* sub = app.add_subcommand(c->name, c->summary);
    sub->fallthrough();  // global options after the command reach the parent
    command_fn fn = c->setup(*sub, g);
    sub->final_callback([&p, c, fn] {
      p.chosen = c;
      p.run = fn;
    });
  }
  app.footer(k_footer);  // after the subcommands, which would inherit it
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    // help() of the top app delegates to the subcommand that was named, if any.
    std::fputs(app.help().c_str(), stdout);
    p.exit_now = exit_ok;
  } catch (const CLI::CallForAllHelp&) {
    std::fputs(app.help("", CLI::AppFormatMode::All).c_str(), stdout);
    p.exit_now = exit_ok;
  } catch (const CLI::CallForVersion& e) {
    std::printf("%s\n", e.what());
    p.exit_now = exit_ok;
  } catch (const CLI::ExtrasError& e) {
    // A word where the command belongs is a mistyped command, not an "argument".
    std::vector<std::string> rest = app.remaining();
    if (!chosen_name(app) && !rest.empty() && !rest[0].empty() && rest[0][0] != '-')
      p.exit_now = complain(exit_usage, "unknown command \"" + rest[0] + "\" (see frugal --help)");
    else
      p.exit_now = complain(exit_usage, one_line(e.what()) + " (see frugal --help)");
  } catch (const CLI::ParseError& e) {
    p.exit_now = complain(exit_usage, one_line(e.what()) + " (see frugal --help)");
  }
  if (p.exit_now < 0 && !p.chosen) {
    std::fputs(app.help().c_str(), stdout);
    p.exit_now = exit_usage;
  }
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  // Before anything opens a file: a closed 0, 1 or 2 would be taken by the next open
  // (libuv's epoll fd, the database), and then a read of stdin, a printed answer or a log
  // line would hit that file, and libuv's teardown would abort.
  if (!open_standard_fds()) return exit_internal;
  // A peer that closes its socket must become an EPIPE error value on the write, not a
  // signal that kills the daemon (libuv leaves SIGPIPE to the application).
  std::signal(SIGPIPE, SIG_IGN);
  global_options g;
  parsed_args p = parse_args(argc, argv, g);
  if (p.exit_now >= 0) return p.exit_now;
  g.config_given = !g.config_path.empty();
  if (g.config_path.empty()) g.config_path = config::default_path();
  g.log_level = effective_level(g, *p.chosen);
  log::set_json(p.log_format == "json");
  return p.run();
}

}  // namespace frugal::cli
