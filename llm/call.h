// One model call, independent of the network: builds the http::request for a provider,
// takes the streamed body chunk by chunk (SSE → the codec's stream decoder), and maps the
// finished http::response to an llm::outcome. provider.cpp wires it to http::client; tests
// drive it directly with recorded bytes. It does not retry, fall back or log secrets.
//
// Outcome mapping (http failure / status → llm::failure):
//   connect failure, or any failure before the request was fully sent → not_sent
//   timeout after sending → timeout; connection dropped → dropped; cancelled → cancelled
//   too large, or a 2xx body that is truncated or malformed → bad_response
//   HTTP 401/403 → unauthorized (the key was rejected: a configuration error)
//   HTTP 429 → rate_limited; 500–599 and 529 → overloaded; other non-2xx → http_error
//     (error text from the body's error.message, ≤ ~200 bytes, the API key scrubbed)
//   a 2xx body or stream event that is only an API error: overloaded_error/server_error/
//     api_error or code ≥ 500 → overloaded; rate_limit_error or code 429 → rate_limited;
//     others → http_error — unless output had already streamed, then → dropped (tokens
//     were generated and may be billed)
//   a stream that ends before its stop/finish reason → dropped
// On every failure after sending, response.usage keeps whatever usage was seen (e.g. the
// input tokens from Anthropic's message_start). http_status and retry_after_ms are kept.
// When the native tool_calls are empty and tools were offered, calls written as text are
// extracted (text_tool_calls.h). The usage of a successful call is put in doubt (see
// budget/usage.h) when the codec found it missing or partial, or when it reports fewer
// output tokens than the output's bytes prove (doubt_implausible_usage).
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/http_client.h"
#include "llm/provider.h"
#include "llm/sse.h"
#include "llm/types.h"
#include "llm/wire.h"

namespace frugal::llm {

// Endpoint for a provider: openai → base_url + "/chat/completions"; anthropic → base_url +
// "/v1/messages" (just "/messages" when base_url already ends in "/v1").
std::string endpoint_url(const provider_config& cfg);

// A request that checks a provider's URL and key without generating anything (`frugal
// doctor`). Remote: a POST to endpoint_url with the model and an empty message list — the
// APIs check the key before the body, so 401/403 means a rejected key and 400 an accepted
// one, and nothing is billed. Local (keyless, free): GET of the models list
// (base_url + "/models", Anthropic "/v1/models"). Same URL rules and auth headers as a call.
http::request key_probe_request(const provider_config& cfg, const std::string& model_id);

// The first-byte timeout used: cfg's value, except that a local provider left at the
// 60 s default (or ≤ 0) waits 300 s (a local model may load for minutes).
long first_byte_timeout_ms(const provider_config& cfg);

// Tokens of current vocabularies (OpenAI's, Anthropic's, llama's) average 3-5 bytes of
// ordinary text; longer ones (runs of spaces or dashes) are rare, so a reply with fewer
// than ceil(output bytes / this) tokens is not believed. Set high on purpose: a false
// doubt only charges the reservation in full, a missed one lets the day pass its cap.
constexpr int64_t max_bytes_per_token = 16;

// Puts r.usage in doubt when it reports fewer output tokens than the floor above for the
// text, reasoning and tool calls received. Leaves absent or already-doubted usage alone.
void doubt_implausible_usage(response& r);

// The one line for a rejected key (HTTP 401/403): "provider NAME rejected its API key
// (HTTP 401): check $VAR (api_key_env of [providers.NAME])", or, with no api_key_env,
// that the provider sent no key at all.
std::string rejected_key_message(const provider_config& cfg, long status);

// Classifies an API error (body or stream event) as in the table above, ignoring output.
failure classify_api_error(const api_error& e);

class call {
 public:
  call(const provider_config& cfg, const request& req);

  // URL, headers (auth only when a key is set), body and timeouts; on_data is left unset.
  http::request http_request() const;
  // Feeds a chunk of a streamed body (ignored when the request was not streamed).
  void on_data(std::string_view chunk);
  // Maps the finished transfer to an outcome. Call once.
  outcome finish(const http::response& r);

 private:
  outcome fail_with(failure f, long status, std::string_view what) const;
  std::string scrub(std::string_view text) const;
  void finish_2xx(const http::response& r, outcome& o);

  provider_config cfg_;
  std::string body_;
  bool stream_;
  std::vector<tool_spec> tools_;
  sse::parser parser_;
  std::unique_ptr<stream_decoder> decoder_;
  std::vector<sse::event> events_;
  std::string stream_error_;                       // first parse failure of the stream, if any
  std::function<void(std::string_view)> on_text_;  // request::on_text
  size_t shown_ = 0;  // bytes of the answer text already passed to on_text_
};

}  // namespace frugal::llm
