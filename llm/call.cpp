// A model call's request building and outcome mapping (see call.h for the table). The
// stream is decoded as it arrives so a cut stream still yields the usage seen so far.
#include "llm/call.h"

#include "core/log.h"
#include "llm/anthropic.h"
#include "llm/openai.h"
#include "llm/text_tool_calls.h"

namespace frugal::llm {
namespace {

constexpr long default_first_byte_ms = 60'000;
constexpr long local_first_byte_ms = 300'000;

const char* http_failure_name(http::failure f) {
  switch (f) {
    case http::failure::none:
      return "none";
    case http::failure::connect:
      return "connect failed";
    case http::failure::timeout:
      return "timed out";
    case http::failure::too_large:
      return "response too large";
    case http::failure::dropped:
      return "connection dropped";
    case http::failure::cancelled:
      return "cancelled";
    case http::failure::other:
      return "transfer failed";
  }
  return "transfer failed";
}

std::string trimmed_base(const provider_config& cfg) {
  std::string base = cfg.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

void add_auth_headers(const provider_config& cfg, std::vector<std::string>& headers) {
  if (cfg.kind == api_kind::openai) {
    if (!cfg.api_key.empty()) headers.push_back("Authorization: Bearer " + cfg.api_key);
  } else {
    if (!cfg.api_key.empty()) headers.push_back("x-api-key: " + cfg.api_key);
    headers.push_back(std::string("anthropic-version: ") + anthropic::api_version);
  }
  for (const std::string& h : cfg.extra_headers) headers.push_back(h);
}

}  // namespace

void doubt_implausible_usage(response& r) {
  if (!r.usage.present || !r.usage.doubt.empty()) return;
  // Reasoning shown as the answer (wire::finish_response) is the same bytes, counted once.
  int64_t bytes = static_cast<int64_t>(r.content.size());
  if (r.reasoning != r.content) bytes += static_cast<int64_t>(r.reasoning.size());
  for (const tool_call& tc : r.tool_calls)
    bytes += static_cast<int64_t>(tc.name.size() + tc.arguments_json.size());
  const int64_t floor = (bytes + max_bytes_per_token - 1) / max_bytes_per_token;
  if (r.usage.output_tokens >= floor) return;
  r.usage.doubt = "reported " + std::to_string(r.usage.output_tokens) + " output tokens for " +
                  std::to_string(bytes) + " bytes of output (at least " + std::to_string(floor) +
                  ")";
}

http::request key_probe_request(const provider_config& cfg, const std::string& model_id) {
  http::request hr;
  if (cfg.local) {
    std::string base = trimmed_base(cfg);
    hr.method = "GET";
    hr.url = cfg.kind == api_kind::openai || base.ends_with("/v1") ? base + "/models"
                                                                   : base + "/v1/models";
  } else {
    hr.method = "POST";
    hr.url = endpoint_url(cfg);
    std::string id;
    for (char c : model_id)  // a model id is plain text; keep the JSON valid whatever it is
      if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) id += c;
    hr.body = "{\"model\":\"" + id + "\",\"max_tokens\":1,\"messages\":[]}";
    hr.headers.push_back("Content-Type: application/json");
  }
  add_auth_headers(cfg, hr.headers);
  hr.connect_timeout_ms = cfg.connect_timeout_ms > 0 ? cfg.connect_timeout_ms : 5000;
  hr.first_byte_timeout_ms = 10'000;
  hr.total_timeout_ms = 15'000;
  hr.max_response_bytes = 4 << 20;
  return hr;
}

std::string endpoint_url(const provider_config& cfg) {
  std::string base = trimmed_base(cfg);
  if (cfg.kind == api_kind::openai) return base + "/chat/completions";
  if (base.ends_with("/v1")) return base + "/messages";
  return base + "/v1/messages";
}

long first_byte_timeout_ms(const provider_config& cfg) {
  long ms = cfg.first_byte_timeout_ms;
  if (ms <= 0 || (cfg.local && ms == default_first_byte_ms))
    return cfg.local ? local_first_byte_ms : default_first_byte_ms;
  return ms;
}

std::string rejected_key_message(const provider_config& cfg, long status) {
  std::string head = "provider " + cfg.name + " rejected ";
  std::string code = " (HTTP " + std::to_string(status) + ")";
  if (cfg.api_key_env.empty())
    return head + "the request without an API key" + code + ": set api_key_env in [providers." +
           cfg.name + "] and export that variable";
  return head + "its API key" + code + ": check $" + cfg.api_key_env +
         " (api_key_env of [providers." + cfg.name + "])";
}

failure classify_api_error(const api_error& e) {
  const std::string& t = e.type;
  if (t == "overloaded_error" || t == "server_error" || t == "api_error" ||
      t == "internal_server_error" || t == "service_unavailable" || e.code >= 500)
    return failure::overloaded;
  if (t == "rate_limit_error" || t == "rate_limit_exceeded" || e.code == 429)
    return failure::rate_limited;
  return failure::http_error;
}

call::call(const provider_config& cfg, const request& req)
    : cfg_(cfg), stream_(req.stream), tools_(req.tools), on_text_(req.on_text) {
  if (cfg.kind == api_kind::openai) {
    body_ = openai::build_body(req);
    if (stream_) decoder_ = std::make_unique<openai::stream_decoder>();
  } else {
    body_ = anthropic::build_body(req);
    if (stream_) decoder_ = std::make_unique<anthropic::stream_decoder>();
  }
}

http::request call::http_request() const {
  http::request hr;
  hr.method = "POST";
  hr.url = endpoint_url(cfg_);
  hr.body = body_;
  hr.headers.push_back("Content-Type: application/json");
  if (stream_) hr.headers.push_back("Accept: text/event-stream");
  add_auth_headers(cfg_, hr.headers);
  hr.connect_timeout_ms = cfg_.connect_timeout_ms;
  hr.first_byte_timeout_ms = first_byte_timeout_ms(cfg_);
  hr.total_timeout_ms = cfg_.total_timeout_ms;
  return hr;
}

void call::on_data(std::string_view chunk) {
  if (!decoder_ || !stream_error_.empty() || decoder_->error()) return;
  events_.clear();
  status s = parser_.feed(chunk, events_);
  for (const sse::event& ev : events_) {
    status d = decoder_->feed(ev);
    if (!d) {
      if (!decoder_->error()) stream_error_ = d.message();
      return;
    }
  }
  if (!s) stream_error_ = s.message();
  const std::string& text = decoder_->partial().content;
  if (on_text_ && text.size() > shown_) {
    std::string_view piece = std::string_view(text).substr(shown_);
    shown_ = text.size();
    on_text_(piece);
  }
}

std::string call::scrub(std::string_view text) const {
  std::string s(text);
  if (cfg_.api_key.size() >= 4)
    for (size_t at; (at = s.find(cfg_.api_key)) != std::string::npos;)
      s.replace(at, cfg_.api_key.size(), "***");
  return wire::short_text(log::redact(s));
}

outcome call::fail_with(failure f, long status, std::string_view what) const {
  outcome o;
  o.fail = f;
  o.http_status = status;
  o.error = cfg_.name + ": " + scrub(what);
  if (decoder_) o.response.usage = decoder_->partial().usage;
  return o;
}

outcome call::finish(const http::response& r) {
  outcome o;
  switch (r.fail) {
    case http::failure::none:
      break;
    case http::failure::connect:
      o = fail_with(failure::not_sent, r.status, r.error);
      break;
    case http::failure::timeout:
      o = fail_with(r.request_sent ? failure::timeout : failure::not_sent, r.status,
                    "timed out: " + r.error);
      break;
    case http::failure::too_large:
      o = fail_with(failure::bad_response, r.status, "response too large");
      break;
    case http::failure::dropped:
      o = fail_with(failure::dropped, r.status, "connection dropped: " + r.error);
      break;
    case http::failure::cancelled:
      o = fail_with(failure::cancelled, r.status, "cancelled");
      break;
    case http::failure::other:
      o = fail_with(r.request_sent ? failure::dropped : failure::not_sent, r.status,
                    std::string(http_failure_name(r.fail)) + ": " + r.error);
      break;
  }
  if (r.fail == http::failure::none) {
    if (r.status >= 200 && r.status <= 299) {
      finish_2xx(r, o);
    } else {
      auto e = wire::error_from_body(r.body);
      std::string what = "HTTP " + std::to_string(r.status);
      if (e) what += ": " + e->message;
      failure f = r.status == 401 || r.status == 403                        ? failure::unauthorized
                  : r.status == 429                                         ? failure::rate_limited
                  : (r.status >= 500 && r.status <= 599) || r.status == 529 ? failure::overloaded
                                                                            : failure::http_error;
      o = fail_with(f, r.status, what);
    }
  }
  o.http_status = r.status;
  o.retry_after_ms = r.retry_after_ms;
  if (o.fail == failure::cancelled || o.fail == failure::unauthorized)
    LOG_DEBUG("llm", o.error);  // the turn reports these (a cancel, a rejected key)
  else if (o.fail != failure::none)
    LOG_WARN("llm", o.error, " (http status ", r.status, ")");
  return o;
}

void call::finish_2xx(const http::response& r, outcome& o) {
  if (stream_ && decoder_->saw_events()) {
    if (const auto& e = decoder_->error()) {
      failure f = decoder_->produced_output() ? failure::dropped : classify_api_error(*e);
      o = fail_with(f, r.status, "error event in stream: " + e->message);
      return;
    }
    if (!stream_error_.empty()) {
      o = fail_with(failure::bad_response, r.status, stream_error_);
      return;
    }
    if (!decoder_->complete()) {
      o = fail_with(failure::dropped, r.status, "stream ended before the message was complete");
      return;
    }
    o.response = decoder_->take();
  } else {
    // Not streamed, or a server that ignored "stream": the body is one JSON document.
    if (auto e = wire::error_from_body(r.body)) {
      o = fail_with(classify_api_error(*e), r.status, "error body: " + e->message);
      return;
    }
    auto parsed = cfg_.kind == api_kind::openai ? openai::parse_response(r.body)
                                                : anthropic::parse_response(r.body);
    if (!parsed) {
      o = fail_with(failure::bad_response, r.status, parsed.message());
      return;
    }
    o.response = std::move(parsed.value());
  }
  if (o.response.tool_calls.empty() && !tools_.empty())
    o.response.tool_calls = extract_text_tool_calls(o.response.content, tools_);
  doubt_implausible_usage(o.response);
}

}  // namespace frugal::llm
