// What the kernel offers the sandbox (for `frugal doctor` and for the public realm's
// fail-closed check): Landlock and seccomp asked at start, the namespaces on first need;
// and the fixed-PATH program lookup. It changes nothing in the calling process (the
// namespace probe clones a child that exits at once).
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "tools/landlock.h"
#include "tools/sandbox.h"
#include "tools/sandbox_ns.h"
#include "tools/seccomp_filter.h"

namespace frugal::tools {

namespace_answer::namespace_answer() : s_(std::make_shared<state>()) {}

namespace_answer::namespace_answer(std::string known) : s_(std::make_shared<state>()) {
  std::call_once(s_->once, [&] {
    s_->error = std::move(known);
    s_->known = true;
  });
}

const std::string& namespace_answer::error() const {
  std::call_once(s_->once, [this] {
    s_->error = ns::probe();
    s_->known = true;
    LOG_DEBUG("sandbox", "namespace probe: ", s_->error.empty() ? "available" : s_->error);
  });
  return s_->error;
}

bool namespace_answer::asked() const {
  return s_->known.load();
}

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
  else if (caps->namespaces_wanted && !caps->namespaces.available())
    missing = "namespaces are unavailable (" + caps->namespaces.error() + ")";
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
