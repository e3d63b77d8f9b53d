// `frugal status [--json | --prometheus]`: the running daemon's figures (uptime,
// transports, turns today and in flight, today's spend and cap) from its control socket.
// Exit 1 with one line when no daemon is running.
#include <memory>

#include "agent/cli/command.h"
#include "agent/cli/daemon_link.h"

namespace frugal::cli {
namespace {

struct options {
  bool json = false;
  bool prometheus = false;
};

command_fn setup(arg_table& t, const global_options& g) {
  auto o = std::make_shared<options>();
  t.options = {
      {.name = "json", .help = "print one JSON object", .flag = &o->json},
      {.name = "prometheus",
       .help = "print the Prometheus text format (node_exporter's textfile collector)",
       .flag = &o->prometheus,
       .excludes = "json"},
  };
  return [&g, o] {
    control::request r;
    r.op = control::request::kind::status;
    r.format = o->json         ? control::status_format::json
               : o->prometheus ? control::status_format::prometheus
                               : control::status_format::text;
    return ask_daemon(g, r, "status");
  };
}

}  // namespace

const command cmd_status = {"status", "show the running daemon's transports, turns and spend", true,
                            setup};

}  // namespace frugal::cli
