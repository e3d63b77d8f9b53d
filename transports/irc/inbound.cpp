// Inbound filtering. Identity comes from the server (account, hostmask), never from the
// text, and the nick alone is only the display name.
#include "transports/irc/inbound.h"

#include <cctype>

#include "transports/irc/split.h"
#include "core/utf8.h"

namespace frugal::irc {

namespace {
bool digit(char c) {
  return c >= '0' && c <= '9';
}

const config::irc_channel* find_channel(const inbound_context& ctx, std::string_view name) {
  for (const auto& ch : *ctx.channels)
    if (ctx.support->equal(ch.name, name)) return &ch;
  return nullptr;
}
}  // namespace

std::optional<std::string> strip_address(std::string_view text, std::string_view nick,
                                         const isupport& is) {
  if (nick.empty() || text.size() <= nick.size()) return std::nullopt;
  if (!is.equal(text.substr(0, nick.size()), nick)) return std::nullopt;
  char sep = text[nick.size()];
  if (sep != ':' && sep != ',') return std::nullopt;
  std::string_view rest = text.substr(nick.size() + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  return std::string(rest);
}

std::string clean_text(std::string_view text) {
  std::string repaired = utf8::repair(text);
  std::string out;
  for (size_t i = 0; i < repaired.size(); ++i) {
    char c = repaired[i];
    if (c == '\x03') {  // colour: \x03[fg[,bg]] with one or two digits each
      size_t j = i + 1, n = 0;
      while (j < repaired.size() && n < 2 && digit(repaired[j])) ++j, ++n;
      if (n > 0 && j + 1 < repaired.size() && repaired[j] == ',' && digit(repaired[j + 1])) {
        ++j;
        for (n = 0; j < repaired.size() && n < 2 && digit(repaired[j]); ++j, ++n) {
        }
      }
      i = j - 1;
      continue;
    }
    out += c;
  }
  std::string clean = sanitize_line(out);
  size_t b = clean.find_first_not_of(' ');
  if (b == std::string::npos) return "";
  size_t e = clean.find_last_not_of(' ');
  return clean.substr(b, e - b + 1);
}

std::optional<transports::inbound> to_inbound(const message& m, const inbound_context& ctx) {
  if (m.command != "PRIVMSG" || m.params.size() < 2) return std::nullopt;
  // Without nick!user@host there is no identity to vouch for (a server or a bare nick).
  size_t bang = m.prefix.find('!');
  if (bang == std::string::npos || m.prefix.find('@', bang) == std::string::npos)
    return std::nullopt;
  const isupport& is = *ctx.support;
  std::string sender = m.nick();
  if (sender.empty() || !is_safe_middle(sender) || is.equal(sender, ctx.self_nick))
    return std::nullopt;  // our own message or its echo
  const std::string& target = m.params[0];
  const std::string& raw = m.params.back();
  if (!raw.empty() && raw.front() == '\x01') return std::nullopt;  // CTCP
  transports::inbound in;
  in.transport = ctx.transport_name;
  in.from.network = "irc";
  in.from.account = account_for(m, ctx.account_tags, *ctx.accounts, is);
  in.from.mask = m.prefix;
  in.from.display = sender;
  if (is.equal(target, ctx.self_nick)) {
    in.direct = true;
    in.target = sender;
    in.text = clean_text(raw);
  } else if (is.is_channel(target)) {
    const config::irc_channel* ch = find_channel(ctx, target);
    std::string text = clean_text(raw);
    if (auto rest = strip_address(text, ctx.self_nick, is))
      text = *rest;
    else if (!ch || ch->respond_to != "all")
      return std::nullopt;
    in.target = target;
    in.text = std::move(text);
  } else {
    return std::nullopt;  // STATUSMSG (@#chan) or a target that is not us
  }
  if (in.text.empty()) return std::nullopt;
  return in;
}

}  // namespace frugal::irc
