// Exponential backoff with jitter; the shift is capped so it cannot overflow. The SASL quick
// retries have their own backoff so that a link lost after hours (the ordinary backoff
// reset) and one lost a minute ago both retry after min, 2·min, 4·min.
#include "transports/irc/backoff.h"

#include <algorithm>

namespace frugal::irc {

backoff::backoff(uint64_t min_ms, uint64_t max_ms)
    : min_ms_(std::max<uint64_t>(min_ms, 1)),
      max_ms_(std::max(max_ms, std::max<uint64_t>(min_ms, 1))),
      rng_(std::random_device{}()) {}

uint64_t backoff::next() {
  unsigned shift = std::min(attempts_, 30u);
  ++attempts_;
  uint64_t base = std::min(max_ms_, min_ms_ << shift);
  uint64_t jitter = base / 4 == 0 ? 0 : std::uniform_int_distribution<uint64_t>(0, base / 4)(rng_);
  return std::min(max_ms_, base + jitter);
}

reconnect_plan::reconnect_plan(options o)
    : opt_(o), backoff_(o.min_ms, o.max_ms), quick_(o.min_ms, o.max_ms) {}

uint64_t reconnect_plan::next(ending e) {
  if (e == ending::sasl_missing && sasl_missing_ < opt_.quick_retries) {
    ++sasl_missing_;
    return quick_.next();
  }
  uint64_t delay = backoff_.next();
  if (e != ending::ordinary) delay = std::max(delay, opt_.penalty_ms);
  return delay;
}

void reconnect_plan::registered() {
  sasl_missing_ = 0;
  quick_.reset();
}

}  // namespace frugal::irc
