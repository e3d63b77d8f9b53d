// Membership and account tracking. An entry is only as good as the events the bot sees:
// once a nick shares no channel with the bot, its QUIT and NICK are invisible, so the entry
// goes at once rather than going stale. "*" and "0" mean "not logged in".
#include "transports/irc/accounts.h"

namespace frugal::irc {

namespace {
bool logged_out(const std::string& a) {
  return a.empty() || a == "*" || a == "0";
}

// "nick!user@host" split into a folded nick and the exact rest ("!user@host").
bool same_mask(const std::string& a, const std::string& b, const isupport& is) {
  size_t ba = a.find('!'), bb = b.find('!');
  if (ba == std::string::npos || bb == std::string::npos) return false;
  return a.compare(ba, std::string::npos, b, bb, std::string::npos) == 0 &&
         is.equal(std::string_view(a).substr(0, ba), std::string_view(b).substr(0, bb));
}

bool full_mask(const std::string& prefix) {
  size_t bang = prefix.find('!');
  return bang != std::string::npos && bang > 0 && prefix.find('@', bang) != std::string::npos;
}

// A NAMES entry without its status prefixes (@, +, ... several with multi-prefix).
std::string_view strip_status(std::string_view name) {
  while (!name.empty() && std::string_view("~&@%+!.").find(name.front()) != std::string_view::npos)
    name.remove_prefix(1);
  return name;
}
}  // namespace

std::string whox_query(std::string_view target) {
  return "WHO " + std::string(target) + " %tcuhna," + std::string(whox_token);
}

account_map::person* account_map::find(const std::string& folded) {
  auto it = people_.find(folded);
  return it == people_.end() ? nullptr : &it->second;
}

const account_map::person* account_map::find(const std::string& folded) const {
  auto it = people_.find(folded);
  return it == people_.end() ? nullptr : &it->second;
}

account_map::person& account_map::at(const std::string& folded) {
  if (people_.size() >= cap && !people_.count(folded)) people_.clear();  // forgetting is safe
  return people_[folded];
}

void account_map::learn_mask(person& p, const std::string& mask) {
  if (!full_mask(mask) || p.mask == mask) return;
  p.mask = mask;
  p.account.clear();  // an account belongs to the mask it was learned for
}

void account_map::leave(const std::string& nick, const std::string& chan) {
  person* p = find(nick);
  if (!p) return;
  p->channels.erase(chan);
  if (p->channels.empty()) people_.erase(nick);
}

void account_map::self_left(const std::string& chan) {
  mine_.erase(chan);
  for (auto it = people_.begin(); it != people_.end();) {
    it->second.channels.erase(chan);
    it = it->second.channels.empty() ? people_.erase(it) : std::next(it);
  }
}

void account_map::clear() {
  people_.clear();
  mine_.clear();
}

void account_map::observe(const message& m, const isupport& is, std::string_view self) {
  const std::string& c = m.command;
  if (c == "353" && m.params.size() >= 4) {  // me (=|*|@) #chan :names
    std::string chan = is.fold(m.params[2]);
    if (!mine_.count(chan)) return;
    std::string_view names = m.params.back();
    while (!names.empty()) {
      size_t sp = names.find(' ');
      std::string_view name = strip_status(names.substr(0, sp));
      names = sp == std::string_view::npos ? "" : names.substr(sp + 1);
      std::string entry(name);
      std::string nick = entry.substr(0, entry.find('!'));
      if (nick.empty() || is.equal(nick, self)) continue;
      person& p = at(is.fold(nick));
      p.channels.insert(chan);
      learn_mask(p, entry);  // userhost-in-names, when the server sends it
    }
    return;
  }
  if (c == "354" && m.params.size() >= 7 && m.params[1] == whox_token) {
    // me token #chan user host nick account
    const std::string& nick = m.params[5];
    if (nick.empty() || is.equal(nick, self)) return;
    std::string folded = is.fold(nick), chan = is.fold(m.params[2]);
    person* p = find(folded);
    if (mine_.count(chan)) {
      p = &at(folded);
      p->channels.insert(chan);
    }
    if (!p) return;  // shares no channel: nothing here stays current
    learn_mask(*p, nick + "!" + m.params[3] + "@" + m.params[4]);
    p->account = logged_out(m.params[6]) ? "" : m.params[6];
    return;
  }
  if (m.prefix.empty()) return;
  std::string nick = m.nick();
  std::string folded = is.fold(nick);
  bool me = is.equal(nick, self);
  if (c == "JOIN" && !m.params.empty()) {
    std::string chan = is.fold(m.params[0]);
    if (me) {
      mine_.insert(chan);
      return;
    }
    if (!mine_.count(chan)) return;
    person& p = at(folded);
    p.channels.insert(chan);
    learn_mask(p, m.prefix);
    if (m.params.size() >= 3)  // extended-join: JOIN #chan account :realname
      p.account = logged_out(m.params[1]) ? "" : m.params[1];
  } else if (c == "PART" && !m.params.empty()) {
    std::string chan = is.fold(m.params[0]);
    me ? self_left(chan) : leave(folded, chan);
  } else if (c == "KICK" && m.params.size() >= 2) {
    std::string chan = is.fold(m.params[0]);
    is.equal(m.params[1], self) ? self_left(chan) : leave(is.fold(m.params[1]), chan);
  } else if (c == "QUIT") {
    if (!me) people_.erase(folded);
  } else if (c == "NICK" && !m.params.empty()) {
    if (me) return;
    auto it = people_.find(folded);
    if (it == people_.end()) return;
    person moved = std::move(it->second);
    people_.erase(it);
    const std::string& to = m.params[0];
    size_t bang = moved.mask.find('!');
    moved.mask = bang == std::string::npos ? "" : to + moved.mask.substr(bang);
    moved.account.clear();  // believed again only after account-notify or WHOX
    at(is.fold(to)) = std::move(moved);
  } else if (c == "ACCOUNT" && !m.params.empty()) {
    person* p = find(folded);
    if (!p) return;
    learn_mask(*p, m.prefix);
    p->account = logged_out(m.params[0]) ? "" : m.params[0];
  } else if (!me) {
    if (person* p = find(folded)) learn_mask(*p, m.prefix);  // a changed user@host ends it
  }
}

std::string account_map::account_of(const message& m, const isupport& is) const {
  const person* p = find(is.fold(m.nick()));
  if (!p || p->channels.empty() || p->account.empty()) return "";
  return same_mask(p->mask, m.prefix, is) ? p->account : "";
}

bool account_map::shares_channel(std::string_view nick, const isupport& is) const {
  const person* p = find(is.fold(nick));
  return p && !p->channels.empty();
}

std::string account_map::mask_of(std::string_view nick, const isupport& is) const {
  const person* p = find(is.fold(nick));
  return p && !p->channels.empty() ? p->mask : "";
}

std::string account_for(const message& m, bool tags_negotiated, const account_map& map,
                        const isupport& is) {
  if (tags_negotiated) {
    const std::string* tag = m.tag("account");
    return tag && !logged_out(*tag) ? *tag : "";
  }
  return map.account_of(m, is);
}

}  // namespace frugal::irc
