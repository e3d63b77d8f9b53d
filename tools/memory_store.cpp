// sqlite side of the memory tools: one content table (realm, time, text) and an external-
// content FTS5 index kept in step by triggers. Statements are prepared per call: the tools
// run a few times per turn, not in a hot loop.
#include "tools/memory_store.h"

#include <ctime>

namespace frugal::tools::memory {
namespace {

const std::vector<std::string_view> steps = {
    "CREATE TABLE memories(id INTEGER PRIMARY KEY, realm TEXT NOT NULL,"
    " created_at INTEGER NOT NULL, text TEXT NOT NULL);"
    "CREATE INDEX memories_realm ON memories(realm, id);"
    "CREATE VIRTUAL TABLE memories_fts USING fts5(text, content='memories',"
    " content_rowid='id', tokenize='unicode61');"
    "CREATE TRIGGER memories_ai AFTER INSERT ON memories BEGIN"
    " INSERT INTO memories_fts(rowid, text) VALUES (new.id, new.text); END;"
    "CREATE TRIGGER memories_ad AFTER DELETE ON memories BEGIN"
    " INSERT INTO memories_fts(memories_fts, rowid, text) VALUES ('delete', old.id, old.text);"
    " END;",
    // #2: ids numbered per realm (issue 13 item 9). The global rowid let a public turn count
    // the private memories ("remembered as #4" after three private notes); `seq` is what
    // the tools show, numbered 1, 2, 3... in each realm in the order the rows were made,
    // and memory_ids keeps each realm's last number so a forgotten id is never reused.
    // The rowid stays the FTS5 key and is never shown.
    "ALTER TABLE memories ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;"
    "UPDATE memories SET seq = (SELECT count(*) FROM memories AS o"
    " WHERE o.realm = memories.realm AND o.id <= memories.id);"
    "CREATE UNIQUE INDEX memories_realm_seq ON memories(realm, seq);"
    "CREATE TABLE memory_ids(realm TEXT PRIMARY KEY, last INTEGER NOT NULL);"
    "INSERT INTO memory_ids(realm, last) SELECT realm, max(seq) FROM memories GROUP BY realm;"};

bool word_byte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0x80;
}

}  // namespace

status migrate(store::database& db) {
  return db.migrate("memory", steps);
}

std::string fts_query(std::string_view text) {
  std::string out;
  size_t words = 0, i = 0;
  while (i < text.size() && words < 16) {
    while (i < text.size() && !word_byte(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < text.size() && word_byte(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start) break;
    if (words++) out += " OR ";
    out += '"';
    out.append(text.substr(start, i - start));  // no '"' inside: it is not a word byte
    out += '"';
  }
  return out;
}

result<int64_t> remember(store::database& db, core::realm_kind realm, std::string_view text) {
  if (text.empty()) return fail("memory: nothing to remember");
  if (text.size() > max_text_bytes)
    return fail("memory: text is ", text.size(), " bytes; the limit is ", max_text_bytes);
  if (auto s = migrate(db); !s) return s.err();
  // One transaction: the count, the realm's next number and the row (a cron `ask` and the
  // daemon may remember at once).
  int64_t seq = 0;
  status s = db.immediate([&]() -> status {
    auto count = store::statement::prepare(db.get(), "SELECT count(*) FROM memories WHERE realm=?");
    if (!count) return count.err();
    count->bind(1, core::realm_name(realm));
    if (count->step() == SQLITE_ROW && count->int_at(0) >= max_rows_per_realm)
      return fail("memory: this realm already holds ", max_rows_per_realm,
                  " memories; forget some first");
    auto next = store::statement::prepare(
        db.get(),
        "INSERT INTO memory_ids(realm, last) VALUES(?, 1)"
        " ON CONFLICT(realm) DO UPDATE SET last = last + 1 RETURNING last");
    if (!next) return next.err();
    next->bind(1, core::realm_name(realm));
    if (next->step() != SQLITE_ROW) return fail("memory: number: ", sqlite3_errmsg(db.get()));
    seq = next->int_at(0);
    next->reset();
    auto ins = store::statement::prepare(
        db.get(), "INSERT INTO memories(realm, seq, created_at, text) VALUES(?, ?, ?, ?)");
    if (!ins) return ins.err();
    ins->bind(1, core::realm_name(realm))
        .bind(2, seq)
        .bind(3, static_cast<int64_t>(time(nullptr)))
        .bind(4, text);
    if (ins->step() != SQLITE_DONE) return fail("memory: insert: ", sqlite3_errmsg(db.get()));
    return status::success();
  });
  if (!s) return s.err();
  return seq;
}

result<std::vector<memory_row>> recall(store::database& db, core::realm_kind realm,
                                       std::string_view query, size_t limit) {
  if (auto s = migrate(db); !s) return s.err();
  std::vector<memory_row> rows;
  std::string match = fts_query(query);
  if (match.empty()) return rows;
  auto q = store::statement::prepare(
      db.get(),
      "SELECT m.seq, m.created_at, m.text FROM memories_fts JOIN memories m"
      " ON m.id = memories_fts.rowid WHERE memories_fts MATCH ? AND m.realm = ?"
      " ORDER BY memories_fts.rank LIMIT ?");
  if (!q) return q.err();
  q->bind(1, match).bind(2, core::realm_name(realm)).bind(3, static_cast<int64_t>(limit));
  int rc;
  while ((rc = q->step()) == SQLITE_ROW)
    rows.push_back({q->int_at(0), q->int_at(1), q->text_at(2)});
  if (rc != SQLITE_DONE) return fail("memory: search: ", sqlite3_errmsg(db.get()));
  return rows;
}

result<bool> forget(store::database& db, core::realm_kind realm, int64_t id) {
  if (auto s = migrate(db); !s) return s.err();
  auto del = store::statement::prepare(db.get(), "DELETE FROM memories WHERE seq=? AND realm=?");
  if (!del) return del.err();
  del->bind(1, id).bind(2, core::realm_name(realm));
  if (del->step() != SQLITE_DONE) return fail("memory: delete: ", sqlite3_errmsg(db.get()));
  return sqlite3_changes(db.get()) > 0;
}

}  // namespace frugal::tools::memory
