// An input found by tests/fuzz/markdown_fuzz: when a piece ended inside a code fence, the
// fence reopened in the next piece kept the first 32 bytes of its info string, which could
// cut a UTF-8 character in two (an invalid piece). The info string is now cut on a
// character boundary.
#include <catch2/catch.hpp>

#include "core/utf8.h"
#include "transports/matrix/markdown.h"

using namespace frugal;

TEST_CASE("matrix split: a reopened fence keeps its info string valid UTF-8") {
  std::string info = std::string(31, 'a') + "\xC3\xA9";  // "é" spans bytes 31 and 32
  std::string text = "```" + info + "\n";
  for (int i = 0; i < 300; ++i) text += "code line " + std::to_string(i) + "\n";
  text += "```\n";
  auto pieces = matrix::split_for_events(text, 1024);
  REQUIRE(pieces.size() > 1);
  for (const std::string& p : pieces) CHECK(utf8::valid(p));
  CHECK(pieces[1].rfind("```" + std::string(31, 'a') + "\n", 0) == 0);
}
