// `frugal run`: the daemon (agent/daemon.h) with every configured transport.

#include "agent/cli/cli.h"
#include "agent/cli/command.h"
#include "agent/daemon.h"

namespace frugal::cli {
namespace {

int exec(const global_options& g) {
  agent::daemon_options o;
  o.config_path = g.config_path;
  o.log_level = g.log_level;
  return agent::run_daemon(o);
}

command_fn setup(arg_table&, const global_options& g) {
  return [&g] { return exec(g); };
}

}  // namespace

const command cmd_run = {"run", "run the daemon: every configured IRC and Matrix transport", false,
                         setup};

}  // namespace frugal::cli
