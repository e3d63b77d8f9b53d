// Parsing of `--as`.
#include "agent/cli/identity_arg.h"

#include "policies/realm.h"

namespace frugal::cli {

result<transports::inbound> parse_identity_arg(const std::string& spec, const std::string& target) {
  transports::inbound m;
  m.target = target;
  m.direct = true;
  if (spec.empty()) {
    m.transport = "stdin";
    m.from.network = "stdin";
    m.from.display = "operator";
    return m;
  }
  auto colon = spec.find(':');
  if (colon == std::string::npos) return fail("expected TRANSPORT:IDENTITY, got \"", spec, "\"");
  m.transport = spec.substr(0, colon);
  std::string id = spec.substr(colon + 1);
  if (m.transport.rfind("irc.", 0) == 0) {
    m.from.network = "irc";
    if (id.rfind("account:", 0) == 0) {
      m.from.account = id.substr(8);
      m.from.display = m.from.account;
      m.from.mask = m.from.account + "!cli@localhost";
    } else if (id.find('!') != std::string::npos && id.find('@') != std::string::npos) {
      m.from.mask = id;
      m.from.display = id.substr(0, id.find('!'));
    } else {
      return fail("IRC identities are nick!user@host or account:NAME");
    }
    m.target = m.from.display;
  } else if (m.transport.rfind("matrix.", 0) == 0) {
    if (id.empty() || id[0] != '@') return fail("Matrix identities are @user:server");
    m.from.network = "matrix";
    m.from.account = id;
    m.from.display = id;
    m.target = "!cli:" + id;
    m.audience = {id};  // as a direct chat with only that user in it
    m.audience_known = true;
  } else {
    return fail("unknown transport \"", m.transport, "\" (irc.NAME or matrix.NAME)");
  }
  return m;
}

status check_identity_arg(const transports::inbound& m, const config::file& cfg) {
  if (m.transport == "stdin") return status::success();
  std::string configured;
  bool found = false;
  for (const auto& net : cfg.irc) {
    configured += (configured.empty() ? "" : ", ") + ("irc." + net.name);
    found |= m.transport == "irc." + net.name;
  }
  for (const auto& acct : cfg.matrix) {
    configured += (configured.empty() ? "" : ", ") + ("matrix." + acct.name);
    found |= m.transport == "matrix." + acct.name;
  }
  if (!found)
    return fail("no transport ", m.transport,
                " in the config (configured: ", configured.empty() ? "none" : configured, ")");
  auto v = policies::classify(m, cfg);
  if (v.verdict != policies::realm_verdict::kind::allow) return fail(v.reason);
  return status::success();
}

}  // namespace frugal::cli
