// The Matrix transport: one configured account ([transports.matrix.NAME]) as a
// transports::transport. It logs in or uses an access token, long-polls /sync on the shared
// curl-multi loop, delivers messages addressed to the bot and sends replies with persisted
// transaction ids. It has no end-to-end encryption: encrypted rooms get one notice and are
// ignored from then on.
#pragma once
#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>

#include "core/config/config.h"
#include "core/http/http_client.h"
#include "core/store/database.h"
#include "transports/transport.h"

namespace frugal::matrix {

// Timings and limits; the defaults are what the daemon uses, tests shorten them.
struct tuning {
  int64_t sync_timeout_ms = 30'000;        // the server holds /sync open this long
  long sync_http_timeout_ms = 45'000;      // our HTTP timeout for /sync, above the one above
  long request_timeout_ms = 30'000;        // login, whoami, filter, join, leave, discovery
  long send_timeout_ms = 30'000;           // one PUT /send attempt
  int64_t backoff_min_ms = 1'000;          // first retry delay after an error
  int64_t backoff_max_ms = 60'000;         // retry delay cap
  size_t max_event_bytes = 60'000;         // content budget per event (the PDU cap is 64 KiB)
  int64_t timeline_limit = 20;             // events per room per sync (filter)
  int64_t max_event_age_ms = 15 * 60'000;  // older messages (after a gap) are not answered
  size_t max_queued_sends = 256;           // outbox bound while the homeserver is unreachable
  std::string discovery_scheme = "https";  // for .well-known; tests use "http"
  // A sync token that moved without delivering anything (an idle long-poll on homeservers
  // whose token also counts presence or typing) is saved at most this often, and at stop.
  int64_t token_save_every_ms = 300'000;
};

// Builds the transport for `cfg`. `loop`, `http` and `db` must outlive it. Nothing happens
// on the network until start(). The access token and password are registered with
// log::add_secret here. Returns nullptr (after a LOG_ERROR) only when the account's sqlite
// tables cannot be created.
std::unique_ptr<transports::transport> make_transport(uv_loop_t* loop, http::client& http,
                                                      store::database& db,
                                                      const config::matrix_account& cfg);
std::unique_ptr<transports::transport> make_transport(uv_loop_t* loop, http::client& http,
                                                      store::database& db,
                                                      const config::matrix_account& cfg,
                                                      const tuning& tune);

}  // namespace frugal::matrix
