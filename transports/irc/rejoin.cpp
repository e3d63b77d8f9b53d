// The rejoin plan. Kick counts are per channel and bounded by the channels the bot was in;
// the shift is capped so the doubling cannot overflow.
#include "transports/irc/rejoin.h"

#include <algorithm>

namespace frugal::irc {

bool is_join_refusal(const std::string& numeric) {
  return numeric == "471" || numeric == "473" || numeric == "474" || numeric == "475";
}

std::optional<uint64_t> rejoin_plan::kicked(const std::string& channel, uint64_t now) {
  channel_state& c = channels_[channel];
  if (c.in && now - c.joined_at >= opt_.max_ms) c.kicks = 0;  // it stayed long enough
  c.in = false;
  if (opt_.delay_ms == 0) return std::nullopt;
  unsigned shift = std::min(c.kicks, 30u);
  ++c.kicks;
  uint64_t delay = std::min(opt_.max_ms, opt_.delay_ms << shift);
  c.rejoining = true;
  c.due_at = now + delay;
  return delay;
}

void rejoin_plan::joined(const std::string& channel, uint64_t now) {
  channel_state& c = channels_[channel];
  c.in = true;
  c.joined_at = now;
  c.rejoining = false;
  c.due_at.reset();
}

bool rejoin_plan::refused(const std::string& channel) {
  auto it = channels_.find(channel);
  if (it == channels_.end()) return false;
  bool was = it->second.rejoining;
  it->second.rejoining = false;
  it->second.due_at.reset();
  return was;
}

std::vector<std::string> rejoin_plan::due(uint64_t now) {
  std::vector<std::string> out;
  for (auto& [name, c] : channels_)
    if (c.due_at && *c.due_at <= now) {
      c.due_at.reset();
      out.push_back(name);
    }
  return out;
}

std::optional<uint64_t> rejoin_plan::next_in(uint64_t now) const {
  std::optional<uint64_t> best;
  for (const auto& [name, c] : channels_)
    if (c.due_at) {
      uint64_t in = *c.due_at > now ? *c.due_at - now : 0;
      if (!best || in < *best) best = in;
    }
  return best;
}

void rejoin_plan::disconnected() {
  for (auto& [name, c] : channels_) {
    c.in = false;
    c.rejoining = false;
    c.due_at.reset();
  }
}

}  // namespace frugal::irc
