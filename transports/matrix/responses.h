// responses: parsers for the small JSON bodies of the Matrix client-server API (errors,
// login, whoami, filter, send, join, .well-known) and the verdict on an HTTP response that
// drives retries. Bodies are untrusted; nothing here throws, logs or retries by itself.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/http/http_client.h"
#include "core/result.h"

namespace frugal::matrix {

// A standard error body: {"errcode":"M_LIMIT_EXCEEDED","error":"Too many requests",
// "retry_after_ms":2000}. Garbage yields empty fields and retry_after_ms = -1.
struct api_error {
  std::string errcode;
  std::string error;
  int64_t retry_after_ms = -1;
};
api_error parse_error(std::string_view body);

// Reads one top-level string member: "user_id" (whoami), "filter_id" (filter), "event_id"
// (send), "room_id" (join). Errors name the key and never echo the body.
result<std::string> parse_string_field(std::string_view body, const char* key);

// POST /login reply: {"access_token":"...","user_id":"@bot:hs","device_id":"FRUGAL"}.
struct login_reply {
  std::string access_token;
  std::string user_id;
  std::string device_id;
};
result<login_reply> parse_login(std::string_view body);

// GET /.well-known/matrix/client: {"m.homeserver":{"base_url":"https://matrix.example.org"}}.
// Returns the base URL without a trailing slash; only http(s) URLs are accepted.
result<std::string> parse_well_known(std::string_view body);

// What to do after a request.
enum class verdict {
  ok,            // 2xx
  rate_limited,  // 429: wait wait_ms (or back off when the server gave no time)
  unauthorized,  // 401 (M_UNKNOWN_TOKEN, M_MISSING_TOKEN): re-login or stop
  transient,     // network failure, timeout, 5xx, 408, truncated/unparseable 2xx: back off
  permanent,     // any other 4xx: retrying the same request will not help
  cancelled,     // the transfer was cancelled (stop or shutdown)
};
struct outcome {
  verdict kind = verdict::ok;
  int64_t wait_ms = -1;  // rate_limited: max(retry_after_ms, Retry-After); -1 if neither
  std::string errcode;
  std::string detail;  // "HTTP 502", "timeout: ...", "M_FORBIDDEN: You are not invited"
};
outcome classify(const http::response& r);

}  // namespace frugal::matrix
