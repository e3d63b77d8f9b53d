// CTCP: recognises "\x01COMMAND args\x01" in a PRIVMSG and builds the NOTICE answers to
// VERSION, PING, TIME and CLIENTINFO, rate-limited so a CTCP flood cannot make us flood.
// Replies go only to PRIVMSG (never to a NOTICE). ACTION and unknown commands get no
// answer. It does not handle DCC.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace frugal::irc {

struct ctcp_request {
  std::string command;  // upper-cased
  std::string args;
};

// The CTCP request in `text`, or nullopt if `text` is not CTCP (no leading \x01).
std::optional<ctcp_request> parse_ctcp(std::string_view text);

class ctcp_responder {
 public:
  // At most `burst` answers, refilling one every `interval_ms`.
  explicit ctcp_responder(std::string version, int burst = 3, uint64_t interval_ms = 10000);

  // The NOTICE line answering `req` from `nick` at `now_ms`, or nullopt (not answered,
  // or rate-limited). Arguments echoed back are stripped of control bytes and capped.
  std::optional<std::string> answer(const ctcp_request& req, std::string_view nick,
                                    uint64_t now_ms);

 private:
  std::string version_;
  double tokens_;
  int burst_;
  uint64_t interval_ms_;
  uint64_t last_ms_ = 0;
  bool started_ = false;
};

}  // namespace frugal::irc
