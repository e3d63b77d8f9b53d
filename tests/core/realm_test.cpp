// core/realm: realm_name and parse_realm are each other's inverse on the two realms, and
// parse_realm refuses every other text (case, typos, empty, padding) with one message.
#include "core/realm.h"

#include <catch2/catch.hpp>
#include <string>

using frugal::core::every_realm;
using frugal::core::parse_realm;
using frugal::core::realm_kind;
using frugal::core::realm_name;

TEST_CASE("realm names round-trip through parse_realm", "[realm]") {
  CHECK(realm_name(realm_kind::private_) == "private");
  CHECK(realm_name(realm_kind::public_) == "public");
  for (realm_kind r : every_realm) {
    auto back = parse_realm(realm_name(r));
    REQUIRE(back.ok());
    CHECK(*back == r);
  }
}

TEST_CASE("parse_realm refuses anything but the exact names", "[realm]") {
  for (const char* text : {"Public", "PRIVATE", "privat", "", " public", "public ", "pub"}) {
    INFO(text);
    auto r = parse_realm(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.message() ==
          std::string("unknown realm \"") + text + "\" (use \"private\" or \"public\")");
  }
  // A name with a NUL after it is not the name (sqlite text may hold one).
  CHECK_FALSE(parse_realm(std::string_view("public\0x", 8)).ok());
}

TEST_CASE("a std::map keyed by realm_kind iterates in the names' order", "[realm]") {
  // config::file::realms was keyed by name; doctor and the loader's error order rely on it.
  CHECK(realm_name(every_realm[0]) < realm_name(every_realm[1]));
  CHECK(every_realm[0] < every_realm[1]);
}
