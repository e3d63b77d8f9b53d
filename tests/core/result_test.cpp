// Tests core/result's message building: fail(), refuse() and log::cat() write each piece
// (strings, characters, numbers) as the per-call-site templates did before they shared
// join_text(): numbers exactly as std::to_string writes them.
#include "core/result.h"

#include <catch2/catch.hpp>
#include <climits>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/log.h"

using frugal::fail;
using frugal::refuse;

TEST_CASE("result: fail() joins strings, characters and numbers like std::to_string") {
  const std::string s = "ledger";
  const std::string_view v = "reserve";
  const char* none = nullptr;
  char buf[] = "buf";
  frugal::error e = fail(s, ": ", v, ' ', int64_t{-1200}, " µ$ ", none, '/', buf);
  CHECK(e.message == "ledger: reserve -1200 µ$ (null)/buf");
  CHECK_FALSE(e.refused);

  CHECK(
      fail(LLONG_MIN, ' ', ULLONG_MAX, ' ', uint8_t{7}, ' ', int8_t{-7}, ' ', short{-3}).message ==
      std::to_string(LLONG_MIN) + " " + std::to_string(ULLONG_MAX) + " 7 -7 -3");
  CHECK(fail(size_t{0}, ' ', true, ' ', false).message == "0 1 0");
  CHECK(fail(0.25, ' ', 1.5f, ' ', -1e20).message ==
        std::to_string(0.25) + " " + std::to_string(1.5f) + " " + std::to_string(-1e20));
  CHECK(fail().message.empty());
  CHECK(fail(std::string("a temporary ") + "outlives the call").message ==
        "a temporary outlives the call");
}

TEST_CASE("result: refuse() is fail() marked as a rule's refusal") {
  frugal::error e = refuse("shell: \"", std::string("rm"), "\" is not on the allowlist");
  CHECK(e.message == "shell: \"rm\" is not on the allowlist");
  CHECK(e.refused);
}

TEST_CASE("log: cat() builds the same text as fail()") {
  CHECK(frugal::log::cat("turn ", 42u, " of ", std::string_view("#chan"), ' ', -0.5) ==
        "turn 42 of #chan " + std::to_string(-0.5));
}
