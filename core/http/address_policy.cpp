// address_policy: the public/not-public decision for IPv4 and IPv6 addresses, by prefix
// tables. Kept apart from the curl glue so it can be tested address by address.
#include "core/http/address_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdint>
#include <cstring>

namespace frugal::http {
namespace {

struct v4_range {
  uint32_t net;
  int bits;
};

// Host-order IPv4 prefixes that are never public.
constexpr v4_range blocked_v4[] = {
    {0x00000000, 8},   // 0.0.0.0/8 "this network"
    {0x0A000000, 8},   // 10/8 private
    {0x64400000, 10},  // 100.64/10 CGNAT
    {0x7F000000, 8},   // 127/8 loopback
    {0xA9FE0000, 16},  // 169.254/16 link-local
    {0xAC100000, 12},  // 172.16/12 private
    {0xC0000000, 24},  // 192.0.0/24 IETF protocol assignments
    {0xC0000200, 24},  // 192.0.2/24 documentation
    {0xC0A80000, 16},  // 192.168/16 private
    {0xC6120000, 15},  // 198.18/15 benchmarking
    {0xC6336400, 24},  // 198.51.100/24 documentation
    {0xCB007100, 24},  // 203.0.113/24 documentation
    {0xE0000000, 4},   // 224/4 multicast
    {0xF0000000, 4},   // 240/4 reserved, includes 255.255.255.255 broadcast
};

bool public_v4(uint32_t host_order) {
  for (const auto& r : blocked_v4) {
    uint32_t mask = r.bits == 0 ? 0 : ~uint32_t{0} << (32 - r.bits);
    if ((host_order & mask) == r.net) return false;
  }
  return true;
}

uint32_t v4_at(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

bool all_zero(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (p[i] != 0) return false;
  return true;
}

bool public_v6(const uint8_t* a) {
  // ::/96 covers :: (unspecified), ::1 (loopback) and the deprecated IPv4-compatible form.
  if (all_zero(a, 12)) return v4_at(a + 12) > 1 && public_v4(v4_at(a + 12));
  // ::ffff:0:0/96 IPv4-mapped: judge the IPv4 address inside.
  if (all_zero(a, 10) && a[10] == 0xff && a[11] == 0xff) return public_v4(v4_at(a + 12));
  // 64:ff9b::/96 NAT64: the IPv4 address inside.
  static const uint8_t nat64[12] = {0x00, 0x64, 0xff, 0x9b};
  if (std::memcmp(a, nat64, 12) == 0) return public_v4(v4_at(a + 12));
  // 2002::/16 6to4: the IPv4 address in bits 16..47.
  if (a[0] == 0x20 && a[1] == 0x02) return public_v4(v4_at(a + 2));
  if ((a[0] & 0xfe) == 0xfc) return false;                               // fc00::/7 unique local
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return false;               // fe80::/10 link-local
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) return false;               // fec0::/10 site-local
  if (a[0] == 0xff) return false;                                        // ff00::/8 multicast
  if (a[0] == 0x01 && a[1] == 0x00 && all_zero(a + 2, 6)) return false;  // 100::/64 discard
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) return false;  // doc
  return true;
}

}  // namespace

bool is_public_address(const sockaddr* sa) {
  if (!sa) return false;
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    return public_v4(ntohl(in->sin_addr.s_addr));
  }
  if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    return public_v6(in6->sin6_addr.s6_addr);
  }
  return false;
}

std::string address_text(const sockaddr* sa) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (sa && sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    if (inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf)) return buf;
  } else if (sa && sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    if (inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf)) return buf;
  }
  return "?";
}

}  // namespace frugal::http
