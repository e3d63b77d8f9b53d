// account_map: who shares a channel with the bot right now, under which nick!user@host,
// and which services account each of them is provably logged in to. Channel membership
// comes from JOIN, NAMES (353), PART, KICK, QUIT and NICK; accounts only from extended-join,
// account-notify (ACCOUNT) and WHOX (354 with our token), each bound to the exact
// nick!user@host it was learned for. It sends nothing (the transport sends WHO queries) and
// keeps nothing across a reconnect (the transport calls clear()). Bounded by `cap` people.
#pragma once
#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "transports/irc/isupport.h"
#include "transports/irc/message.h"

namespace frugal::irc {

// The WHOX query the transport sends for `target` (a channel or a nick): token, channel,
// user, host, nick, account. Replies arrive as `354 me <token> <chan> <user> <host> <nick>
// <account>`, account "0" meaning not logged in.
inline constexpr std::string_view whox_token = "71";
std::string whox_query(std::string_view target);

class account_map {
 public:
  static constexpr size_t cap = 20000;

  // Updates membership and accounts from JOIN (extended or not), PART, KICK, QUIT, NICK,
  // ACCOUNT, 353 and 354. `self` is the bot's nick now (before a NICK of its own applies).
  void observe(const message& m, const isupport& is, std::string_view self);

  // The account of the sender of `m`, believed only when the nick shares a channel with the
  // bot now and the account was learned for exactly m's nick!user@host; "" otherwise.
  std::string account_of(const message& m, const isupport& is) const;
  // True if `nick` shares at least one channel with the bot.
  bool shares_channel(std::string_view nick, const isupport& is) const;
  // The nick!user@host of `nick` while it shares a channel and its user@host is known
  // (JOIN, WHOX, or any message from it); "" otherwise.
  std::string mask_of(std::string_view nick, const isupport& is) const;

  void clear();
  size_t size() const { return people_.size(); }
  // Channels the bot is in (folded).
  const std::set<std::string>& channels() const { return mine_; }

 private:
  struct person {
    std::string mask;                // nick!user@host as last seen; "" if only seen in NAMES
    std::string account;             // "" unknown or logged out; valid for `mask` only
    std::set<std::string> channels;  // folded names shared with the bot
  };
  person* find(const std::string& folded);
  const person* find(const std::string& folded) const;
  person& at(const std::string& folded);
  void learn_mask(person& p, const std::string& mask);
  void leave(const std::string& folded_nick, const std::string& folded_chan);
  void self_left(const std::string& folded_chan);

  std::unordered_map<std::string, person> people_;  // folded nick → person
  std::set<std::string> mine_;                      // folded channels the bot is in
};

// The account vouched for by a message: with the account-tag capability negotiated
// (`tags_negotiated`), its tag and nothing else (a missing tag means "not logged in");
// without it any tag is ignored (a server or bouncer that was not asked may pass one
// through) and only a current map entry counts.
std::string account_for(const message& m, bool tags_negotiated, const account_map& map,
                        const isupport& is);

}  // namespace frugal::irc
