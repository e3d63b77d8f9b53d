// Small helpers shared by the OpenAI and Anthropic codecs: reading fields from untrusted
// JSON (simdjson DOM, error-code style), error bodies, cost rounding, and the streaming
// decoder interface both codecs implement. No provider-specific knowledge lives here.
#pragma once
#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "llm/sse.h"
#include "llm/types.h"

namespace frugal::llm {

// An error reported by the API, in a body or as a stream event.
struct api_error {
  std::string type;     // "overloaded_error", "server_error", "rate_limit_error", ... or ""
  std::string message;  // as sent (callers shorten it with wire::short_text)
  int64_t code = 0;     // a numeric error code when the API gave one (OpenRouter), else 0
};

// Assembles one streamed response from SSE events. feed() returns an error for an error
// event (also kept in error()) or a malformed event; the caller stops feeding then.
class stream_decoder {
 public:
  virtual ~stream_decoder() = default;
  virtual status feed(const sse::event& ev) = 0;
  // True once the stream said it was finished (a stop/finish reason, [DONE], message_stop).
  virtual bool complete() const = 0;
  // True once any text, reasoning or tool call arrived (tokens were generated).
  bool produced_output() const { return produced_output_; }
  // True once any event was decoded (the body was an event stream).
  bool saw_events() const { return saw_events_; }
  const std::optional<api_error>& error() const { return error_; }
  // The response so far; usage may be partial (e.g. input tokens only).
  const response& partial() const { return resp_; }
  // Moves the response out, finished by wire::finish_response.
  response take();

 protected:
  response resp_;
  std::optional<api_error> error_;
  bool produced_output_ = false;
  bool saw_events_ = false;
};

namespace wire {

// Field readers: a missing field or one of the wrong type reads as empty / 0 / nullopt.
std::string_view str(simdjson::dom::element obj, std::string_view key);
int64_t integer(simdjson::dom::element obj, std::string_view key);
std::optional<double> number(simdjson::dom::element obj, std::string_view key);
bool field(simdjson::dom::element obj, std::string_view key, simdjson::dom::element& out);

// USD as a float (OpenRouter usage.cost) → whole micro-dollars, rounded UP; values within
// 1e-6 µ$ of an integer count as that integer (float noise). Negative/NaN → nullopt.
std::optional<int64_t> usd_to_micro_ceil(double usd);

// Reads {"error":{"type","message","code"}}, {"error":"text"} or {"type":"error",...}.
std::optional<api_error> error_from(simdjson::dom::element doc);
std::optional<api_error> error_from_body(std::string_view body);

// A whole (non-streamed) response body, parsed with `parser` (the element lives as long as
// the parser): malformed JSON, a body that is not an object, and an API error object each
// become an error naming `api` ("anthropic", "openai"); otherwise the document.
result<simdjson::dom::element> open_response(simdjson::dom::parser& parser, std::string_view body,
                                             std::string_view api);

// Text safe to show and log: control characters become spaces, invalid UTF-8 is repaired,
// and it is cut to at most max_bytes on a character boundary (with "..." when cut).
std::string short_text(std::string_view text, size_t max_bytes = 200);

// The last touches both codecs give a parsed response: reasoning becomes the answer when
// there is neither text nor a tool call (reasoning models on local servers), empty tool
// arguments become "{}", and tool calls without an id get "call-N".
void finish_response(response& r);

// True when `json` parses as a JSON object.
bool is_json_object(std::string_view json);

}  // namespace wire
}  // namespace frugal::llm
