// The provider-neutral shape of one model call: the messages sent, the tools offered, and
// the response with its usage. Providers (openai.cpp, anthropic.cpp) translate to and from
// their wire formats; nothing above this layer sees a provider's JSON.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "budget/usage.h"

namespace frugal::llm {

// Estimated tokens of `bytes` bytes of text: about 4 bytes a token for English and code
// (fewer for other scripts). For sizing (prompt-cache minimums, the history budget), never
// for money: a reservation bounds tokens by bytes (budget/cost.h).
inline constexpr int64_t approx_bytes_per_token = 4;
constexpr int64_t estimated_tokens(int64_t bytes) {
  return bytes <= 0 ? 0 : (bytes + approx_bytes_per_token - 1) / approx_bytes_per_token;
}

struct tool_call {
  std::string id;
  std::string name;
  std::string arguments_json;  // as the model wrote it; may be invalid JSON
};

enum class role { system, user, assistant, tool };

struct message {
  llm::role role = role::user;
  std::string content;
  std::vector<tool_call> tool_calls;  // assistant messages only
  std::string tool_call_id;           // tool results only
  std::string tool_name;              // tool results only
  bool is_error = false;              // tool results only
};

struct tool_spec {
  std::string name;
  std::string description;
  std::string parameters_schema_json;  // a JSON Schema object
};

struct request {
  std::string model;
  std::vector<message> messages;  // system prompt is messages[0] when present
  std::vector<tool_spec> tools;
  int64_t max_tokens = 1024;
  std::optional<double> temperature;
  std::string reasoning_effort;        // "", "minimal", "low", "medium", "high"
  int64_t thinking_budget_tokens = 0;  // anthropic extended thinking; 0 = off
  bool stream = false;
  // Prompt caching hints (used where the API needs markers: kind "anthropic"). The first
  // `cache_stable_prefix` messages (system + history) are the same on the next turn;
  // `cache_tail` says the next call will likely repeat this whole request (a tool loop).
  size_t cache_stable_prefix = 0;
  bool cache_tail = false;
  // Streamed calls: called with each piece of answer text as it arrives (a terminal shows
  // it at once). Not part of the wire request; a call that fails may already have sent
  // pieces, so the final response, not these, is the answer.
  std::function<void(std::string_view)> on_text;
};

using usage = budget::usage;  // budget/usage.h: what a call settles from

struct response {
  std::string content;
  std::string reasoning;  // reasoning/thinking text, when the provider returns it
  std::vector<tool_call> tool_calls;
  std::string stop_reason;
  llm::usage usage;
};

// Why a call failed, as far as billing and fallback care.
enum class failure {
  none,
  not_sent,      // connection refused, DNS, TLS: definitely not charged
  http_error,    // an HTTP error status with an error body: not charged
  unauthorized,  // HTTP 401/403: the API key was rejected; not charged, a configuration error
  rate_limited,  // 429
  overloaded,    // 5xx / 529
  timeout,       // may have been charged
  bad_response,  // truncated or malformed body after a 2xx: may have been charged
  dropped,       // stream cut mid-way: may have been charged
  cancelled,
};

struct outcome {
  failure fail = failure::none;
  std::string error;  // short, secret-free description
  long http_status = 0;
  int64_t retry_after_ms = -1;
  llm::response response;  // valid when fail == none; usage may be partial otherwise
  // True when the provider certainly did not bill this call (release the reservation).
  bool definitely_free() const {
    return fail == failure::not_sent || fail == failure::http_error ||
           fail == failure::unauthorized || fail == failure::rate_limited ||
           fail == failure::overloaded || fail == failure::cancelled;
  }
};

}  // namespace frugal::llm
