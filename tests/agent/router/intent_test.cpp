// Tests for agent/router/intent: the compiled table's accuracy on the held-out turns of
// tests/agent/router/intent_turns.tsv (those train_intent.py never trained on), decision
// time, the features it names, and the table's sparse encoding.
#include "agent/router/intent.h"

#include <bit>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "agent/router/intent_table.h"

using frugal::router::classify_intent;

namespace {

struct turn {
  std::string text;
  bool tools;
};

// The split rule of train_intent.py: FNV-1a of the text's bytes % 5 == 0 is held out.
bool held_out(const std::string& text) {
  uint32_t h = 0x811C9DC5u;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x01000193u;
  }
  return h % 5 == 0;
}

std::vector<turn> load_turns() {
  std::ifstream in(FRUGAL_SOURCE_DIR "/tests/agent/router/intent_turns.tsv");
  REQUIRE(in);
  std::vector<turn> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t tab = line.find('\t');
    REQUIRE(tab != std::string::npos);
    std::string text = line.substr(tab + 1);
    for (size_t at = text.find("\\n"); at != std::string::npos; at = text.find("\\n", at + 1))
      text.replace(at, 2, "\n");
    out.push_back({text, line.compare(0, tab, "tools") == 0});
  }
  return out;
}

}  // namespace

TEST_CASE("the compiled classifier reaches 90 % on the held-out turns", "[intent]") {
  std::vector<turn> all = load_turns();
  REQUIRE(all.size() >= 600);
  int64_t m[2][2] = {{0, 0}, {0, 0}};  // [actual tools][predicted tools]
  for (const turn& t : all) {
    if (!held_out(t.text)) continue;
    const bool predicted = classify_intent(t.text).p_tools >= 0.5;
    ++m[t.tools][predicted];
  }
  const int64_t n = m[0][0] + m[0][1] + m[1][0] + m[1][1];
  const double accuracy = static_cast<double>(m[0][0] + m[1][1]) / static_cast<double>(n);
  WARN("held-out " << n << " turns, accuracy " << accuracy * 100 << " %; chat→chat " << m[0][0]
                   << ", chat→tools " << m[0][1] << ", tools→chat " << m[1][0] << ", tools→tools "
                   << m[1][1]);
  CHECK(n >= 100);
  CHECK(m[1][1] > 0);
  CHECK(m[0][0] > 0);
  CHECK(accuracy >= 0.90);
}

TEST_CASE("a decision takes well under 50 microseconds", "[intent]") {
  const std::string turns[] = {
      "hi there",
      "check disk usage on the server and tell me which directory is biggest",
      "Explain this code: ```cpp\nint main() { return 0; }\n```",
      std::string(5000, 'x') + " run the report",
  };
  volatile double sink = 0;
  const auto start = std::chrono::steady_clock::now();
  constexpr int rounds = 200;
  for (int i = 0; i < rounds; ++i)
    for (const std::string& t : turns) sink = sink + classify_intent(t, 3).p_tools;
  const double us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() /
      (rounds * 4.0);
  // 50 µs is the budget on a release build (tests/bench/router_bench prints it); the
  // sanitised -O0 build on a shared machine is far slower, so this only catches a
  // pathological cost (a 4 KB turn once took 35 ms here).
  CHECK(us < 5000);
}

TEST_CASE("the deciding features are named and point the way of the decision", "[intent]") {
  auto s = classify_intent("how much memory is free on this box?", 3);
  CHECK(s.p_tools >= 0.5);
  REQUIRE_FALSE(s.deciding.empty());
  for (const auto& f : s.deciding) {
    CHECK_FALSE(f.name.empty());
    CHECK(f.weight > 0);
  }
  CHECK(classify_intent("hi there").deciding.empty());  // only when asked for
  // ASCII upper case is folded before the features are taken.
  CHECK(classify_intent("HOW MUCH MEMORY IS FREE ON THIS BOX?").p_tools == s.p_tools);
}

// A cron job pipes its material after a one-line ask: the log's words (disk, service,
// kernel, restart...) are what the turn is about, not what it asks for. Before the
// pasted-lines rule such a digest scored p(tools) 0.99 and went to the tools tier.
TEST_CASE("pasted lines after a one-line ask are read as material, not as the ask", "[intent]") {
  const std::string log =
      "\nDec  2 01:14 gw kernel: eth1 link down, restarting the interface"
      "\nDec  2 01:15 gw systemd[1]: networking.service restarted"
      "\nDec  2 02:40 gw CRON[811]: (root) CMD (check disk usage and rotate logs)"
      "\nDec  2 03:02 gw sshd[990]: Failed password for root from 203.0.113.9";
  auto digest = classify_intent("overnight digest of the gateway log, short:" + log, 3);
  CHECK(digest.p_tools < 0.5);
  bool named = false;
  for (const auto& f : digest.deciding) named = named || f.name == "pasted lines";
  CHECK(named);
  // The same material under an ask that acts still needs the tools.
  CHECK(classify_intent("write the gateway log below into gateway.txt:" + log).p_tools >= 0.5);
  // Two or fewer line breaks are a multi-line ask, read whole.
  CHECK(classify_intent("hello\nplease check disk usage on the server").p_tools >= 0.5);
}

TEST_CASE("the weight table's sparse encoding is consistent", "[intent]") {
  // intent_rank counts the weights stored before each word of intent_present, so a bucket
  // whose bit is set reads its own weight (never 0, which is not stored) and one whose bit
  // is clear reads 0; a generator that wrote the ranks wrong would shift every weight after.
  using namespace frugal::router;
  int stored = 0;
  for (int w = 0; w < intent_buckets / 64; ++w) {
    CHECK(intent_rank[w] == stored);
    stored += std::popcount(intent_present[w]);
  }
  CHECK(stored > 1000);
  int nonzero = 0;
  for (uint32_t b = 0; b < static_cast<uint32_t>(intent_buckets); ++b) {
    const bool present = (intent_present[b >> 6] >> (b & 63)) & 1;
    CHECK((intent_weight(b) != 0) == present);
    nonzero += intent_weight(b) != 0;
  }
  CHECK(nonzero == stored);
}
