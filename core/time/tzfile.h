// Time zone rules read from the system's compiled IANA database (TZif files, RFC 8536),
// including the POSIX TZ footer that gives the rule after the last listed transition.
// It answers one question, the UTC offset at an instant, without touching the process's
// TZ or tzset(), so other threads and libraries never see a changed environment.
// Leap-second records ("right/" zones) are ignored.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace frugal::tz {

// A POSIX TZ rule such as "CET-1CEST,M3.5.0,M10.5.0/3" or "<+0530>-5:30".
struct posix_tz {
  int64_t std_offset = 0;  // seconds east of UTC
  int64_t dst_offset = 0;
  bool has_dst = false;
  struct rule {
    char kind = 'M';  // 'J' (1..365, no Feb 29), 'D' (0..365), 'M' (month.week.day)
    int month = 0, week = 0, day = 0;
    int64_t time = 7200;  // seconds after local midnight, may be negative or > 24h
  } start, end;

  // Parses the rule; nullopt when it is malformed.
  static std::optional<posix_tz> parse(std::string_view text);
  int64_t utc_offset(int64_t unix_time) const;
};

// The transitions of one TZif file.
class tz_rules {
 public:
  // Parses a whole TZif file (version 1, 2, 3 or 4). Errors name what is wrong.
  static result<tz_rules> parse(std::string_view bytes);
  // A zone with a fixed offset (UTC when 0).
  static tz_rules fixed(int64_t offset);
  int64_t utc_offset(int64_t unix_time) const;

 private:
  std::vector<int64_t> times_;      // transition instants, ascending
  std::vector<uint8_t> type_of_;    // type index per transition
  std::vector<int64_t> offsets_;    // UTC offset per type
  std::optional<posix_tz> footer_;  // rule after the last transition
};

// Days since 1970-01-01 for a proleptic Gregorian date, and back (H. Hinnant's algorithms).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t days, int64_t& y, unsigned& m, unsigned& d);

}  // namespace frugal::tz
