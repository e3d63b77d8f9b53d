// urls: percent-encoding of path and query pieces (room ids, aliases, txn ids, user ids,
// sync tokens) and the decision between a homeserver URL and .well-known discovery.
// It does not parse URLs or talk to the network.
#pragma once
#include <string>
#include <string_view>

namespace frugal::matrix {

// RFC 3986: every byte outside ALPHA / DIGIT / "-" / "." / "_" / "~" becomes %XX
// (upper-case hex), so "!a:b/c" → "%21a%3Ab%2Fc". Safe for a path segment or a query value.
std::string percent_encode(std::string_view text);

// From the `homeserver` setting: a value with a scheme ("https://hs.example/") is used as
// the base URL (trailing slashes removed, base_url set); a bare server name
// ("example.org") needs discovery at discover_url =
// "<scheme>://example.org/.well-known/matrix/client" (scheme "https" outside tests), with
// fallback_url = "<scheme>://example.org" when the server publishes no .well-known (404).
struct homeserver_target {
  std::string base_url;
  std::string discover_url;
  std::string fallback_url;
};
homeserver_target resolve_homeserver(std::string_view setting,
                                     std::string_view discovery_scheme = "https");

// The localpart of "@bot:example.org" is "bot"; anything else is returned unchanged.
std::string localpart(std::string_view user_id);

}  // namespace frugal::matrix
