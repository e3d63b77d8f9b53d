// sqlite persistence for a Matrix account. Statements are prepared per call: they run a
// few times per sync batch, and keeping no prepared statements keeps the object movable.
#include "transports/matrix/state.h"

#include <chrono>

namespace frugal::matrix {
namespace {

using store::statement;

const std::vector<std::string_view> k_migrations = {
    "CREATE TABLE matrix_sync(account TEXT PRIMARY KEY, next_batch TEXT NOT NULL);"
    "CREATE TABLE matrix_txn(account TEXT PRIMARY KEY, prefix TEXT NOT NULL,"
    " counter INTEGER NOT NULL);"
    "CREATE TABLE matrix_pending(id INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL,"
    " room_id TEXT NOT NULL, txn_id TEXT NOT NULL, content TEXT NOT NULL);"
    "CREATE TABLE matrix_seen(seq INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL,"
    " event_id TEXT NOT NULL, UNIQUE(account, event_id));"
    "CREATE TABLE matrix_rooms(account TEXT NOT NULL, room_id TEXT NOT NULL,"
    " encrypted INTEGER NOT NULL DEFAULT 0, notified INTEGER NOT NULL DEFAULT 0,"
    " direct INTEGER NOT NULL DEFAULT 0, members INTEGER NOT NULL DEFAULT -1,"
    " PRIMARY KEY(account, room_id));",
    "CREATE TABLE matrix_inbox(account TEXT NOT NULL, event_id TEXT NOT NULL,"
    " room_id TEXT NOT NULL, sender TEXT NOT NULL, display TEXT NOT NULL, body TEXT NOT NULL,"
    " direct INTEGER NOT NULL, origin_ts INTEGER NOT NULL, received INTEGER PRIMARY KEY,"
    " UNIQUE(account, event_id));",
};

// Its own migration area, so other matrix_* migrations number independently.
const std::vector<std::string_view> k_member_migrations = {
    "CREATE TABLE matrix_members(account TEXT NOT NULL, room_id TEXT NOT NULL,"
    " user_id TEXT NOT NULL, membership TEXT NOT NULL,"
    " PRIMARY KEY(account, room_id, user_id));",
};

status step_done(statement& st, sqlite3* db, const char* what) {
  if (st.step() != SQLITE_DONE) return fail("matrix state: ", what, ": ", sqlite3_errmsg(db));
  return status::success();
}

}  // namespace

result<state_store> state_store::open(store::database& db, std::string account, size_t seen_limit) {
  if (auto s = db.migrate("matrix", k_migrations); !s) return s.err();
  if (auto s = db.migrate("matrix_members", k_member_migrations); !s) return s.err();
  return state_store(db, std::move(account), seen_limit);
}

result<std::string> state_store::next_batch() {
  auto q = statement::prepare(db_->get(), "SELECT next_batch FROM matrix_sync WHERE account=?");
  if (!q) return q.err();
  q->bind(1, account_);
  int rc = q->step();
  if (rc == SQLITE_ROW) return q->text_at(0);
  if (rc == SQLITE_DONE) return std::string();
  return fail("matrix state: read next_batch: ", sqlite3_errmsg(db_->get()));
}

status state_store::set_next_batch(std::string_view token) {
  auto q = statement::prepare(db_->get(),
                              "INSERT INTO matrix_sync(account, next_batch) VALUES(?, ?) "
                              "ON CONFLICT(account) DO UPDATE SET next_batch=excluded.next_batch");
  if (!q) return q.err();
  q->bind(1, account_).bind(2, token);
  return step_done(*q, db_->get(), "save next_batch");
}

result<pending_send> state_store::enqueue(std::string_view room_id, std::string_view content) {
  pending_send out;
  status s = db_->immediate([&]() -> status {
    auto read =
        statement::prepare(db_->get(), "SELECT prefix, counter FROM matrix_txn WHERE account=?");
    if (!read) return read.err();
    read->bind(1, account_);
    std::string prefix;
    int64_t counter = 0;
    if (read->step() == SQLITE_ROW) {
      prefix = read->text_at(0);
      counter = read->int_at(1);
    } else {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
      prefix = "f" + std::to_string(ms);
    }
    ++counter;
    auto write =
        statement::prepare(db_->get(),
                           "INSERT INTO matrix_txn(account, prefix, counter) VALUES(?, ?, ?) "
                           "ON CONFLICT(account) DO UPDATE SET counter=excluded.counter");
    if (!write) return write.err();
    write->bind(1, account_).bind(2, prefix).bind(3, counter);
    if (auto w = step_done(*write, db_->get(), "txn counter"); !w) return w;
    out.txn_id = prefix + "." + std::to_string(counter);
    auto add = statement::prepare(db_->get(),
                                  "INSERT INTO matrix_pending(account, room_id, txn_id, content) "
                                  "VALUES(?, ?, ?, ?)");
    if (!add) return add.err();
    add->bind(1, account_).bind(2, room_id).bind(3, out.txn_id).bind(4, content);
    if (auto w = step_done(*add, db_->get(), "queue send"); !w) return w;
    out.id = sqlite3_last_insert_rowid(db_->get());
    return status::success();
  });
  if (!s) return s.err();
  out.room_id = std::string(room_id);
  out.content = std::string(content);
  return out;
}

result<std::vector<pending_send>> state_store::pending() {
  auto q = statement::prepare(db_->get(),
                              "SELECT id, room_id, txn_id, content FROM matrix_pending "
                              "WHERE account=? ORDER BY id");
  if (!q) return q.err();
  q->bind(1, account_);
  std::vector<pending_send> out;
  int rc;
  while ((rc = q->step()) == SQLITE_ROW)
    out.push_back({q->int_at(0), q->text_at(1), q->text_at(2), q->text_at(3)});
  if (rc != SQLITE_DONE) return fail("matrix state: read pending: ", sqlite3_errmsg(db_->get()));
  return out;
}

status state_store::remove_pending(int64_t id) {
  auto q = statement::prepare(db_->get(), "DELETE FROM matrix_pending WHERE id=? AND account=?");
  if (!q) return q.err();
  q->bind(1, id).bind(2, account_);
  return step_done(*q, db_->get(), "remove pending");
}

result<bool> state_store::mark_seen(std::string_view event_id) {
  auto q = statement::prepare(db_->get(),
                              "INSERT OR IGNORE INTO matrix_seen(account, event_id) VALUES(?, ?)");
  if (!q) return q.err();
  q->bind(1, account_).bind(2, event_id);
  if (auto s = step_done(*q, db_->get(), "mark seen"); !s) return s.err();
  bool fresh = sqlite3_changes(db_->get()) == 1;
  if (fresh && ++inserts_since_prune_ >= 64) {
    inserts_since_prune_ = 0;
    auto prune = statement::prepare(
        db_->get(),
        "DELETE FROM matrix_seen WHERE account=?1 AND seq <= (SELECT seq FROM matrix_seen "
        "WHERE account=?1 ORDER BY seq DESC LIMIT 1 OFFSET ?2)");
    if (!prune) return prune.err();
    prune->bind(1, account_).bind(2, static_cast<int64_t>(seen_limit_));
    if (auto s = step_done(*prune, db_->get(), "prune seen"); !s) return s.err();
  }
  return fresh;
}

result<bool> state_store::receive(const inbox_entry& e) {
  bool fresh = false;
  status s = db_->immediate([&]() -> status {
    auto seen = mark_seen(e.event_id);
    if (!seen) return seen.err();
    fresh = *seen;
    if (!fresh) return status::success();
    auto q = statement::prepare(
        db_->get(),
        "INSERT OR IGNORE INTO matrix_inbox(account, event_id, room_id, sender, display, body,"
        " direct, origin_ts) VALUES(?,?,?,?,?,?,?,?)");
    if (!q) return q.err();
    q->bind(1, account_).bind(2, e.event_id).bind(3, e.room_id).bind(4, e.sender);
    q->bind(5, e.display).bind(6, e.text).bind(7, int64_t{e.direct}).bind(8, e.origin_ts);
    return step_done(*q, db_->get(), "keep received message");
  });
  if (!s) return fail("matrix state: receive ", e.event_id, ": ", s.message());
  return fresh;
}

result<std::vector<inbox_entry>> state_store::inbox() {
  auto q = statement::prepare(db_->get(),
                              "SELECT event_id, room_id, sender, display, body, direct, origin_ts"
                              " FROM matrix_inbox WHERE account=? ORDER BY received");
  if (!q) return q.err();
  q->bind(1, account_);
  std::vector<inbox_entry> out;
  int rc;
  while ((rc = q->step()) == SQLITE_ROW)
    out.push_back({q->text_at(0), q->text_at(1), q->text_at(2), q->text_at(3), q->text_at(4),
                   q->int_at(5) != 0, q->int_at(6)});
  if (rc != SQLITE_DONE) return fail("matrix state: read inbox: ", sqlite3_errmsg(db_->get()));
  return out;
}

status state_store::answered(std::string_view event_id) {
  auto q = statement::prepare(db_->get(), "DELETE FROM matrix_inbox WHERE account=? AND event_id=?");
  if (!q) return q.err();
  q->bind(1, account_).bind(2, event_id);
  return step_done(*q, db_->get(), "forget answered message");
}

result<room_info> state_store::room(std::string_view room_id) {
  auto q = statement::prepare(db_->get(),
                              "SELECT encrypted, notified, direct, members FROM matrix_rooms "
                              "WHERE account=? AND room_id=?");
  if (!q) return q.err();
  q->bind(1, account_).bind(2, room_id);
  room_info out;
  int rc = q->step();
  if (rc == SQLITE_ROW) {
    out.encrypted = q->int_at(0) != 0;
    out.notified = q->int_at(1) != 0;
    out.direct = q->int_at(2) != 0;
    out.members = q->int_at(3);
  } else if (rc != SQLITE_DONE) {
    return fail("matrix state: read room: ", sqlite3_errmsg(db_->get()));
  }
  return out;
}

status state_store::set_room(std::string_view room_id, const room_info& info) {
  auto q = statement::prepare(
      db_->get(),
      "INSERT INTO matrix_rooms(account, room_id, encrypted, notified, direct, members) "
      "VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(account, room_id) DO UPDATE SET "
      "encrypted=excluded.encrypted, notified=excluded.notified, direct=excluded.direct, "
      "members=excluded.members");
  if (!q) return q.err();
  q->bind(1, account_).bind(2, room_id);
  q->bind(3, int64_t{info.encrypted}).bind(4, int64_t{info.notified});
  q->bind(5, int64_t{info.direct}).bind(6, info.members);
  return step_done(*q, db_->get(), "save room");
}

status state_store::set_member(std::string_view room_id, std::string_view user_id,
                               std::string_view membership) {
  const bool present = membership == "join" || membership == "invite";
  auto q = statement::prepare(
      db_->get(), present ? "INSERT INTO matrix_members(account, room_id, user_id, membership) "
                            "VALUES(?, ?, ?, ?) ON CONFLICT(account, room_id, user_id) DO "
                            "UPDATE SET membership=excluded.membership"
                          : "DELETE FROM matrix_members WHERE account=? AND room_id=? AND "
                            "user_id=?");
  if (!q) return q.err();
  q->bind(1, account_).bind(2, room_id).bind(3, user_id);
  if (present) q->bind(4, membership);
  return step_done(*q, db_->get(), "save member");
}

result<state_store::room_members> state_store::members(std::string_view room_id) {
  auto q = statement::prepare(db_->get(),
                              "SELECT user_id, membership FROM matrix_members "
                              "WHERE account=? AND room_id=? ORDER BY user_id");
  if (!q) return q.err();
  q->bind(1, account_).bind(2, room_id);
  room_members out;
  int rc;
  while ((rc = q->step()) == SQLITE_ROW)
    (q->text_at(1) == "join" ? out.joined : out.invited).push_back(q->text_at(0));
  if (rc != SQLITE_DONE) return fail("matrix state: read members: ", sqlite3_errmsg(db_->get()));
  return out;
}

}  // namespace frugal::matrix
