// UTF-8, the one module for it: validity check, repair (invalid bytes become U+FFFD),
// sequence lengths and character boundaries for splitting. Used on every line from a
// server, every model reply, tool output and the JSON writer. Strict (RFC 3629: no
// overlongs, surrogates or code points past U+10FFFF). No normalisation, no display width.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace frugal::utf8 {

// Length in bytes of the well-formed sequence starting at s[i], or 0 if none starts there.
size_t sequence_length(std::string_view s, size_t i);

bool valid(std::string_view s);

// A copy of `s` with every byte that is not part of a well-formed sequence replaced by
// U+FFFD. Valid input is returned unchanged.
std::string repair(std::string_view s);

// The largest n <= max such that s[0, n) ends on a character boundary. `s` must be valid.
size_t boundary_at_most(std::string_view s, size_t max);

}  // namespace frugal::utf8
