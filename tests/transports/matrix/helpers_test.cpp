// Unit tests for the small pure pieces: percent-encoding, homeserver resolution, mention
// detection, user-id patterns, error bodies and the retry verdict.
#include <catch2/catch.hpp>

#include "transports/matrix/addressing.h"
#include "transports/matrix/responses.h"
#include "transports/matrix/urls.h"

using namespace frugal;
using namespace frugal::matrix;

TEST_CASE("percent_encode encodes everything but unreserved bytes", "[matrix][urls]") {
  CHECK(percent_encode("!abc:example.org") == "%21abc%3Aexample.org");
  CHECK(percent_encode("#room/../x?y=1&z") == "%23room%2F..%2Fx%3Fy%3D1%26z");
  CHECK(percent_encode("f1700.42") == "f1700.42");
  CHECK(percent_encode("a b~_-") == "a%20b~_-");
  CHECK(percent_encode("\xc3\xa9") == "%C3%A9");
  CHECK(percent_encode("@bot:hs") == "%40bot%3Ahs");
}

TEST_CASE("resolve_homeserver: URL or discovery", "[matrix][urls]") {
  auto a = resolve_homeserver("https://matrix.example.org/");
  CHECK(a.base_url == "https://matrix.example.org");
  CHECK(a.discover_url.empty());
  auto b = resolve_homeserver("http://127.0.0.1:8008");
  CHECK(b.base_url == "http://127.0.0.1:8008");
  auto c = resolve_homeserver("example.org");
  CHECK(c.base_url.empty());
  CHECK(c.discover_url == "https://example.org/.well-known/matrix/client");
  CHECK(c.fallback_url == "https://example.org");
  CHECK(resolve_homeserver("127.0.0.1:9", "http").discover_url ==
        "http://127.0.0.1:9/.well-known/matrix/client");
  CHECK(localpart("@bot:example.org") == "bot");
}

TEST_CASE("address: mentions and prefix stripping", "[matrix][addressing]") {
  event ev;
  ev.body = "bot: what time is it?";
  auto a = address(ev, "@bot:hs", "Frugal Bot");
  CHECK(a.mentioned);
  CHECK(a.text == "what time is it?");

  ev.body = "Frugal Bot, hello";
  CHECK(address(ev, "@bot:hs", "Frugal Bot").text == "hello");
  ev.body = "@bot:hs hi";
  CHECK(address(ev, "@bot:hs", "").text == "hi");
  ev.body = "@bot hi";
  CHECK(address(ev, "@bot:hs", "").text == "hi");
  ev.body = "BOT: loud";
  CHECK(address(ev, "@bot:hs", "").mentioned);

  ev.body = "botany is great";
  auto b = address(ev, "@bot:hs", "");
  CHECK_FALSE(b.mentioned);
  CHECK(b.text == "botany is great");

  ev.body = "hey, ask the robot";
  ev.mentioned_users = {"@bot:hs"};
  auto c = address(ev, "@bot:hs", "");
  CHECK(c.mentioned);
  CHECK(c.text == "hey, ask the robot");

  event pill;
  pill.body = "see this";
  pill.formatted_body = "<a href=\"https://matrix.to/#/@bot:hs\">Bot</a> see this";
  CHECK(address(pill, "@bot:hs", "").mentioned);
}

TEST_CASE("parse_error and small replies", "[matrix][responses]") {
  auto e = parse_error(R"({"errcode":"M_LIMIT_EXCEEDED","error":"slow","retry_after_ms":2500})");
  CHECK(e.errcode == "M_LIMIT_EXCEEDED");
  CHECK(e.error == "slow");
  CHECK(e.retry_after_ms == 2500);
  CHECK(parse_error("<html>").errcode.empty());
  CHECK(parse_error("<html>").retry_after_ms == -1);

  CHECK(*parse_string_field(R"({"user_id":"@bot:hs"})", "user_id") == "@bot:hs");
  CHECK_FALSE(parse_string_field(R"({"user_id":7})", "user_id").ok());
  CHECK_FALSE(parse_string_field(R"({"user_id":"@bo)", "user_id").ok());

  auto l = parse_login(R"({"access_token":"t","user_id":"@b:hs","device_id":"D"})");
  REQUIRE(l.ok());
  CHECK(l->access_token == "t");
  CHECK_FALSE(parse_login(R"({"user_id":"@b:hs"})").ok());

  CHECK(*parse_well_known(R"({"m.homeserver":{"base_url":"https://m.example.org/"}})") ==
        "https://m.example.org");
  CHECK_FALSE(parse_well_known(R"({"m.homeserver":{"base_url":"ftp://x"}})").ok());
  CHECK_FALSE(parse_well_known(R"({})").ok());
}

TEST_CASE("classify maps responses to verdicts", "[matrix][responses]") {
  http::response r;
  r.status = 200;
  CHECK(classify(r).kind == verdict::ok);

  r.status = 429;
  r.body = R"({"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":1500})";
  r.retry_after_ms = 3000;
  auto o = classify(r);
  CHECK(o.kind == verdict::rate_limited);
  CHECK(o.wait_ms == 3000);  // the larger of body and header
  r.retry_after_ms = -1;
  CHECK(classify(r).wait_ms == 1500);
  r.body = "{}";
  CHECK(classify(r).wait_ms == -1);

  r.status = 401;
  r.body = R"({"errcode":"M_UNKNOWN_TOKEN","error":"Invalid"})";
  o = classify(r);
  CHECK(o.kind == verdict::unauthorized);
  CHECK(o.errcode == "M_UNKNOWN_TOKEN");

  r.status = 502;
  r.body = "<html>";
  CHECK(classify(r).kind == verdict::transient);
  r.status = 403;
  r.body = R"({"errcode":"M_FORBIDDEN"})";
  CHECK(classify(r).kind == verdict::permanent);

  http::response dropped;
  dropped.fail = http::failure::dropped;
  CHECK(classify(dropped).kind == verdict::transient);
  dropped.fail = http::failure::cancelled;
  CHECK(classify(dropped).kind == verdict::cancelled);
}
