// The front door: global options (accepted before or after the command, as --opt VALUE or
// --opt=VALUE), then one command from the table, each declared as an arg_table and parsed
// by arg_parser.h. Usage errors exit 2 with a one-line message; --help (also COMMAND --help)
// and --version print to stdout and exit 0. It does not load the config: the commands do.
#include "agent/cli/cli.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

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

const char* const k_levels[] = {"debug", "info", "warn", "error", nullptr};
const char* const k_formats[] = {"text", "json", nullptr};

std::vector<option_spec> global_table(global_options& g, std::string& log_format) {
  return {
      {.name = "version",
       .letter = 'V',
       .help = "print the version and exit",
       .stop = option_spec::action::version},
      {.name = "config",
       .letter = 'c',
       .value_name = "FILE",
       .help = "config file (TOML)",
       .text = &g.config_path},
      {.name = "log-level",
       .value_name = "LEVEL",
       .help = "debug, info, warn or error (default: warn for terminal commands, the "
               "config's [agent] log_level for run)",
       .text = &g.log_level,
       .choices = k_levels},
      {.name = "log-format",
       .value_name = "FORMAT",
       .help = "text or json lines on stderr",
       .text = &log_format,
       .choices = k_formats},
      {.name = "verbose",
       .letter = 'v',
       .help = "more log lines: -v info, -vv debug",
       .count = &g.verbose},
  };
}

std::string root_help(const arg_table& root) {
  std::string out = "frugal " FRUGAL_VERSION
                    " — a small always-on AI agent with a hard daily spend cap\n"
                    "Usage: frugal [OPTIONS] COMMAND [ARGS...]\n\n" +
                    help_text(root) + "\nCommands:\n";
  for (const command* c : k_commands) {
    std::string name = c->name;
    out += "  " + name + std::string(24 - name.size(), ' ') + c->summary + "\n";
  }
  return out + "\n" + k_footer + "\n";
}

std::string command_help(const command& c, const arg_table& t) {
  std::string usage = std::string("Usage: frugal ") + c.name + " [OPTIONS]";
  for (const positional_spec& p : t.positionals)
    usage += p.rest ? std::string(" [") + p.value_name + "...]" : std::string(" ") + p.value_name;
  return std::string(c.summary) + "\n" + usage + "\n\n" + help_text(t);
}

// Parses argv into `g` and the chosen command's own options, in two walks of the one
// parser (arg_parser.h): the global options up to the command word, then the command's
// table followed by the global ones, so globals may also follow the command and a command's
// own option wins a shared letter (`ask -c` is --continue, `budget -c FILE` is --config).
// The tables live only here: commands read what they need at parse time.
parsed_args read_argv(int argc, char** argv, global_options& g) {
  parsed_args p;
  arg_table root{global_table(g, p.log_format), {}};
  int at = argc;
  auto r = parse_args(argc, argv, root, &at);
  if (!r) {
    p.exit_now = complain(exit_usage, r.message() + " (see frugal --help)");
  } else if (*r == parsed::help) {
    std::fputs(root_help(root).c_str(), stdout);
    p.exit_now = exit_ok;
  } else if (*r == parsed::version) {
    std::puts("frugal " FRUGAL_VERSION);
    p.exit_now = exit_ok;
  } else if (at >= argc) {
    std::fputs(root_help(root).c_str(), stdout);
    p.exit_now = exit_usage;
  }
  if (p.exit_now >= 0) return p;
  for (const command* c : k_commands)
    if (std::strcmp(c->name, argv[at]) == 0) p.chosen = c;
  if (!p.chosen) {
    p.exit_now = complain(exit_usage,
                          std::string("unknown command \"") + argv[at] + "\" (see frugal --help)");
    return p;
  }
  const command& c = *p.chosen;
  arg_table own;
  p.run = c.setup(own, g);
  arg_table all = own;
  all.options.insert(all.options.end(), root.options.begin(), root.options.end());
  r = parse_args(argc - at, argv + at, all);
  if (!r) {
    p.exit_now = complain(exit_usage, std::string(c.name) + ": " + r.message() + " (see frugal " +
                                          c.name + " --help)");
  } else if (*r == parsed::help) {
    std::fputs(command_help(c, own).c_str(), stdout);
    p.exit_now = exit_ok;
  } else if (*r == parsed::version) {
    std::puts("frugal " FRUGAL_VERSION);
    p.exit_now = exit_ok;
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
  parsed_args p = read_argv(argc, argv, g);
  if (p.exit_now >= 0) return p.exit_now;
  g.config_given = !g.config_path.empty();
  if (g.config_path.empty()) g.config_path = config::default_path();
  g.log_level = effective_level(g, *p.chosen);
  log::set_json(p.log_format == "json");
  return p.run();
}

}  // namespace frugal::cli
