// Loads frugal.toml into config::file and validates it: unknown keys, wrong types, missing
// required keys, dangling references (a tier naming an unknown model) and missing secrets
// all stop the program with one "FILE:LINE: KEY: message" line. Prices are checked against
// the budget's price table by the caller (agent/cli), which knows the built-in table.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <utility>

#include "core/config/config.h"
#include "core/config/config_sections.h"
#include "core/config/toml_reader.h"
#include "core/log.h"

namespace frugal::config {
namespace detail {

std::string getenv_string(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v ? v : "";
}

bool file_exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string absolute_from(const std::string& base_dir, const std::string& p) {
  if (p.empty() || p[0] == '/') return p;
  if (p[0] == '~' && (p.size() == 1 || p[1] == '/')) return getenv_string("HOME") + p.substr(1);
  return base_dir + "/" + p;
}

// Resolves an *_env key: the variable must exist and be non-empty when the key is set.
// A null `env` (config::secrets::skip) resolves nothing.
void resolve_secret(toml_reader& r, const char* key, const std::string& var, env_fn env,
                    std::string& out) {
  if (var.empty() || !env) return;
  out = env(var);
  if (out.empty()) r.fail_at(key, "environment variable " + var + " is not set or empty");
  log::add_secret(out);
}

void one_of(toml_reader& r, const char* key, const std::string& v,
            std::initializer_list<const char*> allowed) {
  std::string list;
  for (const char* a : allowed) {
    if (v == a) return;
    list += list.empty() ? "" : ", ";
    list += std::string("\"") + a + "\"";
  }
  r.fail_at(key, "must be one of " + list + " (got \"" + v + "\")");
}

}  // namespace detail

namespace {
using detail::absolute_from;
using detail::file_exists;
using detail::one_of;
using detail::resolve_secret;

void load_agent(toml_reader r, file& f, const std::string& base_dir) {
  auto& a = f.agent;
  r.get("state_dir", a.state_dir);
  r.get("system_prompt", a.system_prompt);
  if (r.has("history_messages"))
    r.fail_at("history_messages",
              "replaced by history_tokens (a budget in tokens, 200-1000000; older turns are "
              "folded into a summary)");
  r.get("history_tokens", a.history_tokens, 200, 1'000'000);
  r.get("max_tool_steps", a.max_tool_steps, 0, 64);
  r.get("turn_deadline_s", a.turn_deadline_s, 5, 86'400);
  r.get("log_level", a.log_level);
  log::level lvl;
  if (!log::parse_level(a.log_level, lvl))
    r.fail_at("log_level", "must be debug, info, warn or error");
  // Retention (agent/upkeep.cpp): 0 keeps rows forever.
  r.get("ledger_retention_days", a.ledger_retention_days, 0, 36500);
  r.get("audit_retention_days", a.audit_retention_days, 0, 36500);
  r.finish();
  a.state_dir = absolute_from(base_dir, a.state_dir);
}

void load_provider(toml_reader r, const std::string& name, file& f, env_fn env) {
  provider p;
  p.name = name;
  r.require("kind");
  r.require("base_url");
  r.get("kind", p.kind);
  one_of(r, "kind", p.kind, {"openai", "anthropic"});
  r.get("base_url", p.base_url);
  if (p.base_url.rfind("http://", 0) != 0 && p.base_url.rfind("https://", 0) != 0)
    r.fail_at("base_url", "must start with http:// or https://");
  while (!p.base_url.empty() && p.base_url.back() == '/') p.base_url.pop_back();
  r.get("api_key_env", p.api_key_env);
  r.get("local", p.local);
  r.get("first_byte_timeout_s", p.first_byte_timeout_s, 0, 3600);  // 0 = the default
  r.get("connect_timeout_s", p.connect_timeout_s, 1, 300);
  r.get("stream", p.stream);
  if (p.kind == "anthropic" && p.api_key_env.empty() && !p.local)
    r.fail_at(nullptr, "anthropic providers need api_key_env (the variable holding the key)");
  resolve_secret(r, "api_key_env", p.api_key_env, env, p.api_key);
  r.finish();
  f.providers[name] = std::move(p);
}

void load_model(toml_reader r, const std::string& name, file& f) {
  model m;
  m.name = name;
  m.line = r.line_of(nullptr);
  r.require("provider");
  r.require("model");
  r.get("provider", m.provider);
  r.get("model", m.model);
  if (!f.providers.count(m.provider))
    r.fail_at("provider", "no provider named \"" + m.provider + "\" ([providers." + m.provider +
                              "] is missing)");
  r.get_usd("input_usd_per_mtok", m.input_micro_per_mtok);
  r.get_usd("cached_input_usd_per_mtok", m.cached_input_micro_per_mtok);
  r.get_usd("output_usd_per_mtok", m.output_micro_per_mtok);
  r.get("price_placeholder", m.price_placeholder);
  if ((m.input_micro_per_mtok < 0) != (m.output_micro_per_mtok < 0))
    r.fail_at(m.input_micro_per_mtok < 0 ? "output_usd_per_mtok" : "input_usd_per_mtok",
              "set both input_usd_per_mtok and output_usd_per_mtok, or neither");
  r.get("max_output_tokens", m.max_output_tokens, 1, 1'000'000);
  r.get("context_tokens", m.context_tokens, 0, 100'000'000);  // 0 = unknown
  r.finish();
  f.models[name] = std::move(m);
}

void check_models_exist(toml_reader& r, const char* key, const std::vector<std::string>& names,
                        const file& f) {
  if (names.empty()) r.fail_at(key, "a tier needs at least one model");
  for (const auto& n : names)
    if (!f.models.count(n)) r.fail_at(key, "no model named \"" + n + "\" ([models." + n + "])");
}

void load_tiers(toml_reader r, file& f) {
  // A tier is either `chat = ["m1", "m2"]` or a table `[tiers.chat] models = [...] ...`.
  for (const auto& [k, v] : *r.table_ptr()) {
    std::string name(k.str());
    tier t;
    t.name = name;
    t.line = static_cast<int>(v.source().begin.line);
    if (v.is_array()) {
      r.get(name.c_str(), t.models);
      check_models_exist(r, name.c_str(), t.models, f);
    } else if (v.is_table()) {
      auto sub = *r.table(name.c_str());
      sub.require("models");
      sub.get("models", t.models);
      check_models_exist(sub, "models", t.models, f);
      sub.get("reasoning_effort", t.reasoning_effort);
      if (!t.reasoning_effort.empty())
        one_of(sub, "reasoning_effort", t.reasoning_effort,
               {"none", "minimal", "low", "medium", "high"});
      sub.get("thinking_budget_tokens", t.thinking_budget_tokens, 0, 1'000'000);
      sub.get("temperature", t.temperature);
      if (t.temperature && (*t.temperature < 0 || *t.temperature > 2))
        sub.fail_at("temperature", "must be between 0 and 2");
      sub.get("max_output_tokens", t.max_output_tokens, 0, 1'000'000);  // 0 = the model's
      if (sub.has("tools")) {
        std::vector<std::string> names;
        sub.get("tools", names);
        detail::note_line(sub, f, "tools");
        t.tools = std::move(names);
      }
      sub.finish();
    } else {
      r.fail_at(name.c_str(), "expected a list of model names or a table");
    }
    f.tiers[name] = std::move(t);
  }
}

void load_router(toml_reader r, file& f) {
  auto& ro = f.router;
  // The keyword score's keys: the router is a trained classifier now (agent/router/intent.h).
  for (const char* old : {"tools_threshold", "action_words", "long_message_bytes"})
    if (r.has(old))
      r.fail_at(old,
                "no longer used: the router is a trained classifier; set tools_confidence "
                "(0-1, default 0.5) instead");
  r.get("tools_confidence", ro.tools_confidence, 0.0, 1.0);
  r.get("route_down_below", ro.route_down_below, 0.0, 1.0);
  std::string turns = "cheap_first";
  r.get("tool_turns", turns);
  one_of(r, "tool_turns", turns, {"cheap_first", "tools_tier"});
  ro.tool_turns = turns == "tools_tier" ? tool_route::tools_tier : tool_route::cheap_first;
  r.finish();
}

void load_sandbox(toml_reader r, file& f) {
  auto& s = f.sandbox;
  r.get("max_landlock_abi", s.max_landlock_abi);
  if (s.max_landlock_abi < 0 || s.max_landlock_abi > 64)
    r.fail_at("max_landlock_abi", "must be 0 (the kernel's) or an ABI version from 1");
  r.get("namespaces", s.namespaces);
  auto count = [&r](const char* key, int64_t& v) {
    r.get(key, v);
    if (v < 1 || v > 64) r.fail_at(key, "must be between 1 and 64");
  };
  count("max_calls_per_step", s.max_calls_per_step);
  count("max_children", s.max_children);
  count("max_children_per_realm", s.max_children_per_realm);
  r.finish();
}

void load_budget(toml_reader r, file& f) {
  auto& b = f.budget;
  r.require("daily_usd");
  r.get("daily_usd", b.daily_usd, 0.0, 1e6);
  r.get("timezone", b.timezone);
  if (b.timezone != "UTC" && (b.timezone.find("..") != std::string::npos ||
                              !file_exists("/usr/share/zoneinfo/" + b.timezone)))
    r.fail_at("timezone", "unknown IANA time zone \"" + b.timezone + "\"");
  r.get("public_share", b.public_share, 0.0, 1.0);
  r.get("per_sender_usd", b.per_sender_usd, 0.0, 1e6);
  r.get("warn_at", b.warn_at, 0.0, 1.0);
  r.get("monthly_usd", b.monthly_usd, 0.0, 3e7);
  r.get("min_output_tokens", b.min_output_tokens, 1, 1'000'000);
  r.get("per_message_overhead_tokens", b.per_message_overhead_tokens, 0, 100'000);
  r.finish();
}

}  // namespace
}  // namespace frugal::config

namespace frugal::config {
namespace {

std::string default_env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v ? v : "";
}

void load_top(toml_reader& root, file& f, env_fn env, const std::string& base_dir) {
  if (auto a = root.table("agent")) load_agent(*a, f, base_dir);
  if (f.agent.state_dir.empty()) f.agent.state_dir = default_state_dir(::geteuid());
  root.require("providers");
  for (auto& [name, r] : root.tables("providers")) load_provider(r, name, f, env);
  root.require("models");
  for (auto& [name, r] : root.tables("models")) load_model(r, name, f);
  root.require("tiers");
  if (auto t = root.table("tiers")) {
    load_tiers(*t, f);
    if (f.tiers.empty()) t->fail_at(nullptr, "define at least one tier, e.g. chat = [\"model\"]");
  }
  if (auto r = root.table("router")) load_router(*r, f);
  if (auto s = root.table("sandbox")) load_sandbox(*s, f);
  root.require("budget");
  if (auto b = root.table("budget")) load_budget(*b, f);
  detail::default_realms(f);
  if (auto r = root.table("realms")) detail::load_realms(*r, f);
  if (auto t = root.table("transports")) {
    if (auto irc = t->table("irc")) detail::load_irc(*irc, f, env, base_dir);
    if (auto mx = t->table("matrix")) detail::load_matrix(*mx, f, env);
    t->finish();
  }
  root.finish();
  for (auto& [kind, realm] : f.realms) {
    const std::string name(core::realm_name(kind));
    if (realm.workspace.empty()) realm.workspace = f.agent.state_dir + "/workspaces/" + name;
    realm.workspace = absolute_from(base_dir, realm.workspace);
    if (realm.workspace_quota_mb == 0)
      realm.workspace_quota_mb = kind == core::realm_kind::public_ ? 16 : 1024;
  }
}

}  // namespace

std::string default_state_dir(unsigned euid) {
  // Root's home is no place for a service's state, and /root is 0700: the sandbox user
  // could not pass through to the workspaces under it.
  if (euid == 0) return "/var/lib/frugal";
  std::string xdg = default_env("XDG_STATE_HOME");
  if (xdg.empty()) xdg = default_env("HOME") + "/.local/state";
  return xdg + "/frugal";
}

std::string default_path() {
  std::string p = default_env("FRUGAL_CONFIG");
  if (!p.empty()) return p;
  std::string xdg = default_env("XDG_CONFIG_HOME");
  if (xdg.empty()) xdg = default_env("HOME") + "/.config";
  return xdg + "/frugal/frugal.toml";
}

result<file> load(const std::string& path, env_fn env, secrets mode) {
  if (mode == secrets::skip)
    env = nullptr;  // resolve_secret then leaves every secret unread
  else if (!env)
    env = default_env;
  file f;
  f.path = path;
  // A FIFO would block the reader forever, a directory would read as an empty file.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    return fail(path, ": not a regular file (",
                S_ISDIR(st.st_mode)    ? "a directory"
                : S_ISFIFO(st.st_mode) ? "a FIFO"
                                       : "special",
                "): give the path of the TOML config file");
  try {
    toml::table root = toml::parse_file(path);
    toml_reader reader(root, path, "");
    load_top(reader, f, env, detail::absolute_from(".", detail::dir_of(path)));
  } catch (const toml::parse_error& e) {
    const auto& src = e.source();
    return fail(path, ":", static_cast<int64_t>(src.begin.line),
                ": syntax error: ", std::string(e.description()));
  } catch (const config_error& e) {
    return error{e.what()};
  }
  return f;
}

}  // namespace frugal::config
