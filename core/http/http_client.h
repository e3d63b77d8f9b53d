// http_client: asynchronous HTTP over libcurl's multi interface, driven by uv_poll and
// uv_timer on the program's one libuv loop (the pattern of curl's docs/examples/multi-uv.c).
// Every transfer has a connect timeout, a silence timeout (no byte received for too
// long), a total timeout and a cap on the response size; TLS verification is always on.
// It does not retry, follow redirects (unless asked) or parse bodies: callers do.
#pragma once
#include <sys/socket.h>
#include <uv.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace frugal::http {

struct request {
  std::string method = "POST";  // GET, HEAD, POST, PUT, ...: upper-case letters only
  std::string url;
  std::vector<std::string> headers;  // "Name: value"; may carry secrets, never logged
  std::string body;
  long connect_timeout_ms = 10'000;
  // No byte received (header or body) for this long, before the first one or between two
  // → timeout (a stall timer; 0 turns it off).
  long first_byte_timeout_ms = 60'000;
  long total_timeout_ms = 300'000;
  size_t max_response_bytes = 8 << 20;
  bool follow_redirects = false;  // at most 5 hops
  // (`headers` go to every hop, other hosts included: don't combine secrets with redirects.)
  // Refuse to talk to loopback, private, link-local, CGNAT, multicast or unspecified
  // addresses (IPv4 and IPv6, IPv4-mapped included). Checked twice: on the resolved address
  // before a socket opens (CURLOPT_OPENSOCKETFUNCTION) and on the connected peer address
  // right before every request is sent, on a new or a reused connection and on every
  // redirect hop (CURLOPT_PREREQFUNCTION). A reused connection to a refused address would
  // otherwise skip the first check: curl pools connections by host:port.
  bool public_only = false;
  // The predicate public_only applies; empty means is_public_address (address_policy.h).
  // Tests set it to treat one loopback address as "public"; nothing else should.
  std::function<bool(const sockaddr*)> address_allowed;
  // Only these URL schemes (also for redirects).
  bool http_only = true;
  // Optional: called with each chunk of the body as it arrives (SSE streaming). The body
  // is still accumulated in response::body unless `keep_body` is false.
  // It runs inside curl: it may call start() or cancel() (the transfer then ends right
  // after the callback returns) but must not destroy the client. If it throws, the
  // transfer fails with failure::other.
  std::function<void(std::string_view chunk)> on_data;
  bool keep_body = true;
};

enum class failure {
  none,       // a response arrived (any status)
  connect,    // DNS or TCP/TLS connect failed: nothing was sent, nothing charged
  timeout,    // a timeout fired; the request may have been processed
  too_large,  // the response passed max_response_bytes
  dropped,    // connection closed mid-response
  cancelled,  // cancel() or shutdown
  other,
};

struct response {
  failure fail = failure::none;
  std::string error;  // curl's message with context, no secrets
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-cased names; last value wins
  bool request_sent = false;     // true once the request was fully written to the socket
  bool address_refused = false;  // public_only refused the address (then fail is connect)
  // Retry-After in milliseconds (seconds or HTTP-date form), -1 when absent.
  int64_t retry_after_ms = -1;
};

using request_id = uint64_t;

class client {
 public:
  explicit client(uv_loop_t* loop);
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // Starts a transfer. `done` is called exactly once, from the loop, unless the client is
  // destroyed first (then it is called with failure::cancelled from the destructor).
  // `done` may start or cancel transfers and may destroy the client. A request that
  // cannot be set up (bad method) fails with failure::other, also from the loop.
  // public_only refusals are failure::connect with "address not allowed: <ip>" in error.
  request_id start(request req, std::function<void(response)> done);
  // Cancels a transfer; `done` runs with failure::cancelled before cancel() returns
  // (from inside on_data: right after the callback). Unknown ids are ignored.
  void cancel(request_id id);
  // Number of transfers in flight.
  size_t active() const;

  struct impl;  // defined in http_client.cpp

 private:
  std::unique_ptr<impl> impl_;
};

// Parses a Retry-After value (delta-seconds or HTTP-date) into milliseconds; -1 if bad.
int64_t parse_retry_after(const std::string& value, int64_t now_unix_s);

}  // namespace frugal::http
