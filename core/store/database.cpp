// sqlite wrapper: open with the pragmas the daemon relies on, and per-area migrations.
#include "core/store/database.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

namespace frugal::store {
namespace {
// Memory and disk bounds (docs/BENCHMARKS.md measures them). Page cache: 128 KiB per
// connection instead of sqlite's 2 MB, which a long-running daemon filled with the ledger
// and history; a turn reads a few dozen pages, the upper levels of a few B-trees, and a
// page that fell out comes back from the OS's file cache (512 KiB held ~400 KiB more
// under steady traffic and bought no measurable CPU per turn). No lookaside to bound:
// Debian's sqlite is built with SQLITE_OMIT_LOOKASIDE. No memory-mapped I/O (mapped
// pages would count as the process's memory). The WAL is checkpointed at sqlite's 1,000
// pages and cut back to 1 MiB after a checkpoint. page_size and auto_vacuum only apply
// to a new file: 1 KiB pages because a turn writes whole pages to the WAL for rows of a
// few hundred bytes (4 KiB pages made ~60 KB of WAL per turn); incremental auto-vacuum
// so that retention (database::compact) can give freed pages back to the file system.
constexpr const char* k_bounds =
    "PRAGMA cache_size=-128; PRAGMA mmap_size=0; PRAGMA wal_autocheckpoint=1000;"
    "PRAGMA journal_size_limit=1048576;";

status setup(sqlite3* db) {
  // Several processes share the file (the daemon and cron `ask` jobs, all starting their
  // migrations at once on a fresh folder). Transactions are short, so waiting is better
  // than failing; switching to WAL can report SQLITE_BUSY without waiting, so retry it.
  // Once the loop runs the timeout is lowered (database::k_loop_busy_ms).
  sqlite3_busy_timeout(db, database::k_startup_busy_ms);
  // The last connection to close would checkpoint the WAL into the database and delete it,
  // with two fsyncs: a cron `ask` paid that on every run. The WAL stays instead (bounded by
  // the auto-checkpoint and journal_size_limit below) and the next process reuses it.
  sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  // page_size and auto_vacuum only shape a new, empty file. On an existing database setting
  // auto_vacuum again takes the write lock, so an `ask` started while another process holds
  // it waited here past its deadline: read the page count first (a read needs no lock in WAL).
  bool fresh = false;
  {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
      fresh = sqlite3_column_int64(st, 0) == 0;
    sqlite3_finalize(st);
  }
  const char* shape = fresh ? "PRAGMA page_size=1024; PRAGMA auto_vacuum=INCREMENTAL;" : "";
  const std::string first = std::string(shape) +
                            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                            "PRAGMA foreign_keys=ON;"
                            "CREATE TABLE IF NOT EXISTS schema_versions("
                            " area TEXT PRIMARY KEY, version INTEGER NOT NULL);";
  char* err = nullptr;
  int rc = SQLITE_BUSY;
  for (int attempt = 0; attempt < 50 && (rc == SQLITE_BUSY || rc == SQLITE_LOCKED); ++attempt) {
    if (attempt > 0) {
      sqlite3_free(err);
      err = nullptr;
      sqlite3_sleep(20 * attempt);
    }
    rc = sqlite3_exec(db, first.c_str(), nullptr, nullptr, &err);
  }
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, k_bounds, nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return fail("store: setup: ", msg);
  }
  return status::success();
}
}  // namespace

result<database> database::open(const std::string& path) {
  // History, memory and the ledger are private. The file is made 0600 before sqlite opens
  // it: sqlite gives the -wal and -shm files it creates the database file's mode (as root
  // under umask 022 they were 0644, and the WAL holds chat text). A failure here is left
  // for sqlite's open to report.
  if (int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600); fd >= 0)
    ::close(fd);
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  database db(raw, path);
  if (rc != SQLITE_OK)
    return fail("store: open ", path, ": ", raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
  if (auto s = setup(raw); !s) return fail(s.message(), " (", path, ")");
  // Files an older version left readable (and a -wal or -shm made before the file was
  // 0600) are narrowed; a file of another owner stays as it is.
  for (const char* suffix : {"", "-wal", "-shm"}) ::chmod((path + suffix).c_str(), 0600);
  return db;
}

