// usage: the tokens one model call was billed for, as the provider reported them. The
// providers (llm/) fill it from their wire formats; the governor settles from it
// (budget/cost.h prices it). It holds data only.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace frugal::budget {

struct usage {
  bool present = false;
  int64_t input_tokens = 0;        // all input tokens billed at some rate, including cached
  int64_t cached_input_tokens = 0;  // part of input_tokens read from cache
  int64_t cache_write_tokens = 0;   // part of input_tokens written to cache (anthropic)
  int64_t output_tokens = 0;        // including reasoning tokens
  std::optional<int64_t> cost_micro_usd;  // provider-reported truth (OpenRouter usage.cost)
  // Why these counts cannot be settled from, or empty when they can: the final usage was
  // missing or partial (an Anthropic stream whose message_delta carried none, so only
  // message_start's placeholder output_tokens was seen), or it reports fewer output
  // tokens than the bytes received prove. The governor then charges the reservation in
  // full and records these counts beside it.
  std::string doubt;
};

}  // namespace frugal::budget
