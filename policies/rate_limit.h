// rate_limit: per-sender token buckets ("N messages per minute", bursts up to N) with an
// injected millisecond clock and bounded memory. It only counts messages; it does not
// decide who may talk (realm.h) or how much they may spend (budget/).
#pragma once
#include <cstdint>
#include <functional>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/inbound.h"

namespace frugal::policies {

struct rate_verdict {
  enum class kind { allow, deny } verdict = kind::allow;
  std::string reason;         // "3/min: retry in 14 s"; empty when allowed
  int64_t retry_after_s = 0;  // whole seconds until one message fits again; 0 when allowed
};

// A stable key for a sender that a nick change does not reset: "irc:account:<account>"
// when logged in, else "irc:host:<host part of the mask>" (rfc1459 lower-cased);
// "matrix:<user id>"; "stdin". Also suitable for per-sender budget rows.
std::string sender_key(const core::identity& who);

// A key for one person's own state (the history of their direct messages): "irc:account:
// <account>" when logged in, else "irc:mask:<nick!user@host>" (nick and host rfc1459
// lower-cased); "matrix:<user id>"; "stdin". Never a nick alone, and unlike sender_key
// never shared by two people behind one host.
std::string person_key(const core::identity& who);

class rate_limiter {
 public:
  using clock_fn = std::function<int64_t()>;  // monotonic milliseconds

  // `now_ms` defaults to std::chrono::steady_clock. At most `max_senders` buckets are kept.
  explicit rate_limiter(clock_fn now_ms = nullptr, size_t max_senders = 4096);

  // Takes one message from `sender`'s bucket of `per_minute` messages (refilled evenly over
  // a minute; a new sender starts full). per_minute <= 0 means unlimited: always allow and
  // keep no state. A denied message does not consume anything.
  rate_verdict check(std::string_view sender, int64_t per_minute);

  // Buckets currently held (for tests and `doctor`).
  size_t tracked() const { return buckets_.size(); }

 private:
  struct bucket {
    std::string key;
    int64_t units = 0;    // one message = 60000 units; refills per_minute units per ms
    int64_t last_ms = 0;  // last refill time
  };
  // Drops buckets idle for a full minute (they are full again, so forgetting them changes
  // nothing), oldest first; then, above the cap, the least recently used ones.
  void evict(int64_t now);

  clock_fn now_ms_;
  size_t max_senders_;
  std::list<bucket> lru_;  // most recently used first
  std::unordered_map<std::string_view, std::list<bucket>::iterator> buckets_;
};

}  // namespace frugal::policies
