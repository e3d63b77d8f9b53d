// egress: the narrowing rule of egress.h. URLs are compared after a small parse (scheme,
// host, port, path, query), lower-casing only the scheme and host: a path or query that
// differs by one byte from what the sender wrote is a different URL.
#include "policies/egress.h"

#include <algorithm>
#include <cctype>

#include "core/wildcard.h"

namespace frugal::policies {
namespace {

struct url_parts {
  bool ok = false;
  std::string scheme, host, port, path_query;
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

url_parts parse(std::string_view url) {
  url_parts p;
  size_t colon = url.find("://");
  if (colon == std::string_view::npos) return p;
  p.scheme = lower(url.substr(0, colon));
  if (p.scheme != "http" && p.scheme != "https") return p;
  std::string_view rest = url.substr(colon + 3);
  rest = rest.substr(0, rest.find('#'));
  size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  std::string_view tail = end == std::string_view::npos ? "" : rest.substr(end);
  if (authority.find('@') != std::string_view::npos) return p;  // credentials: never equal
  size_t port_at = authority.rfind(':');
  if (port_at != std::string_view::npos && authority.find(']', port_at) == std::string_view::npos) {
    p.port = std::string(authority.substr(port_at + 1));
    authority = authority.substr(0, port_at);
  }
  if (p.port.empty()) p.port = p.scheme == "https" ? "443" : "80";
  p.host = lower(authority);
  if (p.host.empty()) return p;
  p.path_query = tail.empty() || tail[0] == '?' ? "/" + std::string(tail) : std::string(tail);
  p.ok = true;
  return p;
}

// "http://host/path" without the query: the owner's note must not repeat what was smuggled.
std::string shown(const url_parts& p) {
  std::string path = p.path_query.substr(0, p.path_query.find('?'));
  return p.scheme + "://" + p.host + path +
         (p.path_query.find('?') != std::string::npos ? "?…" : "");
}

}  // namespace

bool host_listed(const std::vector<std::string>& hosts, std::string_view host) {
  for (std::string entry : hosts) {
    entry = lower(entry);
    if (entry.size() > 1 && entry[0] == '.') entry.insert(0, 1, '*');
    // "*.example.org": any subdomain, never the domain itself; anything else: that host.
    if (entry.size() > 2 && entry.rfind("*.", 0) == 0 ? wildcard::match(entry, host)
                                                      : entry == host)
      return true;
  }
  return false;
}

bool parse_egress_mode(std::string_view text, egress_mode& out) {
  if (text == "guarded")
    out = egress_mode::guarded;
  else if (text == "allowlist")
    out = egress_mode::allowlist;
  else if (text == "open")
    out = egress_mode::open;
  else
    return false;
  return true;
}

origin origin_of_tool(std::string_view tool, core::realm_kind realm) {
  if (tool == "http_get") return origin::web;
  if (realm == core::realm_kind::private_ &&
      (tool == "memory_recall" || tool == "read_file" || tool == "list_dir" || tool == "shell"))
    return origin::private_store;
  return origin::tool_output;
}

std::vector<std::string> urls_in(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t a = text.find("http", i);
    if (a == std::string_view::npos) break;
    std::string_view rest = text.substr(a);
    bool word_start = a == 0 || !std::isalnum(static_cast<unsigned char>(text[a - 1]));
    if (!word_start ||
        !(lower(rest.substr(0, 7)) == "http://" || lower(rest.substr(0, 8)) == "https://")) {
      i = a + 4;
      continue;
    }
    size_t end = rest.find_first_of(" \t\r\n\"'<>`");
    std::string_view url = rest.substr(0, end);
    while (!url.empty() && std::string_view(".,;:!?)]").find(url.back()) != std::string_view::npos)
      url.remove_suffix(1);
    out.emplace_back(url);
    i = a + (end == std::string_view::npos ? rest.size() : end);
  }
  return out;
}

egress_guard::egress_guard(egress_mode mode, std::vector<std::string> hosts,
                           std::string_view sender_text)
    : mode_(mode), hosts_(std::move(hosts)), sender_urls_(urls_in(sender_text)) {}

void egress_guard::saw(origin o) {
  if (o == origin::private_store) holds_private_ = true;
  if (o == origin::web || o == origin::public_sender) {
    if (!untrusted_) untrusted_what_ = o == origin::web ? "a web page" : "a public message";
    untrusted_ = true;
  }
}

bool egress_guard::narrowed() const {
  if (mode_ == egress_mode::open) return false;
  if (mode_ == egress_mode::allowlist) return true;
  return untrusted_ && holds_private_;
}

egress_verdict egress_guard::check(std::string_view url) const {
  using k = egress_verdict::kind;
  if (!narrowed()) return {k::allow, ""};
  url_parts want = parse(url);
  if (!want.ok) return {k::deny, "egress: not a plain http(s) URL"};
  if (host_listed(hosts_, want.host)) return {k::allow, ""};
  for (const auto& written : sender_urls_) {
    url_parts w = parse(written);
    if (w.ok && w.scheme == want.scheme && w.host == want.host && w.port == want.port &&
        w.path_query == want.path_query)
      return {k::allow, ""};
  }
  std::string why = mode_ == egress_mode::allowlist
                        ? std::string("this realm's egress is \"allowlist\"")
                        : untrusted_what_ + " entered a turn that holds private data";
  return {k::deny, "egress refused " + shown(want) + ": " + why +
                       "; only URLs written in the message or hosts in egress_hosts are "
                       "reachable for the rest of this turn"};
}

}  // namespace frugal::policies
