// backoff: reconnect delays growing exponentially from a minimum to a maximum, with random
// jitter so that many clients cut off at once do not return at once; reconnect_plan: which
// delay the next attempt waits, given why the link ended (ordinary loss, a penalty such as
// a K-line or refused SASL, SASL missing while services relink). Neither keeps time or
// starts timers.
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

 private:
  uint64_t min_ms_;
  uint64_t max_ms_;
  unsigned attempts_ = 0;
  std::mt19937_64 rng_;
};

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
