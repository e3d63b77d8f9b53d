// rejoin_plan: when to rejoin a channel the bot was kicked from, as a plan fed events and the
// time (no timers, no I/O). The delay doubles with each kick from the same channel up to a
// maximum, and starts over once the bot has stayed in the channel for that maximum. A JOIN
// refused as full, invite-only, banned or keyed (471/473/474/475) ends the retries for that
// channel. It does not send JOIN or know which channels are configured (the transport does).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace frugal::irc {

// True for the numerics that refuse a JOIN for a reason retrying does not fix:
// 471 full (+l), 473 invite only (+i), 474 banned (+b), 475 bad key (+k).
bool is_join_refusal(const std::string& numeric);

class rejoin_plan {
 public:
  struct options {
    uint64_t delay_ms = 5000;  // the first rejoin after a kick; 0 = never rejoin
    uint64_t max_ms = 600000;  // the doubling stops here
  };
  explicit rejoin_plan(options o) : opt_(o) {}

  // The bot was kicked from `channel` (case-folded) at `now`. Returns the delay before the
  // rejoin, now pending, or nullopt when rejoining is off.
  std::optional<uint64_t> kicked(const std::string& channel, uint64_t now);
  // The bot's own JOIN of `channel` came back: nothing is pending for it any more.
  void joined(const std::string& channel, uint64_t now);
  // A JOIN of `channel` was refused (is_join_refusal): no rejoin is pending or planned for
  // it until it is joined again. Returns true if a rejoin had been planned (the refusal
  // answers our rejoin rather than the JOIN at registration).
  bool refused(const std::string& channel);
  // The channels whose rejoin is due at `now`, in name order; they are no longer pending.
  std::vector<std::string> due(uint64_t now);
  // Milliseconds until the earliest pending rejoin (0 if overdue); nullopt if none.
  std::optional<uint64_t> next_in(uint64_t now) const;
  // The link ended: pending rejoins are dropped (registration joins every channel again);
  // kick counts stay, so a bot kicked again on each return keeps backing off.
  void disconnected();

 private:
  struct channel_state {
    unsigned kicks = 0;  // kicks since the bot last stayed in for max_ms
    uint64_t joined_at = 0;
    bool in = false;
    bool rejoining = false;  // a rejoin was planned since the last kick (pending or sent)
    std::optional<uint64_t> due_at;
  };
  options opt_;
  std::map<std::string, channel_state> channels_;
};

}  // namespace frugal::irc
