// identity_arg: the `--as` option of ask/chat, which lets the local operator run a turn
// as another sender to check what that sender may do: "irc.NAME:nick!user@host",
// "irc.NAME:account:ACCOUNT", "matrix.NAME:@user:server". Empty = the operator (stdin).
#pragma once
#include <string>

#include "core/config/config.h"
#include "core/result.h"
#include "transports/transport.h"

namespace frugal::cli {

// An inbound message skeleton (transport, target, identity) for `spec`; text is left empty.
result<transports::inbound> parse_identity_arg(const std::string& spec, const std::string& target);

// Why the sender of `m` may not run a turn, for the operator who wrote --as: the transport
// is not in the config (naming the configured ones), or the realm policy's reason (which
// lists it searched). Success when the sender is admitted.
status check_identity_arg(const transports::inbound& m, const config::file& cfg);

}  // namespace frugal::cli
