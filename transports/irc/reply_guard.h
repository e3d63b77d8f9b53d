// reply_guard: a private reply to a direct message goes to the person who sent it, not to
// whoever holds the nick when the answer is ready. It follows the sender's NICK changes,
// and when it cannot vouch for the nick (no shared channel, a QUIT, a reconnect, the nick
// now someone else's) it holds the reply, asks the server (WHOX, else WHO), and delivers
// once the identity is confirmed again: by account when the sender had one, else by
// user@host. Held replies expire after `hold_ms`. Pure: no I/O, the clock is passed in.
// It does not handle public replies or channel replies (they go out as before).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "transports/irc/accounts.h"
#include "transports/irc/isupport.h"
#include "transports/irc/message.h"

namespace frugal::irc {

class reply_guard {
 public:
  struct options {
    uint64_t hold_ms = 600000;  // a held reply is dropped after this long
    uint64_t query_ms = 15000;  // a WHO for a held identity is repeated at most this often
    size_t max_people = 256;    // trails kept; the least recently used goes first
    size_t max_held = 16;       // held replies per person; the oldest goes first
  };
  struct outgoing {
    std::string nick;
    std::string text;
  };

  explicit reply_guard(options opt) : opt_(opt) {}

  // A direct message from `mask` (nick!user@host, as received) whose identity is `account`
  // ("" = known by hostmask only). `map` says whether the bot can follow this nick now.
  void note(const std::string& mask, const std::string& account, const account_map& map,
            const isupport& is, uint64_t now);

  // Updates trails from a server message, after `map` has seen it. `sender_account` is
  // the account vouched for the message's sender ("" if none). Returns held replies that
  // may go now (their identity was confirmed).
  std::vector<outgoing> observe(const message& m, const std::string& sender_account,
                                const account_map& map, const isupport& is, uint64_t now);

  // A private reply to the sender of a message received from `mask`. Returns the nick to
  // send it to now, or nullopt when it is held (queries() then has a WHO to send).
  std::optional<std::string> route(const std::string& mask, const std::string& account,
                                   const std::string& text, const account_map& map,
                                   const isupport& is, uint64_t now);

  // WHO lines that would confirm held identities (each trail at most once per query_ms).
  std::vector<std::string> queries(const isupport& is, uint64_t now);
  // Drops held replies older than hold_ms; returns "nick: n reply(ies)" per person for a
  // log line.
  std::vector<std::string> expire(uint64_t now);
  // The link is gone: nothing can be followed until confirmed again.
  void disconnected();
  size_t held() const;
  size_t people() const { return trails_.size(); }

 private:
  struct trail {
    std::string key;        // the mask the message came from
    std::string nick;       // the nick the person has now, as far as we know
    std::string user_host;  // user@host of that mask
    std::string account;    // "" = identified by hostmask
    bool followed = false;  // seen continuously in a shared channel since then
    std::vector<std::pair<std::string, uint64_t>> held;  // text, since
    uint64_t last_used = 0;
    uint64_t last_query = 0;
    bool queried = false;
  };
  trail* find(const std::string& key);
  std::vector<outgoing> confirm(trail& t, const std::string& nick, const account_map& map,
                                const isupport& is);
  bool can_follow(const trail& t, const account_map& map, const isupport& is) const;

  options opt_;
  std::vector<trail> trails_;
};

}  // namespace frugal::irc