result<database> database::open_memory() {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open(":memory:", &raw);
  database db(raw, ":memory:");
  if (rc != SQLITE_OK) return fail("store: open :memory:: ", sqlite3_errstr(rc));
  if (auto s = setup(raw); !s) return s.err();
  return db;
}

status database::exec(std::string_view sql) {
  char* err = nullptr;
  std::string text(sql);
  int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db_.get());
    sqlite3_free(err);
    return fail("store: ", msg);
  }
  return status::success();
}

status database::migrate(std::string_view area, const std::vector<std::string_view>& steps) {
  // The version is read inside each step's BEGIN IMMEDIATE transaction: several processes
  // may migrate a fresh file at once, and only the first may apply a step.
  auto version = [&]() -> result<int64_t> {
    auto q = statement::prepare(db_.get(), "SELECT version FROM schema_versions WHERE area=?");
    if (!q) return q.err();
    q->bind(1, area);
    int rc = q->step();
    if (rc == SQLITE_ROW) return q->int_at(0);
    if (rc == SQLITE_DONE) return int64_t{0};
    return fail("migration ", area, ": ", sqlite3_errmsg(db_.get()));
  };
  if (!versions_read_) {
    auto all = statement::prepare(db_.get(), "SELECT area, version FROM schema_versions");
    if (!all) return all.err();
    while (all->step() == SQLITE_ROW) versions_[all->text_at(0)] = all->int_at(1);
    versions_read_ = true;
  }
  const auto total = static_cast<int64_t>(steps.size());
  if (auto it = versions_.find(area); it != versions_.end() && it->second >= total)
    return status::success();
  for (size_t v = 0; v < steps.size(); ++v) {
    auto before = version();
    if (!before) return before.err();
    if (*before > static_cast<int64_t>(v)) continue;  // applied earlier, no lock needed
    status s = immediate([&]() -> status {
      auto now = version();
      if (!now) return now.err();
      if (*now > static_cast<int64_t>(v)) return status::success();  // another process won
      if (auto r = exec(steps[v]); !r)
        return fail("migration ", area, " #", v + 1, ": ", r.message());
      auto up = statement::prepare(db_.get(),
                                   "INSERT INTO schema_versions(area, version) VALUES(?, ?) "
                                   "ON CONFLICT(area) DO UPDATE SET version=excluded.version");
      if (!up) return up.err();
      up->bind(1, area).bind(2, static_cast<int64_t>(v + 1));
      if (up->step() != SQLITE_DONE) return fail("migration ", area, ": ", sqlite3_errmsg(get()));
      return status::success();
    });
    if (!s) return s;
  }
  versions_[std::string(area)] = total;
  return status::success();
}

status database::compact(int64_t max_pages) {
  auto st = statement::prepare(db_.get(), "PRAGMA incremental_vacuum(" +
                                              std::to_string(max_pages < 1 ? 1 : max_pages) + ")");
  if (!st) return st.err();
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) {
  }
  if (rc != SQLITE_DONE) return fail("store: incremental vacuum: ", sqlite3_errmsg(get()));
  // PASSIVE: copies what no reader still needs and never waits for one.
  rc = sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY)
    return fail("store: checkpoint: ", sqlite3_errmsg(get()));
  return status::success();
}

void database::release_memory() {
  sqlite3_db_release_memory(db_.get());
}

result<statement> statement::prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &st, nullptr);
  if (rc != SQLITE_OK) return fail("store: prepare: ", sqlite3_errmsg(db));
  return statement(st);
}
statement& statement::bind(int i, int64_t v) {
  sqlite3_bind_int64(st_.get(), i, v);
  return *this;
}
statement& statement::bind(int i, std::string_view v) {
  sqlite3_bind_text(st_.get(), i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
statement& statement::bind_null(int i) {
  sqlite3_bind_null(st_.get(), i);
  return *this;
}
int statement::step() {
  return sqlite3_step(st_.get());
}
int64_t statement::int_at(int col) const {
  return sqlite3_column_int64(st_.get(), col);
}
std::string statement::text_at(int col) const {
  auto* p = sqlite3_column_text(st_.get(), col);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<size_t>(sqlite3_column_bytes(st_.get(), col)))
           : std::string();
}
bool statement::is_null(int col) const {
  return sqlite3_column_type(st_.get(), col) == SQLITE_NULL;
}
void statement::reset() {
  sqlite3_reset(st_.get());
  sqlite3_clear_bindings(st_.get());
}

}  // namespace frugal::store
