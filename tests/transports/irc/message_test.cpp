// Parser table for irc::parse, plus line_buffer reassembly and ISUPPORT/casefolding. Every
// row is a line a real or hostile server could send.
#include "transports/irc/message.h"

#include <catch2/catch.hpp>

#include "transports/irc/isupport.h"
#include "transports/irc/line_buffer.h"

using namespace frugal::irc;

TEST_CASE("parse: tags with escapes, prefix, command, params, trailing") {
  auto m = parse(
      "@time=2024-01-01T00:00:00Z;account=al\\sice;x=a\\:b\\\\c\\r\\n;flag;bad=\\ "
      ":nick!user@host PRIVMSG #chan :hello: world :)\r\n");
  REQUIRE(m);
  CHECK(*m->tag("time") == "2024-01-01T00:00:00Z");
  CHECK(*m->tag("account") == "al ice");
  CHECK(*m->tag("x") == "a;b\\c\r\n");
  CHECK(*m->tag("flag") == "");
  CHECK(*m->tag("bad") == "");  // lone trailing backslash dropped
  CHECK(m->tag("missing") == nullptr);
  CHECK(m->prefix == "nick!user@host");
  CHECK(m->nick() == "nick");
  CHECK(m->command == "PRIVMSG");
  REQUIRE(m->params.size() == 2);
  CHECK(m->params[0] == "#chan");
  CHECK(m->params[1] == "hello: world :)");
}

TEST_CASE("parse: table of shapes") {
  struct row {
    const char* line;
    const char* command;
    std::vector<std::string> params;
    const char* prefix;
  };
  std::vector<row> rows = {
      {"PING :irc.example", "PING", {"irc.example"}, ""},
      {"PING token\n", "PING", {"token"}, ""},  // bare \n
      {":srv 001 me :Welcome to IRC", "001", {"me", "Welcome to IRC"}, "srv"},
      {":srv CAP * LS * :sasl=PLAIN,EXTERNAL multi-prefix",
       "CAP",
       {"*", "LS", "*", "sasl=PLAIN,EXTERNAL multi-prefix"},
       "srv"},
      {":a!b@c PRIVMSG #x :", "PRIVMSG", {"#x", ""}, "a!b@c"},  // empty trailing
      {":a!b@c PRIVMSG #x ::colon first", "PRIVMSG", {"#x", ":colon first"}, "a!b@c"},
      {"privmsg   #x    lots   of  :spaces  here ",
       "PRIVMSG",
       {"#x", "lots", "of", "spaces  here "},
       ""},
      {":srv AUTHENTICATE :+", "AUTHENTICATE", {"+"}, "srv"},
      {"AUTHENTICATE +", "AUTHENTICATE", {"+"}, ""},
      {":srv 005 me CASEMAPPING=ascii CHANTYPES=# :are supported",
       "005",
       {"me", "CASEMAPPING=ascii", "CHANTYPES=#", "are supported"},
       "srv"},
      {"QUIT", "QUIT", {}, ""},
  };
  for (const auto& r : rows) {
    INFO(r.line);
    auto m = parse(r.line);
    REQUIRE(m);
    CHECK(m->command == r.command);
    CHECK(m->params == r.params);
    CHECK(m->prefix == r.prefix);
  }
}

