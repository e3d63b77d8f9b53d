// An input found by tests/fuzz/irc_message_fuzz: a PING whose token held a bare CR (only LF
// ends a line in line_buffer) was echoed into the PONG, which the transport then refused to
// send, so the server's ping timed out. parse() now ends a line at CR as at NUL, so the
// PONG carries the token up to the CR and never a CR, LF or NUL.
#include <catch2/catch.hpp>

#include "transports/irc/registration.h"

using namespace frugal;
using namespace frugal::irc;

TEST_CASE("registration: PONG never carries a CR from the PING token") {
  config::irc_network cfg;
  cfg.nick = "bot";
  registration r(cfg);
  (void)r.begin();
  auto m = parse(std::string("PING :irc.example.net\rt!bo"));
  REQUIRE(m);
  CHECK(r.feed(*m) == std::vector<std::string>{"PONG :irc.example.net"});
  auto plain = parse("PING :token");
  REQUIRE(plain);
  CHECK(r.feed(*plain) == std::vector<std::string>{"PONG :token"});
}
