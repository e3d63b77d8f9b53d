// `frugal chat`: a REPL on the terminal. One session (history kept in sqlite, so it
// survives restarts); each line is one turn, except the local commands (/help, /quit,
// /reset, /tier, /budget, /dry-run), which never reach a model. On a terminal the line is
// edited with libedit (line_editor.h) and the answer streamed (stream_printer.h); Ctrl-C
// cancels the turn in flight and returns to the prompt; Ctrl-C at the prompt or Ctrl-D
// ends the session. Blocking reads are fine here: nothing else runs on this loop between
// turns.
#include <langinfo.h>
#include <unistd.h>

#include <clocale>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>

#include "agent/cli/cli.h"
#include "agent/cli/command.h"
#include "agent/cli/identity_arg.h"
#include "agent/cli/line_editor.h"
#include "agent/cli/run_turn.h"
#include "agent/cli/stream_printer.h"
#include "budget/report.h"

namespace frugal::cli {
namespace {

struct options {
  std::string tier;
  std::string as;
};

const char* const k_help =
    "Local commands (never sent to a model, never billed):\n"
    "  /help            this list\n"
    "  /quit            leave (also Ctrl-D, or Ctrl-C at the prompt)\n"
    "  /reset           start the conversation over with your next message\n"
    "  /tier [NAME|auto] show or force the tier (auto: let the router choose)\n"
    "  /budget          today's cap, spend and reservations\n"
    "  /dry-run TEXT    the route and reservation TEXT would get, calling nothing\n"
    "Keys: arrows and Ctrl-A/E/W edit the line, Up/Down recall earlier lines; Ctrl-C\n"
    "during an answer cancels it.\n";

struct session {
  agent::runtime& rt;
  transports::inbound who;
  std::string tier;
  bool fresh = false;
  bool tty_out = false;
};

void say_line(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stdout);
  if (s.empty() || s.back() != '\n') std::fputc('\n', stdout);
  std::fflush(stdout);
}

// Runs one paid (or dry-run) turn. Returns the signal that stopped it, 0 if none.
int turn(session& s, const std::string& text, bool dry_run) {
  agent::turn_request req;
  req.msg = s.who;
  req.msg.text = text;
  req.forced_tier = s.tier;
  req.dry_run = dry_run;
  req.fresh_session = s.fresh && !dry_run;
  std::unique_ptr<stream_printer> out;
  if (s.tty_out && !dry_run) {
    out = std::make_unique<stream_printer>(s.rt.loop());
    req.on_text = [p = out.get()](std::string_view piece) { p->piece(piece); };
  }
  int signum = 0;
  agent::turn_result r = run_turn(s.rt, std::move(req), &signum);
  if (signum != 0) {
    if (out) out->stop();
    say_line("(cancelled; the call in flight was settled in the ledger)");
    return signum;
  }
  if (!dry_run) s.fresh = false;
  std::string text_out = r.text.empty() ? "(not allowed)" : r.text;
  if (out) {
    out->finish(text_out);
  } else {
    say_line(text_out);
  }
  return 0;
}

// A line that starts with '/': handled here. Returns false for /quit.
bool local_command(session& s, const std::string& line) {
  std::string cmd = line.substr(0, line.find(' '));
  std::string arg = line.size() > cmd.size() ? line.substr(cmd.size() + 1) : "";
  while (!arg.empty() && arg.front() == ' ') arg.erase(0, 1);
  while (!arg.empty() && arg.back() == ' ') arg.pop_back();
  if (cmd == "/quit" || cmd == "/exit") return false;
  if (cmd == "/help") {
    std::fputs(k_help, stdout);
  } else if (cmd == "/reset") {
    s.fresh = true;
    say_line("(the conversation starts over with your next message)");
  } else if (cmd == "/tier") {
    if (arg.empty()) {
      say_line("tier: " + (s.tier.empty() ? std::string("auto (the router chooses)") : s.tier));
    } else if (arg == "auto") {
      s.tier.clear();
      say_line("tier: auto (the router chooses)");
    } else if (!s.rt.cfg().tiers.count(arg)) {
      std::string names;
      for (const auto& [name, t] : s.rt.cfg().tiers) names += (names.empty() ? "" : ", ") + name;
      say_line("no tier \"" + arg + "\" (the config has " + names + ", or auto)");
    } else {
      s.tier = arg;
      say_line("tier: " + arg);
    }
  } else if (cmd == "/budget") {
    auto sum = s.rt.governor().today();
    say_line(sum ? budget::format_text(*sum) : sum.message());
  } else if (cmd == "/dry-run") {
    if (arg.empty())
      say_line("usage: /dry-run TEXT");
    else
      turn(s, arg, true);
  } else {
    say_line("unknown command " + cmd + " (/help lists them)");
  }
  std::fflush(stdout);
  return true;
}

// libedit shows wide characters through the locale: make it a UTF-8 one.
void utf8_locale() {
  std::setlocale(LC_CTYPE, "");
  std::string cs = nl_langinfo(CODESET);
  if (cs != "UTF-8") std::setlocale(LC_CTYPE, "C.UTF-8");
}

int exec(const global_options& g, const options& o) {
  auto who = parse_identity_arg(o.as, "chat");
  if (!who) return complain(exit_usage, "chat: --as: " + who.message());
  agent::startup_error err;
  auto rt = agent::runtime::create(g.config_path, g.log_level, err);
  if (!rt) return complain(err.exit_code, err.message);
  if (status st = check_identity_arg(*who, rt->cfg()); !st)
    return complain(exit_usage, "chat: --as " + o.as + ": " + st.message());
  if (!o.tier.empty() && !rt->cfg().tiers.count(o.tier))
    return complain(exit_usage, "chat: --tier " + o.tier + ": no such tier in the config");
  session s{*rt, *who, o.tier, false, ::isatty(STDOUT_FILENO) != 0};
  const bool tty_in = ::isatty(STDIN_FILENO) != 0;
  std::unique_ptr<line_editor> editor;
  if (tty_in) {
    utf8_locale();
    auto opened = line_editor::open(rt->cfg().agent.state_dir + "/chat_history");
    if (opened)
      editor = std::move(opened.value());
    else  // chat still works, without cursor keys or history (install libedit2 for them)
      std::fprintf(stderr, "frugal: chat: %s; lines are read as typed\n", opened.message().c_str());
    std::printf("frugal chat — /help for commands, Ctrl-D to quit\n");
  }
  std::string line;
  while (true) {
    if (editor) {
      auto got = editor->read("> ", line);
      if (got != line_editor::outcome::line) {
        std::fputc('\n', stdout);  // the shell's prompt starts on a line of its own
        std::fflush(stdout);
        return exit_ok;
      }
    } else if (!std::getline(std::cin, line)) {
      break;
    }
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    if (line[0] == '/') {
      if (!local_command(s, line)) {
        if (editor) std::fflush(stdout);
        return exit_ok;
      }
      continue;
    }
    if (int signum = turn(s, line, false); signum == SIGTERM) return exit_code_for_signal(signum);
  }
  return exit_ok;
}

command_fn setup(arg_table& t, const global_options& g) {
  auto o = std::make_shared<options>();
  t.options = {
      {.name = "tier",
       .value_name = "NAME",
       .help = "use this tier for every turn instead of routing",
       .text = &o->tier},
      {.name = "as",
       .value_name = "ID",
       .help = "talk as another sender: irc.NAME:nick!user@host, irc.NAME:account:NAME or "
               "matrix.NAME:@user:server",
       .text = &o->as},
  };
  return [&g, o] { return exec(g, *o); };
}

}  // namespace

const command cmd_chat = {"chat", "talk on the terminal: line editing, history, /help", true,
                          setup};

}  // namespace frugal::cli
