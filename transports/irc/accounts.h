// account_map: which services account each nick we can see is logged in to, learned from
// extended-join (JOIN #c account :realname), account-notify (ACCOUNT name | *), and nick
// changes; entries go on QUIT. Used when a message carries no account-tag. Bounded
// (oldest-insertion eviction is not worth it here: the map is simply cleared past the cap).
// It does not send WHO/WHOX queries.
#pragma once
#include <cstddef>
#include <string>
#include <unordered_map>

#include "transports/irc/isupport.h"
#include "transports/irc/message.h"

namespace frugal::irc {

class account_map {
 public:
  static constexpr size_t cap = 20000;

  // Updates the map from JOIN (extended), ACCOUNT, NICK and QUIT messages; ignores others.
  void observe(const message& m, const isupport& is);
  // The account of `nick`, or "" if unknown or logged out.
  std::string account_of(std::string_view nick, const isupport& is) const;
  void clear() { by_nick_.clear(); }
  size_t size() const { return by_nick_.size(); }

 private:
  void set(const std::string& folded, const std::string& account);
  std::unordered_map<std::string, std::string> by_nick_;  // folded nick → account
};

// The account vouched for by a message: its account-tag when the server sends them
// (`tags_authoritative`: the cap is on, so a missing tag means "not logged in"), else
// what the map knows.
std::string account_for(const message& m, bool tags_authoritative, const account_map& map,
                        const isupport& is);

}  // namespace frugal::irc
