// Day keys and reset instants. The reset is found from the zone's own offsets rather than
// by assuming 24-hour days, so DST change days (23 or 25 hours) and half-hour zones work.
#include "core/time/day.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

namespace frugal::tz {
namespace {

int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

bool valid_zone_name(std::string_view n) {
  if (n.empty() || n.size() > 128 || n.front() == '/' || n.find("..") != std::string_view::npos)
    return false;
  for (char c : n) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '_' || c == '-' || c == '+';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

int64_t system_now() {
  return static_cast<int64_t>(std::time(nullptr));
}

result<zone> zone::load(std::string_view name) {
  const std::string shown(name);
  if (!valid_zone_name(name))
    return fail("budget.timezone: \"", shown, "\" is not an IANA time zone name");
  const char* dir = std::getenv("TZDIR");
  std::string path = std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + shown;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (name == "UTC" || name == "GMT" || name == "Etc/UTC") return zone(shown, tz_rules::fixed(0));
    return fail("budget.timezone: unknown time zone \"", shown, "\" (no ", path, ")");
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  auto rules = tz_rules::parse(bytes.str());
  if (!rules) return fail("budget.timezone: ", path, ": ", rules.message());
  return zone(shown, std::move(rules.value()));
}

int64_t zone::local_days(int64_t t) const {
  return floor_div(t + utc_offset(t), 86400);
}

std::string zone::day_key(int64_t t) const {
  int64_t y;
  unsigned m, d;
  civil_from_days(local_days(t), y, m, d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

int64_t zone::next_reset(int64_t t) const {
  const int64_t today = local_days(t);
  const int64_t midnight = (today + 1) * 86400;  // next local midnight, in local seconds
  auto later = [&](int64_t u) { return local_days(u) > today; };
  // Usually local midnight minus the offset in force then; try the two likely offsets.
  for (int64_t off : {utc_offset(t), utc_offset(midnight - utc_offset(t))}) {
    int64_t u = midnight - off;
    if (u > t && later(u) && !later(u - 1)) return u;
  }
  // A zone whose clocks jump across midnight: search for the first later instant.
  int64_t lo = t, hi = t + 3 * 86400;
  if (!later(hi)) return hi;
  while (hi - lo > 1) {
    int64_t mid = lo + (hi - lo) / 2;
    (later(mid) ? hi : lo) = mid;
  }
  return hi;
}

std::string zone::local_iso(int64_t t) const {
  const int64_t off = utc_offset(t), local = t + off;
  int64_t y;
  unsigned m, d;
  civil_from_days(floor_div(local, 86400), y, m, d);
  const int64_t sec = local - floor_div(local, 86400) * 86400;
  const int64_t aoff = off < 0 ? -off : off;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld%c%02lld:%02lld",
                static_cast<long long>(y), m, d, static_cast<long long>(sec / 3600),
                static_cast<long long>(sec / 60 % 60), static_cast<long long>(sec % 60),
                off < 0 ? '-' : '+', static_cast<long long>(aoff / 3600),
                static_cast<long long>(aoff / 60 % 60));
  return buf;
}

std::string zone::local_hhmm(int64_t t) const {
  return local_iso(t).substr(11, 5);
}

std::string month_of(std::string_view day_key) {
  return std::string(day_key.substr(0, 7));
}

std::string format_duration(int64_t s) {
  if (s < 0) s = 0;
  char buf[48];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60));
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%lldm", static_cast<long long>(s / 60));
  else
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  return buf;
}

}  // namespace frugal::tz
