// reconnect_plan: which delay the next attempt waits, given why the link ended (ordinary
// loss, a penalty such as a K-line or refused SASL, SASL missing while services relink), on
// top of the shared exponential backoff (core/backoff.h). It keeps no time and starts no
// timer.
#pragma once
#include <cstdint>

#include "core/backoff.h"

namespace frugal::irc {

class reconnect_plan {
 public:
  struct options {
    uint64_t min_ms = 2000;       // backoff doubles from here ...
    uint64_t max_ms = 300000;     // ... up to here
    uint64_t penalty_ms = 60000;  // the least wait after a penalty
    unsigned quick_retries = 3;   // SASL-missing endings retried on the backoff before
                                  // the penalty applies (min, 2·min, 4·min, with jitter)
  };
  enum class ending { ordinary, penalty, sasl_missing };

  explicit reconnect_plan(options o);

  // The delay before the attempt after a link that ended as `e`.
  uint64_t next(ending e);
  // The link stayed up long enough: the ordinary backoff starts over.
  void stable() { backoff_.reset(); }
  // Registration succeeded: the next run of SASL-missing endings gets its quick retries.
  void registered();

 private:
  options opt_;
  backoff backoff_;
  backoff quick_;
  unsigned sasl_missing_ = 0;  // in a row, since the last registration
};

}  // namespace frugal::irc
