// Token bucket arithmetic in doubles (tokens are not money); the queue itself is two
// deques so front lines overtake without reordering the rest.
#include "transports/irc/flood.h"

#include <algorithm>
#include <cmath>

namespace frugal::irc {

flood_queue::flood_queue(options opt, uint64_t now_ms) : opt_(opt), last_ms_(now_ms) {
  if (opt_.lines_per_s <= 0) opt_.lines_per_s = 1.0;
  if (opt_.burst < 1) opt_.burst = 1;
  if (opt_.max_queued == 0) opt_.max_queued = 1;
  tokens_ = opt_.burst;
}

bool flood_queue::push(std::string line, priority p, std::string* dropped) {
  bool kept_all = true;
  if (size() >= opt_.max_queued) {
    kept_all = false;
    ++dropped_;
    // The victim is the oldest line of the lowest lane that is not above this line's.
    std::deque<std::string>* victim = nullptr;
    if (!normal_.empty())
      victim = &normal_;
    else if (p != priority::normal && !owner_.empty())
      victim = &owner_;
    else if (p == priority::front && !front_.empty())
      victim = &front_;
    if (!victim) {
      if (dropped) *dropped = std::move(line);
      return false;
    }
    if (dropped) *dropped = std::move(victim->front());
    victim->pop_front();
  }
  (p == priority::front   ? front_
   : p == priority::owner ? owner_
                          : normal_)
      .push_back(std::move(line));
  return kept_all;
}

void flood_queue::refill(uint64_t now_ms) {
  if (now_ms > last_ms_) {
    tokens_ += static_cast<double>(now_ms - last_ms_) / 1000.0 * opt_.lines_per_s;
    tokens_ = std::min(tokens_, opt_.burst);
  }
  last_ms_ = std::max(last_ms_, now_ms);
}

std::vector<std::string> flood_queue::take(uint64_t now_ms) {
  refill(now_ms);
  std::vector<std::string> out;
  while (size() > 0) {
    auto& q = head_queue();
    double c = std::min(cost(q.front()), opt_.burst);
    if (tokens_ + 1e-9 < c) break;
    tokens_ -= c;
    out.push_back(std::move(q.front()));
    q.pop_front();
  }
  return out;
}

int64_t flood_queue::next_in(uint64_t now_ms) {
  if (size() == 0) return -1;
  refill(now_ms);
  double c = std::min(cost(head_queue().front()), opt_.burst);
  if (tokens_ + 1e-9 >= c) return 0;
  return static_cast<int64_t>(std::ceil((c - tokens_) / opt_.lines_per_s * 1000.0));
}

void flood_queue::refill_full(uint64_t now_ms) {
  tokens_ = opt_.burst;
  last_ms_ = now_ms;
}

void flood_queue::clear() {
  front_.clear();
  owner_.clear();
  normal_.clear();
}

}  // namespace frugal::irc
