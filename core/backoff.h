// backoff: retry delays growing exponentially from a minimum to a maximum, with random
// jitter so that many clients cut off at once do not come back at once. Shared by the IRC
// reconnect plan and the Matrix request lanes. It keeps no time and starts no timer.
#pragma once
#include <cstdint>
#include <random>

namespace frugal {

class backoff {
 public:
  backoff(uint64_t min_ms, uint64_t max_ms);

  // The delay before the next attempt: min·2^n (n = attempts so far) capped at max, plus
  // up to a quarter more as jitter, never above max.
  uint64_t next();
  void reset() { attempts_ = 0; }

 private:
  uint64_t min_ms_;
  uint64_t max_ms_;
  unsigned attempts_ = 0;
  std::minstd_rand rng_;
};

}  // namespace frugal
