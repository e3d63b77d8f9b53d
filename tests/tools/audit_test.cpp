// Tests for tools/audit.cpp's retention: prune deletes the rows older than its cut-off and
// leaves the newer ones (the rows themselves are checked in runner_test.cpp).
#include "tools/audit.h"

#include <catch2/catch.hpp>

using frugal::core::realm_kind;

using namespace frugal;
using namespace frugal::tools;

TEST_CASE("audit prune deletes rows older than the cut-off only", "[tools][audit]") {
  auto db = store::database::open_memory();
  REQUIRE(db);
  for (int64_t at : {1000, 2000, 3000, 4000}) {
    audit_entry e;
    e.at_ms = at;
    e.realm = realm_kind::public_;
    e.sender = "irc:alice";
    e.tool = "clock";
    e.arguments = "{}";
    e.allowed = at != 2000;
    e.reason = e.allowed ? "" : "not in this realm";
    REQUIRE(audit::record(*db, e));
  }
  auto n = audit::prune(*db, 3000);
  REQUIRE(n);
  CHECK(*n == 2);
  auto rows = audit::recent(*db, 10);
  REQUIRE(rows);
  REQUIRE(rows->size() == 2);
  CHECK(rows->at(0).at_ms == 4000);
  CHECK(rows->at(1).at_ms == 3000);
  CHECK(*audit::prune(*db, 3000) == 0);
}
