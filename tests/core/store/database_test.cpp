// Tests for core/store/database.cpp: the bounds a new file gets (1 KiB pages, incremental
// auto-vacuum, a 128 KiB page cache, no mmap, WAL cut back to 1 MiB) and compact(), which
// gives freed pages back to the file system.
#include "core/store/database.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>
#include <vector>

using namespace frugal;

namespace {

struct temp_dir {
  std::string path;
  temp_dir() {
    char tmpl[] = "/tmp/frugal-store-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    path = tmpl;
  }
  ~temp_dir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

int64_t scalar(store::database& db, const std::string& sql) {
  auto q = store::statement::prepare(db.get(), sql);
  REQUIRE(q);
  REQUIRE(q->step() == SQLITE_ROW);
  return q->int_at(0);
}

int64_t pragma(store::database& db, const std::string& name) {
  return scalar(db, "PRAGMA " + name);
}

off_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

}  // namespace

TEST_CASE("a new database gets small pages, a bounded cache and no mmap", "[store]") {
  temp_dir d;
  auto db = store::database::open(d.path + "/frugal.db");
  REQUIRE(db);
  CHECK(pragma(*db, "page_size") == 1024);
  CHECK(pragma(*db, "auto_vacuum") == 2);  // incremental
  CHECK(pragma(*db, "cache_size") == -128);
  CHECK(pragma(*db, "mmap_size") == 0);
  CHECK(pragma(*db, "journal_size_limit") == 1048576);
  // A second connection (a cron `ask` beside the daemon) gets the same bounds.
  auto again = store::database::open(d.path + "/frugal.db");
  REQUIRE(again);
  CHECK(pragma(*again, "cache_size") == -128);
  CHECK(pragma(*again, "page_size") == 1024);
}

TEST_CASE("a connection's page cache holds at most about 128 KiB however much it reads",
          "[store]") {
  temp_dir d;
  auto db = store::database::open(d.path + "/frugal.db");
  REQUIRE(db);
  // 2 MB of rows (a daemon's ledger and history after some weeks), read twice in full.
  REQUIRE(db->exec("CREATE TABLE t(x TEXT)"));
  REQUIRE(
      db->exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<4000)"
               " INSERT INTO t SELECT printf('%.500c', 'x') FROM n"));
  CHECK(scalar(*db, "SELECT count(*) FROM t WHERE length(x) = 500") == 4000);
  CHECK(scalar(*db, "SELECT sum(length(x)) FROM t") == 2'000'000);
  int used = 0, highwater = 0;
  REQUIRE(sqlite3_db_status(db->get(), SQLITE_DBSTATUS_CACHE_USED, &used, &highwater, 0) ==
          SQLITE_OK);
  // Pages plus sqlite's per-page headers; before (cache_size -512) it held 574 KB.
  CHECK(used > 64 * 1024);
  CHECK(used <= 160 * 1024);
  db->release_memory();  // what the daemon does after a burst
  REQUIRE(sqlite3_db_status(db->get(), SQLITE_DBSTATUS_CACHE_USED, &used, &highwater, 0) ==
          SQLITE_OK);
  CHECK(used < 32 * 1024);
}

TEST_CASE("compact gives the pages of deleted rows back to the file system", "[store]") {
  temp_dir d;
  const std::string path = d.path + "/frugal.db";
  auto db = store::database::open(path);
  REQUIRE(db);
  REQUIRE(db->exec("CREATE TABLE t(x TEXT)"));
  REQUIRE(
      db->exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<2000)"
               " INSERT INTO t SELECT printf('%.500c', 'x') FROM n"));
  REQUIRE(db->compact(1));  // checkpoints the rows into the file
  const int64_t full = pragma(*db, "page_count");
  CHECK(full > 1000);
  REQUIRE(db->exec("DELETE FROM t"));
  CHECK(pragma(*db, "freelist_count") > 1000);
  REQUIRE(db->compact(100));  // about 100 pages per call (and their pointer-map pages)
  CHECK(pragma(*db, "page_count") < full - 90);
  CHECK(pragma(*db, "page_count") > full - 110);
  REQUIRE(db->compact(1'000'000));
  CHECK(pragma(*db, "freelist_count") == 0);
  CHECK(pragma(*db, "page_count") < 20);
  CHECK(file_size(path) < 64 * 1024);  // the checkpoint truncated the file itself
}

