// placement: whether a reply to a message lands where people other than the owners can read
// it (an IRC channel; a Matrix room judged by its members). realm.cpp uses it to give an
// owner speaking in such a place the public realm, so private-store content never goes
// there. It does not classify senders or look at the text.
#pragma once
#include <string>

#include "core/config/config.h"
#include "core/inbound.h"

namespace frugal::policies {

// "" when only owners can read where a reply to `msg` goes, else why not, for logs:
//  - stdin: never shared (the local operator's terminal);
//  - IRC: shared unless msg.direct (a PRIVMSG to the bot's own nick) — a channel's
//    listeners are never known for certain;
//  - Matrix: judged by msg.audience (joined and invited members), not by the room's
//    is_direct flag: shared when audience_known is false or any member other than the bot
//    matches no owner pattern (realms.private.owners or the account's own owners);
//  - any other transport: shared (fail closed).
std::string readable_by_others(const core::inbound& msg, const config::file& cfg);

}  // namespace frugal::policies
