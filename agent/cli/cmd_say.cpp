// `frugal say TARGET [TEXT...]`: posts text (the arguments, else all of stdin) through the
// running daemon's transport, with its splitting and flood control; the end of a cron pipe
// (`frugal ask … | frugal say irc.libera:#ops`). It never starts a connection of its own.
#include <unistd.h>

#include <iostream>
#include <iterator>
#include <memory>

#include "agent/cli/cli.h"
#include "agent/cli/command.h"
#include "agent/cli/daemon_link.h"

namespace frugal::cli {
namespace {

struct options {
  std::string target;
  std::vector<std::string> words;
};

int exec(const global_options& g, const options& o) {
  auto t = control::parse_say_target(o.target);
  if (!t) return complain(exit_usage, "say: " + t.message());
  control::request r;
  r.op = control::request::kind::say;
  r.target = o.target;
  for (const auto& w : o.words) r.text += (r.text.empty() ? "" : " ") + w;
  if (o.words.empty()) {
    if (::isatty(STDIN_FILENO))
      return complain(exit_usage, "say: give the text as arguments or pipe it on stdin");
    r.text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  while (!r.text.empty() && (r.text.back() == '\n' || r.text.back() == '\r')) r.text.pop_back();
  if (r.text.find_first_not_of(" \t\r\n") == std::string::npos)
    return complain(exit_usage, "say: nothing to say (the text is empty)");
  if (r.text.size() > control::k_max_say_bytes)
    return complain(exit_usage, "say: the text is " + std::to_string(r.text.size()) +
                                    " bytes; at most " + std::to_string(control::k_max_say_bytes) +
                                    " are sent");
  return ask_daemon(g, r, "say");
}

command_fn setup(arg_table& t, const global_options& g) {
  auto o = std::make_shared<options>();
  t.positionals = {
      {.value_name = "TARGET",
       .help = "irc.NAME:#channel, irc.NAME:nick, matrix.NAME:!room:server or "
               "matrix.NAME:#alias:server",
       .one = &o->target},
      {.value_name = "TEXT", .help = "the text (default: all of stdin)", .rest = &o->words},
  };
  return [&g, o] { return exec(g, *o); };
}

}  // namespace

const command cmd_say = {"say", "post text through the running daemon (to a channel, nick or room)",
                         true, setup};

}  // namespace frugal::cli
