// Tests for policies/realm: classify() on a table of senders, and the config validation
// of identity lists.
#include "policies/realm.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <optional>

#include "core/config/config.h"

using frugal::core::realm_kind;

using frugal::config::file;
using frugal::core::identity;
using frugal::core::inbound;
using frugal::policies::classify;
using frugal::policies::realm_verdict;
using frugal::policies::validate_identity_lists;

namespace {

file base_config() {
  file cfg;
  cfg.realms[realm_kind::private_].kind = realm_kind::private_;
  cfg.realms[realm_kind::private_].owners = {"account:owner", "@owner:example.org"};
  cfg.realms[realm_kind::public_].kind = realm_kind::public_;
  frugal::config::irc_network net;
  net.name = "libera";
  net.owners = {"boss!*@boss.example"};
  net.allowed = {"account:friend"};
  cfg.irc.push_back(net);
  frugal::config::irc_network other;
  other.name = "oftc";
  other.allowed = {"account:stranger"};
  cfg.irc.push_back(other);
  frugal::config::matrix_account m;
  m.name = "main";
  m.owners = {"@boss:example.org"};
  m.allowed = {"@*:friends.org"};
  cfg.matrix.push_back(m);
  return cfg;
}

// A direct message (IRC query; a Matrix room whose only other member is the sender):
// placement never narrows these, so the table below tests identity alone.
inbound msg(std::string transport, identity who) {
  inbound in{std::move(transport), "#chan", std::move(who), "hello", true};
  in.audience = {in.from.account};
  in.audience_known = true;
  return in;
}
identity irc(std::string account, std::string mask) {
  return {"irc", std::move(account), std::move(mask), "n"};
}
identity mx(std::string id) {
  return {"matrix", std::move(id), "", "n"};
}

struct row {
  const char* name;
  inbound in;
  realm_verdict::kind verdict;
  std::optional<realm_kind> realm;  // none when denied
};

}  // namespace

TEST_CASE("classify puts owners in private, allowed users in public, refuses the rest", "[realm]") {
  file cfg = base_config();
  using k = realm_verdict::kind;
  const row rows[] = {
      {"stdin operator", msg("stdin", {"stdin", "", "", "op"}), k::allow, realm_kind::private_},
      {"owner by account", msg("irc.libera", irc("owner", "x!y@z")), k::allow,
       realm_kind::private_},
      {"nick 'owner' without the account",
       msg("irc.libera", irc("mallory", "owner!owner@evil")),
       k::deny,
       {}},
      {"owner via transport mask", msg("irc.libera", irc("", "boss!b@boss.example")), k::allow,
       realm_kind::private_},
      {"transport owner list of another network does not apply",
       msg("irc.oftc", irc("", "boss!b@boss.example")),
       k::deny,
       {}},
      {"allowed via transport list", msg("irc.libera", irc("friend", "f!f@f")), k::allow,
       realm_kind::public_},
      {"allowed on oftc only", msg("irc.libera", irc("stranger", "s!s@s")), k::deny, {}},
      {"oftc allowed", msg("irc.oftc", irc("stranger", "s!s@s")), k::allow, realm_kind::public_},
      {"matrix owner (realm list)", msg("matrix.main", mx("@owner:example.org")), k::allow,
       realm_kind::private_},
      {"matrix owner (transport list)", msg("matrix.main", mx("@boss:example.org")), k::allow,
       realm_kind::private_},
      {"matrix allowed server", msg("matrix.main", mx("@anyone:friends.org")), k::allow,
       realm_kind::public_},
      {"matrix stranger", msg("matrix.main", mx("@x:evil.org")), k::deny, {}},
      {"stdin identity from a network transport",
       msg("irc.libera", {"stdin", "", "", "op"}),
       k::deny,
       {}},
      {"irc identity from a matrix transport",
       msg("matrix.main", irc("owner", "o!o@o")),
       k::deny,
       {}},
      {"unknown transport", msg("irc.nowhere", irc("friend", "f!f@f")), k::deny, {}},
  };
  for (const row& r : rows) {
    INFO(r.name);
    realm_verdict v = classify(r.in, cfg);
    CHECK(v.verdict == r.verdict);
    if (r.realm) CHECK(v.realm == *r.realm);
    CHECK_FALSE(v.reason.empty());
  }
}

TEST_CASE("an empty allowlist admits nobody but owners", "[realm]") {
  file cfg = base_config();
  cfg.irc[0].allowed.clear();
  realm_verdict v = classify(msg("irc.libera", irc("friend", "f!f@f")), cfg);
  CHECK(v.verdict == realm_verdict::kind::deny);
  CHECK(v.reason.starts_with("not on the allowlist: matches no realm"));
  CHECK(v.reason.find("transports.irc.") != std::string::npos);
  CHECK(v.reason.find("admits nobody") != std::string::npos);
  CHECK(classify(msg("irc.libera", irc("owner", "o!o@o")), cfg).realm == realm_kind::private_);
}

TEST_CASE("the public realm's allowed list applies on every transport", "[realm]") {
  file cfg = base_config();
  cfg.realms[realm_kind::public_].allowed = {"*!*@*.trusted.net"};
  realm_verdict v = classify(msg("irc.oftc", irc("", "a!b@c.trusted.net")), cfg);
  CHECK(v.verdict == realm_verdict::kind::allow);
  CHECK(v.realm == realm_kind::public_);
  CHECK(v.reason.find("realms.public.allowed") != std::string::npos);
  cfg.realms[realm_kind::public_].allowed = {"*"};
  CHECK(classify(msg("matrix.main", mx("@x:evil.org")), cfg).realm == realm_kind::public_);
  // Owners still win over a catch-all allowlist.
  CHECK(classify(msg("matrix.main", mx("@owner:example.org")), cfg).realm == realm_kind::private_);
}

