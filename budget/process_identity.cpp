// Process identity from /proc: field 22 of /proc/PID/stat is the start time in clock ticks
// since boot, and /proc/sys/kernel/random/boot_id changes at every boot. Where /proc is
// missing the marker is "pid-only" and liveness falls back to kill(pid, 0).
#include "budget/process_identity.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

namespace frugal::budget {
namespace {

std::string read_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// The start time field of /proc/PID/stat, or "" when it cannot be read. The command name
// (field 2) may hold spaces and parentheses, so fields are counted after the last ')'.
std::string start_ticks(int64_t pid) {
  std::string stat = read_line("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream fields(stat.substr(close + 1));
  std::string f;
  for (int k = 3; k <= 22; ++k)
    if (!(fields >> f)) return "";
  return f;
}

}  // namespace

process_identity process_identity::current() {
  const int64_t pid = static_cast<int64_t>(::getpid());
  std::string boot = read_line("/proc/sys/kernel/random/boot_id");
  std::string ticks = start_ticks(pid);
  if (boot.empty() || ticks.empty()) return {pid, "pid-only"};
  return {pid, boot + ":" + ticks};
}

bool process_alive(int64_t pid, const std::string& marker) {
  if (pid <= 0 || pid > 0x3fffffff) return false;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return false;
  size_t colon = marker.rfind(':');
  if (colon == std::string::npos) return true;  // no marker: the pid is all we know
  std::string boot = read_line("/proc/sys/kernel/random/boot_id");
  if (!boot.empty() && boot != marker.substr(0, colon)) return false;  // rebooted since
  std::string ticks = start_ticks(pid);
  if (!ticks.empty() && ticks != marker.substr(colon + 1)) return false;  // pid reused
  return true;
}

}  // namespace frugal::budget
