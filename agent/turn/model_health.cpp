// Cool-down arithmetic for model_health. Times are monotonic milliseconds.
#include "agent/turn/model_health.h"

#include <algorithm>
#include <chrono>

namespace frugal::agent {

bool cools_down(llm::failure f) {
  return f != llm::failure::none && f != llm::failure::http_error &&
         f != llm::failure::unauthorized && f != llm::failure::cancelled;
}
namespace {
constexpr int64_t k_base_ms = 2'000;
constexpr int64_t k_max_ms = 300'000;
constexpr int64_t k_breaker_failures = 3;
constexpr int64_t k_breaker_ms = 60'000;

int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}
}  // namespace

model_health::model_health(clock_fn now_ms) : now_(now_ms ? std::move(now_ms) : steady_ms) {}

bool model_health::available(const std::string& model) const {
  return wait_ms(model) == 0;
}

int64_t model_health::wait_ms(const std::string& model) const {
  auto it = models_.find(model);
  if (it == models_.end()) return 0;
  return std::max<int64_t>(0, it->second.until_ms - now_());
}

void model_health::record_failure(const std::string& model, int64_t retry_after_ms) {
  state& s = models_[model];
  s.failures = std::min<int64_t>(s.failures + 1, 20);
  int64_t backoff = std::min(k_max_ms, k_base_ms << std::min<int64_t>(s.failures - 1, 10));
  if (s.failures >= k_breaker_failures) backoff = std::max(backoff, k_breaker_ms);
  int64_t wait = std::max(backoff, std::min(retry_after_ms, int64_t{3'600'000}));
  s.until_ms = std::max(s.until_ms, now_() + wait);
}

void model_health::record_success(const std::string& model) {
  models_.erase(model);
}

bool model_health::open(const std::string& model) const {
  auto it = models_.find(model);
  return it != models_.end() && it->second.failures >= k_breaker_failures && wait_ms(model) > 0;
}

}  // namespace frugal::agent
