// The [realms.*] and [transports.*] sections of frugal.toml. Realms get safe defaults:
// private may use every tool (every_tool), public only `clock`; an empty public allowlist
// admits nobody.
#include "core/config/config_sections.h"

namespace frugal::config::detail {
namespace {

void load_channels(toml_reader& r, irc_network& n) {
  const toml::node* node = r.table_ptr()->get("channels");
  if (!node) return;
  const toml::array* arr = node->as_array();
  if (!arr) r.fail_at("channels", "expected an array of \"#chan\" strings or tables");
  // Mixed arrays: plain "#chan" or "#chan key", or { name = "#chan", key = "...", respond_to }.
  size_t i = 0;
  for (const auto& item : *arr) {
    irc_channel c;
    if (auto s = item.value<std::string>(); item.is_string() && s) {
      auto sp = s->find(' ');
      c.name = s->substr(0, sp);
      if (sp != std::string::npos) c.key = s->substr(sp + 1);
    } else if (const toml::table* t = item.as_table()) {
      toml_reader cr(*t, r.file(), r.key_path("channels") + "[" + std::to_string(i) + "]");
      cr.require("name");
      cr.get("name", c.name);
      cr.get("key", c.key);
      cr.get("respond_to", c.respond_to);
      one_of(cr, "respond_to", c.respond_to, {"mention", "all"});
      cr.finish();
    } else {
      r.fail_at("channels", "expected an array of \"#chan\" strings or tables");
    }
    if (c.name.empty() || c.name.find_first_of(" ,\x07\r\n") != std::string::npos)
      r.fail_at("channels", "bad channel name \"" + c.name + "\"");
    n.channels.push_back(std::move(c));
    ++i;
  }
  r.mark_read("channels");
}

// KICK, nick collision and SASL-unavailable behaviour. A 0 turns rejoin or reclaim off;
// otherwise the floors keep a misconfigured bot from flooding the server.
void load_irc_manners(toml_reader& r, irc_network& n) {
  r.get("rejoin_delay_ms", n.rejoin_delay_ms, 0, 86'400'000);
  if (n.rejoin_delay_ms != 0 && n.rejoin_delay_ms < 100)
    r.fail_at("rejoin_delay_ms", "must be 0 (never rejoin) or between 100 and 86400000");
  if (!r.has("rejoin_max_ms")) n.rejoin_max_ms = std::max(n.rejoin_max_ms, n.rejoin_delay_ms);
  r.get("rejoin_max_ms", n.rejoin_max_ms, 100, 86'400'000);
  if (n.rejoin_max_ms < n.rejoin_delay_ms)
    r.fail_at("rejoin_max_ms", "must not be below rejoin_delay_ms");
  r.get("nick_check_ms", n.nick_check_ms, 0, 86'400'000);
  if (n.nick_check_ms != 0 && n.nick_check_ms < 1000)
    r.fail_at("nick_check_ms",
              "must be 0 (keep the alternative nick) or between 1000 and 86400000");
  r.get("sasl_quick_retries", n.sasl_quick_retries, 0, 10);
}

void load_irc_network(toml_reader r, const std::string& name, file& f, env_fn env,
                      const std::string& base_dir) {
  irc_network n;
  n.name = name;
  r.require("server");
  r.get("server", n.server);
  r.get("tls", n.tls);
  n.port = n.tls ? 6697 : 6667;
  r.get("port", n.port);
  if (n.port < 1 || n.port > 65535) r.fail_at("port", "must be between 1 and 65535");
  r.get("tls_verify", n.tls_verify);
  r.get("ca_file", n.ca_file);
  n.ca_file = absolute_from(base_dir, n.ca_file);
  r.get("nick", n.nick);
  r.get("alt_nicks", n.alt_nicks);
  r.get("username", n.username);
  r.get("realname", n.realname);
  load_channels(r, n);
  r.get("sasl", n.sasl);
  one_of(r, "sasl", n.sasl, {"plain", "external", "none"});
  r.get("sasl_user", n.sasl_user);
  r.get("sasl_password_env", n.sasl_password_env);
  resolve_secret(r, "sasl_password_env", n.sasl_password_env, env, n.sasl_password);
  if (n.sasl == "plain" && (n.sasl_user.empty() || n.sasl_password_env.empty()))
    r.fail_at("sasl", "sasl = \"plain\" needs sasl_user and sasl_password_env");
  r.get("client_cert", n.client_cert);
  r.get("client_key", n.client_key);
  n.client_cert = absolute_from(base_dir, n.client_cert);
  n.client_key = absolute_from(base_dir, n.client_key);
  if (n.sasl == "external" && (n.client_cert.empty() || !n.tls))
    r.fail_at("sasl", "sasl = \"external\" needs tls = true and client_cert (and client_key)");
  r.get("server_password_env", n.server_password_env);
  resolve_secret(r, "server_password_env", n.server_password_env, env, n.server_password);
  r.get("nickserv_password_env", n.nickserv_password_env);
  resolve_secret(r, "nickserv_password_env", n.nickserv_password_env, env, n.nickserv_password);
  r.get("require_sasl", n.require_sasl);
  if (n.require_sasl && n.sasl == "none")
    r.fail_at("require_sasl", "require_sasl = true needs sasl = \"plain\" or \"external\"");
  r.get("owners", n.owners);
  note_line(r, f, "owners");
  r.get("allowed", n.allowed);
  note_line(r, f, "allowed");
  r.get("max_reply_lines", n.max_reply_lines, 1, 1000);
  r.get("flood_lines_per_s", n.flood_lines_per_s, 0.01, 100.0);
  r.get("flood_burst", n.flood_burst, 1, 100);
  r.get("outbound_queue_lines", n.outbound_queue_lines, 1, 100'000);
  const std::pair<const char*, int64_t*> timings[] = {
      {"reconnect_min_ms", &n.reconnect_min_ms},
      {"reconnect_max_ms", &n.reconnect_max_ms},
      {"reconnect_penalty_ms", &n.reconnect_penalty_ms},
      {"keepalive_ping_ms", &n.keepalive_ping_ms},
      {"keepalive_dead_ms", &n.keepalive_dead_ms},
      {"register_timeout_ms", &n.register_timeout_ms},
      {"private_reply_hold_ms", &n.private_reply_hold_ms}};
  for (const auto& [key, field] : timings) {
    r.get(key, *field, 10, 86'400'000);
  }
  if (n.reconnect_max_ms < n.reconnect_min_ms)
    r.fail_at("reconnect_max_ms", "must not be below reconnect_min_ms");
  if (n.keepalive_dead_ms <= n.keepalive_ping_ms)
    r.fail_at("keepalive_dead_ms", "must be above keepalive_ping_ms");
  load_irc_manners(r, n);
  r.finish();
  f.irc.push_back(std::move(n));
}

void load_matrix_account(toml_reader r, const std::string& name, file& f, env_fn env) {
  matrix_account m;
  m.name = name;
  r.require("homeserver");
  r.get("homeserver", m.homeserver);
  r.get("access_token_env", m.access_token_env);
  resolve_secret(r, "access_token_env", m.access_token_env, env, m.access_token);
  r.get("user", m.user);
  r.get("password_env", m.password_env);
  resolve_secret(r, "password_env", m.password_env, env, m.password);
  if (m.access_token_env.empty() && (m.user.empty() || m.password_env.empty()))
    r.fail_at(nullptr, "set access_token_env, or user and password_env for a password login");
  r.get("device_id", m.device_id);
  r.get("rooms", m.rooms);
  r.get("owners", m.owners);
  note_line(r, f, "owners");
  r.get("allowed", m.allowed);
  note_line(r, f, "allowed");
  r.get("inviters", m.inviters);
  note_line(r, f, "inviters");
  r.get("respond_to", m.respond_to);
  one_of(r, "respond_to", m.respond_to, {"mention", "all"});
  r.get("msgtype", m.msgtype);
  one_of(r, "msgtype", m.msgtype, {"m.notice", "m.text"});
  r.finish();
  f.matrix.push_back(std::move(m));
}

}  // namespace

// Identity patterns and tool names are validated after loading by the layers that know
// their rules (policies/, tools/); keep the line for their errors.
void note_line(toml_reader& r, file& f, const char* key) {
  if (r.has(key)) f.key_lines[r.key_path(key)] = r.line_of(key);
}

void default_realms(file& f) {
  realm priv;
  priv.kind = core::realm_kind::private_;
  priv.owners = {"stdin"};
  priv.every_tool = true;  // tools::resolve_tool_names fills in the registry
  priv.shell_allow = {"ls", "cat", "head", "tail", "wc", "grep", "date", "uptime", "df", "du"};
  priv.rate_per_minute = 0;
  realm pub;
  pub.kind = core::realm_kind::public_;
  pub.tools = {"clock"};
  f.realms[core::realm_kind::private_] = std::move(priv);
  f.realms[core::realm_kind::public_] = std::move(pub);
}

void load_realms(toml_reader r, file& f) {
  for (auto& [name, sub] : r.tables_here()) {
    auto kind = core::parse_realm(name);
    if (!kind) r.fail_at(name.c_str(), kind.message());
    realm& re = f.realms.at(*kind);
    sub.get("owners", re.owners);
    note_line(sub, f, "owners");
    sub.get("allowed", re.allowed);
    note_line(sub, f, "allowed");
    if (sub.has("tools")) re.every_tool = false;
    sub.get("tools", re.tools);
    note_line(sub, f, "tools");
    sub.get("tiers", re.tiers);
    for (const auto& tier : re.tiers)  // [tiers] is loaded before [realms]
      if (!f.tiers.count(tier)) sub.fail_at("tiers", "no tier named \"" + tier + "\"");
    sub.get("workspace", re.workspace);
    sub.get("shell_allow", re.shell_allow);
    for (const auto& p : re.shell_allow)
      if (p.find('/') != std::string::npos)
        sub.fail_at("shell_allow", "\"" + p + "\": give program names, not paths");
    sub.get("shell_launchers", re.shell_launchers);
    sub.get("workspace_quota_mb", re.workspace_quota_mb);
    if (re.workspace_quota_mb < 0 || re.workspace_quota_mb > 1048576)
      sub.fail_at("workspace_quota_mb", "must be between 1 and 1048576 (0 = the default)");
    sub.get("http_hosts", re.http_hosts);
    sub.get("egress", re.egress);
    if (re.egress != "guarded" && re.egress != "allowlist" && re.egress != "open")
      sub.fail_at("egress", "\"" + re.egress + "\": use \"guarded\", \"allowlist\" or \"open\"");
    sub.get("egress_hosts", re.egress_hosts);
    sub.get("rate_per_minute", re.rate_per_minute, 0, 100'000);  // 0 = unlimited
    sub.finish();
  }
  r.finish();
}

void load_irc(toml_reader r, file& f, env_fn env, const std::string& base_dir) {
  // [transports.irc] with `server` is one network named "default"; otherwise every
  // sub-table [transports.irc.NAME] is a network.
  if (r.has("server")) {
    load_irc_network(r, "default", f, env, base_dir);
    return;
  }
  for (auto& [name, sub] : r.tables_here()) load_irc_network(sub, name, f, env, base_dir);
}

void load_matrix(toml_reader r, file& f, env_fn env) {
  if (r.has("homeserver")) {
    load_matrix_account(r, "default", f, env);
    return;
  }
  for (auto& [name, sub] : r.tables_here()) load_matrix_account(sub, name, f, env);
}

}  // namespace frugal::config::detail
