// Tests for policies/identity_match: the pattern forms, nick spoofing, globs, Matrix
// wildcards, networks kept apart, and invalid patterns refused.
#include "policies/identity_match.h"

#include <catch2/catch.hpp>

using frugal::core::identity;
using frugal::policies::kind_of;
using frugal::policies::matches;
using frugal::policies::pattern_kind;
using frugal::policies::validate_pattern;

namespace {
identity irc(std::string account, std::string mask) {
  std::string nick = mask.substr(0, mask.find('!'));
  return {"irc", std::move(account), std::move(mask), nick};
}
identity mx(std::string id) {
  return {"matrix", std::move(id), "", "someone"};
}
const identity operator_id{"stdin", "", "", "operator"};
}  // namespace

TEST_CASE("account patterns match the SASL account, never the nick", "[identity]") {
  CHECK(matches("account:alice", irc("alice", "alice!a@host.example")));
  CHECK(matches("account:Alice", irc("ALICE", "x!y@z")));  // case-insensitive
  CHECK(matches("account:a[b]", irc("A{B}", "x!y@z")));    // rfc1459 casemapping
  // Someone using the owner's nick but another account, or none, does not match.
  CHECK_FALSE(matches("account:owner", irc("mallory", "owner!owner@evil.example")));
  CHECK_FALSE(matches("account:owner", irc("", "owner!owner@evil.example")));
  CHECK_FALSE(matches("account:owner", irc("owner2", "owner!o@h")));
  CHECK(matches("account:*", irc("anyone", "x!y@z")));
  CHECK_FALSE(matches("account:*", irc("", "x!y@z")));
}

TEST_CASE("hostmask patterns glob over the full nick!user@host", "[identity]") {
  CHECK(matches("owner!~owner@home.example", irc("", "owner!~owner@home.example")));
  CHECK(matches("*!*@home.example", irc("", "Owner!x@HOME.example")));
  CHECK(matches("*!*@*.example", irc("", "n!u@a.b.example")));
  CHECK(matches("n?ck!*@*", irc("", "nick!u@h")));
  CHECK_FALSE(matches("n?ck!*@*", irc("", "niick!u@h")));
  // Same nick, other user@host: no match.
  CHECK_FALSE(matches("owner!~owner@home.example", irc("", "owner!~owner@evil.example")));
  CHECK_FALSE(matches("owner!*@home.example", irc("", "owner!x@home.example.evil.net")));
  CHECK_FALSE(matches("*!*@home.example", irc("", "")));  // no mask known
}

TEST_CASE("Matrix ids are exact, with whole-localpart wildcards", "[identity]") {
  CHECK(matches("@alice:example.org", mx("@alice:example.org")));
  CHECK_FALSE(matches("@alice:example.org", mx("@alice:example.org.evil")));
  CHECK_FALSE(matches("@alice:example.org", mx("@Alice:example.org")));
  CHECK_FALSE(matches("@alice:example.org", mx("@alicex:example.org")));
  CHECK(matches("@*:example.org", mx("@bob:example.org")));
  CHECK_FALSE(matches("@*:example.org", mx("@bob:other.org")));
  CHECK(matches("@a:example.org:8448", mx("@a:example.org:8448")));
  CHECK(matches("*", mx("@bob:other.org")));
}

TEST_CASE("a pattern applies only to its own network", "[identity]") {
  // A Matrix user whose id looks like an IRC account, and the reverse.
  CHECK_FALSE(matches("account:alice", identity{"matrix", "alice", "", ""}));
  CHECK_FALSE(matches("@alice:example.org", identity{"irc", "@alice:example.org", "", ""}));
  CHECK_FALSE(matches("*!*@*", identity{"matrix", "@a:b", "a!b@c", ""}));
  CHECK(matches("stdin", operator_id));
  CHECK_FALSE(matches("stdin", irc("stdin", "stdin!stdin@stdin")));
  CHECK(matches("*", operator_id));
}

TEST_CASE("invalid patterns are refused and match nobody", "[identity]") {
  for (const char* bad : {"", "owner", "alice_", "account:", "user@host", "nick!user", "@alice",
                          "@:server", "@al*ce:server", "@*:serv*", "!u@h", "n!@h", "n!u@", "n@u!h",
                          "a!b!c@d", "irc:alice", "has space!u@h", "account:a b", "account:a@b"}) {
    INFO(bad);
    CHECK_FALSE(validate_pattern(bad).ok());
    CHECK(kind_of(bad) == pattern_kind::invalid);
    CHECK_FALSE(matches(bad, irc("owner", "owner!owner@h")));
  }
  CHECK(validate_pattern("owner").message().find("bare nick") != std::string::npos);
  for (const char* good :
       {"*", "stdin", "account:alice", "n!u@h", "*!*@*", "@a:b.org", "@*:b.org"}) {
    INFO(good);
    CHECK(validate_pattern(good).ok());
  }
  CHECK(kind_of("account:x") == pattern_kind::irc_account);
  CHECK(kind_of("n!u@h") == pattern_kind::irc_mask);
  CHECK(kind_of("@a:b") == pattern_kind::matrix_id);
}

TEST_CASE("IRC patterns glob with '?' and '*' under rfc1459 folding", "[identity]") {
  identity who{"irc", "ALICE", "Alice[m]!ali@host.example", "Alice[m]"};
  CHECK(matches("account:al?ce", who));
  CHECK(matches("account:a*", who));
  CHECK_FALSE(matches("account:al?", who));
  CHECK(matches("alice{m}!*@*.example", who));  // [ and { are one letter under rfc1459
  CHECK(matches("alice?m?!ali@host.exampl?", who));
}
