// An input found by tests/fuzz/matrix_sync_fuzz: a timestamp or age given as a double far
// outside int64's range was converted with a cast (undefined behaviour). Such numbers now
// read as absent; in-range doubles still count.
#include <catch2/catch.hpp>

#include "transports/matrix/events.h"

using namespace frugal::matrix;

TEST_CASE("matrix sync: out-of-range numbers read as absent") {
  auto batch = parse_sync(R"({"next_batch":"s1","rooms":{"join":{"!r:hs":{"timeline":{"events":[
      {"event_id":"$a","sender":"@a:hs","type":"m.room.message","origin_server_ts":1e90,
       "unsigned":{"age":-1e300},"content":{"msgtype":"m.text","body":"x"}},
      {"event_id":"$b","sender":"@a:hs","type":"m.room.message","origin_server_ts":1.7e12,
       "unsigned":{"age":12.5},"content":{"msgtype":"m.text","body":"y"}}]}}}}})",
                          "@bot:hs");
  REQUIRE(batch.ok());
  REQUIRE(batch->joined.size() == 1);
  const auto& tl = batch->joined[0].timeline;
  REQUIRE(tl.size() == 2);
  CHECK(tl[0].origin_server_ts == 0);
  CHECK(tl[0].age_ms == -1);
  CHECK(tl[1].origin_server_ts == 1'700'000'000'000);
  CHECK(tl[1].age_ms == 12);
}
