// agent/control/protocol: say targets, request and reply lines, and the status formats.
#include "agent/control/protocol.h"

#include <catch2/catch.hpp>

using namespace frugal::control;

TEST_CASE("say targets: the four shapes parse, others are refused with the shapes") {
  auto a = parse_say_target("irc.libera:#ops");
  REQUIRE(a);
  CHECK(a->transport == "irc.libera");
  CHECK(a->to == "#ops");
  auto n = parse_say_target("irc.libera:bob");
  REQUIRE(n);
  CHECK(n->to == "bob");
  auto r = parse_say_target("matrix.main:!abc:example.org");
  REQUIRE(r);
  CHECK(r->transport == "matrix.main");
  CHECK(r->to == "!abc:example.org");
  auto al = parse_say_target("matrix.main:#ops:example.org");
  REQUIRE(al);
  CHECK(al->to == "#ops:example.org");
  for (const char* bad :
       {"libera:#ops", "irc.:#ops", "irc.libera", "irc.libera:", "irc.x:#a b", "irc.x:#a,#b",
        "matrix.main:ops", "matrix.main:!abc", "matrix.main:!abc:", "slack.x:#y"}) {
    auto t = parse_say_target(bad);
    INFO(bad);
    REQUIRE_FALSE(t);
    CHECK(t.message().find(":") != std::string::npos);
  }
}

TEST_CASE("requests and replies survive a round trip; bad lines are errors") {
  request say;
  say.op = request::kind::say;
  say.target = "irc.x:#y";
  say.text = "two\nlines \"quoted\"";
  std::string line = encode(say);
  REQUIRE(line.back() == '\n');
  auto back = decode_request(line.substr(0, line.size() - 1));
  REQUIRE(back);
  CHECK(back->op == request::kind::say);
  CHECK(back->target == say.target);
  CHECK(back->text == say.text);

  request st;
  st.format = status_format::prometheus;
  auto s2 = decode_request(encode(st));
  REQUIRE(s2);
  CHECK(s2->op == request::kind::status);
  CHECK(s2->format == status_format::prometheus);

  CHECK_FALSE(decode_request("not json"));
  CHECK_FALSE(decode_request("[1]"));
  CHECK_FALSE(decode_request(R"({"op":"reboot"})"));
  CHECK_FALSE(decode_request(R"({"op":"say","target":"irc.x:#y"})"));
  CHECK_FALSE(decode_request(R"({"op":"status","format":"xml"})"));

  auto rep = decode_reply(encode(reply{false, 2, "no transport irc.nope"}));
  REQUIRE(rep);
  CHECK_FALSE(rep->ok);
  CHECK(rep->exit_code == 2);
  CHECK(rep->output == "no transport irc.nope");
  CHECK_FALSE(decode_reply(R"({"ok":true})"));
}

namespace {
daemon_status sample() {
  daemon_status s;
  s.version = "0.1.0";
  s.pid = 42;
  s.uptime_s = 3600;
  s.day = "2026-12-02";
  s.turns_today = 7;
  s.turns_in_flight = 1;
  s.spent_micro = 123'400;
  s.reserved_micro = 5'000;
  s.cap_micro = 2'000'000;
  s.transports.push_back({"irc.libera", true, "frugalbot", {"#ops", "#dev"}, ""});
  s.transports.push_back({"matrix.we\"ird\\", false, "", {}, "HTTP 502"});
  return s;
}
}  // namespace

TEST_CASE("status --json carries every figure; IRC has nick/channels, Matrix user_id/rooms") {
  std::string j = format_json(sample());
  CHECK(j.find(R"("uptime_s":3600)") != std::string::npos);
  CHECK(j.find(R"("turns_today":7,"turns_in_flight":1)") != std::string::npos);
  CHECK(j.find(R"("spent_usd":0.1234)") != std::string::npos);
  CHECK(j.find(R"("cap_usd":2.00)") != std::string::npos);
  CHECK(
      j.find(
          R"({"name":"irc.libera","connected":true,"nick":"frugalbot","channels":["#ops","#dev"],"last_error":null})") !=
      std::string::npos);
  CHECK(j.find(R"("connected":false,"user_id":null,"rooms":[],"last_error":"HTTP 502")") !=
        std::string::npos);
}

TEST_CASE("status --prometheus: HELP and TYPE per metric, label values escaped") {
  std::string p = format_prometheus(sample());
  CHECK(p.find("# TYPE frugal_uptime_seconds gauge\nfrugal_uptime_seconds 3600\n") !=
        std::string::npos);
  CHECK(p.find("frugal_spent_usd 0.1234\n") != std::string::npos);
  CHECK(p.find("frugal_transport_connected{transport=\"irc.libera\"} 1\n") != std::string::npos);
  CHECK(p.find("frugal_transport_connected{transport=\"matrix.we\\\"ird\\\\\"} 0\n") !=
        std::string::npos);
  CHECK(p.find("frugal_transport_places{transport=\"irc.libera\"} 2\n") != std::string::npos);
}
