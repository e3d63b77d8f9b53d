// Helpers shared by the libFuzzer harnesses: a check that aborts with a message (so an
// invariant violation is a crash libFuzzer records), and a deterministic way to cut an
// input into pieces from a seed, to feed incremental parsers as the network would.
// Nothing here is used by the program itself.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace frugal::fuzz {

[[noreturn]] inline void violated(const char* what, const char* file, int line) {
  std::fprintf(stderr, "fuzz invariant violated at %s:%d: %s\n", file, line, what);
  std::abort();
}

#define FUZZ_CHECK(cond)                                              \
  do {                                                                \
    if (!(cond)) ::frugal::fuzz::violated(#cond, __FILE__, __LINE__); \
  } while (0)

// `text` cut into consecutive pieces (some empty) whose lengths come from a small PRNG
// seeded with `seed`: short pieces are common so that every boundary gets tried.
inline std::vector<std::string_view> pieces(std::string_view text, uint32_t seed) {
  std::vector<std::string_view> out;
  uint32_t x = seed * 2654435761u + 1;
  while (!text.empty()) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    size_t n = (x & 7) == 0 ? 0 : (x >> 8) % ((x & 1) ? 4 : 64);
    if (n > text.size()) n = text.size();
    out.push_back(text.substr(0, n));
    text.remove_prefix(n);
  }
  out.push_back(text);  // a final empty piece, as a read of 0 bytes would give
  return out;
}

}  // namespace frugal::fuzz
