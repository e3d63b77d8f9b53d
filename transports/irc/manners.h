// manners: what a well-behaved client does once registered, as one object fed messages and
// the time: rejoin a configured channel after a KICK (rejoin_plan), give up on a channel
// that refuses us (471/473/474/475) with a log line, and take the configured nick back
// when it frees (nick_reclaim). It returns the lines to send, the sentences to log and when
// it next wants waking; the transport owns the timer, the socket and the log.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "transports/irc/isupport.h"
#include "transports/irc/message.h"
#include "transports/irc/nick_reclaim.h"
#include "transports/irc/rejoin.h"

namespace frugal::irc {

class manners {
 public:
  struct note {
    bool warn = false;  // warning level (kicked, gave up); info otherwise
    std::string text;
  };
  struct output {
    std::vector<std::string> lines;  // to send, in order
    std::vector<note> notes;         // to log, in order
  };

  // The config is copied (channels, nick, rejoin and nick check settings).
  explicit manners(const config::irc_network& cfg);

  // Registration finished (001) under `nick`. The nick reclaim starts at the end of the
  // welcome burst (376/422), once ISUPPORT (005, sent after 001) has said whether MONITOR
  // is offered; at the latest after `burst_wait_ms`.
  output registered(const std::string& nick, const isupport& is, uint64_t now);
  static constexpr uint64_t burst_wait_ms = 30000;
  // One message after registration; `nick` is ours after the message.
  output feed(const message& m, const std::string& nick, const isupport& is, uint64_t now);
  // The wake-up time came: due rejoins and a nick check.
  output wake(uint64_t now);
  // Milliseconds until wake() has work (0 if overdue); nullopt while nothing is planned.
  std::optional<uint64_t> next_wake(uint64_t now) const;
  // The link ended: nothing is planned until registered() again.
  void disconnected();

 private:
  void take_reclaim_note(output& out);
  void plan_check(uint64_t now);

  std::vector<config::irc_channel> channels_;
  uint64_t check_ms_;
  rejoin_plan rejoin_;
  nick_reclaim reclaim_;
  void start_reclaim(output& out, const std::string& nick, uint64_t now);

  std::optional<uint64_t> check_at_;  // next ISON while polling; the burst's end before that
  bool burst_ = false;                // registered, the welcome burst not over yet
  std::string nick_;                  // ours, as of the last call
  isupport support_;                  // the server's, as of the last call
};

}  // namespace frugal::irc
