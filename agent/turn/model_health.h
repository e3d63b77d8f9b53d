// model_health: per-model cool-downs and a circuit breaker for fallbacks. A failed call
// (429, 5xx, 529, timeout, connection error) cools the model down for max(Retry-After,
// 2 s × 2^(failures-1)), capped at 5 min; after 3 failures in a row the breaker opens for
// at least 60 s. A success closes it. It only remembers; turn.cpp decides what to try.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "llm/types.h"

namespace frugal::agent {

// Whether a failed call says something about the model: 429, 5xx, 529, timeouts and
// connection errors cool it down; a 4xx with a body (the request's fault), a rejected key
// and a call that was cancelled do not.
bool cools_down(llm::failure f);

class model_health {
 public:
  using clock_fn = std::function<int64_t()>;  // monotonic ms
  explicit model_health(clock_fn now_ms = nullptr);

  // True when `model` may be tried now.
  bool available(const std::string& model) const;
  // Milliseconds until `model` may be tried again (0 when available).
  int64_t wait_ms(const std::string& model) const;
  void record_failure(const std::string& model, int64_t retry_after_ms);
  void record_success(const std::string& model);
  // True when the breaker is open (3+ consecutive failures).
  bool open(const std::string& model) const;

 private:
  struct state {
    int64_t failures = 0;
    int64_t until_ms = 0;
  };
  clock_fn now_;
  std::map<std::string, state> models_;
};

}  // namespace frugal::agent
