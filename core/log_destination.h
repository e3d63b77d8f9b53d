// log_destination: how a text log line starts, by where stderr goes. Bare on a terminal;
// under journald (stderr is the stream named by $JOURNAL_STREAM) a "<N>" syslog priority
// that journald turns into the entry's level; anywhere else (a file, cron's mail, a pipe)
// a UTC timestamp. core/log.cpp applies it; it does not decide levels or redact.
#pragma once
#include <cstdint>
#include <string>

#include "core/log.h"

namespace frugal::log {

enum class stderr_kind { terminal, journal, other };

// Classifies `fd`: journal when `journal_stream` ("DEV:INODE", $JOURNAL_STREAM) names the
// file `fd` is open on (an inherited variable with stderr redirected elsewhere does not
// count), terminal when it is a tty, other otherwise.
stderr_kind classify_stderr(int fd, const char* journal_stream);

// The prefix of a text line: "" (terminal), "<3>" .. "<7>" (journal: error 3, warn 4,
// info 6, debug 7), or "2026-12-01T22:40:01Z " (other; `unix_now` seconds, UTC).
std::string line_prefix(level l, stderr_kind kind, int64_t unix_now);

}  // namespace frugal::log
