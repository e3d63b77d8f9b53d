// command: one entry of the subcommand table (tmux-style: a constant descriptor and a
// static setup function per file, cmd_*.cpp). setup declares the command's options in its
// arg_table (arg_parser.h) and returns the function that runs it once argv parsed; options
// common to all commands (global_options) are declared by cli.cpp and may appear anywhere.
#pragma once
#include <functional>
#include <string>

#include "agent/cli/arg_parser.h"

namespace frugal::cli {

struct global_options {
  std::string config_path;  // resolved: --config, $FRUGAL_CONFIG or the XDG default
  bool config_given = false;
  std::string log_level;  // empty = the command's default (see default_log_level)
  bool log_json = false;
  int verbose = 0;  // -v count: each one lowers the default level by one step
};

using command_fn = std::function<int()>;

struct command {
  const char* name;
  const char* summary;  // one line for --help
  // True for the terminal commands (ask, chat, ...): they log warnings and errors only
  // unless -v or --log-level; false (run) keeps the config's [agent] log_level.
  bool quiet_by_default;
  // Declares options and positionals in `t` (bound to storage the returned function
  // owns); `g` is filled by the time the returned function runs.
  command_fn (*setup)(arg_table& t, const global_options& g);
};

extern const command cmd_ask;
extern const command cmd_chat;
extern const command cmd_run;
extern const command cmd_budget;
extern const command cmd_doctor;
extern const command cmd_init;
extern const command cmd_say;
extern const command cmd_status;

// Prints "frugal: <message>" on stderr and returns `code`.
int complain(int code, const std::string& message);

}  // namespace frugal::cli
