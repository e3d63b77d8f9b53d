// Trails are few (people who DMed the bot recently), so a vector scanned per event is
// cheaper than indexes kept in step with nick changes.
#include "transports/irc/reply_guard.h"

#include <algorithm>

namespace frugal::irc {

namespace {
std::string nick_of(const std::string& mask) {
  return mask.substr(0, mask.find('!'));
}
std::string user_host_of(const std::string& mask) {
  size_t bang = mask.find('!');
  return bang == std::string::npos ? "" : mask.substr(bang + 1);
}
}  // namespace

reply_guard::trail* reply_guard::find(const std::string& key) {
  for (auto& t : trails_)
    if (t.key == key) return &t;
  return nullptr;
}

bool reply_guard::can_follow(const trail& t, const account_map& map, const isupport& is) const {
  if (!t.followed || !map.shares_channel(t.nick, is)) return false;
  return user_host_of(map.mask_of(t.nick, is)) == t.user_host;
}

void reply_guard::note(const std::string& mask, const std::string& account, const account_map& map,
                       const isupport& is, uint64_t now) {
  trail* t = find(mask);
  if (!t) {
    if (trails_.size() >= opt_.max_people) {
      auto lru = std::min_element(trails_.begin(), trails_.end(), [](const auto& a, const auto& b) {
        return a.last_used < b.last_used;
      });
      trails_.erase(lru);
    }
    trails_.push_back({});
    t = &trails_.back();
    t->key = mask;
    t->nick = nick_of(mask);
    t->user_host = user_host_of(mask);
  }
  if (t->held.empty()) {  // a trail holding replies keeps what it was last confirmed as
    t->nick = nick_of(mask);
    t->user_host = user_host_of(mask);
    t->followed =
        map.shares_channel(t->nick, is) && user_host_of(map.mask_of(t->nick, is)) == t->user_host;
  }
  t->account = account;
  t->last_used = now;
}

std::vector<reply_guard::outgoing> reply_guard::confirm(trail& t, const std::string& nick,
                                                        const account_map& map,
                                                        const isupport& is) {
  std::vector<outgoing> out;
  t.nick = nick;
  std::string seen = user_host_of(map.mask_of(nick, is));
  if (!seen.empty()) t.user_host = seen;
  t.followed = map.shares_channel(nick, is) && !seen.empty();
  t.queried = false;
  for (auto& [text, since] : t.held) out.push_back({nick, std::move(text)});
  t.held.clear();
  return out;
}

std::vector<reply_guard::outgoing> reply_guard::observe(const message& m,
                                                        const std::string& sender_account,
                                                        const account_map& map, const isupport& is,
                                                        uint64_t now) {
  std::vector<outgoing> out;
  auto take = [&](std::vector<outgoing> v) {
    for (auto& o : v) out.push_back(std::move(o));
  };
  const std::string& c = m.command;
  if (c == "354" && m.params.size() >= 7 && m.params[1] == whox_token) {
    // me token #chan user host nick account: the server's word on who holds `nick` now
    const std::string& nick = m.params[5];
    std::string uh = m.params[3] + "@" + m.params[4];
    std::string account = m.params[6] == "0" ? "" : m.params[6];
    for (auto& t : trails_) {
      if (t.held.empty() || !is.equal(t.nick, nick)) continue;
      bool same = t.account.empty() ? uh == t.user_host : account == t.account;
      if (same) {
        t.user_host = uh;
        take(confirm(t, nick, map, is));
      }
    }
    return out;
  }
  if (c == "352" && m.params.size() >= 6) {  // me #chan user host server nick ...: no account
    const std::string& nick = m.params[5];
    std::string uh = m.params[2] + "@" + m.params[3];
    for (auto& t : trails_)
      if (!t.held.empty() && t.account.empty() && is.equal(t.nick, nick) && uh == t.user_host)
        take(confirm(t, nick, map, is));
    return out;
  }
  size_t bang = m.prefix.find('!');
  if (bang == std::string::npos) return out;
  std::string nick = m.prefix.substr(0, bang);
  std::string uh = m.prefix.substr(bang + 1);
  std::string now_nick = nick;
  if (c == "NICK" && !m.params.empty()) {
    now_nick = m.params[0];
    for (auto& t : trails_) {
      if (is.equal(t.nick, nick) && t.user_host == uh)
        t.nick = now_nick;  // the person we answer moved: follow
      else if (is.equal(t.nick, now_nick))
        t.followed = false;  // someone else took the nick we knew them by
    }
  } else if (c == "QUIT") {
    for (auto& t : trails_)
      if (is.equal(t.nick, nick)) t.followed = false;
    return out;
  } else if (c == "PART" || c == "KICK") {
    for (auto& t : trails_)
      if (t.followed && !can_follow(t, map, is)) t.followed = false;
    return out;  // leaving a channel confirms nobody
  }
  // Any message from the person confirms them under the nick they use now.
  for (auto& t : trails_) {
    if (t.held.empty()) continue;
    bool same = t.account.empty() ? uh == t.user_host
                                  : !sender_account.empty() && sender_account == t.account;
    if (same) {
      t.last_used = now;
      take(confirm(t, now_nick, map, is));
    }
  }
  return out;
}

std::optional<std::string> reply_guard::route(const std::string& mask, const std::string& account,
                                              const std::string& text, const account_map& map,
                                              const isupport& is, uint64_t now) {
  trail* t = find(mask);
  if (!t) {
    note(mask, account, map, is, now);
    t = find(mask);
  }
  t->last_used = now;
  if (t->held.empty() && can_follow(*t, map, is)) return t->nick;
  t->held.emplace_back(text, now);
  if (t->held.size() > opt_.max_held) t->held.erase(t->held.begin());
  return std::nullopt;
}

std::vector<std::string> reply_guard::queries(const isupport& is, uint64_t now) {
  std::vector<std::string> out;
  for (auto& t : trails_) {
    if (t.held.empty() || !is_safe_middle(t.nick)) continue;
    if (t.queried && now - t.last_query < opt_.query_ms) continue;
    t.queried = true;
    t.last_query = now;
    out.push_back(is.whox ? whox_query(t.nick) : "WHO " + t.nick);
  }
  return out;
}

std::vector<std::string> reply_guard::expire(uint64_t now) {
  std::vector<std::string> out;
  for (auto& t : trails_) {
    size_t before = t.held.size();
    t.held.erase(std::remove_if(t.held.begin(), t.held.end(),
                                [&](const auto& h) { return now - h.second >= opt_.hold_ms; }),
                 t.held.end());
    if (t.held.size() != before)
      out.push_back(t.nick + ": " + std::to_string(before - t.held.size()) + " reply(ies)");
  }
  return out;
}

void reply_guard::disconnected() {
  for (auto& t : trails_) {
    t.followed = false;
    t.queried = false;
  }
}

size_t reply_guard::held() const {
  size_t n = 0;
  for (const auto& t : trails_) n += t.held.size();
  return n;
}

}  // namespace frugal::irc
