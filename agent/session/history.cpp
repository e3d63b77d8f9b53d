// Session history in sqlite: one row per message, indexed by session key.
#include "agent/session/history.h"

#include <algorithm>
#include <cstdint>

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
    // 2: one summary per session, standing for the rows up to through_id (deleted).
    "CREATE TABLE history_summary("
    " realm TEXT NOT NULL, transport TEXT NOT NULL, target TEXT NOT NULL,"
    " content TEXT NOT NULL, through_id INTEGER NOT NULL,"
    " PRIMARY KEY(realm, transport, target));",
};

// Binds the session key (realm, transport, target) at parameters first..first+2: every
// statement here picks out one conversation by those three columns.
store::statement& bind_key(store::statement& s, const key& k, int first = 1) {
  return s.bind(first, core::realm_name(k.realm))
      .bind(first + 1, k.transport)
      .bind(first + 2, k.target);
}

// Deletes the session's rows with id <= through (INT64_MAX: all of them).
status delete_through(store::database& db, const key& k, int64_t through) {
  auto del = store::statement::prepare(
      db.get(), "DELETE FROM history WHERE realm=? AND transport=? AND target=? AND id<=?");
  if (!del) return del.err();
  bind_key(*del, k).bind(4, through);
  if (del->step() != SQLITE_DONE) return fail("history: delete: ", sqlite3_errmsg(db.get()));
  return status::success();
}
}  // namespace

key key_for(core::realm_kind realm, const core::inbound& msg) {
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
  bind_key(*q, k).bind(4, max_messages);
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
      if (auto s = delete_through(*db_, k, INT64_MAX); !s) return s;
      auto del = store::statement::prepare(
          db_->get(), "DELETE FROM history_summary WHERE realm=? AND transport=? AND target=?");
      if (!del) return del.err();
      bind_key(*del, k);
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
      bind_key(*ins, k).bind(4, role).bind(5, *text);
      ins->bind(6, role[0] == 'a' ? tool_calls : 0);
      if (ins->step() != SQLITE_DONE) return fail("history: append: ", sqlite3_errmsg(db_->get()));
    }
    auto trim = store::statement::prepare(
        db_->get(),
        "DELETE FROM history WHERE realm=? AND transport=? AND target=? AND id <= ("
        " SELECT id FROM history WHERE realm=? AND transport=? AND target=?"
        " ORDER BY id DESC LIMIT 1 OFFSET ?)");
    if (!trim) return trim.err();
    bind_key(*trim, k);
    bind_key(*trim, k, 4).bind(7, keep);
    if (trim->step() != SQLITE_DONE) return fail("history: trim: ", sqlite3_errmsg(db_->get()));
    return status::success();
  });
}

result<window> history::load_window(const key& k) {
  window w;
  auto sum = store::statement::prepare(
      db_->get(),
      "SELECT content, through_id FROM history_summary WHERE realm=? AND transport=? AND "
      "target=?");
  if (!sum) return sum.err();
  bind_key(*sum, k);
  int rc = sum->step();
  if (rc == SQLITE_ROW) {
    w.summary = sum->text_at(0);
    w.summary_through = sum->int_at(1);
  } else if (rc != SQLITE_DONE) {
    return fail("history: load summary: ", sqlite3_errmsg(db_->get()));
  }
  auto q = store::statement::prepare(
      db_->get(),
      "SELECT id, role, content FROM history WHERE realm=? AND transport=? AND target=? "
      "ORDER BY id");
  if (!q) return q.err();
  bind_key(*q, k);
  while ((rc = q->step()) == SQLITE_ROW) {
    stored_message m;
    m.id = q->int_at(0);
    m.msg.role = q->text_at(1) == "user" ? llm::role::user : llm::role::assistant;
    m.msg.content = q->text_at(2);
    if (w.rows.empty() && m.msg.role != llm::role::user) continue;  // as in load()
    w.rows.push_back(std::move(m));
  }
  if (rc != SQLITE_DONE) return fail("history: load: ", sqlite3_errmsg(db_->get()));
  return w;
}

result<bool> history::fold(const key& k, int64_t base_through, int64_t through_id,
                           const std::string& summary) {
  bool won = false;
  auto s = db_->immediate([&]() -> status {
    auto cur = store::statement::prepare(
        db_->get(),
        "SELECT through_id FROM history_summary WHERE realm=? AND transport=? AND target=?");
    if (!cur) return cur.err();
    bind_key(*cur, k);
    int rc = cur->step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
      return fail("history: fold: ", sqlite3_errmsg(db_->get()));
    if ((rc == SQLITE_ROW ? cur->int_at(0) : 0) != base_through) return status::success();
    auto put = store::statement::prepare(
        db_->get(),
        "INSERT INTO history_summary(realm, transport, target, content, through_id) "
        "VALUES(?,?,?,?,?) ON CONFLICT(realm, transport, target) DO UPDATE SET "
        "content=excluded.content, through_id=excluded.through_id");
    if (!put) return put.err();
    bind_key(*put, k).bind(4, summary);
    put->bind(5, through_id);
    if (put->step() != SQLITE_DONE) return fail("history: fold: ", sqlite3_errmsg(db_->get()));
    won = true;
    return delete_through(*db_, k, through_id);
  });
  if (!s) return s.err();
  return won;
}

status history::drop(const key& k, int64_t through_id) {
  return delete_through(*db_, k, through_id);
}

result<int64_t> history::recent_tool_calls(const key& k, int64_t turns) {
  auto q = store::statement::prepare(
      db_->get(),
      "SELECT COALESCE(SUM(tool_calls),0) FROM (SELECT tool_calls FROM history"
      " WHERE realm=? AND transport=? AND target=? AND role='assistant'"
      " ORDER BY id DESC LIMIT ?)");
  if (!q) return q.err();
  bind_key(*q, k).bind(4, turns);
  if (q->step() != SQLITE_ROW) return fail("history: ", sqlite3_errmsg(db_->get()));
  return q->int_at(0);
}

}  // namespace frugal::session
