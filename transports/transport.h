// transport: the one small interface every chat front end implements (an IRC network, a
// Matrix account). The daemon owns transports; a transport owns its sockets and timers on
// the shared loop. It does not decide who may talk (policies/) or what to answer (agent/);
// it turns wire events into `inbound` and text into wire lines.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/inbound.h"

namespace frugal::transports {

using core::identity;
using core::inbound;

enum class state { connecting, connected, disconnected, stopped };

// Who a transport is on its network and where it is now (`frugal status`).
struct presence {
  std::string self;                 // IRC: the registered nick; Matrix: the user id; "" unknown
  std::vector<std::string> places;  // IRC: channels joined; Matrix: rooms joined (ids), sorted
};

class transport {
 public:
  using message_fn = std::function<void(inbound)>;
  using state_fn = std::function<void(state, const std::string& detail)>;
  virtual ~transport() = default;

  virtual const std::string& name() const = 0;
  // Connects and keeps the link up (reconnecting as needed) until stop(). Callbacks run on
  // the loop. Must not throw.
  virtual void start(message_fn on_message, state_fn on_state) = 0;
  // Ends the link (IRC: QUIT, then a graceful close; Matrix: requests in flight are
  // cancelled, unacknowledged sends stay stored for the next start); on_state(stopped)
  // follows at once and no message is delivered afterwards. Handles close when the
  // transport is destroyed.
  virtual void stop() = 0;
  // Queues `text` for `target`. Splits, sanitises and flood-controls as the network needs;
  // keeps the text queued (bounded) while the link is down.
  virtual void send(const std::string& target, const std::string& text) = 0;
  // The turn for the inbound message with this id (inbound::id, never "") has finished and
  // its reply, if any, was passed to send() or reply(). A transport that keeps received messages
  // until they are answered (Matrix) forgets it now; one that was stopped or killed first
  // answers it after the restart. Default: nothing.
  virtual void done(const std::string& message_id) { (void)message_id; }
  // Queues the answer to `to` (the message being answered). `private_realm` marks an
  // answer that may carry private data: a transport that can tell people apart (IRC)
  // sends a direct one only to the same person that asked, following nick changes and
  // holding it while that is unknown. Others: send(to.target, text).
  virtual void reply(const inbound& to, const std::string& text, bool private_realm) {
    (void)private_realm;
    send(to.target, text);
  }
  // What the transport knows of itself now; empty fields while unknown (not connected).
  virtual presence where() const = 0;
};

}  // namespace frugal::transports
