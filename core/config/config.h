// The whole configuration as plain structs, loaded once from TOML (config_load.cpp) and
// validated before the loop starts. Secrets are resolved from environment variables named
// in the file (`*_env` keys); the file itself never holds a secret.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/realm.h"
#include "core/result.h"

namespace frugal::config {

struct agent_section {
  std::string state_dir;
  std::string system_prompt = "You are frugal, a concise and helpful assistant.";
  // History a turn sends, in estimated tokens (bytes / 4): past it, older turns are
  // folded into a summary by the cheapest chat model, or dropped (agent/session/fold.h).
  int64_t history_tokens = 1000;
  int64_t max_tool_steps = 8;
  int64_t turn_deadline_s = 180;
  std::string log_level = "info";
  // Retention, applied once a day by the daemon (0 = keep forever): per-call ledger rows
  // (daily totals are always kept) and tool audit rows older than this many days.
  int64_t ledger_retention_days = 90;
  int64_t audit_retention_days = 90;
};

struct provider {
  std::string name;
  std::string kind = "openai";  // "openai" | "anthropic"
  std::string base_url;
  std::string api_key_env;
  std::string api_key;               // resolved at load time; never logged
  bool local = false;                // free local server (Ollama, llama.cpp)
  int64_t first_byte_timeout_s = 0;  // 0 = default (60 s, 300 s when local)
  int64_t connect_timeout_s = 10;
  bool stream = false;  // use SSE streaming for this provider's calls
};

struct model {
  std::string name;
  int line = 0;  // where [models.NAME] starts, for errors found after loading
  std::string provider;
  std::string model;  // id sent to the API
  // Prices in micro-dollars per million tokens (USD/Mtok × 1e6). -1 = not set here (the
  // built-in table in budget/prices.cpp is consulted).
  int64_t input_micro_per_mtok = -1;
  int64_t cached_input_micro_per_mtok = -1;
  int64_t output_micro_per_mtok = -1;
  // price_placeholder = true: the prices above are `frugal init`'s stand-ins for a model
  // it has no price for (they load; doctor warns until someone sets the real ones).
  bool price_placeholder = false;
  int64_t max_output_tokens = 1024;
  int64_t context_tokens = 0;  // 0 = unknown
};

struct tier {
  std::string name;
  int line = 0;
  std::vector<std::string> models;  // ordered; later ones are fallbacks
  std::string reasoning_effort;     // "" = provider default; "minimal"/"low"/...
  int64_t thinking_budget_tokens = 0;
  std::optional<double> temperature;
  int64_t max_output_tokens = 0;  // 0 = each model's own
  // Tools offered on this tier (`[tiers.NAME] tools = [...]`), always narrowed by the
  // realm's own list. Unset: the tools tier offers the realm's tools; chat and local offer
  // default_tier_tools (cheap, read-only). `escalate` is added on chat by the turn loop.
  std::optional<std::vector<std::string>> tools;
};

// Tools a chat or local tier offers when its `tools` key is unset: cheap and read-only (a
// cheap-first tool turn does easy tasks with them and escalates for the rest). Never shell,
// write_file, http_get or memory writes; the realm's own list still narrows them.
inline const std::vector<std::string>& default_tier_tools() {
  static const std::vector<std::string> list = {"clock", "read_file", "list_dir", "memory_recall"};
  return list;
}

// `[router] tool_turns`: where a turn the classifier labels "tools" starts.
//  cheap_first: on the chat tier when it holds tools for the realm (its tool set ∩ the
//    realm's, escalate aside) and the tools tier is there to escalate to; the chat model
//    does easy tool tasks itself and calls `escalate` for the rest.
//  tools_tier: straight on the tools tier.
enum class tool_route { cheap_first, tools_tier };

struct router_section {
  double tools_confidence = 0.5;  // classifier p(tools) at or above → tools tier
  double route_down_below = 0.2;  // fraction of today's budget left
  tool_route tool_turns = tool_route::cheap_first;
};

struct budget_section {
  double daily_usd = 0;  // required
  std::string timezone = "UTC";
  double public_share = 0.5;    // fraction of the cap the public realm may use
  double per_sender_usd = 0.0;  // 0 = no per-sender cap beyond the public share
  double warn_at = 0.8;
  double monthly_usd = 0.0;        // 0 = no monthly cap
  int64_t min_output_tokens = 64;  // floor when shrinking max_tokens to fit
  int64_t per_message_overhead_tokens = 8;
};

// [sandbox]: the layers every tool child gets and the caps on how many run. Ranges are
// checked at load time (config_load.cpp).
struct sandbox_section {
  int64_t max_landlock_abi = 0;        // 0 = the kernel's own; 1..7 = use at most this ABI
  bool namespaces = true;              // user+PID+mount+IPC(+net) namespaces; required when true
  int64_t max_calls_per_step = 8;      // tool calls run from one model response (1..64)
  int64_t max_children = 4;            // concurrent tool children in total (1..64)
  int64_t max_children_per_realm = 2;  // concurrent tool children per realm (1..64)
};

struct realm {
  core::realm_kind kind = core::realm_kind::public_;
  std::vector<std::string> owners;   // identity patterns (see policies/identity_match.h)
  std::vector<std::string> allowed;  // public realm: who may talk; empty admits nobody
  std::vector<std::string> tools;    // tool names allowed (tools/registry checks them)
  // No `tools` key for the private realm: every registered tool. Filled in by
  // tools::resolve_tool_names, the layer that knows the registry; core keeps no tool list.
  bool every_tool = false;
  std::vector<std::string> tiers;        // empty = all tiers
  std::string workspace;                 // default: state_dir/workspaces/<realm>
  std::vector<std::string> shell_allow;  // programs the shell tool may run
  std::vector<std::string> http_hosts;   // http_get host allowlist; empty = any public host
  // Ways out once untrusted content met private content in a turn (policies/egress.h):
  // "guarded" (default) | "allowlist" | "open"; egress_hosts stay reachable when narrowed.
  std::string egress = "guarded";
  std::vector<std::string> egress_hosts;
  int64_t rate_per_minute = 6;  // per sender; 0 = unlimited
  // Programs on shell_allow that can launch other programs (find -exec, sort
  // --compress-program, env, git, ...) run only with this; see tools/launchers.h.
  bool shell_launchers = false;
  int64_t workspace_quota_mb = 0;  // 0 = default: 16 (public), 1024 (private)
};

struct irc_channel {
  std::string name;
  std::string key;
  std::string respond_to = "mention";  // "mention" | "all"
};

struct irc_network {
  std::string name;  // "libera" from [transports.irc.libera]
  std::string server;
  int64_t port = 6697;
  bool tls = true;
  bool tls_verify = true;
  std::string ca_file;
  std::string nick = "frugal";
  std::vector<std::string> alt_nicks;
  std::string username = "frugal";
  std::string realname = "frugal agent";
  std::vector<irc_channel> channels;
  std::string sasl = "none";  // "plain" | "external" | "none"
  std::string sasl_user;
  std::string sasl_password_env;
  std::string sasl_password;  // resolved
  std::string client_cert;
  std::string client_key;
  std::string server_password_env;
  std::string server_password;  // resolved
  std::string nickserv_password_env;
  std::string nickserv_password;  // resolved
  bool require_sasl = false;
  std::vector<std::string> owners;   // "account:NAME" or "nick!user@host" masks
  std::vector<std::string> allowed;  // same forms; empty admits nobody (owners aside)
  int64_t max_reply_lines = 8;
  double flood_lines_per_s = 1.0;
  int64_t flood_burst = 4;
  int64_t outbound_queue_lines = 200;  // replies kept while disconnected (oldest dropped)
  int64_t reconnect_min_ms = 2000;     // backoff doubles from here ...
  int64_t reconnect_max_ms = 300000;   // ... up to here, with jitter
  int64_t reconnect_penalty_ms =
      60000;                           // at least this after ERROR (K-line, throttle), failed SASL
  int64_t keepalive_ping_ms = 60000;   // our PING after this much silence
  int64_t keepalive_dead_ms = 120000;  // link declared dead after this much silence
  int64_t private_reply_hold_ms = 600000;  // a private reply waits this long for its person
  int64_t register_timeout_ms = 60000;     // connect + TLS + registration must finish within
  // Manners (transports/irc/rejoin.h, nick_reclaim.h, backoff.h):
  int64_t rejoin_delay_ms = 5000;  // first rejoin after a KICK; 0 = never rejoin
  int64_t rejoin_max_ms = 600000;  // the rejoin delay doubles per kick up to this
  int64_t nick_check_ms = 180000;  // ISON period while off the main nick; 0 = keep the alt nick
  int64_t sasl_quick_retries = 3;  // require_sasl, SASL not offered: fast retries before penalty
};

struct matrix_account {
  std::string name;
  std::string homeserver;  // https://matrix.example.org or a server name (.well-known)
  std::string access_token_env;
  std::string access_token;  // resolved
  std::string user;          // @bot:example.org, for password login
  std::string password_env;
  std::string password;  // resolved
  std::string device_id = "FRUGAL";
  std::vector<std::string> rooms;
  std::vector<std::string> owners;    // Matrix user ids
  std::vector<std::string> allowed;   // Matrix user ids or "*"; empty = nobody public
  std::vector<std::string> inviters;  // who may invite; empty = owners and allowed
  std::string respond_to = "mention";
  std::string msgtype = "m.notice";
};

struct file {
  std::string path;  // the file this came from
  agent_section agent;
  std::map<std::string, provider> providers;
  std::map<std::string, model> models;
  std::map<std::string, tier> tiers;
  router_section router;
  budget_section budget;
  sandbox_section sandbox;
  std::map<core::realm_kind, realm> realms;  // always has both (core::every_realm)
  std::vector<irc_network> irc;
  std::vector<matrix_account> matrix;
  // The line of each identity list ("realms.public.allowed", "transports.irc.NAME.owners",
  // ...) present in the file: policies/ validates those lists after loading (core cannot
  // know the pattern rules) and its errors still name FILE:LINE: KEY.
  std::map<std::string, int> key_lines;
};

// Loads and validates `path`. Errors read "FILE:LINE: KEY: what is wrong". Identity
// patterns are not checked here (policies::validate_identity_lists does that), nor tool
// names (tools::resolve_tool_names): key_lines keeps their lines.
// `env` resolves *_env keys (tests pass their own; the program passes getenv).
// secrets::skip (read-only commands such as `budget`) leaves every secret empty and never
// reads the variables; the *_env names themselves are still checked.
using env_fn = std::string (*)(const std::string& name);
enum class secrets { resolve, skip };
result<file> load(const std::string& path, env_fn env = nullptr, secrets mode = secrets::resolve);

// The config path from --config, else $FRUGAL_CONFIG, else $XDG_CONFIG_HOME/frugal/frugal.toml
// (XDG_CONFIG_HOME defaulting to ~/.config).
std::string default_path();

// The state folder when the config names none: /var/lib/frugal for root (euid 0), else
// $XDG_STATE_HOME/frugal (XDG_STATE_HOME defaulting to ~/.local/state). `frugal init`
// writes the same default into the starter config.
std::string default_state_dir(unsigned euid);

}  // namespace frugal::config
