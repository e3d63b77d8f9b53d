// Fuzzes parse_retry_after (core/http/retry_after.cpp), which reads the Retry-After header
// of any model provider or homeserver: delta-seconds or an HTTP-date through curl_getdate.
// Checks: the result is -1 (unreadable) or a non-negative number of milliseconds, digits
// only give their value (saturated beyond ten digits), and surrounding spaces change
// nothing.
#include <cstdint>
#include <string>

#include "core/http/http_client.h"
#include "tests/fuzz/fuzz_support.h"

using frugal::http::parse_retry_after;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string value(reinterpret_cast<const char*>(data), size);
  constexpr int64_t now = 1'764'000'000;
  int64_t ms = parse_retry_after(value, now);
  FUZZ_CHECK(ms >= -1);
  FUZZ_CHECK(parse_retry_after("  " + value + " \t", now) == ms || value.empty());
  bool digits = !value.empty() && value.size() <= 10;
  for (char c : value) digits = digits && c >= '0' && c <= '9';
  if (digits) FUZZ_CHECK(ms == std::stoll(value) * 1000);
  return 0;
}
