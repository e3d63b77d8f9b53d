// Tests for policies/rate_limit: token buckets under a fake clock, retry-after, unlimited,
// sender keys, and bounded memory.
#include "policies/rate_limit.h"

#include <catch2/catch.hpp>

using frugal::policies::rate_limiter;
using frugal::policies::rate_verdict;
using frugal::policies::sender_key;
using kind = rate_verdict::kind;

TEST_CASE("a sender gets a burst of N, then one message per 60/N seconds", "[rate]") {
  int64_t now = 1'000'000;
  rate_limiter limiter([&] { return now; });
  for (int i = 0; i < 6; ++i) CHECK(limiter.check("alice", 6).verdict == kind::allow);
  rate_verdict v = limiter.check("alice", 6);
  CHECK(v.verdict == kind::deny);
  CHECK(v.retry_after_s == 10);
  CHECK(v.reason == "6/min: retry in 10 s");
  // Another sender has their own bucket.
  CHECK(limiter.check("bob", 6).verdict == kind::allow);

  now += 9'000;
  v = limiter.check("alice", 6);
  CHECK(v.verdict == kind::deny);
  CHECK(v.retry_after_s == 1);
  now += 1'000;
  CHECK(limiter.check("alice", 6).verdict == kind::allow);
  CHECK(limiter.check("alice", 6).verdict == kind::deny);

  // A minute later the bucket is full again, not over-full.
  now += 600'000;
  for (int i = 0; i < 6; ++i) CHECK(limiter.check("alice", 6).verdict == kind::allow);
  CHECK(limiter.check("alice", 6).verdict == kind::deny);
}

TEST_CASE("denied messages do not drain the bucket further", "[rate]") {
  int64_t now = 0;
  rate_limiter limiter([&] { return now; });
  CHECK(limiter.check("a", 1).verdict == kind::allow);
  for (int i = 0; i < 50; ++i) CHECK(limiter.check("a", 1).verdict == kind::deny);
  now += 60'000;
  CHECK(limiter.check("a", 1).verdict == kind::allow);
}

TEST_CASE("0 per minute is unlimited and keeps no state", "[rate]") {
  rate_limiter limiter([] { return int64_t{0}; });
  for (int i = 0; i < 1000; ++i) CHECK(limiter.check("a", 0).verdict == kind::allow);
  CHECK(limiter.tracked() == 0);
}

TEST_CASE("a clock stepping back refills nothing", "[rate]") {
  int64_t now = 100'000;
  rate_limiter limiter([&] { return now; });
  CHECK(limiter.check("a", 1).verdict == kind::allow);
  now = 0;
  CHECK(limiter.check("a", 1).verdict == kind::deny);
}

TEST_CASE("memory stays bounded: idle senders are evicted, then the least recent", "[rate]") {
  int64_t now = 0;
  rate_limiter limiter([&] { return now; }, 100);
  for (int i = 0; i < 100; ++i) (void)limiter.check("s" + std::to_string(i), 6);
  CHECK(limiter.tracked() == 100);
  for (int i = 100; i < 1000; ++i) (void)limiter.check("s" + std::to_string(i), 6);
  CHECK(limiter.tracked() == 100);

  // After a quiet minute, a new sender sweeps out every idle bucket.
  now += 60'000;
  (void)limiter.check("late", 6);
  CHECK(limiter.tracked() == 1);

  // An active sender that is still limited survives other senders' churn under the cap.
  rate_limiter small([&] { return now; }, 3);
  CHECK(small.check("busy", 1).verdict == kind::allow);
  (void)small.check("x", 1);
  CHECK(small.check("busy", 1).verdict == kind::deny);  // touch: most recent again
  (void)small.check("y", 1);                            // evicts "x", not "busy"
  CHECK(small.check("busy", 1).verdict == kind::deny);
}

TEST_CASE("sender_key survives nick changes and folds case", "[rate]") {
  using frugal::core::identity;
  CHECK(sender_key(identity{"irc", "Alice", "a!u@h", "a"}) == "irc:account:alice");
  CHECK(sender_key(identity{"irc", "", "nick1!u@Host.Example", "nick1"}) ==
        sender_key(identity{"irc", "", "nick2!v@host.example", "nick2"}));
  CHECK(sender_key(identity{"matrix", "@a:b.org", "", ""}) == "matrix:@a:b.org");
  CHECK(sender_key(identity{"stdin", "", "", ""}) == "stdin");
}

TEST_CASE("person_key: account, else the whole hostmask; never the nick alone", "[rate]") {
  using frugal::core::identity;
  using frugal::policies::person_key;
  CHECK(person_key(identity{"irc", "Alice", "a!u@h", "a"}) == "irc:account:alice");
  CHECK(person_key(identity{"irc", "", "Bob!Uid@Host.Example", "Bob"}) ==
        "irc:mask:bob!Uid@host.example");
  CHECK(person_key(identity{"irc", "", "bob!b@first.example", "bob"}) !=
        person_key(identity{"irc", "", "bob!x@other.example", "bob"}));
  CHECK(person_key(identity{"irc", "", "bob!b@shared.example", "bob"}) !=
        person_key(identity{"irc", "", "carol!c@shared.example", "carol"}));
  CHECK(person_key(identity{"matrix", "@a:b.org", "", ""}) == "matrix:@a:b.org");
  CHECK(person_key(identity{"stdin", "", "", ""}) == "stdin");
}
