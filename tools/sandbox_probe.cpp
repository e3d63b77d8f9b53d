// What the kernel offers the sandbox, asked once at start (for `frugal doctor` and for the
// public realm's fail-closed check), and the fixed-PATH program lookup. Reads only; it
// changes nothing in the calling process.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "core/log.h"
#include "tools/landlock.h"
#include "tools/sandbox.h"
#include "tools/seccomp_filter.h"

namespace frugal::tools {
namespace {

// -1 when the file is missing or unreadable.
long read_number(const char* path) {
  std::ifstream in(path);
  long v = -1;
  if (!(in >> v)) return -1;
  return v;
}

}  // namespace

sandbox_caps probe() {
  sandbox_caps c;
  c.landlock_abi = landlock::abi_version();
  c.seccomp = seccomp_filter::available();
  long clone_ok = read_number("/proc/sys/kernel/unprivileged_userns_clone");
  long max_ns = read_number("/proc/sys/user/max_user_namespaces");
  c.user_namespaces = clone_ok != 0 && max_ns != 0 && !(clone_ok < 0 && max_ns < 0);

  if (c.landlock_abi > 0)
    c.notes += log::cat("landlock: ABI ", c.landlock_abi, "\n");
  else
    c.notes += "landlock: missing (kernel without CONFIG_SECURITY_LANDLOCK or not in lsm=)\n";
  if (c.landlock_abi > 0 && c.landlock_abi < 4)
    c.notes += "landlock: ABI < 4, TCP is confined by seccomp only\n";
  if (c.landlock_abi > 0 && c.landlock_abi < 6)
    c.notes += "landlock: ABI < 6, signals and abstract sockets are not scoped\n";
  c.notes += c.seccomp ? "seccomp: filters available\n" : "seccomp: missing\n";
  c.notes += log::cat("user namespaces: ", c.user_namespaces ? "available" : "unavailable",
                      " (not used by the sandbox)\n");
  if (::geteuid() == 0) c.notes += "running as root: sandboxed children switch to uid/gid 65534\n";
  if (c.landlock_abi == 0 || !c.seccomp)
    c.notes += "sandboxed tools are refused in the public realm\n";
  return c;
}

bool sandbox_complete(const sandbox_caps* caps) {
  return caps && caps->landlock_abi >= 1 && caps->seccomp;
}

result<std::string> resolve_program(const std::string& name) {
  auto executable = [](const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
  };
  if (name.empty() || name.find('\0') != std::string::npos)
    return fail("sandbox: empty program name");
  if (name[0] == '/') {
    if (executable(name)) return name;
    return fail("sandbox: ", name, " is not an executable file");
  }
  if (name.find('/') != std::string::npos)
    return fail("sandbox: program \"", name, "\" must be a bare name or an absolute path");
  std::string dirs = fixed_path;
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (executable(candidate)) return candidate;
    start = end + 1;
  }
  return fail("sandbox: program \"", name, "\" not found in ", fixed_path);
}

}  // namespace frugal::tools
