// address_policy: which resolved addresses a public_only request may connect to.
#include "core/http/address_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <catch2/catch.hpp>

using frugal::http::address_text;
using frugal::http::is_public_address;

namespace {
bool is_public(const char* text) {
  sockaddr_storage ss{};
  if (inet_pton(AF_INET, text, &reinterpret_cast<sockaddr_in*>(&ss)->sin_addr) == 1) {
    ss.ss_family = AF_INET;
  } else if (inet_pton(AF_INET6, text, &reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr) == 1) {
    ss.ss_family = AF_INET6;
  } else {
    FAIL("bad address in test: " << text);
  }
  return is_public_address(reinterpret_cast<sockaddr*>(&ss));
}
}  // namespace

TEST_CASE("address_policy: private and special IPv4 ranges are refused") {
  for (const char* a :
       {"127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
        "169.254.169.254", "100.64.0.1", "100.127.255.255", "0.0.0.0", "0.1.2.3", "224.0.0.1",
        "239.255.255.250", "255.255.255.255", "240.0.0.1", "198.18.0.1", "192.0.2.5"}) {
    INFO(a);
    CHECK_FALSE(is_public(a));
  }
  for (const char* a : {"1.1.1.1", "8.8.8.8", "172.15.255.255", "172.32.0.1", "100.63.255.255",
                        "100.128.0.1", "169.253.0.1", "192.169.0.1", "223.255.255.255"}) {
    INFO(a);
    CHECK(is_public(a));
  }
}

TEST_CASE("address_policy: IPv6 special ranges and embedded IPv4 are refused") {
  for (const char* a :
       {"::", "::1", "fe80::1", "febf::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1",
        "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "64:ff9b::a00:1",
        "2002:c0a8:0101::1", "2001:db8::1", "fec0::1"}) {
    INFO(a);
    CHECK_FALSE(is_public(a));
  }
  for (const char* a : {"2606:4700:4700::1111", "2a00:1450::1", "::ffff:8.8.8.8",
                        "64:ff9b::808:808", "2002:0808:0808::1"}) {
    INFO(a);
    CHECK(is_public(a));
  }
}

TEST_CASE("address_policy: other families are refused; text form") {
  sockaddr sa{};
  sa.sa_family = AF_UNIX;
  CHECK_FALSE(is_public_address(&sa));
  CHECK_FALSE(is_public_address(nullptr));
  CHECK(address_text(&sa) == "?");
  sockaddr_in in{};
  in.sin_family = AF_INET;
  inet_pton(AF_INET, "192.168.0.7", &in.sin_addr);
  CHECK(address_text(reinterpret_cast<sockaddr*>(&in)) == "192.168.0.7");
}
