// history: the conversation kept per session key (realm, transport, target) in sqlite, so
// a restart resumes the conversation and a public turn can never load private history (the
// realm is part of the key, and the policy decided the realm before we get here).
// It keeps user and final assistant text only; tool chatter stays inside its turn.
#pragma once
#include <string>
#include <vector>

#include "core/inbound.h"
#include "core/result.h"
#include "core/store/database.h"
#include "llm/types.h"

namespace frugal::session {

struct key {
  std::string realm;      // "private" | "public"
  std::string transport;  // "stdin", "irc.libera", "matrix.main"
  std::string target;     // channel, room, nick; "chat" / "ask" for stdin
};

// The session key for a message in `realm`: the channel or room it was said in; for a
// direct message on IRC or Matrix, the sender (policies::person_key: account, else
// nick!user@host, Matrix user id), never the nick the reply goes to, so another person
// who later uses that nick does not inherit the conversation. stdin keeps its target.
key key_for(const std::string& realm, const core::inbound& msg);

class history {
 public:
  // Runs the "history" migrations on `db`, which must outlive this object.
  static result<history> open(store::database& db);

  // The last `max_messages` messages of the session, oldest first.
  result<std::vector<llm::message>> load(const key& k, int64_t max_messages);
  // Appends one exchange (the user's text and the final answer) and the number of tool
  // calls the turn made; trims the session to `keep` messages. With `replace`, the
  // session's earlier messages are deleted in the same transaction (a one-shot `ask`).
  status append(const key& k, const std::string& user_text, const std::string& answer,
                int64_t tool_calls, int64_t keep, bool replace = false);
  // Tool calls made in the session's last `turns` turns (a router signal).
  result<int64_t> recent_tool_calls(const key& k, int64_t turns);

 private:
  explicit history(store::database& db) : db_(&db) {}
  store::database* db_;
};

}  // namespace frugal::session
