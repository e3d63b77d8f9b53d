// realm: which realm a message belongs to (private for owners, public for allowed users)
// or whether it is refused outright. Pure function of the message and the config; it does
// not rate-limit (rate_limit.h), check tools (tool_policy.h) or load any history.
#pragma once
#include <string>

#include "core/config/config.h"
#include "core/inbound.h"
#include "core/result.h"

namespace frugal::policies {

struct realm_verdict {
  enum class kind { allow, deny } verdict = kind::deny;
  core::realm_kind realm = core::realm_kind::public_;  // meaningful only when allowed
  // For logs and the audit table. Quotes the matching config pattern, so it is not meant
  // for a reply in a public channel.
  std::string reason;
  // The sender is an owner. True with the public realm when an owner speaks where others can
  // read (rule 3a below): the turn is the owner's public-facing self.
  bool owner = false;
};

// Classifies `msg`, in this order:
//  1. The identity's network must agree with the transport: "stdin" only from the transport
//     named "stdin", "irc" only from "irc.<name>", "matrix" only from "matrix.<name>".
//     Otherwise deny ("identity network ... does not match transport ...").
//  2. network "stdin" (the local operator) → allow, private.
//  3. Owner → allow, private. Owners are the patterns of realms.private.owners plus the
//     owners list of the message's own transport config (config::irc_network named <name>
//     for "irc.<name>", config::matrix_account for "matrix.<name>"); see identity_match.h.
//  3a. Owner, but where others can read the reply (placement.h: an IRC channel, a Matrix
//     room with a member who is not an owner, or members unknown) → allow, public, owner:
//     the turn gets the public realm's history, memory, workspace and tools, never the
//     private ones, so no private-store content can reach that place.
//  4. Allowed → allow, public. Allowed are realms.public.allowed plus the `allowed` list
//     of the message's own transport config.
//  5. Otherwise deny ("not on the allowlist"). Empty lists admit nobody (owners aside).
// Lists of other transports never apply. `owners` of the public realm and `allowed` of the
// private realm are not consulted. A missing realm or transport entry counts as empty.
realm_verdict classify(const core::inbound& msg, const config::file& cfg);

// Checks every owners/allowed/inviters pattern in the realms and transports with
// validate_pattern, and refuses "*" in any owners list, an IRC owner pattern whose account
// or host is only globs ("account:*", "*!*@*"), "stdin" in a transport's owners list, and a Matrix
// pattern in an IRC list (or the reverse). Errors name the file, the line (from
// cfg.key_lines) and the key: "frugal.toml:31: transports.irc.libera.owners[1]: identity
// pattern 'bob' is a bare nick; ...". Called on every loaded config before it is used
// (agent/runtime.cpp: at start and on reload); config::load itself does not know the rules.
status validate_identity_lists(const config::file& cfg);

}  // namespace frugal::policies
