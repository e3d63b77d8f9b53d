// Fuzzes the time zone reader the budget uses for the day boundary (core/time/tzfile.h): a
// whole TZif file (RFC 8536) when the first byte is even, a POSIX TZ rule such as
// "CET-1CEST,M3.5.0,M10.5.0/3" when it is odd. Every zone parsed is then asked for its UTC
// offset at instants across four centuries and at the ends of int32 time. A corrupt zone
// file must give an error, never a crash or undefined behaviour; a parsed POSIX rule's
// offsets stay within the ±25 hours POSIX allows (plus the DST shift).
#include <cstdint>
#include <string_view>

#include "core/time/tzfile.h"
#include "tests/fuzz/fuzz_support.h"

using namespace frugal::tz;

namespace {
constexpr int64_t instants[] = {
    0,           1'764'000'000, -2'147'483'648, 2'147'483'647, -5'000'000'000,
    5'000'000'000, 1'711'846'800, 1'729'990'800, 951'782'400, 4'107'542'400};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    auto rules = tz_rules::parse(in);
    if (!rules.ok()) {
      FUZZ_CHECK(!rules.message().empty());
      return 0;
    }
    for (int64_t t : instants) (void)rules->utc_offset(t);
    return 0;
  }
  auto tz = posix_tz::parse(in);
  if (!tz) return 0;
  constexpr int64_t limit = 26 * 3600;
  FUZZ_CHECK(tz->std_offset >= -limit && tz->std_offset <= limit);
  for (int64_t t : instants) {
    int64_t off = tz->utc_offset(t);
    FUZZ_CHECK(off >= -2 * limit && off <= 2 * limit);
  }
  return 0;
}
