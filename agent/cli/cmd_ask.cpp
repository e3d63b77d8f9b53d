// `frugal ask`: one task from the arguments or all of stdin, the answer on stdout, an exit
// code a cron job can test. One-shot by default: no earlier run's messages are sent;
// `--continue` resumes the last ask conversation and `--session NAME` a named one. Safe to
// run while the daemon runs: the ledger is shared through sqlite, not a lock file. On a
// terminal the answer is streamed (stream_printer.h); piped, it is printed whole.
#include <unistd.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>

#include "agent/cli/cli.h"
#include "agent/cli/command.h"
#include "agent/cli/identity_arg.h"
#include "agent/cli/run_turn.h"
#include "agent/cli/stream_printer.h"

namespace frugal::cli {
namespace {

struct options {
  std::string tier;
  bool dry_run = false;
  std::string as;
  bool resume = false;
  std::string session;
  std::vector<std::string> words;
};

int run(const global_options& g, const options& o) {
  agent::turn_request req;
  req.forced_tier = o.tier;
  req.dry_run = o.dry_run;
  const std::string& as = o.as;
  const bool resume = o.resume;
  const std::string& session = o.session;
  std::string text;
  for (const auto& w : o.words) text += (text.empty() ? "" : " ") + w;
  if (text.empty()) {
    if (::isatty(STDIN_FILENO))
      return complain(exit_usage, "ask: give the task as arguments or pipe it on stdin");
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  }
  if (text.empty()) return complain(exit_usage, "ask: the task is empty");
  if (!session.empty() &&
      (session.size() > 64 || session.find_first_of(" \t\r\n") != std::string::npos))
    return complain(exit_usage, "ask: --session needs a name of at most 64 characters, no spaces");
  auto who = parse_identity_arg(as, "ask");
  if (!who) return complain(exit_usage, "ask: --as: " + who.message());
  req.msg = *who;
  // The conversation `--continue` resumes is the session "ask"; a one-shot run replaces it.
  // Named sessions live beside it. Neither is ever a channel's or a query's history.
  req.msg.target = session.empty() ? "ask" : "ask:" + session;
  req.fresh_session = session.empty() && !resume;
  req.msg.text = text;

  agent::startup_error err;
  auto rt = agent::runtime::create(g.config_path, g.log_level, err);
  if (!rt) return complain(err.exit_code, err.message);
  if (status s = check_identity_arg(req.msg, rt->cfg()); !s)
    return complain(exit_usage, "ask: --as " + as + ": " + s.message());
  // On a terminal the answer is shown as it arrives; piped, it is printed whole at the end.
  std::unique_ptr<stream_printer> out;
  if (::isatty(STDOUT_FILENO) && !req.dry_run) {
    out = std::make_unique<stream_printer>(rt->loop());
    req.on_text = [p = out.get()](std::string_view piece) { p->piece(piece); };
  }
  int signum = 0;
  agent::turn_result r = run_turn(*rt, std::move(req), &signum);
  int code = exit_code_for(r);
  if (out && (signum != 0 || code != exit_ok)) out->stop();
  if (signum != 0) {
    // Stopped from outside (systemd, cron's timeout, Ctrl-C): not "no model reachable".
    complain(exit_code_for_signal(signum),
             "ask: stopped by signal " + std::to_string(signum) +
                 " (nothing was answered; a call in flight was settled in the ledger)");
    return exit_code_for_signal(signum);
  }
  if (code == exit_ok && out) {
    out->finish(r.text);
  } else if (code == exit_ok) {
    std::fwrite(r.text.data(), 1, r.text.size(), stdout);
    std::fputc('\n', stdout);
  } else {
    complain(code, !r.detail.empty() ? r.detail : r.text.empty() ? "not allowed" : r.text);
  }
  return code;
}

// Everything the ask owns (runtime, database, ledger) is closed when run() returns; what is
// left for exit() is the libraries' own teardown, OpenSSL's above all (~0.5 M instructions
// freeing what the process is about to give back whole). The output is flushed and the
// process ends here. Under ASan the leak check, an exit handler, is run first.
int exec(const global_options& g, const options& o) {
  int code = run(g, o);
  if (std::fflush(nullptr) != 0) return code;  // a failed flush: exit() as before
#if defined(__SANITIZE_ADDRESS__)
  __lsan_do_leak_check();
#endif
  ::_exit(code);
}

command_fn setup(arg_table& t, const global_options& g) {
  auto o = std::make_shared<options>();
  t.options = {
      {.name = "tier",
       .value_name = "NAME",
       .help = "use this tier (chat, tools, local, ...) instead of routing",
       .text = &o->tier},
      {.name = "dry-run",
       .help = "show the route and the reservation; call no model",
       .flag = &o->dry_run},
      {.name = "as",
       .value_name = "ID",
       .help = "run as another sender: irc.NAME:nick!user@host, irc.NAME:account:NAME or "
               "matrix.NAME:@user:server",
       .text = &o->as},
      {.name = "continue",
       .letter = 'c',
       .help = "continue the last ask conversation",
       .flag = &o->resume},
      {.name = "session",
       .value_name = "NAME",
       .help = "keep a named conversation (at most 64 characters)",
       .text = &o->session},
  };
  t.positionals = {
      {.value_name = "TEXT", .help = "the task (else all of stdin)", .rest = &o->words}};
  return [&g, o] { return exec(g, *o); };
}

}  // namespace

const command cmd_ask = {
    "ask", "answer one task from the arguments or stdin, then exit (one-shot unless continued)",
    true, setup};

}  // namespace frugal::cli
