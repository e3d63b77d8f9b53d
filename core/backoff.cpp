// Exponential backoff with jitter; the shift is capped so it cannot overflow, and the seed
// comes from std::random_device so restarted daemons do not draw the same delays.
#include "core/backoff.h"

#include <algorithm>

namespace frugal {

backoff::backoff(uint64_t min_ms, uint64_t max_ms)
    : min_ms_(std::max<uint64_t>(min_ms, 1)),
      max_ms_(std::max(max_ms, std::max<uint64_t>(min_ms, 1))),
      rng_(std::random_device{}()) {}

uint64_t backoff::next() {
  unsigned shift = std::min(attempts_, 30u);
  if (attempts_ < 64) ++attempts_;
  uint64_t base = std::min(max_ms_, min_ms_ << shift);
  uint64_t jitter = base / 4 == 0 ? 0 : std::uniform_int_distribution<uint64_t>(0, base / 4)(rng_);
  return std::min(max_ms_, base + jitter);
}

}  // namespace frugal