namespace {
int g_statements = 0;
int count_statement(unsigned, void*, void*, void*) {
  ++g_statements;
  return 0;
}
}  // namespace

TEST_CASE("migrate reads every area's version once, then runs nothing for a current area",
          "[store]") {
  temp_dir d;
  const std::string path = d.path + "/frugal.db";
  const std::vector<std::string_view> a = {"CREATE TABLE a1(x);", "CREATE TABLE a2(x);"};
  const std::vector<std::string_view> b = {"CREATE TABLE b1(x);"};
  {
    auto first = store::database::open(path);
    REQUIRE(first);
    REQUIRE(first->migrate("a", a));
    REQUIRE(first->migrate("b", b));
  }
  auto db = store::database::open(path);  // a later process: everything is applied
  REQUIRE(db);
  sqlite3_trace_v2(db->get(), SQLITE_TRACE_STMT, count_statement, nullptr);
  g_statements = 0;
  REQUIRE(db->migrate("a", a));
  CHECK(g_statements == 1);  // the one read of schema_versions
  REQUIRE(db->migrate("b", b));
  REQUIRE(db->migrate("a", a));
  CHECK(g_statements == 1);
  // A new step still runs, once.
  const std::vector<std::string_view> b2 = {"CREATE TABLE b1(x);", "CREATE TABLE b2(x);"};
  REQUIRE(db->migrate("b", b2));
  CHECK(g_statements > 1);
  g_statements = 0;
  REQUIRE(db->migrate("b", b2));
  CHECK(g_statements == 0);
  sqlite3_trace_v2(db->get(), 0, nullptr, nullptr);
  auto q =
      store::statement::prepare(db->get(), "SELECT version FROM schema_versions WHERE area='b'");
  REQUIRE(q);
  REQUIRE(q->step() == SQLITE_ROW);
  CHECK(q->int_at(0) == 2);
}

TEST_CASE("closing the last connection leaves the WAL instead of checkpointing it", "[store]") {
  temp_dir d;
  const std::string path = d.path + "/frugal.db";
  {
    auto db = store::database::open(path);
    REQUIRE(db);
    REQUIRE(db->exec("CREATE TABLE t(x); INSERT INTO t VALUES(42);"));
  }
  CHECK(file_size(path + "-wal") > 0);  // before: checkpointed, fsynced and deleted
  auto db = store::database::open(path);
  REQUIRE(db);
  CHECK(scalar(*db, "SELECT x FROM t") == 42);
}

TEST_CASE("the database, its -wal and -shm are 0600 whatever the umask", "[store]") {
  temp_dir d;
  const std::string path = d.path + "/frugal.db";
  auto mode = [](const std::string& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
  };
  // A process without frugal's own umask (a library user, a test): before, sqlite made
  // the -wal and -shm 0644 and only the main file was narrowed afterwards.
  const mode_t old_mask = ::umask(022);
  {
    auto db = store::database::open(path);
    REQUIRE(db);
    REQUIRE(db->exec("CREATE TABLE t(x); INSERT INTO t VALUES ('private chat text');"));
    CHECK(mode(path) == 0600);
    CHECK(mode(path + "-wal") == 0600);
    CHECK(mode(path + "-shm") == 0600);
  }
  // Files an older version left 0644 are narrowed at the next open.
  for (const char* s : {"", "-wal", "-shm"}) REQUIRE(::chmod((path + s).c_str(), 0644) == 0);
  {
    auto db = store::database::open(path);
    REQUIRE(db);
    CHECK(mode(path) == 0600);
    CHECK(mode(path + "-wal") == 0600);
    CHECK(mode(path + "-shm") == 0600);
  }
  ::umask(old_mask);
}
