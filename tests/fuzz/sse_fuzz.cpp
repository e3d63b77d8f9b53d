// Fuzzes the incremental SSE parser (llm/sse.h). The first byte seeds how the rest is
// cut into pieces. Invariants: feeding whole or in pieces yields the same events and the
// same partial state; a parser with a small buffer cap yields a prefix of those events
// (the cap only stops parsing); failure is sticky. It does not decode event data (the
// openai/anthropic harnesses do).
#include <cstdint>
#include <string_view>
#include <vector>

#include "llm/sse.h"
#include "tests/fuzz/fuzz_support.h"

using frugal::llm::sse::event;
using frugal::llm::sse::parser;

namespace {
bool same(const event& a, const event& b) {
  return a.type == b.type && a.data == b.data && a.id == b.id;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  uint32_t seed = data[0];
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);

  // The default cap (1 MiB) is far above libFuzzer's input sizes: it never trips here.
  parser whole;
  std::vector<event> a;
  FUZZ_CHECK(whole.feed(in, a).ok());

  parser cut;
  std::vector<event> b;
  for (std::string_view piece : frugal::fuzz::pieces(in, seed)) FUZZ_CHECK(cut.feed(piece, b).ok());
  FUZZ_CHECK(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) FUZZ_CHECK(same(a[i], b[i]));
  FUZZ_CHECK(whole.has_partial() == cut.has_partial());
  // Lines end at CR or LF, so no field can hold one; an id with NUL is never taken.
  for (const event& ev : a) {
    FUZZ_CHECK(ev.data.find('\r') == std::string::npos);
    FUZZ_CHECK(ev.type.find_first_of("\r\n") == std::string::npos && !ev.type.empty());
    FUZZ_CHECK(ev.id.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos);
  }

  parser small(8 + seed % 64);
  std::vector<event> c;
  bool failed = false;
  for (std::string_view piece : frugal::fuzz::pieces(in, seed * 7 + 3)) {
    bool ok = small.feed(piece, c).ok();
    if (failed) FUZZ_CHECK(!ok);  // once failed, it stays failed
    failed = failed || !ok;
  }
  FUZZ_CHECK(failed == small.failed());
  FUZZ_CHECK(c.size() <= a.size());
  for (size_t i = 0; i < c.size(); ++i) FUZZ_CHECK(same(a[i], c[i]));
  if (!failed) FUZZ_CHECK(c.size() == a.size());
  return 0;
}
