// runtime: everything one frugal process owns, built from the config in one place and
// torn down in reverse: the libuv loop, the HTTP client, the sqlite store, the session
// history, the spend governor, the providers, the sandbox probe and the rate limiter. It
// runs turns (agent/turn/turn.h) and keeps them alive until they finish. Transports and
// signal handling belong to the daemon (agent/daemon.h), not here.
#pragma once
#include <uv.h>

#include <list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/uv_handle.h"
#include "core/http/http_client.h"
#include "llm/provider.h"
#include "agent/session/history.h"
#include "core/store/database.h"
#include "agent/turn/model_health.h"
#include "agent/turn/turn_types.h"
#include "budget/governor.h"
#include "budget/prices.h"
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
  // `need_secrets` false (read-only commands like `budget`) lets *_env variables be unset.
  static std::unique_ptr<runtime> create(const std::string& config_path,
                                         const std::string& log_level, startup_error& err,
                                         bool need_secrets = true);
  ~runtime();
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  uv_loop_t* loop() { return &loop_; }
  const config::file& cfg() const { return cfg_; }
  http::client& http() { return *http_; }
  // Tools' own client: its connection cache never holds a provider's or a homeserver's
  // connection, so a tool request cannot ride one (each request is still checked, see
  // http::request::public_only).
  http::client& tools_http() { return *tools_http_; }
  store::database& db() { return *db_; }
  session::history& history() { return *history_; }
  budget::governor& governor() { return *governor_; }
  const tools::sandbox_caps& caps() const { return caps_; }
  policies::rate_limiter& rate() { return rate_; }
  model_health& health() { return health_; }

  // The provider serving `model_name` (a [models.NAME] key); never null for a loaded model.
  llm::provider& provider_for(const std::string& model_name);
  const budget::price& price_of(const std::string& model_name) const;

  // Runs one turn; `done` is called once from the loop. Never throws.
  void handle(turn_request req, turn_done done);
  size_t turns_in_flight() const;
  // Cancels every turn in flight (each settles or charges its reservation).
  void cancel_all();

  // Replaces prices, tiers, budget, providers and allowlists from a freshly loaded config
  // (SIGHUP). Turns in flight finish with the providers they started with.
  status reload(config::file next);

 private:
  runtime() = default;
  void sweep();  // destroys finished turns (never from inside their own callbacks)

  uv_loop_t loop_{};
  bool loop_ready_ = false;
  config::file cfg_;
  std::unique_ptr<http::client> http_;
  std::unique_ptr<http::client> tools_http_;
  std::unique_ptr<store::database> db_;
  std::unique_ptr<session::history> history_;
  std::unique_ptr<budget::governor> governor_;
  std::map<std::string, std::unique_ptr<llm::provider>> providers_;  // by provider name
  std::vector<std::unique_ptr<llm::provider>> retired_providers_;    // replaced by a reload
  std::map<std::string, budget::price> prices_;                      // by model name
  tools::sandbox_caps caps_;
  policies::rate_limiter rate_;
  model_health health_;
  std::list<std::unique_ptr<turn>> turns_;
  uv_owned<uv_idle_t> sweeper_;
};

}  // namespace frugal::agent
