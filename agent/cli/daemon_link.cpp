// Loads just enough config for the socket path; the request itself is the daemon's job.
#include "agent/cli/daemon_link.h"

#include <cstdio>
#include <cstdlib>

#include "agent/cli/cli.h"
#include "agent/control/client.h"
#include "core/config/config.h"

namespace frugal::cli {

int ask_daemon(const global_options& g, const control::request& r, const char* command) {
  // The socket's path is all this needs: *_env secrets may be unset here.
  config::env_fn lenient = [](const std::string& name) -> std::string {
    const char* v = std::getenv(name.c_str());
    return v && *v ? v : "unset-for-read-only-command";
  };
  auto cfg = config::load(g.config_path, lenient);
  if (!cfg) return complain(exit_usage, cfg.message());
  std::string path = cfg->agent.state_dir + "/" + std::string(control::k_socket_name);
  auto res = control::call(path, r);
  if (!res.reached) return complain(exit_internal, std::string(command) + ": " + res.problem);
  if (!res.answer.ok)
    return complain(res.answer.exit_code ? res.answer.exit_code : exit_internal,
                    std::string(command) + ": " + res.answer.output);
  std::fwrite(res.answer.output.data(), 1, res.answer.output.size(), stdout);
  return exit_ok;
}

}  // namespace frugal::cli
