// `frugal doctor`: checks what a new install gets wrong and prints a table with what to
// fix: the config, the state folder's permissions, each provider's reachability (one free
// request: the models list), each IRC server's TCP reachability, each Matrix account's
// token (whoami), and the tool sandbox. Exit 0 when nothing failed, 1 otherwise.
#include <sys/stat.h>

#include <cstdio>
#include <vector>

#include "agent/cli/cli.h"
#include "agent/cli/command.h"
#include "agent/runtime.h"
#include "llm/call.h"
#include "policies/tool_policy.h"
#include "tools/tool.h"

namespace frugal::cli {
namespace {

struct row {
  std::string check;
  std::string verdict;  // ok | warn | FAIL
  std::string detail;
};

void print(const std::vector<row>& rows) {
  for (const auto& r : rows)
    std::printf("%-34s %-5s %s\n", r.check.c_str(), r.verdict.c_str(), r.detail.c_str());
}

// Issues GETs on the runtime's loop and waits for all of them.
void probe_http(agent::runtime& rt, std::vector<http::request>& reqs,
                std::vector<http::response>& out) {
  out.assign(reqs.size(), {});
  size_t pending = reqs.size();
  for (size_t i = 0; i < reqs.size(); ++i)
    rt.http().start(std::move(reqs[i]), [&, i](http::response r) {
      out[i] = std::move(r);
      --pending;
    });
  while (pending > 0) uv_run(rt.loop(), UV_RUN_ONCE);
}

struct tcp_probe {
  uv_getaddrinfo_t gai{};
  uv_tcp_t tcp{};
  uv_connect_t conn{};
  uv_timer_t timer{};
  std::string result;
  bool done = false;
  int closing = 0;
};

std::string probe_tcp(uv_loop_t* loop, const std::string& host, int64_t port) {
  tcp_probe p;
  p.gai.data = p.tcp.data = p.conn.data = p.timer.data = &p;
  uv_timer_init(loop, &p.timer);
  uv_tcp_init(loop, &p.tcp);
  uv_timer_start(
      &p.timer,
      [](uv_timer_t* t) {
        auto* pp = static_cast<tcp_probe*>(t->data);
        if (!pp->done) pp->result = "timed out after 5 s", pp->done = true;
      },
      5000, 0);
  std::string service = std::to_string(port);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  int rc = uv_getaddrinfo(
      loop, &p.gai,
      [](uv_getaddrinfo_t* g, int status, addrinfo* res) {
        auto* pp = static_cast<tcp_probe*>(g->data);
        if (pp->done) {
          uv_freeaddrinfo(res);
          return;
        }
        if (status != 0 || !res) {
          pp->result = std::string("DNS: ") + uv_strerror(status);
          pp->done = true;
          uv_freeaddrinfo(res);
          return;
        }
        uv_tcp_connect(&pp->conn, &pp->tcp, res->ai_addr, [](uv_connect_t* c, int st) {
          auto* q = static_cast<tcp_probe*>(c->data);
          if (!q->done) q->result = st == 0 ? "" : std::string("connect: ") + uv_strerror(st);
          q->done = true;
        });
        uv_freeaddrinfo(res);
      },
      host.c_str(), service.c_str(), &hints);
  if (rc != 0) p.result = std::string("DNS: ") + uv_strerror(rc), p.done = true;
  while (!p.done) uv_run(loop, UV_RUN_ONCE);
  uv_close(reinterpret_cast<uv_handle_t*>(&p.timer), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&p.tcp), nullptr);
  uv_run(loop, UV_RUN_DEFAULT);  // lets the closes (and a late connect callback) finish
  return p.result;
}

// The verdict on one provider's key probe (llm::key_probe_request).
row provider_row(const llm::provider_config& pc, const http::response& r) {
  std::string check = "provider " + pc.name;
  std::string code = "HTTP " + std::to_string(r.status);
  if (r.fail != http::failure::none) return {check, "FAIL", "unreachable: " + r.error};
  if (r.status == 401 || r.status == 403)
    return {check, "FAIL", llm::rejected_key_message(pc, r.status)};
  if (r.status == 404)
    return {check, "FAIL", code + ": no API at this base_url (" + pc.base_url + ")"};
  if (r.status == 429 || r.status >= 500) return {check, "warn", code + ": try again later"};
  if (pc.local) return {check, r.status < 300 ? "ok" : "warn", code + " from the models list"};
  if (r.status < 300 || r.status == 400 || r.status == 422)
    return {check, "ok",
            pc.api_key.empty() ? code + ": reachable, no key sent"
                               : code + ": key accepted ($" + pc.api_key_env +
                                     "; the empty probe request is free)"};
  return {check, "warn", code + " to the key probe"};
}

int exec(const global_options& g) {
  std::vector<row> rows;
  agent::startup_error err;
  auto rt = agent::runtime::create(g.config_path, g.log_level, err);
  if (!rt) {
    rows.push_back({"config " + g.config_path, "FAIL", err.message});
    print(rows);
    return exit_internal;
  }
  const auto& cfg = rt->cfg();
  rows.push_back({"config", "ok", cfg.path});
  struct stat st {};
  if (::stat(cfg.agent.state_dir.c_str(), &st) == 0) {
    bool private_dir = (st.st_mode & 077) == 0;
    rows.push_back({"state_dir permissions", private_dir ? "ok" : "warn",
                    cfg.agent.state_dir + (private_dir ? " (0700)" : ": chmod 700 it")});
  }
  for (const auto& [name, m] : cfg.models)
    if (m.price_placeholder)
      rows.push_back({"models." + name + " price", "warn",
                      "placeholder prices from init for " + m.model +
                          ": set input_usd_per_mtok and output_usd_per_mtok to the real "
                          "prices and delete price_placeholder"});
  // Providers: the key probe of llm/call.h (same URL and headers as a real call, nothing
  // billed), once per provider, with the model id of the first model that uses it.
  agent::snapshot_ptr snap = rt->current();  // keeps the providers alive while probing
  std::vector<http::request> reqs;
  std::vector<const llm::provider_config*> probed;
  bool failed = false;
  for (const auto& [name, p] : cfg.providers) {
    const config::model* first = nullptr;
    for (const auto& [mname, m] : cfg.models)
      if (m.provider == name && !first) first = &m;
    if (!first) {
      rows.push_back({"provider " + name, "warn", "no [models.*] entry uses it"});
      continue;
    }
    const llm::provider* prov = snap->provider_for(first->name);
    if (!prov) continue;
    const llm::provider_config& pc = prov->config();
    reqs.push_back(llm::key_probe_request(pc, first->model));
    probed.push_back(&pc);
  }
  std::vector<http::response> resps;
  probe_http(*rt, reqs, resps);
  for (size_t i = 0; i < probed.size(); ++i) {
    const auto& r = resps[i];
    const llm::provider_config& pc = *probed[i];
    row out = provider_row(pc, r);
    failed |= out.verdict == "FAIL";
    rows.push_back(std::move(out));
  }
  for (const auto& net : cfg.irc) {
    std::string e = probe_tcp(rt->loop(), net.server, net.port);
    rows.push_back({"irc." + net.name + " " + net.server + ":" + std::to_string(net.port),
                    e.empty() ? "ok" : "FAIL", e.empty() ? "TCP connect works" : e});
    failed |= !e.empty();
  }
  for (const auto& acct : cfg.matrix) {
    std::vector<http::request> who(1);
    who[0].method = "GET";
    who[0].url = acct.homeserver + "/_matrix/client/v3/account/whoami";
    if (!acct.access_token.empty())
      who[0].headers.push_back("Authorization: Bearer " + acct.access_token);
    who[0].total_timeout_ms = 15000;
    std::vector<http::response> out;
    probe_http(*rt, who, out);
    bool ok = out[0].fail == http::failure::none && out[0].status == 200;
    rows.push_back({"matrix." + acct.name, ok ? "ok" : "FAIL",
                    ok ? "whoami answered"
                       : (out[0].fail != http::failure::none
                              ? out[0].error
                              : "HTTP " + std::to_string(out[0].status) + " from whoami")});
    failed |= !ok;
  }
  const auto& caps = rt->caps();
  rows.push_back({"sandbox: landlock", caps.landlock_abi > 0 ? "ok" : "warn",
                  caps.landlock_abi > 0
                      ? "ABI " + std::to_string(caps.landlock_abi) +
                            (caps.landlock_abi < caps.kernel_landlock_abi
                                 ? " (capped by max_landlock_abi; kernel has " +
                                       std::to_string(caps.kernel_landlock_abi) + ")"
                                 : "")
                      : "missing: sandboxed tools refused in public realm"});
  rows.push_back({"sandbox: seccomp", caps.seccomp ? "ok" : "warn",
                  caps.seccomp ? "filters available" : "missing: public sandboxed tools refused"});
  rows.push_back({"sandbox: namespaces",
                  !caps.namespaces_wanted       ? "warn"
                  : caps.namespaces.available() ? "ok"
                                                : "warn",
                  !caps.namespaces_wanted       ? "off in [sandbox]: children share the daemon's "
                                                  "pids, mounts and uid"
                  : caps.namespaces.available() ? "user, PID, mount, IPC, UTS, network per child"
                                                : "unavailable: " + caps.namespaces.error() +
                                                      "; public sandboxed tools refused"});
  rows.push_back({"sandbox: rlimits", "ok", "CPU, memory, file size, processes, open files"});
  for (const auto& [kind, realm] : cfg.realms) {
    std::string list;
    for (const auto* d : tools::offered(realm, tools::registry(), &caps))
      list += (list.empty() ? "" : ", ") + std::string(d->name);
    rows.push_back({"realm " + std::string(core::realm_name(kind)) + " tools", "ok",
                    list.empty() ? "(none)" : list});
  }
  print(rows);
  return failed ? exit_internal : exit_ok;
}

command_fn setup(arg_table&, const global_options& g) {
  return [&g] { return exec(g); };
}

}  // namespace

const command cmd_doctor = {"doctor", "check config, state folder, providers, transports, sandbox",
                            true, setup};

}  // namespace frugal::cli
