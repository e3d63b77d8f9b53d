// The reconnect schedule: the ordinary backoff, the penalty, and the quick retries when a
// require_sasl connection finds SASL missing (services relinking after a server restart).
#include "transports/irc/reconnect_plan.h"

#include <catch2/catch.hpp>

using namespace frugal::irc;
using ending = reconnect_plan::ending;

namespace {
// min·2^n plus up to a quarter of jitter.
bool around(uint64_t got, uint64_t base) {
  return got >= base && got <= base + base / 4;
}
}  // namespace

TEST_CASE("reconnect plan: SASL missing is retried after 2, 4, 8 s, then the penalty applies") {
  reconnect_plan p({2000, 300000, 60000, 3});
  // Before: the first SASL-missing ending already waited the 60 s penalty.
  uint64_t first = p.next(ending::sasl_missing);
  CHECK(around(first, 2000));
  CHECK(around(p.next(ending::sasl_missing), 4000));
  CHECK(around(p.next(ending::sasl_missing), 8000));
  CHECK(p.next(ending::sasl_missing) >= 60000);
  CHECK(p.next(ending::sasl_missing) >= 60000);
  // Services came back and we registered: the next restart gets its quick retries again.
  p.registered();
  CHECK(around(p.next(ending::sasl_missing), 2000));
}

TEST_CASE("reconnect plan: quick retries do not depend on the ordinary backoff's state") {
  reconnect_plan p({2000, 300000, 60000, 3});
  for (int i = 0; i < 6; ++i) (void)p.next(ending::ordinary);  // a flapping link
  CHECK(around(p.next(ending::sasl_missing), 2000));
  CHECK(p.next(ending::ordinary) >= 128000);  // the ordinary backoff kept counting
}

TEST_CASE("reconnect plan: a penalty or a refused SASL waits at least the penalty at once") {
  reconnect_plan p({2000, 300000, 60000, 3});
  CHECK(p.next(ending::penalty) >= 60000);
  reconnect_plan none({2000, 300000, 60000, 0});  // sasl_quick_retries = 0: the old way
  CHECK(none.next(ending::sasl_missing) >= 60000);
  reconnect_plan ordinary({2000, 300000, 60000, 3});
  CHECK(around(ordinary.next(ending::ordinary), 2000));
  ordinary.stable();
  CHECK(around(ordinary.next(ending::ordinary), 2000));
}
