// rate_limit: token buckets in integer units (no floating point drift), kept in an LRU list
// so that idle senders can be dropped from the back in O(1). A flood of distinct senders
// beyond the cap evicts the least recently seen bucket, which at worst gives that sender a
// fresh bucket: memory stays bounded, which matters more on a 1 GB VPS.
#include "policies/rate_limit.h"

#include <algorithm>
#include <chrono>

#include "policies/identity_match.h"

namespace frugal::policies {
namespace {

constexpr int64_t minute_ms = 60000;

int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

std::string irc_folded(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = irc_lower(c);
  return out;
}

}  // namespace

std::string sender_key(const core::identity& who) {
  if (who.network == "irc") {
    if (!who.account.empty()) return "irc:account:" + irc_folded(who.account);
    size_t at = who.mask.rfind('@');
    std::string_view host = at == std::string::npos ? std::string_view(who.mask)
                                                    : std::string_view(who.mask).substr(at + 1);
    return "irc:host:" + irc_folded(host);
  }
  if (who.network == "matrix") return "matrix:" + who.account;
  if (who.network == "stdin") return "stdin";
  return who.network + ":" + who.account + ":" + who.mask;
}

std::string person_key(const core::identity& who) {
  if (who.network != "irc" || !who.account.empty()) return sender_key(who);
  size_t bang = who.mask.find('!'), at = who.mask.rfind('@');
  if (bang == std::string::npos || at == std::string::npos || at < bang)
    return "irc:mask:" + who.mask;
  return "irc:mask:" + irc_folded(std::string_view(who.mask).substr(0, bang)) +
         who.mask.substr(bang, at - bang) + "@" +
         irc_folded(std::string_view(who.mask).substr(at + 1));
}

rate_limiter::rate_limiter(clock_fn now_ms, size_t max_senders)
    : now_ms_(now_ms ? std::move(now_ms) : clock_fn(steady_ms)),
      max_senders_(std::max<size_t>(max_senders, 1)) {}

void rate_limiter::evict(int64_t now) {
  while (!lru_.empty() && now - lru_.back().last_ms >= minute_ms) {
    buckets_.erase(lru_.back().key);
    lru_.pop_back();
  }
  while (lru_.size() >= max_senders_) {
    buckets_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

rate_verdict rate_limiter::check(std::string_view sender, int64_t per_minute) {
  if (per_minute <= 0) return {};
  const int64_t now = now_ms_();
  const int64_t capacity = per_minute * minute_ms;

  auto it = buckets_.find(sender);
  if (it == buckets_.end()) {
    evict(now);
    lru_.push_front(bucket{std::string(sender), capacity, now});
    buckets_.emplace(lru_.front().key, lru_.begin());
    it = buckets_.find(sender);
  } else {
    lru_.splice(lru_.begin(), lru_, it->second);
  }
  bucket& b = *it->second;

  // Refill; a clock that steps back refills nothing. Clamp before multiplying so a long
  // idle gap cannot overflow.
  int64_t elapsed = std::clamp<int64_t>(now - b.last_ms, 0, minute_ms);
  b.units = std::min(capacity, b.units + elapsed * per_minute);
  b.last_ms = std::max(b.last_ms, now);

  if (b.units >= minute_ms) {
    b.units -= minute_ms;
    return {};
  }
  int64_t wait_ms = (minute_ms - b.units + per_minute - 1) / per_minute;
  int64_t wait_s = std::max<int64_t>(1, (wait_ms + 999) / 1000);
  return {rate_verdict::kind::deny,
          std::to_string(per_minute) + "/min: retry in " + std::to_string(wait_s) + " s", wait_s};
}

}  // namespace frugal::policies
