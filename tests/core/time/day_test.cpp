// Tests for core/time/day.cpp and core/time/tzfile.cpp: day keys and resets in several zones,
// DST change days, a half-hour zone, dates past the zone file's last transition (POSIX
// footer), and a cross-check against glibc's localtime_r in a child process.
#include "core/time/day.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>
#include <random>

using namespace frugal;
using namespace frugal::tz;

namespace {
zone must(std::string_view name) {
  auto z = zone::load(name);
  if (!z) FAIL(z.message());
  return std::move(z.value());
}
}  // namespace

TEST_CASE("UTC day keys and resets", "[day]") {
  zone utc = must("UTC");
  CHECK(utc.day_key(0) == "1970-01-01");
  CHECK(utc.day_key(1749988800) == "2025-06-15");
  CHECK(utc.next_reset(1749988800) == 1750032000);
  CHECK(utc.next_reset(1750031999) == 1750032000);
  CHECK(utc.next_reset(1750032000) == 1750032000 + 86400);
  CHECK(utc.day_key(-1) == "1969-12-31");
  CHECK(utc.local_iso(1749988800) == "2025-06-15T12:00:00+00:00");
}

TEST_CASE("Europe/Berlin including the spring-forward day", "[day]") {
  zone berlin = must("Europe/Berlin");
  // 2025-03-29 23:30 UTC is 00:30 CET on the 30th, the 23-hour day.
  CHECK(berlin.day_key(1743291000) == "2025-03-30");
  CHECK(berlin.next_reset(1743291000) == 1743372000);  // 2025-03-31 00:00 CEST = 22:00 UTC
  CHECK(berlin.local_iso(1743372000) == "2025-03-31T00:00:00+02:00");
  CHECK(berlin.day_key(1743372000 - 1) == "2025-03-30");
  CHECK(berlin.day_key(1743372000) == "2025-03-31");
  // Past the last transition in the file: the footer rule "CET-1CEST,M3.5.0,M10.5.0/3".
  CHECK(berlin.utc_offset(2374102799) == 3600);
  CHECK(berlin.utc_offset(2374102800) == 7200);
  CHECK(berlin.utc_offset(2382523200) == 7200);
  CHECK(berlin.utc_offset(2366884800) == 3600);
}

TEST_CASE("America/Los_Angeles DST change days", "[day]") {
  zone la = must("America/Los_Angeles");
  CHECK(la.day_key(1741507199) == "2025-03-08");
  CHECK(la.next_reset(1741507199) == 1741507200);  // 2025-03-09 00:00 PST
  CHECK(la.day_key(1741510800) == "2025-03-09");
  CHECK(la.next_reset(1741510800) == 1741590000);  // 23 hours later: 00:00 PDT
  // Fall back: 2025-11-02 lasts 25 hours, 07:00 UTC to 08:00 UTC the next day.
  CHECK(la.day_key(1762066800) == "2025-11-02");
  CHECK(la.next_reset(1762066800) == 1762156800);
  CHECK(la.next_reset(1762074000) == 1762156800);
  CHECK(la.local_iso(1762156800) == "2025-11-03T00:00:00-08:00");
  CHECK(la.utc_offset(2393485199) == -25200);
  CHECK(la.utc_offset(2393485200) == -28800);
}

TEST_CASE("Asia/Kolkata half-hour offset", "[day]") {
  zone kolkata = must("Asia/Kolkata");
  CHECK(kolkata.day_key(1750012199) == "2025-06-15");
  CHECK(kolkata.day_key(1750012200) == "2025-06-16");
  CHECK(kolkata.next_reset(1749988800) == 1750012200);
  CHECK(kolkata.local_hhmm(1750012200) == "00:00");
  CHECK(kolkata.local_iso(1749988800) == "2025-06-15T17:30:00+05:30");
}

TEST_CASE("unknown or malformed zones are configuration errors", "[day]") {
  auto z = zone::load("Mars/Olympus_Mons");
  REQUIRE_FALSE(z);
  CHECK(z.message().find("budget.timezone: unknown time zone \"Mars/Olympus_Mons\"") == 0);
  CHECK_FALSE(zone::load("../../etc/passwd"));
  CHECK_FALSE(zone::load("/etc/localtime"));
  CHECK_FALSE(zone::load(""));
  CHECK_FALSE(zone::load("Europe/Berlin; rm"));
}

TEST_CASE("corrupt zone files are errors, not crashes", "[day]") {
  CHECK_FALSE(tz_rules::parse(""));
  CHECK_FALSE(tz_rules::parse("TZif2"));
  std::string header = "TZif2" + std::string(15, '\0');
  header += std::string("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x05\0\0\0\x01\0\0\0\x04", 24);
  CHECK_FALSE(tz_rules::parse(header));  // claims 5 transitions, has none
}

TEST_CASE("POSIX TZ rules", "[day]") {
  auto ny = posix_tz::parse("EST5EDT,M3.2.0,M11.1.0");
  REQUIRE(ny);
  CHECK(ny->utc_offset(2382523200) == -4 * 3600);  // July 2045
  CHECK(ny->utc_offset(2366884800) == -5 * 3600);  // January 2045
  auto ist = posix_tz::parse("<+0530>-5:30");
  REQUIRE(ist);
  CHECK(ist->utc_offset(0) == 19800);
  auto syd = posix_tz::parse("AEST-10AEDT,M10.1.0,M4.1.0/3");  // southern hemisphere
  REQUIRE(syd);
  CHECK(syd->utc_offset(2367619200) == 39600);
  CHECK(syd->utc_offset(2383257600) == 36000);
  CHECK_FALSE(posix_tz::parse("X1"));
  CHECK_FALSE(posix_tz::parse("CET-1CEST,M13.5.0,M10.5.0"));
  CHECK_FALSE(posix_tz::parse("CET-1CEST,M3.5.0"));
}

// glibc's own reading of the same files, in a child so TZ changes stay there.
TEST_CASE("offsets agree with glibc localtime_r across 1970-2080", "[day]") {
  for (const char* name :
       {"Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata", "Australia/Sydney",
        "America/Sao_Paulo", "Pacific/Chatham", "America/Santiago", "Africa/Casablanca", "UTC"}) {
    INFO(name);
    zone z = must(name);
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      setenv("TZ", name, 1);
      tzset();
      std::mt19937_64 rng(42);
      std::uniform_int_distribution<int64_t> when(0, 3'471'292'800);  // to 2080
      int bad = 0;
      for (int i = 0; i < 20000; ++i) {
        time_t t = static_cast<time_t>(when(rng));
        struct tm tm {};
        localtime_r(&t, &tm);
        if (tm.tm_gmtoff != z.utc_offset(t)) ++bad;
        char key[16];
        std::strftime(key, sizeof key, "%Y-%m-%d", &tm);
        if (z.day_key(t) != key) ++bad;
        int64_t r = z.next_reset(t);
        if (!(r > t && z.local_days(r) > z.local_days(t) && z.local_days(r - 1) == z.local_days(t)))
          ++bad;
      }
      _exit(bad == 0 ? 0 : 1);
    }
    int st = 0;
    REQUIRE(waitpid(child, &st, 0) == child);
    CHECK(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == 0);
  }
}

TEST_CASE("durations and months", "[day]") {
  CHECK(format_duration(3 * 3600 + 12 * 60 + 59) == "3h12m");
  CHECK(format_duration(61) == "1m");
  CHECK(format_duration(5) == "5s");
  CHECK(format_duration(-5) == "0s");
  CHECK(month_of("2025-06-15") == "2025-06");
}
