// egress: where a turn may still send data once untrusted content has met private content
// in it (the "lethal trifecta": private data + untrusted content + a way out). The turn
// reports each piece of context as it enters (its origin) and asks before every outbound
// request; the rule is here, the bookkeeping is in the turn. It does not fetch anything
// and it does not judge addresses (core/http's public_only does that).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/realm.h"

namespace frugal::policies {

// Where a piece of a turn's context came from.
enum class origin {
  owner,          // the owner's own message text
  private_store,  // private history, memory, workspace files, private tool output
  public_sender,  // a message from someone in the public realm
  web,            // a fetched page (http_get)
  tool_output,    // any other tool result (clock, a public-realm store)
};

// realms.<name>.egress:
//   guarded   (default) narrow only once untrusted content and private content are both
//             in the turn;
//   allowlist always narrow: only URLs the sender wrote and egress_hosts;
//   open      never narrow (as before this rule existed).
enum class egress_mode { guarded, allowlist, open };

// Parses "guarded" | "allowlist" | "open"; false for anything else.
bool parse_egress_mode(std::string_view text, egress_mode& out);

// The origin of tool `tool`'s output in `realm`: http_get → web;
// memory_recall, read_file, list_dir and shell → private_store in the private realm;
// everything else → tool_output.
origin origin_of_tool(std::string_view tool, core::realm_kind realm);

// The http(s) URLs written in `text` (up to whitespace, quotes or angle brackets; trailing
// .,;:!?) dropped), in order.
std::vector<std::string> urls_in(std::string_view text);

struct egress_verdict {
  enum class kind { allow, deny } verdict = kind::deny;
  std::string reason;  // for the model, the audit row and the owner's note; no query text
};

class egress_guard {
 public:
  // `hosts`: egress_hosts ("example.org", ".example.org", "*.example.org" forms).
  // `sender_text`: the message that started the turn; URLs in it stay reachable.
  egress_guard(egress_mode mode, std::vector<std::string> hosts, std::string_view sender_text);
  egress_guard() : egress_guard(egress_mode::guarded, {}, "") {}

  // A piece of context of origin `o` entered the turn.
  void saw(origin o);
  // True when the ways out are narrowed for the rest of the turn.
  bool narrowed() const;
  // Whether the turn may request `url` now. Narrowed, only a URL the sender wrote (same
  // scheme, host, port, path and query; the fragment ignored) or one on an egress_hosts
  // host is allowed; nothing that carries a path or query the sender did not write.
  egress_verdict check(std::string_view url) const;

 private:
  egress_mode mode_;
  std::vector<std::string> hosts_;
  std::vector<std::string> sender_urls_;
  bool holds_private_ = false;
  bool untrusted_ = false;
  std::string untrusted_what_;  // "a web page" | "a public message", for the reason
};

// An entry "example.org" lists that host; ".example.org" or "*.example.org" its subdomains
// (never the domain itself; matched by core/wildcard). `host` is lower-case; entries are
// compared case-insensitively. The one host-list matcher (egress_hosts here, http_get's
// allowed hosts in tools/).
bool host_listed(const std::vector<std::string>& hosts, std::string_view host);

}  // namespace frugal::policies
