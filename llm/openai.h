// The OpenAI chat.completions wire format (also spoken by OpenRouter, Ollama, llama.cpp,
// vLLM, LM Studio): request body, non-streaming response, and streamed chunks.
// It does not do HTTP (provider.cpp does) nor extract tool calls written as text
// (text_tool_calls.h).
//
// Body: {"model","messages":[{"role":"system"|"user"|"assistant"|"tool","content",
//   "tool_calls":[{"id","type":"function","function":{"name","arguments":"<json text>"}}],
//   "tool_call_id"}], "tools":[{"type":"function","function":{"name","description",
//   "parameters"}}], "max_tokens", "temperature"?, "reasoning_effort"?, "stream"?,
//   "stream_options":{"include_usage":true}?}
// `max_tokens` is sent (not `max_completion_tokens`): every OpenAI-compatible server
// accepts it, and OpenAI still honours it for non-reasoning models.
// Usage: prompt_tokens INCLUDES cached tokens (prompt_tokens_details.cached_tokens, or
// DeepSeek's prompt_cache_hit_tokens); completion_tokens includes reasoning; OpenRouter's
// usage.cost (USD) becomes cost_micro_usd rounded up.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "llm/types.h"
#include "llm/wire.h"

namespace frugal::llm::openai {

// The JSON body for POST {base_url}/chat/completions.
std::string build_body(const request& req);

// Parses a complete non-streaming response. Errors (with context, no body dump) for
// malformed JSON, an {"error":...} body, or no choices.
result<response> parse_response(std::string_view body);

// Streamed chunks: `data: {chunk}` events, then an optional usage chunk with empty
// choices, then `data: [DONE]`. Tool-call pieces are stitched by their index.
class stream_decoder final : public llm::stream_decoder {
 public:
  status feed(const sse::event& ev) override;
  // [DONE] seen, or a finish_reason (some local servers never send [DONE]).
  bool complete() const override { return done_ || !resp_.stop_reason.empty(); }

 private:
  std::vector<int64_t> tool_index_;  // OpenAI's index of each entry in resp_.tool_calls
  bool done_ = false;
};

}  // namespace frugal::llm::openai
