// parse_retry_after: the Retry-After header (RFC 9110 §10.2.3), delta-seconds or an
// HTTP-date (IMF-fixdate, RFC 850 or asctime form, parsed by curl_getdate). A date in the
// past means "now" (0 ms). It does not clamp large values: the caller decides how long
// it is willing to wait.
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>

#include "core/http/http_client.h"

namespace frugal::http {
namespace {
constexpr int64_t max_seconds = 9'999'999'999;
}  // namespace

int64_t parse_retry_after(const std::string& value, int64_t now_unix_s) {
  size_t b = 0, e = value.size();
  while (b < e && std::isspace(static_cast<unsigned char>(value[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(value[e - 1]))) --e;
  if (b == e) return -1;
  std::string v = value.substr(b, e - b);

  bool digits = true;
  for (char c : v) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  if (digits) {
    // More than ~300 years of seconds is nonsense; saturate instead of overflowing.
    if (v.size() > 10) return max_seconds * 1000;
    return std::stoll(v) * 1000;
  }
  // An HTTP-date always names a weekday and a month, so it starts with a letter; this
  // keeps curl_getdate's leniency from turning "-5" or "1.5" into a date.
  if (!std::isalpha(static_cast<unsigned char>(v[0]))) return -1;
  time_t when = curl_getdate(v.c_str(), nullptr);
  if (when < 0) return -1;
  // curl_getdate reads years far in the future; saturate like delta-seconds.
  int64_t delta = std::min(static_cast<int64_t>(when) - now_unix_s, max_seconds);
  return delta > 0 ? delta * 1000 : 0;
}

}  // namespace frugal::http
