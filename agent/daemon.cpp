// The daemon's wiring. A reader can follow one message here: transport callback →
// on_message → runtime::handle (the turn) → the reply → transport::send.
#include "agent/daemon.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <ctime>
#include <map>
#include <memory>
#include <vector>

#include "agent/control/server.h"
#include "agent/runtime.h"
#include "agent/upkeep.h"
#include "core/log.h"
#include "transports/irc/transport.h"
#include "transports/matrix/transport.h"

namespace frugal::agent {
namespace {

struct daemon {
  daemon_options opts;
  std::unique_ptr<runtime> rt;
  std::vector<std::unique_ptr<transports::transport>> transports;
  uv_owned<uv_signal_t> sigint, sigterm, sighup;
  uv_owned<uv_timer_t> drain_timer;
  // upkeep_timer: retention and compaction a minute after start, then every 24 h.
  // trim_timer: one shot, restarted by every reply and connect (trim_schedule: for at most
  // a minute), so memory is given back once a burst (or the start-up) is over and about
  // once a minute under steady traffic; it never fires while the daemon is idle.
  uv_owned<uv_timer_t> upkeep_timer, trim_timer;
  trim_schedule trim_plan;
  bool stopping = false;
  // `frugal say` / `frugal status` (agent/control): the socket and what status reports.
  std::unique_ptr<control::server> control_socket;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  struct link {
    bool connected = false;
    std::string last_error;
  };
  std::map<const transports::transport*, link> links;
  std::string turns_day;  // the budget day turns_today counts
  int64_t turns_today = 0;

  std::string budget_day() {
    return rt->governor().time_zone().day_key(static_cast<int64_t>(std::time(nullptr)));
  }

  void count_turn() {
    std::string day = budget_day();
    if (day != turns_day) turns_day = day, turns_today = 0;
    ++turns_today;
  }

  void on_state(const transports::transport* t, transports::state s, const std::string& detail) {
    link& l = links[t];
    l.connected = s == transports::state::connected;
    if (s == transports::state::disconnected && !detail.empty()) l.last_error = detail;
  }

  control::reply on_control(const control::request& r) {
    if (r.op == control::request::kind::say) return say(r);
    control::daemon_status st;
    st.version = FRUGAL_VERSION;
    st.pid = ::getpid();
    st.uptime_s =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
            .count();
    st.day = budget_day();
    st.turns_today = st.day == turns_day ? turns_today : 0;
    st.turns_in_flight = static_cast<int64_t>(rt->turns_in_flight());
    auto sum = rt->governor().today();
    if (!sum) return {false, 1, sum.message()};
    st.spent_micro = sum->spent;
    st.reserved_micro = sum->reserved;
    st.cap_micro = sum->cap;
    for (const auto& t : transports) {
      transports::presence p = t->where();
      const link& l = links[t.get()];
      st.transports.push_back({t->name(), l.connected, p.self, p.places, l.last_error});
    }
    switch (r.format) {
      case control::status_format::json:
        return {true, 0, control::format_json(st)};
      case control::status_format::prometheus:
        return {true, 0, control::format_prometheus(st)};
      default:
        return {true, 0, control::format_text(st)};
    }
  }

  // Posts through the transport as a reply would go: split, sanitised, flood-controlled,
  // queued (bounded) while the link is down.
  control::reply say(const control::request& r) {
    auto target = control::parse_say_target(r.target);
    if (!target) return {false, 2, target.message()};
    if (r.text.size() > control::k_max_say_bytes)
      return {false, 2,
              "the text is longer than " + std::to_string(control::k_max_say_bytes) + " bytes"};
    if (stopping) return {false, 1, "the daemon is stopping"};
    std::string names;
    for (const auto& t : transports) {
      if (t->name() == target->transport) {
        LOG_INFO("daemon", "say: ", r.text.size(), " bytes to ", r.target);
        t->send(target->to, r.text);
        return {true, 0, ""};
      }
      names += (names.empty() ? "" : ", ") + t->name();
    }
    return {false, 2,
            "no transport " + target->transport + " in the running daemon (it has " +
                (names.empty() ? "none" : names) + ")"};
  }

