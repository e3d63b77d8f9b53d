// Session history in sqlite: one row per message, indexed by session key.
#include "agent/session/history.h"

#include <algorithm>

#include "policies/rate_limit.h"

namespace frugal::session {
namespace {
const std::vector<std::string_view> k_migrations = {
    "CREATE TABLE history("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " realm TEXT NOT NULL, transport TEXT NOT NULL, target TEXT NOT NULL,"
    " role TEXT NOT NULL CHECK(role IN ('user','assistant')),"
    " content TEXT NOT NULL, tool_calls INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL DEFAULT (unixepoch()));"
    "CREATE INDEX history_key ON history(realm, transport, target, id);",
};
}  // namespace

key key_for(const std::string& realm, const core::inbound& msg) {
  bool personal = msg.direct && (msg.from.network == "irc" || msg.from.network == "matrix");
  return {realm, msg.transport, personal ? policies::person_key(msg.from) : msg.target};
}

result<history> history::open(store::database& db) {
  if (auto s = db.migrate("history", k_migrations); !s) return s.err();
  return history(db);
}

result<std::vector<llm::message>> history::load(const key& k, int64_t max_messages) {
  auto q = store::statement::prepare(
      db_->get(),
      "SELECT role, content FROM history WHERE realm=? AND transport=? AND target=? "
      "ORDER BY id DESC LIMIT ?");
  if (!q) return q.err();
  q->bind(1, k.realm).bind(2, k.transport).bind(3, k.target).bind(4, max_messages);
  std::vector<llm::message> out;
  int rc;
  while ((rc = q->step()) == SQLITE_ROW) {
    llm::message m;
    m.role = q->text_at(0) == "user" ? llm::role::user : llm::role::assistant;
    m.content = q->text_at(1);
    out.push_back(std::move(m));
  }
  if (rc != SQLITE_DONE) return fail("history: load: ", sqlite3_errmsg(db_->get()));
  std::reverse(out.begin(), out.end());
  // A window must not start with an orphaned assistant message (some APIs reject it).
  while (!out.empty() && out.front().role != llm::role::user) out.erase(out.begin());
  return out;
}

status history::append(const key& k, const std::string& user_text, const std::string& answer,
                       int64_t tool_calls, int64_t keep, bool replace) {
  return db_->immediate([&]() -> status {
    if (replace) {
      auto del = store::statement::prepare(
          db_->get(), "DELETE FROM history WHERE realm=? AND transport=? AND target=?");
      if (!del) return del.err();
      del->bind(1, k.realm).bind(2, k.transport).bind(3, k.target);
      if (del->step() != SQLITE_DONE) return fail("history: replace: ", sqlite3_errmsg(db_->get()));
    }
    auto ins = store::statement::prepare(
        db_->get(),
        "INSERT INTO history(realm, transport, target, role, content, tool_calls) "
        "VALUES(?,?,?,?,?,?)");
    if (!ins) return ins.err();
    const std::pair<const char*, const std::string*> rows[] = {{"user", &user_text},
                                                               {"assistant", &answer}};
    for (const auto& [role, text] : rows) {
      ins->reset();
      ins->bind(1, k.realm).bind(2, k.transport).bind(3, k.target).bind(4, role).bind(5, *text);
      ins->bind(6, role[0] == 'a' ? tool_calls : 0);
      if (ins->step() != SQLITE_DONE) return fail("history: append: ", sqlite3_errmsg(db_->get()));
    }
    auto trim = store::statement::prepare(
        db_->get(),
        "DELETE FROM history WHERE realm=? AND transport=? AND target=? AND id <= ("
        " SELECT id FROM history WHERE realm=? AND transport=? AND target=?"
        " ORDER BY id DESC LIMIT 1 OFFSET ?)");
    if (!trim) return trim.err();
    trim->bind(1, k.realm).bind(2, k.transport).bind(3, k.target);
    trim->bind(4, k.realm).bind(5, k.transport).bind(6, k.target).bind(7, keep);
    if (trim->step() != SQLITE_DONE) return fail("history: trim: ", sqlite3_errmsg(db_->get()));
    return status::success();
  });
}

result<int64_t> history::recent_tool_calls(const key& k, int64_t turns) {
  auto q = store::statement::prepare(
      db_->get(),
      "SELECT COALESCE(SUM(tool_calls),0) FROM (SELECT tool_calls FROM history"
      " WHERE realm=? AND transport=? AND target=? AND role='assistant'"
      " ORDER BY id DESC LIMIT ?)");
  if (!q) return q.err();
  q->bind(1, k.realm).bind(2, k.transport).bind(3, k.target).bind(4, turns);
  if (q->step() != SQLITE_ROW) return fail("history: ", sqlite3_errmsg(db_->get()));
  return q->int_at(0);
}

}  // namespace frugal::session
