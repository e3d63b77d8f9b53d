// The SASL quick retries have their own backoff so that a link lost after hours (the ordinary
// backoff reset) and one lost a minute ago both retry after min, 2·min, 4·min.
#include "transports/irc/reconnect_plan.h"

#include <algorithm>

namespace frugal::irc {

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