  void on_message(transports::transport* t, transports::inbound msg) {
    if (stopping) return;
    LOG_DEBUG("daemon", msg.transport, " ", msg.target, " <", msg.from.display, "> ",
              msg.text.size(), " bytes");
    transports::inbound to = msg;
    std::string id = msg.id;
    turn_request req;
    req.msg = std::move(msg);
    rt->handle(std::move(req), [this, t, to = std::move(to), id](turn_result r) {
      if (!r.detail.empty()) LOG_ERROR("daemon", r.detail);
      if (!r.text.empty()) t->reply(to, r.text, r.private_realm);
      if (!id.empty()) t->done(id);
      count_turn();
      trim_soon();
    });
  }

  // (Re)arms the one-shot trim: after the last reply of a burst, or a transport's connect.
  void trim_soon() {
    if (stopping || !trim_plan.postpone(uv_now(rt->loop()))) return;
    uv_timer_start(
        trim_timer.get(),
        [](uv_timer_t* h) {
          if (!h->data) return;
          auto* d = static_cast<daemon*>(h->data);
          d->trim_plan.fired();
          give_back_memory(*d->rt);
        },
        trim_schedule::k_quiet_ms, 0);
  }

  static constexpr uint64_t k_upkeep_first_ms = 60'000, k_upkeep_every_ms = 86'400'000;

  void upkeep() {
    auto r = daily_upkeep(*rt);
    if (!r) {
      LOG_ERROR("daemon", r.message());
    } else {
      LOG_INFO("daemon", "upkeep: pruned ", r->ledger_rows, " ledger and ", r->audit_rows,
               " audit row(s) past retention");
    }
    give_back_memory(*rt);
  }

  void reload() {
    LOG_INFO("daemon", "SIGHUP: reloading ", opts.config_path);
    auto next = config::load(opts.config_path);
    if (!next) {
      LOG_ERROR("daemon", "reload failed, keeping the running config: ", next.message());
      return;
    }
    if (auto s = rt->reload(std::move(next.value())); !s) {
      LOG_ERROR("daemon", "reload failed, keeping the running config: ", s.message());
      return;
    }
    LOG_INFO("daemon", "config reloaded (connection settings apply after a restart)");
  }

  void begin_stop(int signum) {
    if (stopping) {
      // Cuts the drain short: each cancelled turn charges its reservation in full, then
      // the stop goes on as after a normal drain (exit 0).
      if (rt->turns_in_flight() > 0)
        LOG_WARN("daemon", "signal ", signum, " again: cancelling ", rt->turns_in_flight(),
                 " turn(s) in flight");
      rt->cancel_all();
      return;
    }
    stopping = true;
    LOG_INFO("daemon", "signal ", signum, ": draining ", rt->turns_in_flight(), " turn(s)");
    uv_timer_start(
        drain_timer.get(),
        [](uv_timer_t* h) {
          if (h->data) static_cast<daemon*>(h->data)->check_drained();
        },
        100, 100);
    drain_started = uv_now(rt->loop());
  }

