// transport: the one small interface every chat front end implements (IRC network, Matrix
// account, the stdin/terminal front end). The daemon owns transports; a transport owns its
// sockets and timers on the shared loop. It does not decide who may talk (policies/) or
// what to answer (agent/); it turns wire events into `inbound` and text into wire lines.
#pragma once
#include <functional>
#include <string>

namespace frugal::transports {

// Who sent a message, as far as the network can vouch for it. Policies match owners and
// allowed users against this, never against a nick alone.
struct identity {
  std::string network;  // "irc", "matrix" or "stdin"
  std::string account;  // IRC SASL account (empty if not logged in) or Matrix user id
  std::string mask;     // IRC nick!user@host; empty elsewhere
  std::string display;  // nick or display name, for addressing replies only
};

struct inbound {
  std::string transport;  // configured name: "irc.libera", "matrix.main", "stdin"
  std::string target;     // where a reply goes: channel, room id, or the sender's nick
  transports::identity from;
  std::string text;       // addressing prefix ("bot: ") already removed
  bool direct = false;    // private message / direct chat rather than a channel
};

enum class state { connecting, connected, disconnected, stopped };

class transport {
 public:
  using message_fn = std::function<void(inbound)>;
  using state_fn = std::function<void(state, const std::string& detail)>;
  virtual ~transport() = default;

  virtual const std::string& name() const = 0;
  // Connects and keeps the link up (reconnecting as needed) until stop(). Callbacks run on
  // the loop. Must not throw.
  virtual void start(message_fn on_message, state_fn on_state) = 0;
  // Says goodbye (QUIT, final flush) and closes every handle; on_state(stopped) follows.
  virtual void stop() = 0;
  // Queues `text` for `target`. Splits, sanitises and flood-controls as the network needs;
  // keeps the text queued (bounded) while the link is down.
  virtual void send(const std::string& target, const std::string& text) = 0;
};

}  // namespace frugal::transports
