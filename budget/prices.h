// Model prices in integer micro-dollars per million tokens, and the conversion of the
// config's USD amounts to micro-dollars. A paid model without a price is an error here,
// never $0. It does not know about tiers, caps or the ledger (see governor.h, ledger.h).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/config/config.h"
#include "core/result.h"

namespace frugal::budget {

// Micro-dollars per million tokens (so $3/Mtok is 3'000'000). All fields ≥ 0.
struct price {
  int64_t input = 0;         // uncached input
  int64_t cached_input = 0;  // input read from a prompt cache
  int64_t cache_write = 0;   // input written to a prompt cache (Anthropic: 1.25 × input)
  int64_t output = 0;        // output, reasoning included
  bool free() const { return input == 0 && cached_input == 0 && cache_write == 0 && output == 0; }
  bool operator==(const price&) const = default;
};

// USD → micro-dollars, rounded to the nearest micro-dollar (prices, amounts shown).
// NaN and negative values give 0; values above ~9.2e12 USD saturate.
int64_t usd_to_micro(double usd);
// USD → micro-dollars for a cap, rounded DOWN. A tolerance of 1e-4 µ$ absorbs binary
// representation error, so 0.29 gives 290000, not 289999; 2.0000004 gives 2000000.
int64_t usd_cap_to_micro(double usd);
// "$2.00", "$0.0012", "$1.234567", "-$0.50": exact, at least two decimals, no trailing zeros
// beyond them. usd_decimal is the same without the "$" (a JSON number).
std::string format_usd(int64_t micro);
std::string usd_decimal(int64_t micro);
// A fraction (public_share, warn_at) → parts per million, rounded to nearest, clamped 0..1e6.
int64_t fraction_to_ppm(double fraction);

// The lookup key for a model id: lower case, vendor prefix ("anthropic/", "openrouter/x/")
// removed, '.' and '_' read as '-', a dated suffix ("-20251001", "-2025-08-07") removed.
std::string normalize_model_id(std::string_view id);

// The built-in list price for a model id (matched through normalize_model_id), if known.
// Anthropic cache writes are priced at 1.25 × input here; for other vendors at input.
std::optional<price> builtin_price(std::string_view model_id);

// The price used for `m` on provider `p`:
//  - p.local → all zero;
//  - else each price field set in the model's config (≥ 0) overrides the built-in table;
//    cached input defaults to the configured input price (× 0.1 when p.kind ==
//    "anthropic"), cache writes to the input price (× 1.25 when p.kind == "anthropic");
//  - else the built-in table;
//  - else an error "models.NAME: no price for paid model ID (set input_usd_per_mtok/
//    output_usd_per_mtok)".
result<price> price_for(const config::model& m, const config::provider& p);

}  // namespace frugal::budget
