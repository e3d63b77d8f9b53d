// history: the conversation kept per session key (realm, transport, target) in sqlite, so
// a restart resumes the conversation and a public turn can never load private history (the
// realm is part of the key, and the policy decided the realm before we get here).
// It keeps user and final assistant text only; tool chatter stays inside its turn. Older
// turns may be replaced by one summary per session (fold), or dropped; what is sent and
// when to fold is decided in agent/session/fold.h, not here.
#pragma once
#include <string>
#include <vector>

#include "core/inbound.h"
#include "core/realm.h"
#include "core/result.h"
#include "core/store/database.h"
#include "llm/types.h"

namespace frugal::session {

struct key {
  core::realm_kind realm = core::realm_kind::public_;  // stored as its name
  std::string transport;                               // "stdin", "irc.libera", "matrix.main"
  std::string target;  // channel, room, nick; "chat" / "ask" for stdin
};

// The session key for a message in `realm`: the channel or room it was said in; for a
// direct message on IRC or Matrix, the sender (policies::person_key: account, else
// nick!user@host, Matrix user id), never the nick the reply goes to, so another person
// who later uses that nick does not inherit the conversation. stdin keeps its target.
key key_for(core::realm_kind realm, const core::inbound& msg);

// One stored message with its row id (ids grow with time within a session).
struct stored_message {
  int64_t id = 0;
  llm::message msg;
};

// Everything a session keeps: the summary of its folded turns and the messages after it.
struct window {
  std::string summary;               // "" until a fold happened
  int64_t summary_through = 0;       // the last row id the summary covers (0: none)
  std::vector<stored_message> rows;  // oldest first; never starts with an assistant message
};

// The most messages a session keeps whatever happens (folds keep it far below this; it
// bounds the table should folding be skipped for a long time).
inline constexpr int64_t max_stored_messages = 1000;

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
  // The session's summary and every message stored after it.
  result<window> load_window(const key& k);
  // Replaces the session's rows up to `through_id` with `summary` in one transaction, if
  // the stored summary still covers up to `base_through` (the one the fold started from).
  // false: another fold of the same session won meanwhile; nothing changed.
  result<bool> fold(const key& k, int64_t base_through, int64_t through_id,
                    const std::string& summary);
  // Deletes the session's rows up to `through_id` (the summary, if any, stays).
  status drop(const key& k, int64_t through_id);
  // Tool calls made in the session's last `turns` turns (a router signal).
  result<int64_t> recent_tool_calls(const key& k, int64_t turns);

 private:
  explicit history(store::database& db) : db_(&db) {}
  store::database* db_;
};

}  // namespace frugal::session
