// The Anthropic Messages API wire format: request body, non-streaming response, and the
// streamed events. It does not do HTTP (provider.cpp does; headers x-api-key and
// anthropic-version: 2023-06-01).
//
// Body: {"model","max_tokens","system"?,"messages":[{"role":"user"|"assistant","content":
//   [{"type":"text","text"} | {"type":"tool_use","id","name","input":{...}} |
//    {"type":"tool_result","tool_use_id","content","is_error"}]}], "tools":[{"name",
//   "description","input_schema"}]?, "temperature"?, "thinking":{"type":"enabled",
//   "budget_tokens"}?, "stream"?}
// System messages are joined into the top-level "system". Consecutive messages of the same
// API role are merged into one (tool results, then any user text, form one user turn).
// Empty text blocks are left out (the API rejects them); a turn left with no block gets a
// "(empty)" text block. Tool arguments that are not a JSON object are sent as {}.
// Extended thinking: budget_tokens is lowered to max_tokens - 1 and thinking is left off
// when that is under the API's minimum of 1024, and also while the current turn has tool
// calls (the API would want the earlier thinking blocks replayed, which llm::message does
// not carry). With thinking on, temperature is not sent (the API requires the default).
// Prompt caching: cache_control {"type":"ephemeral"} breakpoints (at most 3 of the API's 4)
// on the system prompt (which caches tools + system, the render order being tools, system,
// messages), on the last block of the stable history (request.cache_stable_prefix) and,
// with request.cache_tail, on the last block. A breakpoint whose prefix is estimated (bytes
// / 4) below the model's minimum cacheable length is not sent: it could not be cached.
// Usage: input_tokens EXCLUDES cache reads and writes, so llm::usage.input_tokens =
// input_tokens + cache_read_input_tokens + cache_creation_input_tokens.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "llm/types.h"
#include "llm/wire.h"

namespace frugal::llm::anthropic {

constexpr const char* api_version = "2023-06-01";
constexpr int64_t min_thinking_budget = 1024;

// The minimum cacheable prompt length of a model, in tokens (Anthropic's documented
// table: 4096 for Haiku 4.5 and Opus 4.5/4.6, 2048 for older Haiku, else 1024).
int64_t min_cacheable_tokens(std::string_view model);

// The JSON body for POST {base_url}/v1/messages.
std::string build_body(const request& req);

// Parses a complete non-streaming response: text blocks joined by "\n", thinking blocks
// into reasoning, tool_use blocks into tool calls (input re-serialised as JSON text).
result<response> parse_response(std::string_view body);

// Streamed events: message_start, content_block_start/delta/stop, message_delta,
// message_stop, ping, error. Dispatches on the data's "type" (the SSE event name is only
// used to spot an error event).
class stream_decoder final : public llm::stream_decoder {
 public:
  status feed(const sse::event& ev) override;
  bool complete() const override { return stopped_ || !resp_.stop_reason.empty(); }

 private:
  enum class block_kind { text, thinking, tool_use, other };
  struct block {
    int64_t index = 0;
    block_kind kind = block_kind::other;
    size_t tool = 0;  // slot in resp_.tool_calls for tool_use blocks
  };
  block* find_block(int64_t index);
  // `final`: from a message_delta (whose output_tokens is the real count), not from
  // message_start (whose output_tokens is a placeholder).
  void update_usage(simdjson::dom::element u, bool final);

  std::vector<block> blocks_;
  int64_t input_ = 0, cache_read_ = 0, cache_write_ = 0;
  bool stopped_ = false;
};

}  // namespace frugal::llm::anthropic
