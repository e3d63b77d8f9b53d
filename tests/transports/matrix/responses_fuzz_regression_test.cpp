// Inputs found by tests/fuzz/matrix_responses_fuzz.cpp, kept so the fixes stay fixed.
#include <catch2/catch.hpp>

#include "transports/matrix/responses.h"

using namespace frugal::matrix;

TEST_CASE("matrix .well-known: a base_url of only a scheme and slashes is refused") {
  // Trimming the trailing slashes of "https:////" used to leave "https:" as the base URL.
  auto r = parse_well_known(R"({"m.homeserver":{"base_url":"https:////"}})");
  REQUIRE_FALSE(r.ok());
  CHECK(r.message() == "matrix: .well-known base_url has no host");
  CHECK_FALSE(parse_well_known(R"({"m.homeserver":{"base_url":"http://"}})").ok());
  CHECK_FALSE(parse_well_known(R"({"m.homeserver":{"base_url":"https:///path"}})").ok());
  CHECK(*parse_well_known(R"({"m.homeserver":{"base_url":"HTTPS://hs.example//"}})") ==
        "HTTPS://hs.example");
}
