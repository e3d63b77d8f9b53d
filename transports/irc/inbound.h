// inbound: decides whether a PRIVMSG is for the agent and turns it into a
// transports::inbound. In a channel only when addressed ("nick: ..." / "nick, ...",
// compared per CASEMAPPING) unless the channel has respond_to = "all"; private messages
// always. Our own messages and echoes, NOTICEs and CTCP are never passed on. The sender
// is identified by account (account-tag, else tracked account) and full hostmask.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.h"
#include "transports/irc/accounts.h"
#include "transports/irc/isupport.h"
#include "transports/irc/message.h"
#include "transports/transport.h"

namespace frugal::irc {

struct inbound_context {
  std::string transport_name;  // "irc.<name>"
  std::string self_nick;
  const isupport* support = nullptr;
  const std::vector<config::irc_channel>* channels = nullptr;
  bool account_tags = false;  // the account-tag capability is on
  const account_map* accounts = nullptr;
};

// The text after "nick:" / "nick," (leading spaces removed) if `text` addresses `nick`;
// nullopt otherwise.
std::optional<std::string> strip_address(std::string_view text, std::string_view nick,
                                         const isupport& is);

// Inbound text made safe for the agent: UTF-8 repaired, mIRC colour/formatting codes and
// other control bytes removed, surrounding spaces trimmed.
std::string clean_text(std::string_view text);

// The inbound message `m` carries for the agent, or nullopt.
std::optional<transports::inbound> to_inbound(const message& m, const inbound_context& ctx);

}  // namespace frugal::irc
