// The glob walk behind wildcard::match: on a mismatch after a `*`, the star takes one more
// character and the walk resumes there; linear in practice, no recursion.
#include "core/wildcard.h"

namespace frugal::wildcard {

bool match(std::string_view pattern, std::string_view text, fold_fn fold) {
  auto same = [fold](char p, char t) { return fold ? fold(p) == fold(t) : p == t; };
  size_t p = 0, t = 0;
  size_t star = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_t = t;
    } else if (p < pattern.size() && (pattern[p] == '?' || same(pattern[p], text[t]))) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool has_wildcards(std::string_view text) {
  return text.find_first_of("*?") != std::string_view::npos;
}

}  // namespace frugal::wildcard
