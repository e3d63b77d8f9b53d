// core/wildcard: the one glob matcher ('*' any run, '?' one character), with and without a
// folding function; and the host lists built on it (policies::host_listed).
#include "core/wildcard.h"

#include <catch2/catch.hpp>
#include <cctype>

using frugal::wildcard::has_wildcards;
using frugal::wildcard::match;

namespace {
char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}
}  // namespace

TEST_CASE("wildcard::match handles backtracking, '?' and empty texts", "[wildcard]") {
  CHECK(match("*", ""));
  CHECK(match("", ""));
  CHECK_FALSE(match("", "a"));
  CHECK_FALSE(match("?", ""));
  CHECK(match("?", "x"));
  CHECK(match("a?c", "abc"));
  CHECK_FALSE(match("a?c", "ac"));
  CHECK(match("a*b*c", "axxbyyc"));
  CHECK_FALSE(match("a*b*c", "axxbyy"));
  CHECK(match("*a*a*a*b", "aaaaaaaaab"));
  CHECK_FALSE(match("*a*a*a*b", "aaaaaaaaaa"));
  CHECK(match("@*:trusted.org", "@x:trusted.org"));
  CHECK(match("@*:trusted.org", "@x:evil.org:trusted.org"));  // '*' spans anything
  CHECK_FALSE(match("ABC", "abc"));
  CHECK(match("ABC", "abc", lower));
  CHECK(match("A?C*", "abcdef", lower));
}

TEST_CASE("wildcard::has_wildcards", "[wildcard]") {
  CHECK(has_wildcards("a*"));
  CHECK(has_wildcards("?"));
  CHECK_FALSE(has_wildcards("plain.example.org"));
}
