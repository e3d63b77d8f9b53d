// nick_reclaim: taking the configured nick back after registering under another one (a
// collision, or the ghost of our own dropped connection). Where the server offers MONITOR
// (ISUPPORT MONITOR=) it watches the nick and answers "731 offline" with NICK; elsewhere the
// transport calls tick() every check period and an ISON reply (303) lacking the nick gets
// the same answer. A refused NICK waits for the next chance (433/436: someone was faster;
// 437: held for a while, polled with ISON); 432 (not a valid nick here) ends the attempt.
// Pure: fed parsed messages, returns the lines to send; the transport owns the timer.
#pragma once
#include <string>
#include <vector>

#include "transports/irc/isupport.h"
#include "transports/irc/message.h"

namespace frugal::irc {

class nick_reclaim {
 public:
  // `wanted` is the configured nick; `enabled` false keeps whatever nick the server gave.
  nick_reclaim(std::string wanted, bool enabled) : wanted_(std::move(wanted)), enabled_(enabled) {}

  // Registered (001) as `current`: starts watching when it is not the wanted nick.
  std::vector<std::string> start(const std::string& current, const isupport& is);
  // One message after registration; `current` is our nick after the message (registration
  // applies our own NICK first). Starts over if the server moves us off the wanted nick.
  std::vector<std::string> feed(const message& m, const std::string& current, const isupport& is);
  // The link ended: nothing is watched (a MONITOR list ends with its connection).
  void reset();
  // The check period passed: ISON while polling, nothing otherwise.
  std::vector<std::string> tick();
  // True while the transport should call tick() every check period.
  bool polling() const { return mode_ == mode::poll; }
  // True while the wanted nick is being watched or polled.
  bool watching() const { return mode_ != mode::off; }
  // A sentence worth a log line about the last feed/start (the nick is free, given up...),
  // then empty.
  std::string take_note() { return std::move(note_); }

 private:
  enum class mode { off, monitor, poll };
  std::vector<std::string> claim(const std::string& why);
  std::vector<std::string> stop();

  std::string wanted_;
  bool enabled_;
  mode mode_ = mode::off;
  bool monitoring_ = false;  // MONITOR + sent and not yet removed
  bool asked_ = false;       // an ISON of ours awaits its 303
  std::string current_;
  std::string note_;
};

}  // namespace frugal::irc
