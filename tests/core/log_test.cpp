// Tests core/log's line prefixes: bare on a terminal, "<N>" under journald (only when
// $JOURNAL_STREAM names stderr's own file), a UTC timestamp anywhere else.
#include <fcntl.h>
#include <pty.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "core/log_destination.h"

using namespace frugal::log;

TEST_CASE("log: line prefixes per destination") {
  CHECK(line_prefix(level::warn, stderr_kind::terminal, 0).empty());
  CHECK(line_prefix(level::error, stderr_kind::journal, 0) == "<3>");
  CHECK(line_prefix(level::warn, stderr_kind::journal, 0) == "<4>");
  CHECK(line_prefix(level::info, stderr_kind::journal, 0) == "<6>");
  CHECK(line_prefix(level::debug, stderr_kind::journal, 0) == "<7>");
  CHECK(line_prefix(level::info, stderr_kind::other, 1796169600) == "2026-12-02T00:00:00Z ");
}

TEST_CASE("log: stderr is journald only when JOURNAL_STREAM names its file") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  struct stat st {};
  REQUIRE(::fstat(fds[1], &st) == 0);
  std::string mine = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  std::string other = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1);
  CHECK(classify_stderr(fds[1], mine.c_str()) == stderr_kind::journal);
  CHECK(classify_stderr(fds[1], other.c_str()) == stderr_kind::other);  // inherited, redirected
  CHECK(classify_stderr(fds[1], nullptr) == stderr_kind::other);
  CHECK(classify_stderr(fds[1], "garbage") == stderr_kind::other);
  ::close(fds[0]);
  ::close(fds[1]);

  int master = -1, slave = -1;
  REQUIRE(::openpty(&master, &slave, nullptr, nullptr, nullptr) == 0);
  CHECK(classify_stderr(slave, nullptr) == stderr_kind::terminal);
  ::close(master);
  ::close(slave);
}
