// Reply splitting: invariants over many random inputs (line length, UTF-8 validity, no
// protocol bytes, nothing lost) and the specific cases a user would notice.
#include <catch2/catch.hpp>
#include <random>
#include <string_view>

using namespace std::string_view_literals;

#include "transports/irc/split.h"
#include "core/utf8.h"

using namespace frugal::irc;
namespace utf8 = frugal::utf8;

namespace {
std::string no_spaces(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != ' ') out += c;
  return out;
}

bool has_protocol_bytes(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return true;
  }
  return false;
}
}  // namespace

TEST_CASE("utf8: validity, repair, boundaries") {
  CHECK(utf8::valid("plain ascii"));
  CHECK(utf8::valid("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  CHECK_FALSE(utf8::valid("\xC0\xAF"));          // overlong
  CHECK_FALSE(utf8::valid("\xED\xA0\x80"));      // surrogate
  CHECK_FALSE(utf8::valid("\xF4\x90\x80\x80"));  // past U+10FFFF
  CHECK_FALSE(utf8::valid("\xE2\x82"));          // truncated
  CHECK(utf8::repair("a\xFF"
                     "b") ==
        "a\xEF\xBF\xBD"
        "b");
  std::string euro = "\xE2\x82\xAC\xE2\x82\xAC";
  CHECK(utf8::boundary_at_most(euro, 4) == 3);
  CHECK(utf8::boundary_at_most(euro, 3) == 3);
  CHECK(utf8::boundary_at_most(euro, 2) == 0);
}

TEST_CASE("sanitize_line removes every control byte, keeps text") {
  CHECK(sanitize_line("a\x01"
                      "ACTION x\x01\tb\x02\x03"
                      "4c\x7f\0d"sv) == "aACTION x b4cd");
}

TEST_CASE("split: protocol injection in model text stays text") {
  auto lines = split_reply(
      "hi\r\nQUIT :bye\nPRIVMSG #x :\x01"
      "VERSION\x01",
      {400, 8});
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "hi");
  CHECK(lines[1] == "QUIT :bye");
  CHECK(lines[2] == "PRIVMSG #x :VERSION");
}

TEST_CASE("split: words kept whole, empty lines skipped") {
  auto lines = split_reply("alpha beta gamma delta\n\n   \nepsilon", {40, 8});
  REQUIRE(lines.size() == 2);
  lines = split_reply(std::string(30, 'a') + " " + std::string(30, 'b') + " c", {40, 8});
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == std::string(30, 'a'));
  CHECK(lines[1] == std::string(30, 'b') + " c");
}

TEST_CASE("split: max lines ends with the truncation marker") {
  std::string text;
  for (int i = 0; i < 50; ++i) text += "line " + std::to_string(i) + "\n";
  auto lines = split_reply(text, {40, 3});
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "line 0");
  CHECK(lines[2].find(truncation_marker) != std::string::npos);
  auto full = split_reply(std::string(400, 'x'), {40, 2});
  REQUIRE(full.size() == 2);
  CHECK(full[1].size() <= 40);
  CHECK(full[1].find(truncation_marker) != std::string::npos);
}

TEST_CASE("split: text_budget makes the relayed line fit in 512 bytes") {
  std::string mask = "frugalbot!~frugal@some.very.long.host.example.org";
  std::string target = "#channel";
  size_t budget = text_budget(512, mask.size(), "PRIVMSG", target);
  std::string wire = ":" + mask + " PRIVMSG " + target + " :" + std::string(budget, 'x') + "\r\n";
  CHECK(wire.size() == 512);
}

TEST_CASE("split: invariants over random inputs") {
  std::mt19937 rng(12345);
  const std::vector<std::string> pieces = {"a",
                                           "word",
                                           " ",
                                           "  ",
                                           "\n",
                                           "\r\n",
                                           "\r",
                                           "\t",
                                           std::string(1, '\0'),
                                           "\x01",
                                           "\x03",
                                           "\x7f",
                                           "\xC3\xA9",
                                           "\xE2\x82\xAC",
                                           "\xF0\x9F\x98\x80",
                                           "\xFF",
                                           "\xC3",
                                           "\xE2\x82",
                                           "QUIT :x",
                                           ":",
                                           std::string(300, 'z'),
                                           "\xED\xA0\x80"};
  for (int iter = 0; iter < 800; ++iter) {
    std::string text;
    int n = std::uniform_int_distribution<int>(0, 120)(rng);
    for (int i = 0; i < n; ++i)
      text += pieces[std::uniform_int_distribution<size_t>(0, pieces.size() - 1)(rng)];
    size_t max = std::uniform_int_distribution<size_t>(32, 450)(rng);
    size_t max_lines = std::uniform_int_distribution<size_t>(1, 30)(rng);
    auto lines = split_reply(text, {max, max_lines});
    INFO("iteration " << iter << " max " << max);
    REQUIRE(lines.size() <= max_lines);
    bool truncated = false;
    for (const auto& l : lines) {
      REQUIRE(l.size() <= max);
      REQUIRE_FALSE(l.empty());
      REQUIRE(utf8::valid(l));
      REQUIRE_FALSE(has_protocol_bytes(l));
      REQUIRE(l.back() != ' ');
      truncated = truncated || l.find(truncation_marker) != std::string::npos;
    }
    // Nothing is lost but spaces (and the tail, when truncated).
    std::string expected;
    for (char c : utf8::repair(text)) {
      auto u = static_cast<unsigned char>(c);
      if (u >= 0x20 && u != 0x7F) expected += c;
    }
    std::string got;
    for (const auto& l : lines) got += l;
    if (truncated) {
      std::string g = no_spaces(got);
      g = g.substr(0, g.size() - truncation_marker.size());
      REQUIRE(no_spaces(expected).substr(0, g.size()) == g);
    } else {
      REQUIRE(no_spaces(got) == no_spaces(expected));
    }
  }
}

TEST_CASE("split: word boundaries are preferred over mid-word cuts") {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 200; ++iter) {
    std::string text;
    while (text.size() < 2000) {
      int len = std::uniform_int_distribution<int>(1, 12)(rng);
      text += std::string(static_cast<size_t>(len), 'w') + " ";
    }
    auto lines = split_reply(text, {100, 100});
    // Every word is whole: each line is made of whole "w..w" words of length ≤ 12.
    for (const auto& l : lines) {
      size_t start = 0;
      while (start < l.size()) {
        size_t sp = l.find(' ', start);
        size_t end = sp == std::string::npos ? l.size() : sp;
        REQUIRE(end - start <= 12);
        start = end + 1;
      }
    }
    // A line is broken only when the next word would not fit.
    for (size_t i = 0; i + 1 < lines.size(); ++i) {
      size_t next_word = lines[i + 1].find(' ');
      if (next_word == std::string::npos) next_word = lines[i + 1].size();
      REQUIRE(lines[i].size() + 1 + next_word > 100);
    }
  }
}
