// `frugal init`: writes a commented starter config (0600; missing folders made 0700).
// Interactive (asks a few questions) when stdin is a terminal, otherwise built from flags.
// Never overwrites an existing file unless --force.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <iostream>
#include <memory>

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
      if (::mkdir(cur.c_str(), 0700) != 0 && errno != EEXIST) return false;
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

struct options {
  starter_options starter;
  bool force = false;
  bool any_flag = false;  // true when some option was given (then init never asks)
};

int exec(const global_options& g, options opts) {
  starter_options& o = opts.starter;
  const bool force = opts.force;
  struct stat st {};
  if (::stat(g.config_path.c_str(), &st) == 0 && !force)
    return complain(exit_usage, "init: " + g.config_path +
                                    " exists; not overwriting it (use --force to replace it)");
  if (::isatty(STDIN_FILENO) && !opts.any_flag) {
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
  // 0600 (replacing a file with --force narrows it too): a config may name secrets' places
  // and always names the owners.
  const std::string text = render_starter_config(o);
  int fd = ::open(g.config_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0 && ::fchmod(fd, 0600) == 0;
  for (size_t put = 0; ok && put < text.size();) {
    ssize_t n = ::write(fd, text.data() + put, text.size() - put);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) put += static_cast<size_t>(n);
  }
  if (fd >= 0 && ::close(fd) != 0) ok = false;
  if (!ok) return complain(exit_internal, "init: cannot write " + g.config_path);
  std::printf("wrote %s\nnext: export %s=... then: frugal --config %s ask \"hello\"\n",
              g.config_path.c_str(), o.api_key_env.c_str(), g.config_path.c_str());
  return exit_ok;
}

command_fn setup(arg_table& t, const global_options& g) {
  auto o = std::make_shared<options>();
  starter_options& s = o->starter;
  t.options = {{.name = "force",
                .help = "replace an existing config file",
                .flag = &o->force,
                .given = &o->any_flag}};
  struct value {
    const char* name;
    std::string* into;
    const char* help;
    const char* type;
  };
  const value values[] = {
      {"state-dir", &s.state_dir, "state folder (ledger, history, workspaces)", "DIR"},
      {"base-url", &s.base_url, "OpenAI-compatible API base URL", "URL"},
      {"api-key-env", &s.api_key_env, "environment variable holding the API key", "NAME"},
      {"chat-model", &s.chat_model, "cheap model id for the chat tier", "ID"},
      {"tools-model", &s.tools_model, "capable model id for the tools tier", "ID"},
      {"local-url", &s.local_url, "local OpenAI-compatible server (e.g. Ollama)", "URL"},
      {"local-model", &s.local_model, "model id on the local server", "ID"},
      {"daily-usd", &s.daily_usd, "daily spend cap in USD", "N"},
      {"irc-server", &s.irc_server, "IRC server host[:port] (empty: no IRC)", "HOST"},
      {"irc-channel", &s.irc_channel, "IRC channel to join", "CHANNEL"},
      {"irc-nick", &s.irc_nick, "IRC nick", "NICK"},
  };
  // Each sets any_flag when given: an init with options never asks (the help shows the
  // starter values as defaults).
  for (const auto& v : values)
    t.options.push_back({.name = v.name,
                         .value_name = v.type,
                         .help = v.help,
                         .text = v.into,
                         .given = &o->any_flag});
  return [&g, o] { return exec(g, *o); };
}

}  // namespace

const command cmd_init = {"init", "write a commented starter config (asks when on a terminal)",
                          true, setup};

}  // namespace frugal::cli
