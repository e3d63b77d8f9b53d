// The budget day: which calendar day ("YYYY-MM-DD") an instant falls on in the configured
// IANA time zone, and when that day ends. Zone rules come from the system's zoneinfo files
// (tzfile.h); the process's TZ is never changed. Time is injected as a clock so tests can
// move it; it does not sleep or schedule anything.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/time/tzfile.h"

namespace frugal::tz {

// Returns the current unix time in seconds. The default reads the system clock.
using clock_fn = std::function<int64_t()>;
int64_t system_now();

class zone {
 public:
  // Loads `name` ("Europe/Berlin", "UTC") from $TZDIR or /usr/share/zoneinfo. "UTC", "GMT"
  // and "Etc/UTC" work without the files. An unknown or malformed name is an error
  // naming budget.timezone (a configuration error: check it before the loop starts).
  static result<zone> load(std::string_view name);

  const std::string& name() const { return name_; }
  // Seconds east of UTC at `t`.
  int64_t utc_offset(int64_t t) const { return rules_.utc_offset(t); }
  // Days since 1970-01-01 of the local date at `t`.
  int64_t local_days(int64_t t) const;
  // "YYYY-MM-DD" of the local date at `t`.
  std::string day_key(int64_t t) const;
  // The first instant after `t` whose local date is later than t's: the next reset.
  int64_t next_reset(int64_t t) const;
  // "YYYY-MM-DDTHH:MM:SS+HH:MM" (ISO 8601 local time with its offset).
  std::string local_iso(int64_t t) const;
  // "HH:MM" local time.
  std::string local_hhmm(int64_t t) const;

 private:
  zone(std::string name, tz_rules rules) : name_(std::move(name)), rules_(std::move(rules)) {}
  std::string name_;
  tz_rules rules_;
};

// "YYYY-MM" of a day key.
std::string month_of(std::string_view day_key);
// A short duration: "3h12m", "12m", "40s" (rounded down; negative reads as 0).
std::string format_duration(int64_t seconds);

}  // namespace frugal::tz
