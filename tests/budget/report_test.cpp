// Tests for budget/report.cpp: the `frugal budget` text and JSON, money printed exactly
// from micro-dollars, and the history table. The JSON is parsed back with simdjson.
#include "budget/report.h"

#include <simdjson.h>

#include <catch2/catch.hpp>

using namespace frugal;
using namespace frugal::budget;

namespace {
summary sample() {
  summary s;
  s.day = "2025-06-15";
  s.timezone = "Europe/Berlin";
  s.now = 1750013280;
  s.resets_at = s.now + 3 * 3600 + 12 * 60;
  s.resets_at_local = "2025-06-16T00:00:00+02:00";
  s.cap = 2'000'000;
  s.spent = 412'345;
  s.reserved = 15'000;
  s.remaining = 2'000'000 - 427'345;
  s.public_cap = 1'000'000;
  s.per_sender_cap = 250'000;
  s.by_tier = {{"chat", 400'000, 15'000, 12}, {"tools", 12'345, 0, 1}};
  s.by_model = {{"haiku", 412'345, 15'000, 13}};
  s.by_realm = {{"private", 412'345, 15'000, 13}};
  return s;
}
}  // namespace

TEST_CASE("money is printed exactly", "[report]") {
  CHECK(format_usd(2'000'000) == "$2.00");
  CHECK(format_usd(1'200) == "$0.0012");
  CHECK(format_usd(1'234'567) == "$1.234567");
  CHECK(format_usd(0) == "$0.00");
  CHECK(format_usd(-500'000) == "-$0.50");
  CHECK(format_usd(INT64_MIN) == "-$9223372036854.775808");
  CHECK(usd_decimal(10) == "0.00001");
}

TEST_CASE("text summary shows cap, spent, reserved, remaining, reset and breakdowns", "[report]") {
  summary s = sample();
  std::string t = format_text(s);
  CHECK(t.find("budget for 2025-06-15 (Europe/Berlin)\n") == 0);
  CHECK(t.find("  cap        $2.00\n") != std::string::npos);
  CHECK(t.find("  spent      $0.412345\n") != std::string::npos);
  CHECK(t.find("  reserved   $0.015\n") != std::string::npos);
  CHECK(t.find("  remaining  $1.572655\n") != std::string::npos);
  CHECK(t.find("  resets at  2025-06-16T00:00:00+02:00 (in 3h12m)\n") != std::string::npos);
  CHECK(t.find("per public sender $0.25") != std::string::npos);
  CHECK(t.find("by tier:\n  chat") != std::string::npos);
  CHECK(t.find("12 calls") != std::string::npos);
  CHECK(t.find("by model:\n  haiku") != std::string::npos);
  CHECK(t.find("by realm:\n  private") != std::string::npos);
  CHECK(t.find("STOPPED") == std::string::npos);
  s.stopped = true;
  s.stop_reason = "model x charged $1.00, above its reservation of $0.10";
  CHECK(format_text(s).find("STOPPED: paid calls are off until the reset: model x") !=
        std::string::npos);
}

TEST_CASE("JSON summary has the documented keys with exact values", "[report]") {
  summary s = sample();
  std::string j = format_json(s);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(j).get(doc) == simdjson::SUCCESS);
  std::string_view day, tz, resets;
  REQUIRE(doc["day"].get(day) == simdjson::SUCCESS);
  REQUIRE(doc["timezone"].get(tz) == simdjson::SUCCESS);
  REQUIRE(doc["resets_at"].get(resets) == simdjson::SUCCESS);
  CHECK(day == "2025-06-15");
  CHECK(tz == "Europe/Berlin");
  CHECK(resets == "2025-06-16T00:00:00+02:00");
  double cap = 0, spent = 0, reserved = 0, remaining = 0;
  REQUIRE(doc["cap_usd"].get(cap) == simdjson::SUCCESS);
  REQUIRE(doc["spent_usd"].get(spent) == simdjson::SUCCESS);
  REQUIRE(doc["reserved_usd"].get(reserved) == simdjson::SUCCESS);
  REQUIRE(doc["remaining_usd"].get(remaining) == simdjson::SUCCESS);
  CHECK(cap == 2.0);
  CHECK(spent == 0.412345);
  CHECK(reserved == 0.015);
  CHECK(remaining == 1.572655);
  int64_t spent_micro = 0;
  REQUIRE(doc["spent_micro"].get(spent_micro) == simdjson::SUCCESS);
  CHECK(spent_micro == 412'345);
  bool stopped = true;
  REQUIRE(doc["stopped"].get(stopped) == simdjson::SUCCESS);
  CHECK_FALSE(stopped);
  simdjson::dom::array tiers;
  REQUIRE(doc["by_tier"].get(tiers) == simdjson::SUCCESS);
  REQUIRE(tiers.size() == 2);
  std::string_view name;
  REQUIRE(tiers.at(0)["name"].get(name) == simdjson::SUCCESS);
  CHECK(name == "chat");
  int64_t calls = 0;
  REQUIRE(tiers.at(0)["calls"].get(calls) == simdjson::SUCCESS);
  CHECK(calls == 12);
  for (const char* k : {"by_model", "by_realm", "public_cap_usd", "monthly_cap_usd", "month_usd"})
    CHECK(doc[k].error() == simdjson::SUCCESS);
}

TEST_CASE("history as text and JSON", "[report]") {
  std::vector<day_row> days = {{"2025-06-15", 1'500'000, 20'000, 40, true},
                               {"2025-06-14", 300'000, 0, 9, false}};
  std::string t = format_history_text(days, 2'000'000, "UTC");
  CHECK(t.find("daily spend (UTC), cap $2.00\n") == 0);
  CHECK(t.find("2025-06-15  $1.50") != std::string::npos);
  CHECK(t.find("stopped") != std::string::npos);
  CHECK(format_history_text({}, 1, "UTC").find("(no calls yet)") != std::string::npos);

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(format_history_json(days, 2'000'000, "UTC")).get(doc) == simdjson::SUCCESS);
  simdjson::dom::array arr;
  REQUIRE(doc["days"].get(arr) == simdjson::SUCCESS);
  REQUIRE(arr.size() == 2);
  double spent = 0;
  REQUIRE(arr.at(1)["spent_usd"].get(spent) == simdjson::SUCCESS);
  CHECK(spent == 0.3);
  bool stopped = false;
  REQUIRE(arr.at(0)["stopped"].get(stopped) == simdjson::SUCCESS);
  CHECK(stopped);
}
