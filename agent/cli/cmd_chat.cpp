// `frugal chat`: a line REPL on the terminal. One session (history kept in sqlite, so it
// survives restarts); each line is one turn. Blocking reads are fine here: nothing else
// runs on this loop between turns.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>

#include "agent/cli/cli.h"
#include "agent/cli/command.h"
#include "agent/cli/identity_arg.h"
#include "agent/cli/run_turn.h"

namespace frugal::cli {
namespace {

struct options {
  std::string tier;
  std::string as;
};

int exec(const global_options& g, const options& o) {
  const std::string& tier = o.tier;
  const std::string& as = o.as;
  auto who = parse_identity_arg(as, "chat");
  if (!who) return complain(exit_usage, "chat: --as: " + who.message());
  agent::startup_error err;
  auto rt = agent::runtime::create(g.config_path, g.log_level, err);
  if (!rt) return complain(err.exit_code, err.message);
  if (status s = check_identity_arg(*who, rt->cfg()); !s)
    return complain(exit_usage, "chat: --as " + as + ": " + s.message());
  bool tty = ::isatty(STDIN_FILENO);
  if (tty) std::printf("frugal chat — one line per message, Ctrl-D to quit\n");
  std::string line;
  while (true) {
    if (tty) {
      std::printf("> ");
      std::fflush(stdout);
    }
    if (!std::getline(std::cin, line)) break;
    if (line.empty()) continue;
    agent::turn_request req;
    req.msg = *who;
    req.msg.text = line;
    req.forced_tier = tier;
    agent::turn_result r = run_turn(*rt, std::move(req));
    std::printf("%s\n", r.text.empty() ? "(not allowed)" : r.text.c_str());
    std::fflush(stdout);
  }
  return exit_ok;
}

command_fn setup(CLI::App& sub, const global_options& g) {
  auto o = std::make_shared<options>();
  sub.add_option("--tier", o->tier, "use this tier for every turn instead of routing")
      ->type_name("NAME");
  sub.add_option("--as", o->as,
                 "talk as another sender: irc.NAME:nick!user@host, irc.NAME:account:NAME or "
                 "matrix.NAME:@user:server")
      ->type_name("ID");
  return [&g, o] { return exec(g, *o); };
}

}  // namespace

const command cmd_chat = {"chat", "talk line by line on the terminal (history kept)", true, setup};

}  // namespace frugal::cli
