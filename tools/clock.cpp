// clock: the current time in UTC and, when asked, in one IANA time zone (rules read by
// core/time/day.h from the system's tzdata). It never changes TZ or any process state.
#include <cstdio>
#include <ctime>

#include "core/log.h"
#include "core/time/day.h"
#include "tools/all_tools.h"
#include "tools/tool_args.h"

namespace frugal::tools {
namespace {

// "2025-03-30T14:05:00+02:00 (Sunday)", or "...Z (Sunday)" for UTC.
std::string format(int64_t unix_s, int32_t offset_s) {
  time_t shifted = static_cast<time_t>(unix_s + offset_s);
  tm t{};
  gmtime_r(&shifted, &t);
  char stamp[32], day[16], off[16] = "Z";
  strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &t);
  strftime(day, sizeof day, "%A", &t);
  if (offset_s != 0) {
    int32_t a = offset_s < 0 ? -offset_s : offset_s;
    snprintf(off, sizeof off, "%c%02d:%02d", offset_s < 0 ? '-' : '+', a / 3600, (a / 60) % 60);
  }
  return log::cat(stamp, off, " (", day, ")");
}

// Names shaped like IANA zones only: letters, digits, '_', '+', '-', joined by '/'.
bool plausible_zone(const std::string& z) {
  if (z.empty() || z.size() > 64 || z[0] == '/' || z.find("..") != std::string::npos) return false;
  for (char c : z)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '+' || c == '-' || c == '/'))
      return false;
  return true;
}

void exec(const context&, std::string_view args_json, done_fn done) {
  auto args = tool_args::parse(args_json);
  if (!args) return done(tool_error(args.message()));
  std::string zone;
  if (auto s = args->get_string("zone", zone, false); !s) return done(tool_error(s.message()));
  const int64_t now = static_cast<int64_t>(time(nullptr));
  std::string text = "UTC: " + format(now, 0);
  if (!zone.empty() && zone != "UTC") {
    if (!plausible_zone(zone))
      return done(tool_error("clock: \"" + zone + "\" is not an IANA time zone name"));
    auto z = tz::zone::load(zone);
    if (!z) return done(tool_error("clock: unknown time zone \"" + zone + "\""));
    text += log::cat("\n", zone, ": ", format(now, static_cast<int32_t>(z->utc_offset(now))));
  }
  done(tool_ok(std::move(text)));
}

const descriptor k_clock{"clock",
                         "Current date and time in UTC, and optionally in one IANA time zone.",
                         R"({"type":"object","properties":{"zone":{"type":"string",)"
                         R"("description":"IANA time zone, e.g. Europe/Berlin"}}})",
                         realm_both,
                         false,
                         false,
                         exec};

}  // namespace

const descriptor& clock_tool() {
  return k_clock;
}

}  // namespace frugal::tools
