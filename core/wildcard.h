// wildcard: the one glob matcher: `*` matches any run of characters (also none), `?` any
// one character, everything else itself. No character classes, no escapes, no regex; a
// linear walk with one backtrack point, no allocation. Who folds case, and how, is the
// caller's (IRC's rfc1459 folding lives in policies/identity_match.h).
#pragma once
#include <string_view>

namespace frugal::wildcard {

// Maps one character before comparing (e.g. to lower case); nullptr compares bytes.
using fold_fn = char (*)(char);

// True when all of `text` matches `pattern`.
bool match(std::string_view pattern, std::string_view text, fold_fn fold = nullptr);

// True when `text` holds `*` or `?`.
bool has_wildcards(std::string_view text);

}  // namespace frugal::wildcard
