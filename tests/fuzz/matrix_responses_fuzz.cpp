// Fuzzes the readers of the Matrix client-server API's small bodies
// (transports/matrix/responses.h): error bodies, /login, whoami / filter / send / join
// replies, .well-known, and the retry verdict over any status code. The first two bytes
// pick the HTTP status; the rest is the body. Checks what the header promises: a parsed
// login has a token and a user id, a .well-known URL is http(s) without a trailing slash,
// 2xx is ok whatever the body, 429 waits at least what the body or header said, and no
// error message echoes the body.
#include <cstdint>
#include <string>
#include <string_view>

#include "tests/fuzz/fuzz_support.h"
#include "transports/matrix/responses.h"

using namespace frugal;
using namespace frugal::matrix;

namespace {

bool is_http_url(std::string_view url) {
  auto lower_prefix = [&](std::string_view p) {
    if (url.size() < p.size()) return false;
    for (size_t i = 0; i < p.size(); ++i) {
      char c = url[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      if (c != p[i]) return false;
    }
    return true;
  };
  return lower_prefix("https://") || lower_prefix("http://");
}

// Error messages are fixed texts that name a key; the body must not be echoed into logs.
void check_message(std::string_view msg) { FUZZ_CHECK(!msg.empty() && msg.size() <= 80); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  long status = 100 + (data[0] | (data[1] << 8)) % 500;
  std::string_view body(reinterpret_cast<const char*>(data) + 2, size - 2);

  api_error e = parse_error(body);
  FUZZ_CHECK(e.retry_after_ms >= -1);

  for (const char* key : {"user_id", "filter_id", "event_id", "room_id"}) {
    auto s = parse_string_field(body, key);
    if (s.ok()) FUZZ_CHECK(!s->empty());
    else check_message(s.message());
  }

  auto login = parse_login(body);
  if (login.ok()) FUZZ_CHECK(!login->access_token.empty() && !login->user_id.empty());
  else check_message(login.message());

  auto base = parse_well_known(body);
  if (base.ok()) {
    FUZZ_CHECK(is_http_url(*base));
    FUZZ_CHECK(base->back() != '/');
  } else {
    check_message(base.message());
  }

  http::response r;
  r.status = status;
  r.body = std::string(body);
  r.retry_after_ms = (data[0] & 1) ? -1 : static_cast<int64_t>(data[1]) * 1000;
  outcome o = classify(r);
  if (status >= 200 && status < 300) {
    FUZZ_CHECK(o.kind == verdict::ok);
  } else {
    FUZZ_CHECK(o.kind != verdict::ok && o.kind != verdict::cancelled);
    FUZZ_CHECK(std::string_view(o.detail).starts_with("HTTP "));
    FUZZ_CHECK(o.errcode == e.errcode);
  }
  if (status == 429) {
    FUZZ_CHECK(o.kind == verdict::rate_limited);
    FUZZ_CHECK(o.wait_ms >= e.retry_after_ms && o.wait_ms >= r.retry_after_ms);
  }
  if (status == 401) FUZZ_CHECK(o.kind == verdict::unauthorized);

  r.fail = http::failure::timeout;
  r.error = "timeout: no first byte";
  FUZZ_CHECK(classify(r).kind == verdict::transient);
  return 0;
}
