// daemon_link: how `say` and `status` reach the running daemon: the config (read without
// needing the service's secrets) names the state folder, whose control.sock the daemon
// listens on. Prints the daemon's answer or one line on stderr and returns the exit code
// (1 when no daemon is running).
#pragma once
#include "agent/cli/command.h"
#include "agent/control/protocol.h"

namespace frugal::cli {

int ask_daemon(const global_options& g, const control::request& r, const char* command);

}  // namespace frugal::cli
