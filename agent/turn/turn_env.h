// turn_env: the long-lived collaborators a turn borrows, each reached through its own
// narrow interface — the spend governor, the session history, the model cool-downs, the
// per-sender rate limiter, and what a tool call may touch (the audit/memory database and
// the HTTP client). The runtime owns them all and outlives every turn. Configuration is
// not here: it comes with the turn's snapshot (agent/turn/snapshot.h).
#pragma once
#include <uv.h>

#include <functional>

namespace frugal::budget {
class governor;
}
namespace frugal::session {
class history;
}
namespace frugal::policies {
class rate_limiter;
}
namespace frugal::store {
class database;
}
namespace frugal::http {
class client;
}

namespace frugal::agent {

class model_health;

struct turn_env {
  uv_loop_t* loop = nullptr;
  budget::governor* governor = nullptr;
  session::history* history = nullptr;
  model_health* health = nullptr;
  policies::rate_limiter* rate = nullptr;
  store::database* tool_db = nullptr;  // tools::context::db: the audit log, memory
  http::client* tool_http = nullptr;   // tools::context::http: http_get, a client of its own
                                       // (never a provider's pooled connection); may be null
  // Called when the governor kept a settle the locked ledger refused: retries
  // governor::flush_pending from a timer (runtime::flush_ledger_later). May be empty.
  std::function<void()> flush_ledger_later;
};

}  // namespace frugal::agent
