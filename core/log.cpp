// Logging implementation: a global level, a secret list, a sink and the line prefix
// (core/log_destination.h). Single-threaded use from the loop is the norm; a mutex guards
// the secret list because sandbox children and curl never log but signal handlers might.
#include "core/log.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <vector>

#include "core/json_writer.h"
#include "core/log_destination.h"

namespace frugal::log {
namespace {
level g_level = level::info;
bool g_json = false;
sink_fn g_sink = nullptr;
std::mutex g_mu;
std::vector<std::string>& secrets() {
  static std::vector<std::string> s;
  return s;
}
const char* level_name(level l) {
  switch (l) {
    case level::debug:
      return "debug";
    case level::info:
      return "info";
    case level::warn:
      return "warn";
    case level::error:
      return "error";
    default:
      return "off";
  }
}
// Decided at the first line written: stderr does not change under a running process.
stderr_kind stderr_destination() {
  static const stderr_kind kind = classify_stderr(STDERR_FILENO, std::getenv("JOURNAL_STREAM"));
  return kind;
}
}  // namespace

stderr_kind classify_stderr(int fd, const char* journal_stream) {
  struct stat st {};
  if (journal_stream && *journal_stream && ::fstat(fd, &st) == 0) {
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(journal_stream, "%llu:%llu", &dev, &ino) == 2 &&
        dev == static_cast<unsigned long long>(st.st_dev) &&
        ino == static_cast<unsigned long long>(st.st_ino))
      return stderr_kind::journal;
  }
  return ::isatty(fd) ? stderr_kind::terminal : stderr_kind::other;
}

std::string line_prefix(level l, stderr_kind kind, int64_t unix_now) {
  if (kind == stderr_kind::terminal) return "";
  if (kind == stderr_kind::journal) {
    switch (l) {
      case level::debug:
        return "<7>";
      case level::info:
        return "<6>";
      case level::warn:
        return "<4>";
      default:
        return "<3>";
    }
  }
  std::time_t t = static_cast<std::time_t>(unix_now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ ", &tm);
  return buf;
}

void set_level(level l) {
  g_level = l;
}
level current_level() {
  return g_level;
}
bool enabled(level l) {
  return l >= g_level && l != level::off;
}
void set_json(bool json) {
  g_json = json;
}
void set_sink(sink_fn sink) {
  g_sink = sink;
}

bool parse_level(std::string_view text, level& out) {
  if (text == "debug")
    out = level::debug;
  else if (text == "info")
    out = level::info;
  else if (text == "warn")
    out = level::warn;
  else if (text == "error")
    out = level::error;
  else
    return false;
  return true;
}

void add_secret(std::string secret) {
  if (secret.size() < 4) return;
  std::lock_guard lock(g_mu);
  auto& s = secrets();
  if (std::find(s.begin(), s.end(), secret) == s.end()) s.push_back(std::move(secret));
}

std::string redact(std::string_view text) {
  std::string out(text);
  std::lock_guard lock(g_mu);
  for (const auto& secret : secrets()) {
    for (size_t pos = out.find(secret); pos != std::string::npos; pos = out.find(secret, pos + 3)) {
      out.replace(pos, secret.size(), "***");
    }
  }
  return out;
}

void write(level l, std::string_view component, std::string_view message) {
  if (!enabled(l)) return;
  std::string line;
  if (g_json) {
    json_writer w;
    w.begin_object();
    w.key("level").string(level_name(l));
    w.key("component").string(component);
    w.key("message").string(redact(message));
    w.end_object();
    line = w.take();
  } else {
    line = log::cat(level_name(l), " ", component, ": ", redact(message));
  }
  // Log lines never carry raw control characters (a hostile server could otherwise forge
  // lines in the journal).
  for (char& c : line)
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t') c = ' ';
  if (g_sink) {
    g_sink(l, line);
    return;
  }
  if (!g_json) line = line_prefix(l, stderr_destination(), std::time(nullptr)) + line;
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace frugal::log
