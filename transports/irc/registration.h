// registration: the client side of connection registration and the session state that
// comes with it, as a pure state machine fed parsed messages and returning the lines to
// send (no I/O, no clock). It covers CAP LS 302 (multi-line), CAP REQ of the capabilities
// this client uses, SASL PLAIN / EXTERNAL (numerics 900-908), CAP END, PASS/NICK/USER,
// nick fallback (432/433/436/437), 001 (only one that names us), NickServ IDENTIFY
// fallback, JOIN, and PING → PONG at every stage. It does not time out (the transport does) or
// reconnect.
#pragma once
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.h"
#include "transports/irc/isupport.h"
#include "transports/irc/message.h"

namespace frugal::irc {

// The capabilities requested when the server offers them.
inline constexpr std::string_view wanted_caps[] = {
    "sasl",           "message-tags",  "server-time",  "account-tag",
    "account-notify", "extended-join", "echo-message", "multi-prefix"};

// AUTHENTICATE lines carrying `payload`: base64 in 400-byte chunks, then "AUTHENTICATE +"
// when the encoding is empty or an exact multiple of 400 bytes.
std::vector<std::string> authenticate_lines(std::string_view payload);

class registration {
 public:
  enum class phase { caps, sasl, registering, registered, quitting };
  static constexpr int max_nick_attempts = 30;
  static constexpr int max_cap_ls_lines = 64;

  explicit registration(const config::irc_network& cfg);

  // First lines on a new connection: [PASS], CAP LS 302, NICK, USER.
  std::vector<std::string> begin();
  // Handles one server message; returns the lines to send, in order. After `quitting`
  // the only reply is PONG.
  std::vector<std::string> feed(const message& m);

  phase current() const { return phase_; }
  bool registered() const { return phase_ == phase::registered; }
  bool quitting() const { return phase_ == phase::quitting; }
  // Why a QUIT was sent ("SASL authentication failed", ...); empty otherwise.
  const std::string& failure() const { return failure_; }
  // True when the QUIT was for SASL the server did not offer at all (no `sasl` in CAP LS,
  // CAP NAK, no ACK): what a server shows while its services have not linked yet, unlike a
  // refused password or a mechanism the server does not support.
  bool sasl_unavailable() const { return sasl_unavailable_; }
  // Our nick: the one being tried before 001, the server's after.
  const std::string& nick() const { return nick_; }
  bool has_cap(std::string_view cap) const { return acked_.count(std::string(cap)) > 0; }
  bool sasl_succeeded() const { return sasl_ok_; }
  // The account we are logged in to (900), empty if none.
  const std::string& account() const { return account_; }
  const isupport& support() const { return support_; }

 private:
  std::vector<std::string> on_cap(const message& m);
  std::vector<std::string> finish_ls();
  std::vector<std::string> on_ack(const std::string& list);
  std::vector<std::string> sasl_failed(const std::string& why);
  std::vector<std::string> quit(const std::string& why);
  std::vector<std::string> sasl_missing(const std::string& why);
  std::vector<std::string> next_nick();
  std::vector<std::string> on_welcome(const message& m);
  std::string sasl_mechanism() const;

  const config::irc_network& cfg_;
  phase phase_ = phase::caps;
  std::string nick_;
  int nick_attempts_ = 0;
  int ls_lines_ = 0;
  std::vector<std::pair<std::string, std::string>> offered_;  // name, value
  std::set<std::string> acked_;
  std::string ack_pending_;  // a multi-line ACK being collected
  bool sasl_ok_ = false;
  bool sasl_unavailable_ = false;
  std::string account_;
  std::string failure_;
  isupport support_;
};

}  // namespace frugal::irc
