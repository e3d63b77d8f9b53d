// What the kernel offers the sandbox, asked once at start (for `frugal doctor` and for the
// public realm's fail-closed check), and the fixed-PATH program lookup. It changes nothing
// in the calling process (the namespace probe clones a child that exits at once).
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "tools/landlock.h"
#include "tools/sandbox.h"
#include "tools/sandbox_ns.h"
#include "tools/seccomp_filter.h"

namespace frugal::tools {

sandbox_caps probe(const config::sandbox_section& settings) {
  const int max_landlock_abi = static_cast<int>(settings.max_landlock_abi);
  const bool namespaces = settings.namespaces;
  sandbox_caps c;
  c.max_children = static_cast<size_t>(settings.max_children);
  c.max_children_per_realm = static_cast<size_t>(settings.max_children_per_realm);
  c.kernel_landlock_abi = landlock::abi_version();
  c.max_landlock_abi = max_landlock_abi;
  c.landlock_abi = c.kernel_landlock_abi;
  if (max_landlock_abi > 0 && c.landlock_abi > max_landlock_abi) c.landlock_abi = max_landlock_abi;
  c.seccomp = seccomp_filter::available();
  c.namespaces_wanted = namespaces;
  c.namespace_error = ns::probe();
  c.user_namespaces = c.namespace_error.empty();

  if (c.kernel_landlock_abi > 0)
    c.notes += log::cat(
        "landlock: ABI ", c.landlock_abi,
        c.landlock_abi < c.kernel_landlock_abi
            ? log::cat(" (capped by max_landlock_abi; the kernel has ", c.kernel_landlock_abi, ")")
            : std::string(),
        "\n");
  else
    c.notes += "landlock: missing (kernel without CONFIG_SECURITY_LANDLOCK or not in lsm=)\n";
  if (c.landlock_abi > 0 && c.landlock_abi < 3)
    c.notes += "landlock: ABI < 3, truncate is not confined by Landlock\n";
  if (c.landlock_abi > 0 && c.landlock_abi < 4)
    c.notes += "landlock: ABI < 4, TCP is confined by seccomp only\n";
  if (c.landlock_abi > 0 && c.landlock_abi < 6)
    c.notes += "landlock: ABI < 6, signals and abstract sockets are not scoped by Landlock\n";
  c.notes += c.seccomp ? "seccomp: filters available\n" : "seccomp: missing\n";
  if (!namespaces)
    c.notes += "namespaces: off in the config ([sandbox] namespaces = false)\n";
  else if (c.user_namespaces)
    c.notes += "namespaces: user, PID, mount, IPC, UTS, network per child\n";
  else
    c.notes += "namespaces: unavailable: " + c.namespace_error + "\n";
  if (::geteuid() == 0) c.notes += "running as root: sandboxed children switch to uid/gid 65534\n";
  std::string why;
  if (!sandbox_complete(&c, &why))
    c.notes += "sandboxed tools are refused in the public realm: " + why + "\n";
  return c;
}

bool sandbox_complete(const sandbox_caps* caps, std::string* why) {
  std::string missing;
  if (!caps)
    missing = "no sandbox probe";
  else if (caps->landlock_abi < 1)
    missing = "Landlock is missing";
  else if (!caps->seccomp)
    missing = "seccomp is missing";
  else if (caps->namespaces_wanted && !caps->user_namespaces)
    missing = "namespaces are unavailable (" + caps->namespace_error + ")";
  if (why) *why = missing;
  return missing.empty();
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
