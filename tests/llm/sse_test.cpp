// Tests for the incremental SSE parser: every split of a fixed stream gives the same
// events, all three line endings, comments, BOM, multi-line data and the buffer cap.
#include "llm/sse.h"

#include <catch2/catch.hpp>

using frugal::llm::sse::event;
using frugal::llm::sse::parser;

namespace {

std::vector<event> parse_all(std::string_view stream, size_t cap = 1 << 20) {
  parser p(cap);
  std::vector<event> out;
  REQUIRE(p.feed(stream, out).ok());
  return out;
}

std::string describe(const std::vector<event>& evs) {
  std::string s;
  for (const event& e : evs) s += "[" + e.type + "|" + e.data + "|" + e.id + "]";
  return s;
}

}  // namespace

TEST_CASE("sse: a stream split at every byte position gives the same events") {
  const std::string stream =
      ": keep-alive comment\n"
      "event: message_start\n"
      "data: {\"a\":1}\n"
      "\n"
      "data: line one\r\n"
      "data: line two\r\n"
      "id: 7\r\n"
      "\r\n"
      "event: delta\r"
      "data:no-space\r"
      "\r"
      "data: [DONE]\n\n";
  const std::string expected =
      "[message_start|{\"a\":1}|][message|line one\nline two|7][delta|no-space|7]"
      "[message|[DONE]|7]";
  REQUIRE(describe(parse_all(stream)) == expected);
  for (size_t i = 0; i <= stream.size(); ++i) {
    for (size_t j = i; j <= stream.size(); ++j) {
      parser p;
      std::vector<event> out;
      REQUIRE(p.feed(std::string_view(stream).substr(0, i), out).ok());
      REQUIRE(p.feed(std::string_view(stream).substr(i, j - i), out).ok());
      REQUIRE(p.feed(std::string_view(stream).substr(j), out).ok());
      INFO("split at " << i << " and " << j);
      REQUIRE(describe(out) == expected);
      REQUIRE_FALSE(p.has_partial());
    }
  }
}

TEST_CASE("sse: byte-at-a-time feeding of \\r\\n across chunks yields one line end") {
  parser p;
  std::vector<event> out;
  for (char c : std::string("data: a\r\n\r\ndata: b\r\n\r\n")) REQUIRE(p.feed({&c, 1}, out).ok());
  REQUIRE(describe(out) == "[message|a|][message|b|]");
}

TEST_CASE("sse: a \\r\\n split as \\r | \\n does not make a blank line") {
  parser p;
  std::vector<event> out;
  REQUIRE(p.feed("data: x\r", out).ok());
  REQUIRE(p.feed("\ndata: y\r", out).ok());
  REQUIRE(out.empty());  // "\r" then "\n" is one line end, so no dispatch yet
  REQUIRE(p.feed("\n\r\n", out).ok());
  REQUIRE(describe(out) == "[message|x\ny|]");
}

TEST_CASE("sse: comments, unknown fields, retry and field without colon") {
  auto evs = parse_all(
      ":ping\n: another\nretry: 100\nfoo: bar\ndata\n\n"
      "event: only-type\n\n"  // no data: nothing dispatched, type reset
      "data: z\n\n");
  REQUIRE(describe(evs) == "[message||][message|z|]");
}

TEST_CASE("sse: only one leading space is stripped; colons in the value are kept") {
  auto evs = parse_all("data:  two spaces: and colon\n\n");
  REQUIRE(evs.size() == 1);
  REQUIRE(evs[0].data == " two spaces: and colon");
}

TEST_CASE("sse: a leading UTF-8 BOM is skipped, even split; a non-BOM start is kept") {
  std::vector<event> out;
  parser p;
  REQUIRE(p.feed("\xEF", out).ok());
  REQUIRE(p.feed("\xBB", out).ok());
  REQUIRE(p.feed("\xBF"
                 "data: a\n\n",
                 out)
              .ok());
  REQUIRE(describe(out) == "[message|a|]");

  parser q;
  out.clear();
  REQUIRE(q.feed("\xEF", out).ok());
  REQUIRE(q.feed("data: b\n\n", out).ok());  // "\xEFdata" is an unknown field
  REQUIRE(out.empty());
  REQUIRE(describe(parse_all("d")) == "");
  REQUIRE(describe(parse_all("data: c\n\n")) == "[message|c|]");
}

TEST_CASE("sse: an event cut before its blank line is partial and not dispatched") {
  parser p;
  std::vector<event> out;
  REQUIRE(p.feed("data: done\n\ndata: cut", out).ok());
  REQUIRE(out.size() == 1);
  REQUIRE(p.has_partial());
  parser q;
  REQUIRE(q.feed("data: cut\n", out).ok());
  REQUIRE(q.has_partial());
}

TEST_CASE("sse: passing the buffer cap is an error, and the parser stays failed") {
  parser p(64);
  std::vector<event> out;
  REQUIRE(p.feed("data: short\n\n", out).ok());
  REQUIRE_FALSE(p.feed(std::string(100, 'x'), out).ok());
  REQUIRE(p.failed());
  REQUIRE_FALSE(p.feed("\n\ndata: more\n\n", out).ok());
  REQUIRE(out.size() == 1);
  // Many data lines without a blank line also count.
  parser q(64);
  std::string lines;
  for (int i = 0; i < 20; ++i) lines += "data: 0123456789\n";
  REQUIRE_FALSE(q.feed(lines, out).ok());
}
