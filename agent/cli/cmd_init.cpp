// `frugal init`: writes a commented starter config. Interactive (asks a few questions)
// when stdin is a terminal, otherwise built from flags. Never overwrites an existing file
// unless --force.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "agent/cli/cli.h"
#include "agent/cli/command.h"
#include "agent/cli/starter_config.h"

namespace frugal::cli {
namespace {

bool mkdirs(const std::string& dir) {
  std::string cur;
  for (size_t i = 0; i <= dir.size(); ++i) {
    if (i == dir.size() || (dir[i] == '/' && i > 0)) {
      cur = dir.substr(0, i);
      if (::mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) return false;
    }
  }
  return true;
}

std::string ask_line(const std::string& question, const std::string& dflt) {
  std::cout << question << " [" << dflt << "]: " << std::flush;
  std::string line;
  if (!std::getline(std::cin, line) || line.empty()) return dflt;
  return line;
}

int exec(const global_options& g, const std::vector<std::string>& args) {
  starter_options o;
  bool force = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto next = [&]() -> const std::string* { return i + 1 < args.size() ? &args[++i] : nullptr; };
    const std::string* v = nullptr;
    if (a == "--force")
      force = true;
    else if (a == "--state-dir" && (v = next()))
      o.state_dir = *v;
    else if (a == "--base-url" && (v = next()))
      o.base_url = *v;
    else if (a == "--api-key-env" && (v = next()))
      o.api_key_env = *v;
    else if (a == "--chat-model" && (v = next()))
      o.chat_model = *v;
    else if (a == "--tools-model" && (v = next()))
      o.tools_model = *v;
    else if (a == "--local-url" && (v = next()))
      o.local_url = *v;
    else if (a == "--local-model" && (v = next()))
      o.local_model = *v;
    else if (a == "--daily-usd" && (v = next()))
      o.daily_usd = *v;
    else if (a == "--irc-server" && (v = next()))
      o.irc_server = *v;
    else if (a == "--irc-channel" && (v = next()))
      o.irc_channel = *v;
    else if (a == "--irc-nick" && (v = next()))
      o.irc_nick = *v;
    else
      return complain(exit_usage, "init: unknown or incomplete option " + a);
  }
  struct stat st {};
  if (::stat(g.config_path.c_str(), &st) == 0 && !force)
    return complain(exit_usage, "init: " + g.config_path +
                                    " exists; not overwriting it (use --force to replace it)");
  if (::isatty(STDIN_FILENO) && args.empty()) {
    std::cout << "Writing a starter config to " << g.config_path << "\n";
    o.base_url = ask_line("OpenAI-compatible API base URL", o.base_url);
    o.api_key_env = ask_line("Environment variable holding its API key", o.api_key_env);
    o.chat_model = ask_line("Cheap chat model id", o.chat_model);
    o.tools_model = ask_line("Capable tools model id", o.tools_model);
    o.daily_usd = ask_line("Daily spend cap in USD", o.daily_usd);
    o.irc_server = ask_line("IRC server (empty for none)", o.irc_server);
    if (!o.irc_server.empty()) o.irc_channel = ask_line("IRC channel", o.irc_channel);
  }
  auto slash = g.config_path.rfind('/');
  if (slash != std::string::npos && slash > 0 && !mkdirs(g.config_path.substr(0, slash)))
    return complain(exit_internal, "init: cannot create the folder of " + g.config_path);
  std::ofstream out(g.config_path, std::ios::trunc);
  out << render_starter_config(o);
  out.close();
  if (!out) return complain(exit_internal, "init: cannot write " + g.config_path);
  std::printf("wrote %s\nnext: export %s=... then: frugal --config %s ask \"hello\"\n",
              g.config_path.c_str(), o.api_key_env.c_str(), g.config_path.c_str());
  return exit_ok;
}

}  // namespace

const command cmd_init = {"init", "init [--force] [--daily-usd N] [--base-url URL] ...",
                          "write a commented starter config", exec};

}  // namespace frugal::cli
