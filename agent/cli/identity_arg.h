// identity_arg: the `--as` option of ask/chat, which lets the local operator run a turn
// as another sender to check what that sender may do: "irc.NAME:nick!user@host",
// "irc.NAME:account:ACCOUNT", "matrix.NAME:@user:server". Empty = the operator (stdin).
#pragma once
#include <string>

#include "core/result.h"
#include "transports/transport.h"

namespace frugal::cli {

// An inbound message skeleton (transport, target, identity) for `spec`; text is left empty.
result<transports::inbound> parse_identity_arg(const std::string& spec, const std::string& target);

}  // namespace frugal::cli
