// inbound: one message as a transport hands it on, with who sent it as far as the network
// can vouch. Transports (transports/) fill it; policies (policies/) judge it; the agent
// answers it. It holds data only: no parsing, no matching.
#pragma once
#include <string>
#include <vector>

namespace frugal::core {

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
  core::identity from;
  std::string text;       // addressing prefix ("bot: ") already removed
  bool direct = false;    // private message / direct chat rather than a channel
  // Who can read `target` besides the bot (Matrix: the room's joined and invited user ids,
  // the sender included), when the transport knows it for certain; audience_known is false
  // when it does not (IRC channels: anyone may be listening). policies/placement.h judges it.
  std::vector<std::string> audience;
  bool audience_known = false;
  // The transport's id for a message it keeps until answered (a Matrix event id), handed
  // back through transport::done(); "" when the network cannot replay (IRC, stdin).
  std::string id;
};

}  // namespace frugal::core
