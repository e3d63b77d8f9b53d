// policies/egress: the narrowing rule over mixed provenance sequences (issue 18 item 2):
// nothing narrows before untrusted content meets private content; afterwards only URLs the
// owner wrote and egress_hosts stay reachable; "allowlist" always narrows, "open" never.
#include "policies/egress.h"

#include <catch2/catch.hpp>

using frugal::core::realm_kind;

using namespace frugal::policies;
using k = egress_verdict::kind;

namespace {
const char* owner_text = "summarise http://PUBLICHOST/page and https://docs.example.org/a?b=1#top";
}

TEST_CASE("egress: private then web narrows; the attacker's collect URL is refused", "[egress]") {
  egress_guard g(egress_mode::guarded, {}, owner_text);
  CHECK(g.check("http://publichost/collect?d=CANARY").verdict == k::allow);  // nothing yet
  g.saw(origin::owner);
  g.saw(origin::web);  // the page with the injected instructions
  CHECK_FALSE(g.narrowed());
  CHECK(g.check("http://publichost/collect?d=x").verdict == k::allow);  // no private data yet
  g.saw(origin::private_store);                                         // memory_recall
  CHECK(g.narrowed());
  auto v = g.check("http://PUBLICHOST/collect?d=CANARY-1");
  CHECK(v.verdict == k::deny);
  CHECK(v.reason.find("CANARY") == std::string::npos);  // the note never repeats the query
  CHECK(v.reason.find("a web page") != std::string::npos);
  CHECK(g.check("http://publichost/page").verdict == k::allow);  // the owner wrote it
  CHECK(g.check("http://publichost:80/page#x").verdict == k::allow);
  CHECK(g.check("https://docs.example.org/a?b=1").verdict == k::allow);
  CHECK(g.check("https://docs.example.org/a?b=2").verdict == k::deny);    // another query
  CHECK(g.check("https://docs.example.org/a").verdict == k::deny);        // query dropped
  CHECK(g.check("https://docs.example.org/a/x?b=1").verdict == k::deny);  // another path
  CHECK(g.check("http://docs.example.org/a?b=1").verdict == k::deny);     // another scheme
  CHECK(g.check("https://docs.example.org:8443/a?b=1").verdict == k::deny);
  CHECK(g.check("http://publichost/PAGE").verdict == k::deny);  // paths are case-sensitive
  CHECK(g.check("http://u:p@publichost/page").verdict == k::deny);
}

TEST_CASE("egress: the order does not matter, and public messages count as untrusted", "[egress]") {
  for (origin untrusted : {origin::web, origin::public_sender}) {
    egress_guard g(egress_mode::guarded, {}, "hello");
    g.saw(untrusted);
    g.saw(origin::tool_output);
    CHECK_FALSE(g.narrowed());
    g.saw(origin::private_store);
    CHECK(g.narrowed());
    CHECK(g.check("https://anything.example/").verdict == k::deny);
  }
  egress_guard only_private(egress_mode::guarded, {}, "");
  only_private.saw(origin::private_store);
  only_private.saw(origin::tool_output);
  only_private.saw(origin::owner);
  CHECK_FALSE(only_private.narrowed());
  CHECK(only_private.check("https://anything.example/?q=1").verdict == k::allow);
}

TEST_CASE("egress: egress_hosts stay reachable; allowlist and open modes", "[egress]") {
  egress_guard g(egress_mode::guarded, {"*.wikipedia.org", "api.example.net"}, "");
  g.saw(origin::private_store);
  g.saw(origin::web);
  CHECK(g.check("https://en.wikipedia.org/wiki/X").verdict == k::allow);
  CHECK(g.check("https://API.example.net/v1?q=2").verdict == k::allow);
  CHECK(g.check("https://example.net/").verdict == k::deny);
  CHECK(g.check("https://evilwikipedia.org/").verdict == k::deny);

  egress_guard strict(egress_mode::allowlist, {"api.example.net"}, "see https://a.example/x");
  CHECK(strict.narrowed());
  CHECK(strict.check("https://a.example/x").verdict == k::allow);
  CHECK(strict.check("https://api.example.net/anything").verdict == k::allow);
  CHECK(strict.check("https://b.example/").verdict == k::deny);
  CHECK(strict.check("https://b.example/").reason.find("allowlist") != std::string::npos);

  egress_guard open(egress_mode::open, {}, "");
  open.saw(origin::private_store);
  open.saw(origin::web);
  CHECK_FALSE(open.narrowed());
  CHECK(open.check("http://publichost/collect?d=1").verdict == k::allow);
}

TEST_CASE("egress: origins of tools, URL extraction, mode names", "[egress]") {
  CHECK(origin_of_tool("http_get", realm_kind::private_) == origin::web);
  CHECK(origin_of_tool("http_get", realm_kind::public_) == origin::web);
  CHECK(origin_of_tool("memory_recall", realm_kind::private_) == origin::private_store);
  CHECK(origin_of_tool("read_file", realm_kind::private_) == origin::private_store);
  CHECK(origin_of_tool("shell", realm_kind::private_) == origin::private_store);
  CHECK(origin_of_tool("memory_recall", realm_kind::public_) == origin::tool_output);
  CHECK(origin_of_tool("clock", realm_kind::private_) == origin::tool_output);
  auto urls = urls_in("a http://x.org/p?q=1, (https://y.org/z). <http://w.org> httpx nohttp://q");
  REQUIRE(urls.size() == 3);
  CHECK(urls[0] == "http://x.org/p?q=1");
  CHECK(urls[1] == "https://y.org/z");
  CHECK(urls[2] == "http://w.org");
  egress_mode m{};
  CHECK(parse_egress_mode("allowlist", m));
  CHECK(m == egress_mode::allowlist);
  CHECK_FALSE(parse_egress_mode("closed", m));
}

TEST_CASE("host_listed: exact hosts, and subdomains by '.x' or '*.x'", "[egress]") {
  using frugal::policies::host_listed;
  const std::vector<std::string> hosts = {"Example.ORG", ".docs.example.net", "*.wiki.test"};
  CHECK(host_listed(hosts, "example.org"));
  CHECK_FALSE(host_listed(hosts, "www.example.org"));  // a bare entry names that host only
  CHECK(host_listed(hosts, "a.docs.example.net"));
  CHECK(host_listed(hosts, "a.b.docs.example.net"));
  CHECK_FALSE(host_listed(hosts, "docs.example.net"));  // subdomains, not the domain
  CHECK_FALSE(host_listed(hosts, "evildocs.example.net"));
  CHECK(host_listed(hosts, "en.wiki.test"));
  CHECK_FALSE(host_listed(hosts, "wiki.test"));
  CHECK_FALSE(host_listed(hosts, "wiki.test.evil.org"));
  CHECK_FALSE(host_listed({}, "example.org"));
}
