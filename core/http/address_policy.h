// address_policy: decides whether a resolved socket address is a public internet address
// (for request::public_only). It refuses loopback, private, link-local, CGNAT, multicast,
// broadcast, unspecified, documentation/benchmark and unique-local ranges, and looks
// through IPv4-mapped, IPv4-compatible, NAT64 and 6to4 IPv6 forms. It does no DNS.
#pragma once
#include <sys/socket.h>

#include <string>

namespace frugal::http {

// True when `sa` (AF_INET or AF_INET6) may be reached by a public_only request. Any other
// family is refused.
bool is_public_address(const sockaddr* sa);

// The numeric text of `sa` ("10.0.0.1", "fe80::1"), or "?" for an unknown family.
std::string address_text(const sockaddr* sa);

}  // namespace frugal::http
