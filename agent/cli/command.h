// command: one entry of the subcommand table (tmux-style: a constant descriptor and a
// static exec function per file, cmd_*.cpp). Options common to all commands are parsed
// by cli.cpp before exec runs.
#pragma once
#include <string>
#include <vector>

namespace frugal::cli {

struct global_options {
  std::string config_path;  // resolved: --config, $FRUGAL_CONFIG or the XDG default
  bool config_given = false;
  std::string log_level;  // empty = the config's
  bool log_json = false;
};

struct command {
  const char* name;
  const char* usage;    // "ask [--tier NAME] [--dry-run] [TEXT...]"
  const char* summary;  // one line for --help
  int (*exec)(const global_options& g, const std::vector<std::string>& args);
};

extern const command cmd_ask;
extern const command cmd_chat;
extern const command cmd_run;
extern const command cmd_budget;
extern const command cmd_doctor;
extern const command cmd_init;

// Prints "frugal: <message>" on stderr and returns `code`.
int complain(int code, const std::string& message);

}  // namespace frugal::cli
