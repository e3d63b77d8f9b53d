// addressing: whether a room message is meant for the bot, and the text without the
// addressing prefix. It does not match user ids against the configured lists: who may
// talk or invite is decided by policies/ (realm.h, invite.h) from the identity we hand over.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "transports/matrix/events.h"

namespace frugal::matrix {

struct addressing {
  bool mentioned = false;
  std::string text;  // the body, with a leading "bot:" / "@bot," / "Bot Name " removed
};

// The bot is mentioned when m.mentions.user_ids holds `own_id`, when the body starts with
// the user id, its localpart or `own_display` (case-insensitive, optionally after "@",
// followed by ':', ',', a space or the end), or when the body or formatted_body names
// `own_id` (a matrix.to pill). Only the leading form is stripped from the text.
addressing address(const event& ev, std::string_view own_id, std::string_view own_display);

}  // namespace frugal::matrix
