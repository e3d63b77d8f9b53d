// Account tracking. "*" and "0" mean "not logged in" in extended-join and account-notify.
#include "transports/irc/accounts.h"

namespace frugal::irc {

namespace {
bool logged_out(const std::string& a) {
  return a.empty() || a == "*" || a == "0";
}
}  // namespace

void account_map::set(const std::string& folded, const std::string& account) {
  if (logged_out(account)) {
    by_nick_.erase(folded);
    return;
  }
  if (by_nick_.size() >= cap && !by_nick_.count(folded)) by_nick_.clear();
  by_nick_[folded] = account;
}

void account_map::observe(const message& m, const isupport& is) {
  if (m.prefix.empty()) return;
  std::string nick = is.fold(m.nick());
  if (m.command == "JOIN" && m.params.size() >= 3) {
    set(nick, m.params[1]);
  } else if (m.command == "ACCOUNT" && !m.params.empty()) {
    set(nick, m.params[0]);
  } else if (m.command == "NICK" && !m.params.empty()) {
    auto it = by_nick_.find(nick);
    if (it == by_nick_.end()) return;
    std::string account = std::move(it->second);
    by_nick_.erase(it);
    set(is.fold(m.params[0]), account);
  } else if (m.command == "QUIT") {
    by_nick_.erase(nick);
  }
}

std::string account_map::account_of(std::string_view nick, const isupport& is) const {
  auto it = by_nick_.find(is.fold(nick));
  return it == by_nick_.end() ? "" : it->second;
}

std::string account_for(const message& m, bool tags_authoritative, const account_map& map,
                        const isupport& is) {
  if (const std::string* tag = m.tag("account")) return logged_out(*tag) ? "" : *tag;
  if (tags_authoritative) return "";
  return map.account_of(m.nick(), is);
}

}  // namespace frugal::irc
