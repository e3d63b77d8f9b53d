// `frugal run`: the daemon (agent/daemon.h) with every configured transport.
#include "agent/cli/cli.h"
#include "agent/cli/command.h"
#include "agent/daemon.h"

namespace frugal::cli {
namespace {

int exec(const global_options& g, const std::vector<std::string>& args) {
  if (!args.empty()) return complain(exit_usage, "run: takes no arguments");
  agent::daemon_options o;
  o.config_path = g.config_path;
  o.log_level = g.log_level;
  return agent::run_daemon(o);
}

}  // namespace

const command cmd_run = {"run", "run", "run the daemon: every configured IRC and Matrix transport",
                         exec};

}  // namespace frugal::cli
