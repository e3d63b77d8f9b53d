// Inputs found by tests/fuzz/retry_after_fuzz.cpp, kept so the fixes stay fixed.
#include <catch2/catch.hpp>

#include "core/http/http_client.h"

using frugal::http::parse_retry_after;

TEST_CASE("Retry-After: an HTTP-date in a far-future year saturates instead of overflowing") {
  // curl_getdate reads the year 999999908; (date - now) * 1000 overflowed int64.
  std::string value = "Sun, 06 Nov 999999908 08:49:37 GMT";
  int64_t ms = parse_retry_after(value, 1'764'000'000);
  CHECK((ms == -1 || ms == int64_t{9'999'999'999} * 1000));
  const char raw[] = "Sun= Nov \x7f\x7f\x7f\tv999999908:4;";
  int64_t fuzzed = parse_retry_after(std::string(raw, sizeof raw - 1), 1'764'000'000);
  CHECK(fuzzed >= -1);
  CHECK(fuzzed <= int64_t{9'999'999'999} * 1000);
  // Ordinary values are unchanged.
  CHECK(parse_retry_after("120", 0) == 120'000);
  CHECK(parse_retry_after("99999999999999", 0) == int64_t{9'999'999'999} * 1000);
}
