// realm: classify() — owner, allowed or refused — from the realm lists and the sending
// transport's own lists. The order and the rules are documented in realm.h; this file only
// finds the right lists and words the reasons.
#include "policies/realm.h"

#include <string_view>

#include "policies/identity_match.h"
#include "policies/placement.h"

namespace frugal::policies {
namespace {

const std::vector<std::string> no_patterns;

const std::vector<std::string>& realm_list(const config::file& cfg, core::realm_kind realm,
                                           bool owners) {
  auto it = cfg.realms.find(realm);
  if (it == cfg.realms.end()) return no_patterns;
  return owners ? it->second.owners : it->second.allowed;
}

// The transport-level owners/allowed lists of `transport` ("irc.<name>"/"matrix.<name>").
struct transport_lists {
  const std::vector<std::string>* owners = &no_patterns;
  const std::vector<std::string>* allowed = &no_patterns;
};

transport_lists lists_for(std::string_view transport, const config::file& cfg) {
  transport_lists out;
  if (transport.starts_with("irc.")) {
    std::string_view name = transport.substr(4);
    for (const auto& net : cfg.irc)
      if (net.name == name) return {&net.owners, &net.allowed};
  } else if (transport.starts_with("matrix.")) {
    std::string_view name = transport.substr(7);
    for (const auto& acct : cfg.matrix)
      if (acct.name == name) return {&acct.owners, &acct.allowed};
  }
  return out;
}

bool network_fits_transport(std::string_view network, std::string_view transport) {
  if (network == "stdin") return transport == "stdin";
  if (network == "irc") return transport.starts_with("irc.");
  if (network == "matrix") return transport.starts_with("matrix.");
  return false;
}

realm_verdict allow(core::realm_kind realm, std::string reason) {
  return {realm_verdict::kind::allow, realm, std::move(reason)};
}

bool only_globs(std::string_view s) {
  return !s.empty() && s.find_first_not_of("*?") == std::string_view::npos;
}

// The part of an IRC owner pattern that must name someone: the account, or a mask's host.
std::string_view owner_anchor(std::string_view p, pattern_kind k) {
  if (k == pattern_kind::irc_account) return p.substr(8);
  if (k == pattern_kind::irc_mask) return p.substr(p.find('@') + 1);
  return {};
}

status check_list(const config::file& cfg, const std::vector<std::string>& list,
                  const std::string& key, bool owners, const char* network) {
  auto line = cfg.key_lines.find(key);
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string& p = list[i];
    std::string where = cfg.path + ":" +
                        (line != cfg.key_lines.end() ? std::to_string(line->second) + ": " : " ") +
                        key + "[" + std::to_string(i) + "]: ";
    if (status s = validate_pattern(p); !s) return fail(where, s.message());
    pattern_kind k = kind_of(p);
    if (owners && k == pattern_kind::anyone) return fail(where, "'*' would make everyone an owner");
    if (owners && only_globs(owner_anchor(p, k)))
      return fail(where, "'", p, "' would make every IRC user an owner; name an account or host");
    if (owners && network && k == pattern_kind::stdin_operator)
      return fail(where, "'stdin' cannot be an owner of a network transport");
    bool irc = k == pattern_kind::irc_account || k == pattern_kind::irc_mask;
    if (network && std::string_view(network) == "irc" && k == pattern_kind::matrix_id)
      return fail(where, "'", p, "' is a Matrix id in an IRC list");
    if (network && std::string_view(network) == "matrix" && irc)
      return fail(where, "'", p, "' is an IRC pattern in a Matrix list");
  }
  return {};
}

}  // namespace

realm_verdict classify(const core::inbound& msg, const config::file& cfg) {
  const core::identity& who = msg.from;
  if (!network_fits_transport(who.network, msg.transport))
    return {
        realm_verdict::kind::deny, core::realm_kind::public_,
        "identity network '" + who.network + "' does not match transport '" + msg.transport + "'"};
  if (who.network == "stdin") {
    auto v = allow(core::realm_kind::private_, "local operator (stdin)");
    v.owner = true;
    return v;
  }

  transport_lists own = lists_for(msg.transport, cfg);
  std::string owner_reason;
  if (const std::string* p = first_match(realm_list(cfg, core::realm_kind::private_, true), who))
    owner_reason = "owner: matches '" + *p + "' in realms.private.owners";
  else if (const std::string* p = first_match(*own.owners, who))
    owner_reason = "owner: matches '" + *p + "' in " + msg.transport + ".owners";
  if (!owner_reason.empty()) {
    auto v = allow(core::realm_kind::private_, owner_reason);
    if (std::string why = readable_by_others(msg, cfg); !why.empty()) {
      v.realm = core::realm_kind::public_;
      v.reason += "; " + why + ": answered as the public self";
    }
    v.owner = true;
    return v;
  }
  if (const std::string* p = first_match(realm_list(cfg, core::realm_kind::public_, false), who))
    return allow(core::realm_kind::public_,
                 "allowed: matches '" + *p + "' in realms.public.allowed");
  if (const std::string* p = first_match(*own.allowed, who))
    return allow(core::realm_kind::public_,
                 "allowed: matches '" + *p + "' in " + msg.transport + ".allowed");
  const std::string own_key = "transports." + msg.transport;
  return {realm_verdict::kind::deny, core::realm_kind::public_,
          "not on the allowlist: matches no realm (owners: realms.private.owners, " + own_key +
              ".owners; allowed: realms.public.allowed, " + own_key + ".allowed" +
              (realm_list(cfg, core::realm_kind::public_, false).empty() && own.allowed->empty()
                   ? "; both allowed lists are empty, which admits nobody"
                   : "") +
              ")"};
}

status validate_identity_lists(const config::file& cfg) {
  for (const auto& [kind, r] : cfg.realms) {
    const std::string name(core::realm_name(kind));
    if (status s = check_list(cfg, r.owners, "realms." + name + ".owners", true, nullptr); !s)
      return s;
    if (status s = check_list(cfg, r.allowed, "realms." + name + ".allowed", false, nullptr); !s)
      return s;
  }
  for (const auto& net : cfg.irc) {
    std::string key = "transports.irc." + net.name;
    if (status s = check_list(cfg, net.owners, key + ".owners", true, "irc"); !s) return s;
    if (status s = check_list(cfg, net.allowed, key + ".allowed", false, "irc"); !s) return s;
  }
  for (const auto& acct : cfg.matrix) {
    std::string key = "transports.matrix." + acct.name;
    if (status s = check_list(cfg, acct.owners, key + ".owners", true, "matrix"); !s) return s;
    if (status s = check_list(cfg, acct.allowed, key + ".allowed", false, "matrix"); !s) return s;
    if (status s = check_list(cfg, acct.inviters, key + ".inviters", false, "matrix"); !s) return s;
  }
  return {};
}

}  // namespace frugal::policies
