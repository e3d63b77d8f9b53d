// backoff: reconnect delays growing exponentially from a minimum to a maximum, with random
// jitter so that many clients cut off at once do not return at once. It does not keep
// time or start timers.
#pragma once
#include <cstdint>
#include <random>

namespace frugal::irc {

class backoff {
 public:
  backoff(uint64_t min_ms, uint64_t max_ms);

  // The delay before the next attempt: min·2^n (n = attempts so far) capped at max, plus
  // up to a quarter more as jitter, never above max.
  uint64_t next();
  void reset() { attempts_ = 0; }
  unsigned attempts() const { return attempts_; }

 private:
  uint64_t min_ms_;
  uint64_t max_ms_;
  unsigned attempts_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace frugal::irc