  uint64_t drain_started = 0;
  void check_drained() {
    bool overdue = uv_now(rt->loop()) - drain_started > static_cast<uint64_t>(opts.drain_ms);
    if (overdue) rt->cancel_all();
    if (rt->turns_in_flight() > 0) return;
    uv_timer_stop(drain_timer.get());
    control_socket.reset();  // no more say/status: the transports are saying goodbye
    for (auto& t : transports) t->stop();
    // Closing the signal handles would give SIGINT/SIGTERM back their default action, and
    // one more signal while the transports say goodbye would kill the process before the
    // ledger is closed. They stay installed, without keeping the loop alive.
    uv_unref(sigint.handle());
    uv_unref(sigterm.handle());
    sighup.close();
    drain_timer.close();
    upkeep_timer.close();
    trim_timer.close();
  }
};

template <class H>
bool init_handle(uv_owned<H>& h, int rc, void* data) {
  if (rc != 0) return false;
  h.mark_initialized();
  h->data = data;
  return true;
}

}  // namespace

int run_daemon(const daemon_options& opts) {
  limit_threads_and_arenas();
  daemon d;
  d.opts = opts;
  startup_error err;
  d.rt = runtime::create(opts.config_path, opts.log_level, err);
  if (!d.rt) {
    LOG_ERROR("daemon", err.message);
    return err.exit_code;
  }
  runtime& rt = *d.rt;
  const auto& cfg = rt.cfg();
  // The transports' migrations still run before the loop: they may wait for another
  // process's lock like the runtime's own did.
  rt.db().set_busy_timeout_ms(store::database::k_startup_busy_ms);
  for (const auto& net : cfg.irc) d.transports.push_back(irc::make_transport(rt.loop(), net));
  for (const auto& acct : cfg.matrix) {
    auto t = matrix::make_transport(rt.loop(), rt.http(), rt.db(), acct);
    if (t) d.transports.push_back(std::move(t));
  }
  rt.db().set_busy_timeout_ms(store::database::k_loop_busy_ms);
  if (d.transports.empty()) {
    LOG_ERROR("daemon", cfg.path,
              ": nothing to run: configure [transports.irc.NAME] or [transports.matrix.NAME] "
              "(or use `frugal ask` / `frugal chat`)");
    return 2;
  }
  uv_loop_t* loop = rt.loop();
  init_handle(d.sigint, uv_signal_init(loop, d.sigint.get()), &d);
  init_handle(d.sigterm, uv_signal_init(loop, d.sigterm.get()), &d);
  init_handle(d.sighup, uv_signal_init(loop, d.sighup.get()), &d);
  init_handle(d.drain_timer, uv_timer_init(loop, d.drain_timer.get()), &d);
  init_handle(d.upkeep_timer, uv_timer_init(loop, d.upkeep_timer.get()), &d);
  init_handle(d.trim_timer, uv_timer_init(loop, d.trim_timer.get()), &d);
  uv_timer_start(
      d.upkeep_timer.get(),
      [](uv_timer_t* h) {
        if (h->data) static_cast<daemon*>(h->data)->upkeep();
      },
      daemon::k_upkeep_first_ms, daemon::k_upkeep_every_ms);
  auto on_stop = [](uv_signal_t* h, int signum) {
    if (h->data) static_cast<daemon*>(h->data)->begin_stop(signum);
  };
  uv_signal_start(d.sigint.get(), on_stop, SIGINT);
  uv_signal_start(d.sigterm.get(), on_stop, SIGTERM);
  uv_signal_start(
      d.sighup.get(),
      [](uv_signal_t* h, int) {
        if (h->data) static_cast<daemon*>(h->data)->reload();
      },
      SIGHUP);

  for (auto& t : d.transports) {
    transports::transport* tp = t.get();
    tp->start([&d, tp](transports::inbound m) { d.on_message(tp, std::move(m)); },
              [&d, tp](transports::state s, const std::string& detail) {
                d.on_state(tp, s, detail);
                static const char* names[] = {"connecting", "connected", "disconnected", "stopped"};
                LOG_INFO("daemon", tp->name(), " ", names[static_cast<int>(s)],
                         detail.empty() ? "" : ": ", detail);
                if (s == transports::state::connected) d.trim_soon();  // start-up is over
              });
  }
  auto sock =
      control::server::listen(loop, cfg.agent.state_dir + "/" + std::string(control::k_socket_name),
                              [&d](const control::request& r) { return d.on_control(r); });
  if (sock)
    d.control_socket = std::move(sock.value());
  else
    LOG_ERROR("daemon", sock.message(), "; `frugal say` and `frugal status` will not reach it");
  LOG_INFO("daemon", "running with ", d.transports.size(), " transport(s); budget $",
           cfg.budget.daily_usd, "/day");
  uv_run(loop, UV_RUN_DEFAULT);
  d.control_socket.reset();
  d.transports.clear();
  // From here to exit further signals are ignored (blocked while libuv's handlers are
  // removed, so none falls through to the default action in between).
  sigset_t stop_signals, old;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, &old);
  d.sigint.close();
  d.sigterm.close();
  std::signal(SIGINT, SIG_IGN);
  std::signal(SIGTERM, SIG_IGN);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  d.rt.reset();  // closes remaining handles, settles deferred ledger writes, the database
  LOG_INFO("daemon", "stopped");
  return 0;
}

}  // namespace frugal::agent
