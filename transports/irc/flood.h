// flood_queue: the outbound line queue with token-bucket flood control. A line costs
// 1 + bytes/1024 tokens; the bucket holds `burst` tokens and refills at `lines_per_s`.
// The clock is passed in (milliseconds), so tests drive it. Urgent lines (PONG, QUIT)
// never enter this queue: the transport writes them at once. Three lanes, served in order:
// protocol lines (JOIN, WHO), the owner's replies, everyone else's. Bounded: when full,
// the oldest public line is dropped first (the owner's only when no public line is left).
// It does not write to any socket.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace frugal::irc {

class flood_queue {
 public:
  struct options {
    double lines_per_s = 1.0;
    double burst = 4;
    size_t max_queued = 200;
  };
  enum class priority { normal, owner, front };

  flood_queue(options opt, uint64_t now_ms);

  // Queues a line (without CR LF). `front` lines (JOIN after a reconnect) go ahead of all
  // others, `owner` lines ahead of normal ones; all stay rate-limited. Returns false if the
  // queue was full and a line (the oldest normal one, else the oldest owner line, or this
  // one) was dropped; the dropped line is moved to `*dropped` when given.
  bool push(std::string line, priority p = priority::normal, std::string* dropped = nullptr);

  // Removes and returns the lines that may be sent at `now_ms`, charging the bucket.
  std::vector<std::string> take(uint64_t now_ms);

  // Milliseconds from `now_ms` until the next queued line may go; -1 if the queue is empty.
  int64_t next_in(uint64_t now_ms);

  // A full bucket (a new connection starts with the burst available).
  void refill_full(uint64_t now_ms);

  static double cost(const std::string& line) {
    return 1.0 + static_cast<double>(line.size()) / 1024.0;
  }

  size_t size() const { return normal_.size() + owner_.size() + front_.size(); }
  size_t dropped() const { return dropped_; }
  void clear();

 private:
  void refill(uint64_t now_ms);
  std::deque<std::string>& head_queue() {
    return !front_.empty() ? front_ : !owner_.empty() ? owner_ : normal_;
  }

  options opt_;
  double tokens_;
  uint64_t last_ms_;
  std::deque<std::string> front_;
  std::deque<std::string> owner_;
  std::deque<std::string> normal_;
  size_t dropped_ = 0;
};

}  // namespace frugal::irc
