// may_invite: who may make the bot join a Matrix room, with the same identity matcher as
// owners and allowed users.
#include "policies/invite.h"

#include <catch2/catch.hpp>

using frugal::config::matrix_account;
using frugal::policies::invite_verdict;
using frugal::policies::may_invite;

namespace {
bool allowed(const matrix_account& a, const char* who) {
  return may_invite(a, who).verdict == invite_verdict::kind::allow;
}
}  // namespace

TEST_CASE("inviters decide when set; otherwise owners and allowed", "[policies][invite]") {
  matrix_account a;
  a.owners = {"@boss:example.org"};
  a.allowed = {"@*:friends.org"};
  CHECK(allowed(a, "@boss:example.org"));
  CHECK(allowed(a, "@anyone:friends.org"));
  CHECK_FALSE(allowed(a, "@eve:example.org"));
  CHECK_FALSE(allowed(a, "@boss:example.org.evil"));
  CHECK_FALSE(allowed(a, ""));

  a.inviters = {"@al:hs"};  // when set, only the inviters count
  CHECK(allowed(a, "@al:hs"));
  CHECK_FALSE(allowed(a, "@boss:example.org"));
  CHECK(may_invite(a, "@al:hs").reason.find("inviters") != std::string::npos);

  a.inviters = {"*"};
  CHECK(allowed(a, "@eve:anywhere"));
  matrix_account none;  // no list at all admits nobody
  CHECK_FALSE(allowed(none, "@eve:hs"));
}

TEST_CASE("a '*' localpart names one server, never a longer id ending in it",
          "[policies][invite]") {
  // The Matrix transport's own wildcard matcher let '*' run across the ':' that ends the
  // localpart, so "@*:trusted.org" admitted a user of another server whose name ends in
  // ":trusted.org".
  matrix_account a;
  a.inviters = {"@*:trusted.org"};
  CHECK(allowed(a, "@x:trusted.org"));
  CHECK_FALSE(allowed(a, "@x:evil.org:trusted.org"));
  CHECK_FALSE(allowed(a, "@x:eviltrusted.org"));
}