TEST_CASE("parse: garbage is rejected, never crashes") {
  for (const char* g : {"", "\r\n", "   ", ":prefixonly", "@tags-only", "@a=b :p", "!!! ???",
                        ":p :trailing-as-command", "@;;; :p"}) {
    INFO(g);
    CHECK_FALSE(parse(g));
  }
  // NUL ends the line: the rest cannot smuggle a second command.
  auto m = parse(std::string("PRIVMSG #a :hi\0\r\nQUIT :x", 24));
  REQUIRE(m);
  CHECK(m->params.back() == "hi");
  // So does a CR inside the line: a PONG echoing it cannot carry a second command.
  auto cr = parse("PING :abc\rQUIT :x");
  REQUIRE(cr);
  CHECK(cr->params.back() == "abc");
  // Invalid UTF-8 passes through as bytes.
  auto u = parse(":a!b@c PRIVMSG #x :\xff\xfe\xc3");
  REQUIRE(u);
  CHECK(u->params.back() == "\xff\xfe\xc3");
  // A 10 KB line parses (the buffer, not the parser, enforces the size cap).
  std::string big = ":a!b@c PRIVMSG #x :" + std::string(10240, 'x');
  auto b = parse(big);
  REQUIRE(b);
  CHECK(b->params.back().size() == 10240);
  // Many parameters are capped.
  std::string many = "CMD";
  for (int i = 0; i < 200; ++i) many += " p";
  auto p = parse(many);
  REQUIRE(p);
  CHECK(p->params.size() == 64);
  // Random bytes never crash the parser.
  uint32_t seed = 1;
  for (int i = 0; i < 5000; ++i) {
    std::string s;
    for (int j = 0; j < 60; ++j) {
      seed = seed * 1103515245 + 12345;
      s += static_cast<char>("@:; !=\\#aZ09\r\n\x01\0\xff"[(seed >> 16) % 18]);
    }
    (void)parse(s);
  }
}

TEST_CASE("line_buffer: partial lines across reads, bare LF, CRLF split") {
  line_buffer b;
  CHECK(b.feed("PING :a").empty());
  CHECK(b.feed("bc\r").empty());
  auto l = b.feed("\nPING :x\nPI");
  REQUIRE(l.size() == 2);
  CHECK(l[0] == "PING :abc");
  CHECK(l[1] == "PING :x");
  l = b.feed("NG :y\r\n\r\n\n");
  REQUIRE(l.size() == 1);
  CHECK(l[0] == "PING :y");
}

TEST_CASE("line_buffer: over-long lines are dropped whole, the next one survives") {
  line_buffer b(100);
  std::string huge(5000, 'A');
  CHECK(b.feed(huge.substr(0, 2500)).empty());
  CHECK(b.feed(huge.substr(2500)).empty());
  auto l = b.feed("\r\nPING :ok\r\n");
  REQUIRE(l.size() == 1);
  CHECK(l[0] == "PING :ok");
  CHECK(b.dropped() == 1);
  std::string exact(100, 'B');
  l = b.feed(exact + "\r\n" + std::string(101, 'C') + "\n");
  REQUIRE(l.size() == 1);
  CHECK(l[0] == exact);
  CHECK(b.dropped() == 2);
}

TEST_CASE("isupport: 005 tokens and case mapping") {
  isupport is;
  CHECK(is.equal("Nick[]\\~", "nick{}|^"));
  CHECK(is.is_channel("#a"));
  CHECK(is.is_channel("&a"));
  CHECK_FALSE(is.is_channel("nick"));
  is.apply(
      *parse(":s 005 me CASEMAPPING=ascii CHANTYPES=#! LINELEN=1024 NICKLEN=16 "
             "NETWORK=Test :are supported"));
  CHECK(is.mapping == casemapping::ascii);
  CHECK_FALSE(is.equal("a[", "a{"));
  CHECK(is.equal("ABC", "abc"));
  CHECK(is.is_channel("!x"));
  CHECK_FALSE(is.is_channel("&x"));
  CHECK(is.linelen == 1024);
  CHECK(is.nicklen == 16);
  CHECK(is.network == "Test");
  is.apply(*parse(":s 005 me CASEMAPPING=strict-rfc1459 LINELEN=3 NICKLEN=x :ok"));
  CHECK(is.equal("A[]\\", "a{}|"));
  CHECK_FALSE(is.equal("~", "^"));
  CHECK(is.linelen == 512);  // clamped
  CHECK(is.nicklen == 16);   // malformed ignored
}
