// The table of all tools, in the order they are offered to models: the only tool list (the
// config's default and its name checks come from here). Adding a tool means one new file
// with its descriptor and one line here.
#include "core/config/config.h"
#include "tools/all_tools.h"
#include "tools/sandbox.h"

namespace frugal::tools {
namespace {

status check_names(const config::file& cfg, const std::string& key,
                   const std::vector<std::string>& names) {
  for (const auto& n : names) {
    if (find(n)) continue;
    auto line = cfg.key_lines.find(key);
    return fail(cfg.path, ":",
                line != cfg.key_lines.end() ? std::to_string(line->second) + ": " : " ", key,
                ": unknown tool \"", n, "\"");
  }
  return status::success();
}

}  // namespace

const std::vector<const descriptor*>& registry() {
  static const std::vector<const descriptor*> all = {
      &clock_tool(),           &read_file_tool(),     &write_file_tool(),
      &list_dir_tool(),        &shell_tool(),         &http_get_tool(),
      &memory_remember_tool(), &memory_recall_tool(), &memory_forget_tool()};
  return all;
}

const descriptor* find(std::string_view name) {
  for (const descriptor* d : registry())
    if (name == d->name) return d;
  return nullptr;
}

status resolve_tool_names(config::file& cfg) {
  for (auto& [name, tier] : cfg.tiers)
    if (tier.tools)
      if (auto s = check_names(cfg, "tiers." + name + ".tools", *tier.tools); !s) return s;
  for (auto& [kind, realm] : cfg.realms) {
    if (realm.every_tool) {
      realm.tools.clear();
      for (const descriptor* d : registry()) realm.tools.emplace_back(d->name);
    }
    const std::string key = "realms." + std::string(core::realm_name(kind)) + ".tools";
    if (auto s = check_names(cfg, key, realm.tools); !s) return s;
  }
  return status::success();
}

policies::tool_verdict check(const config::realm& realm, const descriptor& tool,
                             const sandbox_caps* caps) {
  auto v = policies::check_tool(realm, tool.traits(), caps ? caps->landlock_abi : 0,
                                caps ? caps->seccomp : false);
  // The namespace layer is the sandbox's too: a public tool that needs it is refused when
  // the config requires namespaces and this host cannot create them (fail closed).
  std::string missing;
  if (v.verdict == policies::tool_verdict::kind::allow && realm.kind == core::realm_kind::public_ &&
      tool.needs_sandbox && !sandbox_complete(caps, &missing))
    v = {policies::tool_verdict::kind::deny, "tool '" + std::string(tool.name) +
                                                 "' needs the sandbox (" + missing +
                                                 "); refused in the public realm"};
  return v;
}

std::vector<const descriptor*> offered(const config::realm& realm,
                                       const std::vector<const descriptor*>& all,
                                       const sandbox_caps* caps) {
  std::vector<const descriptor*> out;
  for (const descriptor* d : all)
    if (d && check(realm, *d, caps).verdict == policies::tool_verdict::kind::allow)
      out.push_back(d);
  return out;
}

}  // namespace frugal::tools
