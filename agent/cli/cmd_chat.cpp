// `frugal chat`: a line REPL on the terminal. One session (history kept in sqlite, so it
// survives restarts); each line is one turn. Blocking reads are fine here: nothing else
// runs on this loop between turns.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "agent/cli/cli.h"
#include "agent/cli/command.h"
#include "agent/cli/identity_arg.h"
#include "agent/cli/run_turn.h"

namespace frugal::cli {
namespace {

int exec(const global_options& g, const std::vector<std::string>& args) {
  std::string tier, as;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--tier" && i + 1 < args.size())
      tier = args[++i];
    else if (args[i] == "--as" && i + 1 < args.size())
      as = args[++i];
    else
      return complain(exit_usage, "chat: unknown or incomplete option " + args[i]);
  }
  auto who = parse_identity_arg(as, "chat");
  if (!who) return complain(exit_usage, "chat: --as: " + who.message());
  agent::startup_error err;
  auto rt = agent::runtime::create(g.config_path, g.log_level, err);
  if (!rt) return complain(err.exit_code, err.message);
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

}  // namespace

const command cmd_chat = {"chat", "chat [--tier NAME] [--as ID]",
                          "talk line by line on the terminal (history kept)", exec};

}  // namespace frugal::cli