TEST_CASE("a config without realms admits only stdin", "[realm]") {
  file cfg;
  CHECK(classify(msg("stdin", {"stdin", "", "", ""}), cfg).realm == realm_kind::private_);
  CHECK(classify(msg("irc.x", irc("a", "a!b@c")), cfg).verdict == realm_verdict::kind::deny);
}

TEST_CASE("validate_identity_lists names the bad key", "[realm]") {
  file cfg = base_config();
  CHECK(validate_identity_lists(cfg).ok());

  file bare = base_config();
  bare.irc[0].allowed.push_back("bob");
  frugal::status s = validate_identity_lists(bare);
  REQUIRE_FALSE(s.ok());
  CHECK(s.message().find("transports.irc.libera.allowed[1]") != std::string::npos);
  CHECK(s.message().find("bare nick") != std::string::npos);

  file star = base_config();
  star.realms[realm_kind::private_].owners.push_back("*");
  CHECK_FALSE(validate_identity_lists(star).ok());

  file cross = base_config();
  cross.matrix[0].allowed.push_back("account:bob");
  CHECK_FALSE(validate_identity_lists(cross).ok());

  file cross2 = base_config();
  cross2.irc[0].owners.push_back("@bob:example.org");
  CHECK_FALSE(validate_identity_lists(cross2).ok());

  file stdin_owner = base_config();
  stdin_owner.irc[0].owners.push_back("stdin");
  CHECK_FALSE(validate_identity_lists(stdin_owner).ok());
}

TEST_CASE("owner patterns must name someone", "[realm]") {
  for (const char* wide : {"account:*", "*!*@*", "owner!*@*?"}) {
    INFO(wide);
    file cfg = base_config();
    cfg.irc[0].owners.push_back(wide);
    CHECK_FALSE(validate_identity_lists(cfg).ok());
    file allowed = base_config();
    allowed.irc[0].allowed.push_back(wide);  // fine as an allowlist
    CHECK(validate_identity_lists(allowed).ok());
  }
}

// issue 18 item 1: alice (owner) in #pub asked "summarise my notes" and bob read the private
// answer. Wherever others can read, an owner gets the public realm (the public-facing self).
TEST_CASE("an owner where others can read is answered as the public self", "[realm][placement]") {
  file cfg = base_config();
  inbound chan = msg("irc.libera", irc("owner", "alice!a@a.example"));
  chan.direct = false;  // PRIVMSG #pub
  realm_verdict v = classify(chan, cfg);
  CHECK(v.verdict == realm_verdict::kind::allow);
  CHECK(v.realm == realm_kind::public_);
  CHECK(v.owner);
  CHECK(v.reason.find("IRC channel") != std::string::npos);
  chan.direct = true;  // the same owner in a query
  CHECK(classify(chan, cfg).realm == realm_kind::private_);
  CHECK(classify(chan, cfg).owner);

  // Matrix: judged by the members, never by the room's is_direct flag.
  inbound room = msg("matrix.main", mx("@owner:example.org"));
  room.direct = true;
  room.audience = {"@owner:example.org", "@boss:example.org"};  // owners only (both lists)
  CHECK(classify(room, cfg).realm == realm_kind::private_);
  room.audience.push_back("@bob:friends.org");
  v = classify(room, cfg);
  CHECK(v.realm == realm_kind::public_);
  CHECK(v.owner);
  room.audience = {"@owner:example.org"};
  room.audience_known = false;  // the transport cannot vouch for the member list
  CHECK(classify(room, cfg).realm == realm_kind::public_);
  // An owner of another account is someone else here.
  frugal::config::matrix_account other;
  other.name = "other";
  other.owners = {"@boss2:example.org"};
  cfg.matrix.push_back(other);
  room.audience = {"@owner:example.org", "@boss2:example.org"};
  room.audience_known = true;
  CHECK(classify(room, cfg).realm == realm_kind::public_);

  // Public senders are unaffected by placement; stdin is never shared.
  CHECK_FALSE(classify(msg("irc.libera", irc("friend", "f!f@f")), cfg).owner);
  inbound op = msg("stdin", {"stdin", "", "", "op"});
  op.direct = false;
  CHECK(classify(op, cfg).realm == realm_kind::private_);
}

TEST_CASE("validate_identity_lists names the file, the line and the key of a loaded config",
          "[realm]") {
  char path[] = "/tmp/frugal-realm-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream(path) << R"([agent]
state_dir = "/tmp/frugal-realm-state"

[providers.local]
kind = "openai"
base_url = "http://127.0.0.1:9/v1"
local = true

[models.tiny]
provider = "local"
model = "tiny"

[tiers]
chat = ["tiny"]

[budget]
daily_usd = 1.0

[transports.irc.libera]
server = "irc.example.org"
owners = ["account:boss"]
allowed = ["account:friend", "bob"]
)";
  auto cfg = frugal::config::load(path);
  unlink(path);
  REQUIRE(cfg.ok());  // the loader leaves identity patterns to policies/
  frugal::status s = validate_identity_lists(*cfg);
  REQUIRE_FALSE(s.ok());
  INFO(s.message());
  CHECK(s.message().rfind(std::string(path) + ":22: transports.irc.libera.allowed[1]: ", 0) == 0);
  CHECK(s.message().find("bare nick") != std::string::npos);
}
