// Fuzzes the IRC reply splitter (transports/irc/split.h) with the limits taken from the
// first four bytes and the model text from the rest. It checks the splitter's promises
// itself and aborts on a violation: every relayed line (":" mask " PRIVMSG " target " :"
// text CRLF) fits the server's line length, is valid UTF-8, holds no control byte (so no
// CR, LF, NUL or CTCP \x01), is not blank, no more lines than allowed, and nothing but
// spaces is lost unless the reply was truncated. It does not test flood control.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fuzz/fuzz_support.h"
#include "transports/irc/split.h"
#include "core/utf8.h"

using namespace frugal::irc;
namespace utf8 = frugal::utf8;

namespace {

// The text with every space removed: what must survive a split that was not truncated.
std::string without_spaces(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != ' ') out += c;
  return out;
}

void check_lines(const std::vector<std::string>& lines, std::string_view text, size_t max_bytes,
                 size_t max_lines) {
  FUZZ_CHECK(lines.size() <= max_lines);
  for (const std::string& l : lines) {
    FUZZ_CHECK(!l.empty() && l.size() <= max_bytes);
    FUZZ_CHECK(l.find_first_not_of(' ') != std::string::npos);
    FUZZ_CHECK(utf8::valid(l));
    for (char c : l) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  }
  bool truncated = !lines.empty() && lines.back().ends_with(truncation_marker);
  if (truncated) return;
  std::string joined;
  for (const std::string& l : lines) joined += l;
  std::string expected;
  for (size_t start = 0; start <= text.size();) {  // sanitize_line works on one line
    size_t eol = text.find_first_of("\r\n", start);
    if (eol == std::string_view::npos) eol = text.size();
    expected += sanitize_line(text.substr(start, eol - start));
    start = eol + 1;
  }
  FUZZ_CHECK(without_spaces(joined) == without_spaces(expected));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  size_t max_lines = data[0] % 16;  // 0 is raised to 1 by the splitter
  size_t mask_bytes = data[1];
  std::string target = "#" + std::string(1 + data[2] % 50, 'c');
  size_t linelen = (data[3] & 1) ? 512 : 64 + data[3] * 8;
  std::string_view text(reinterpret_cast<const char*>(data) + 4, size - 4);

  // As the transport splits: to the budget left after the relayed prefix.
  size_t budget = text_budget(linelen, mask_bytes, "PRIVMSG", target);
  size_t overhead = 1 + mask_bytes + 1 + 7 + 1 + target.size() + 2 + 2;
  std::vector<std::string> lines = split_reply(text, {budget, max_lines});
  check_lines(lines, text, budget, std::max<size_t>(max_lines, 1));
  if (overhead + 32 < linelen)
    for (const std::string& l : lines) FUZZ_CHECK(overhead + l.size() <= linelen);

  // Limits below the documented floors are raised to it (32 bytes, 1 line).
  size_t tiny = data[1] % 40;
  check_lines(split_reply(text, {tiny, max_lines}), text, std::max<size_t>(tiny, 32),
              std::max<size_t>(max_lines, 1));

  std::string one = sanitize_line(text);
  FUZZ_CHECK(utf8::valid(one));
  for (char c : one) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  return 0;
}
