// sqlite side of the audit log. Arguments pass log::redact (registered secrets become ***),
// are cut to 2 KB and made valid UTF-8 before they touch the database.
#include "tools/audit.h"

#include <ctime>

#include "core/log.h"
#include "core/utf8.h"

namespace frugal::tools::audit {
namespace {

const std::vector<std::string_view> steps = {
    "CREATE TABLE audit(id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, realm TEXT NOT NULL,"
    " sender TEXT NOT NULL, tool TEXT NOT NULL, arguments TEXT NOT NULL,"
    " verdict TEXT NOT NULL CHECK (verdict IN ('allowed','denied')), reason TEXT NOT NULL,"
    " exit_status INTEGER, duration_ms INTEGER);"
    "CREATE INDEX audit_at ON audit(at_ms);"};

int64_t now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

std::string clean_arguments(const std::string& raw) {
  std::string r = log::redact(raw);
  bool cut = r.size() > max_argument_bytes;
  if (cut) r.resize(max_argument_bytes);
  r = utf8::repair(r);
  if (cut) r += "…[cut]";
  return r;
}

result<int64_t> insert(store::database& db, const audit_entry& e, bool finished) {
  if (auto s = migrate(db); !s) return s.err();
  auto st = store::statement::prepare(
      db.get(),
      "INSERT INTO audit(at_ms, realm, sender, tool, arguments, verdict, reason, exit_status,"
      " duration_ms) VALUES(?,?,?,?,?,?,?,?,?)");
  if (!st) return st.err();
  st->bind(1, e.at_ms ? e.at_ms : now_ms())
      .bind(2, core::realm_name(e.realm))
      .bind(3, log::redact(e.sender))
      .bind(4, e.tool)
      .bind(5, clean_arguments(e.arguments))
      .bind(6, e.allowed ? "allowed" : "denied")
      .bind(7, log::redact(e.reason));
  if (finished && e.exit_status >= 0)
    st->bind(8, static_cast<int64_t>(e.exit_status));
  else
    st->bind_null(8);
  if (finished && e.duration_ms >= 0)
    st->bind(9, e.duration_ms);
  else
    st->bind_null(9);
  if (st->step() != SQLITE_DONE) return fail("audit: insert: ", sqlite3_errmsg(db.get()));
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db.get()));
}

}  // namespace

status migrate(store::database& db) {
  return db.migrate("audit", steps);
}

status record(store::database& db, const audit_entry& e) {
  auto id = insert(db, e, true);
  if (!id) return id.err();
  return status::success();
}

result<int64_t> begin(store::database& db, const audit_entry& e) {
  return insert(db, e, false);
}

status finish(store::database& db, int64_t id, int exit_status, int64_t duration_ms,
              const std::string* refusal) {
  auto st = store::statement::prepare(
      db.get(), refusal
                    ? "UPDATE audit SET exit_status=?, duration_ms=?, verdict='denied', reason=?"
                      " WHERE id=?"
                    : "UPDATE audit SET exit_status=?, duration_ms=? WHERE id=?");
  if (!st) return st.err();
  st->bind(1, static_cast<int64_t>(exit_status)).bind(2, duration_ms);
  if (refusal)
    st->bind(3, log::redact(*refusal)).bind(4, id);
  else
    st->bind(3, id);
  if (st->step() != SQLITE_DONE) return fail("audit: finish: ", sqlite3_errmsg(db.get()));
  return status::success();
}

result<int64_t> prune(store::database& db, int64_t before_ms) {
  if (auto s = migrate(db); !s) return s.err();
  auto st = store::statement::prepare(db.get(), "DELETE FROM audit WHERE at_ms < ?");
  if (!st) return st.err();
  st->bind(1, before_ms);
  if (st->step() != SQLITE_DONE) return fail("audit: prune: ", sqlite3_errmsg(db.get()));
  return static_cast<int64_t>(sqlite3_changes(db.get()));
}

result<std::vector<audit_entry>> recent(store::database& db, size_t limit) {
  if (auto s = migrate(db); !s) return s.err();
  auto st = store::statement::prepare(
      db.get(),
      "SELECT at_ms, realm, sender, tool, arguments, verdict, reason, exit_status, duration_ms"
      " FROM audit ORDER BY id DESC LIMIT ?");
  if (!st) return st.err();
  st->bind(1, static_cast<int64_t>(limit));
  std::vector<audit_entry> rows;
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) {
    auto realm = core::parse_realm(st->text_at(1));
    if (!realm) return fail("audit: read: ", realm.message());
    audit_entry e;
    e.at_ms = st->int_at(0);
    e.realm = *realm;
    e.sender = st->text_at(2);
    e.tool = st->text_at(3);
    e.arguments = st->text_at(4);
    e.allowed = st->text_at(5) == "allowed";
    e.reason = st->text_at(6);
    e.exit_status = st->is_null(7) ? -1 : static_cast<int>(st->int_at(7));
    e.duration_ms = st->is_null(8) ? -1 : st->int_at(8);
    rows.push_back(std::move(e));
  }
  if (rc != SQLITE_DONE) return fail("audit: read: ", sqlite3_errmsg(db.get()));
  return rows;
}

}  // namespace frugal::tools::audit
