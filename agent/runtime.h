// runtime: everything one frugal process owns, built from the config in one place and
// torn down in reverse: the libuv loop, the HTTP client, the sqlite store, the session
// history, the spend governor, the current snapshot (config, prices, providers, tools,
// sandbox probe; agent/turn/snapshot.h) and the rate limiter. It runs turns
// (agent/turn/turn.h), each on the snapshot current when it starts, and keeps them alive
// until they finish. Transports and signal handling belong to the daemon (agent/daemon.h).
#pragma once
#include <uv.h>

#include <list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/session/history.h"
#include "agent/turn/model_health.h"
#include "agent/turn/snapshot.h"
#include "agent/turn/turn_env.h"
#include "agent/turn/turn_types.h"
#include "budget/governor.h"
#include "core/config/config.h"
#include "core/http/http_client.h"
#include "core/store/database.h"
#include "core/uv_handle.h"
#include "policies/rate_limit.h"
#include "tools/sandbox.h"

namespace frugal::agent {

class turn;

struct startup_error {
  int exit_code = 1;  // 2 for configuration errors
  std::string message;
};

class runtime {
 public:
  // Loads and validates the config, creates the state folder (0700) and the realm
  // workspaces, opens the database, settles reservations orphaned by dead processes and
  // builds the providers. On failure returns nullptr and fills `err`.
  static std::unique_ptr<runtime> create(const std::string& config_path,
                                         const std::string& log_level, startup_error& err);
  ~runtime();
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  uv_loop_t* loop() { return &loop_; }
  // The current snapshot's config; a reload replaces it (do not keep the reference
  // across a return to the loop).
  const config::file& cfg() const { return snap_->cfg; }
  // The snapshot turns started now run on.
  snapshot_ptr current() const { return snap_; }
  http::client& http() { return *http_; }
  // Tools' own client: its connection cache never holds a provider's or a homeserver's
  // connection, so a tool request cannot ride one (each request is still checked, see
  // http::request::public_only). Made by the first turn: a daemon that has run none holds
  // no second curl multi handle (~30 KiB of socket hash).
  http::client& tools_http();
  store::database& db() { return *db_; }
  session::history& history() { return *history_; }
  budget::governor& governor() { return *governor_; }
  const tools::sandbox_caps& caps() const { return snap_->caps; }
  policies::rate_limiter& rate() { return rate_; }
  model_health& health() { return health_; }

  // Runs one turn; `done` is called once from the loop. Never throws.
  void handle(turn_request req, turn_done done);
  size_t turns_in_flight() const;
  // Cancels every turn in flight (each settles or charges its reservation).
  void cancel_all();
  // Retries the governor's deferred closes (busy ledger) from a 20 ms timer until none is
  // left; the loop never waits on another process's lock. At teardown they are retried
  // once more with the start-up busy timeout.
  void flush_ledger_later();

  // Builds a new snapshot (prices, tiers, providers, allowlists) from a freshly loaded
  // config and swaps it in for later turns; reconfigures the governor's budget (SIGHUP).
  // Turns in flight keep the snapshot they started with, providers included.
  status reload(config::file next);

 private:
  runtime() = default;
  // Destroys finished turns (never from inside their own callbacks). Runs from a prepare
  // handle, active while any turn is kept: once per loop iteration, just before the loop
  // waits for I/O. Not an idle handle: an active idle handle makes the loop poll with a zero
  // timeout, so it spun at 100 % CPU for as long as a turn waited for its model.
  void sweep();
  provider_factory provider_maker();  // real providers on http_

  uv_loop_t loop_{};
  bool loop_ready_ = false;
  std::unique_ptr<http::client> http_;
  std::unique_ptr<http::client> tools_http_;
  std::unique_ptr<store::database> db_;
  std::unique_ptr<session::history> history_;
  std::unique_ptr<budget::governor> governor_;
  snapshot_ptr snap_;
  policies::rate_limiter rate_;
  model_health health_;
  std::list<std::unique_ptr<turn>> turns_;
  uv_owned<uv_prepare_t> sweeper_;
  uv_owned<uv_timer_t> ledger_retry_;
};

}  // namespace frugal::agent
