// isupport: what the server announced in RPL_ISUPPORT (005) that this client acts on:
// CASEMAPPING (nick/channel comparison), CHANTYPES, LINELEN, NICKLEN, WHOX and MONITOR.
// Defaults are the RFC 1459 ones until 005 arrives. It does not track modes, prefixes or
// other tokens.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include "transports/irc/message.h"

namespace frugal::irc {

enum class casemapping { ascii, rfc1459, strict_rfc1459 };

struct isupport {
  casemapping mapping = casemapping::rfc1459;
  std::string chantypes = "#&";
  size_t linelen = 512;  // bytes per line including CR LF, tags excluded
  size_t nicklen = 30;   // a generous default until the server says
  std::string network;
  bool whox = false;   // WHO accepts %fields (WHOX): account lookups are possible
  size_t monitor = 0;  // MONITOR list size the server allows; 0 = no MONITOR

  // Reads the tokens of one 005 message (`:server 005 me TOKEN[=value]... :are supported`).
  // Unknown tokens and malformed values are ignored; absurd values are clamped.
  void apply(const message& m);

  // Case-folds per the mapping: rfc1459 folds A-Z and []\~ to a-z and {}|^; strict-rfc1459
  // leaves ~ alone; ascii folds A-Z only.
  std::string fold(std::string_view s) const;
  bool equal(std::string_view a, std::string_view b) const;
  // True if `target` starts with one of CHANTYPES.
  bool is_channel(std::string_view target) const;
};

}  // namespace frugal::irc
