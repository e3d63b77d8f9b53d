// database: the one sqlite file in state_dir (WAL mode, busy timeout, foreign keys on,
// bounded page cache, 1 KiB pages, incremental auto-vacuum; see database.cpp).
// Each area (ledger, sessions, memory, matrix, audit) keeps its own numbered migrations and
// calls migrate() at start; applied versions are recorded per area in `schema_versions`.
// It is not a query builder: areas prepare their own statements on get().
#pragma once
#include <sqlite3.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/handles.h"
#include "core/result.h"

namespace frugal::store {

class database {
 public:
  // Opens (creating if missing) `path`, makes it and its -wal and -shm files 0600 when they
  // are ours, sets WAL, foreign keys and the start-up busy
  // timeout (k_startup_busy_ms: migrations and orphan recovery may wait for another
  // process). Before the loop runs, the caller lowers it with set_busy_timeout_ms.
  static result<database> open(const std::string& path);
  // An in-memory database for unit tests.
  static result<database> open_memory();

  // How long one statement waits for another connection's lock before SQLITE_BUSY.
  static constexpr int k_startup_busy_ms = 5000;
  // On the loop thread: a few ms, so a lock held by another process never stalls the
  // loop; callers retry SQLITE_BUSY later on a timer (see budget::verdict_kind::busy).
  static constexpr int k_loop_busy_ms = 5;
  void set_busy_timeout_ms(int ms) { sqlite3_busy_timeout(db_.get(), ms); }

  sqlite3* get() const { return db_.get(); }
  const std::string& path() const { return path_; }

  // Runs one or more statements with no results.
  status exec(std::string_view sql);
  // Applies steps[v] for every v at or above the area's recorded version, each in its own
  // transaction, so a crash leaves a consistent version. Steps are never edited once
  // shipped: a change is a new step appended at the end. The first call reads every
  // area's version in one query; an area found up to date costs no further statement.
  status migrate(std::string_view area, const std::vector<std::string_view>& steps);
  // Runs `body` inside BEGIN IMMEDIATE … COMMIT (ROLLBACK when it fails).
  template <class F>
  status immediate(F&& body);
  // Gives up to `max_pages` free pages back to the file system (incremental vacuum; a
  // file made before auto_vacuum was set keeps its size and reuses free pages) and
  // checkpoints the WAL without waiting for readers. For the daemon's daily upkeep.
  status compact(int64_t max_pages);
  // Frees the page cache's unused pages (after a burst; the cache refills on demand).
  void release_memory();

 private:
  explicit database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite_ptr db_;
  std::string path_;
  // Versions read by the first migrate() (they only grow, so a stale entry can only make
  // migrate take its checked path), and whether that read happened.
  std::map<std::string, int64_t, std::less<>> versions_;
  bool versions_read_ = false;
};

// A prepared statement with bind helpers (1-based indexes, as in sqlite).
class statement {
 public:
  static result<statement> prepare(sqlite3* db, std::string_view sql);
  statement& bind(int i, int64_t v);
  statement& bind(int i, std::string_view v);
  statement& bind_null(int i);
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step();
  int64_t int_at(int col) const;
  std::string text_at(int col) const;
  bool is_null(int col) const;
  void reset();
  sqlite3_stmt* get() const { return st_.get(); }

 private:
  explicit statement(sqlite3_stmt* st) : st_(st) {}
  sqlite_stmt_ptr st_;
};

template <class F>
status database::immediate(F&& body) {
  if (auto s = exec("BEGIN IMMEDIATE"); !s) return s;
  status r = body();
  if (!r) {
    (void)exec("ROLLBACK");
    return r;
  }
  if (auto s = exec("COMMIT"); !s) {
    (void)exec("ROLLBACK");
    return s;
  }
  return status::success();
}

}  // namespace frugal::store
