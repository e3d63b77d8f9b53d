// `frugal ask`: one task from the arguments or all of stdin, the answer on stdout, an exit
// code a cron job can test. One-shot by default: no earlier run's messages are sent;
// `--continue` resumes the last ask conversation and `--session NAME` a named one. Safe to
// run while the daemon runs: the ledger is shared through sqlite, not a lock file.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>

#include "agent/cli/cli.h"
#include "agent/cli/command.h"
#include "agent/cli/identity_arg.h"
#include "agent/cli/run_turn.h"

namespace frugal::cli {
namespace {

int exec(const global_options& g, const std::vector<std::string>& args) {
  agent::turn_request req;
  std::string as;
  std::string text;
  bool resume = false;
  std::string session;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--tier" && i + 1 < args.size())
      req.forced_tier = args[++i];
    else if (a == "--dry-run")
      req.dry_run = true;
    else if (a == "--as" && i + 1 < args.size())
      as = args[++i];
    else if (a == "--continue" || a == "-c")
      resume = true;
    else if (a == "--session" && i + 1 < args.size())
      session = args[++i];
    else if (a == "--") {
      for (++i; i < args.size(); ++i) text += (text.empty() ? "" : " ") + args[i];
    } else if (a.size() > 1 && a[0] == '-') {
      return complain(exit_usage, "ask: unknown or incomplete option " + a);
    } else {
      text += (text.empty() ? "" : " ") + a;
    }
  }
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
  agent::turn_result r = run_turn(*rt, std::move(req));
  int code = exit_code_for(r);
  if (code == exit_ok) {
    std::fwrite(r.text.data(), 1, r.text.size(), stdout);
    std::fputc('\n', stdout);
  } else {
    complain(code, r.text.empty() ? "not allowed" : r.text);
  }
  return code;
}

}  // namespace

const command cmd_ask = {
    "ask", "ask [-c|--continue] [--session NAME] [--tier NAME] [--dry-run] [--as ID] [TEXT...]",
    "answer one task from the arguments or stdin, then exit (one-shot unless continued)", exec};

}  // namespace frugal::cli
