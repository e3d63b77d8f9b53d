// The IRC transport: one object per configured network ([transports.irc.NAME]), built on
// the pieces in this folder (connection, registration, flood_queue, split, inbound). It
// keeps the link up (keepalive, reconnect with backoff, rejoin), answers CTCP, queues
// replies while disconnected and hands addressed messages to the daemon. It does not
// decide who may talk to the agent (policies/) or what to answer (agent/).
#pragma once
#include <uv.h>

#include <memory>

#include "core/config/config.h"
#include "transports/transport.h"

namespace frugal::irc {

// A transport named "irc." + cfg.name on `loop`. Nothing happens until start(). The
// config is copied. Secrets in it (passwords) are registered for log redaction.
std::unique_ptr<transports::transport> make_transport(uv_loop_t* loop,
                                                      const config::irc_network& cfg);

}  // namespace frugal::irc
