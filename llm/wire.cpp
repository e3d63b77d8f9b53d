// Helpers for reading provider JSON. Every accessor tolerates missing fields and wrong
// types, because model servers (hosted or local) disagree on what they send.
#include "llm/wire.h"

#include <cmath>

#include "core/utf8.h"

namespace frugal::llm::wire {

bool field(simdjson::dom::element obj, std::string_view key, simdjson::dom::element& out) {
  simdjson::dom::object o;
  if (obj.get(o)) return false;
  return !o[key].get(out) && !out.is_null();
}

std::string_view str(simdjson::dom::element obj, std::string_view key) {
  simdjson::dom::element e;
  std::string_view v;
  if (!field(obj, key, e) || e.get(v)) return {};
  return v;
}

int64_t integer(simdjson::dom::element obj, std::string_view key) {
  simdjson::dom::element e;
  if (!field(obj, key, e)) return 0;
  int64_t i;
  if (!e.get(i)) return i;
  uint64_t u;
  if (!e.get(u)) return u > INT64_MAX ? INT64_MAX : static_cast<int64_t>(u);
  double d;
  if (!e.get(d) && std::isfinite(d) && d >= 0 && d < 9e18) return static_cast<int64_t>(d);
  return 0;
}

std::optional<double> number(simdjson::dom::element obj, std::string_view key) {
  simdjson::dom::element e;
  if (!field(obj, key, e)) return std::nullopt;
  double d;
  if (!e.get(d)) return d;
  int64_t i;
  if (!e.get(i)) return static_cast<double>(i);
  uint64_t u;
  if (!e.get(u)) return static_cast<double>(u);
  return std::nullopt;
}

std::optional<int64_t> usd_to_micro_ceil(double usd) {
  if (!std::isfinite(usd) || usd < 0 || usd > 1e9) return std::nullopt;
  double micro = usd * 1e6;
  double nearest = std::round(micro);
  if (std::fabs(micro - nearest) <= 1e-6 * std::max(1.0, nearest))
    return static_cast<int64_t>(nearest);
  return static_cast<int64_t>(std::ceil(micro));
}

std::optional<api_error> error_from(simdjson::dom::element doc) {
  simdjson::dom::element e;
  if (!field(doc, "error", e)) return std::nullopt;
  api_error out;
  std::string_view text;
  if (!e.get(text)) {
    out.message.assign(text);
  } else {
    out.type.assign(str(e, "type"));
    out.message.assign(str(e, "message"));
    out.code = integer(e, "code");
    if (out.type.empty()) out.type.assign(str(e, "code"));  // {"code":"rate_limit_exceeded"}
  }
  if (out.message.empty()) out.message = "(no message)";
  return out;
}

std::optional<api_error> error_from_body(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc)) return std::nullopt;
  return error_from(doc);
}

result<simdjson::dom::element> open_response(simdjson::dom::parser& parser, std::string_view body,
                                             std::string_view api) {
  simdjson::dom::element doc;
  if (auto err = parser.parse(body.data(), body.size()).get(doc))
    return fail(api, ": malformed response JSON (", simdjson::error_message(err), ", ", body.size(),
                " bytes)");
  if (!doc.is<simdjson::dom::object>()) return fail(api, ": response is not a JSON object");
  if (auto e = error_from(doc)) return fail(api, ": error in response: ", short_text(e->message));
  return doc;
}

std::string short_text(std::string_view text, size_t max_bytes) {
  std::string clean = utf8::repair(text);
  for (char& c : clean)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  if (clean.size() <= max_bytes) return clean;
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(clean[cut]) & 0xC0) == 0x80) --cut;
  clean.resize(cut);
  return clean + "...";
}

bool is_json_object(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json.data(), json.size()).get(doc)) return false;
  return doc.is<simdjson::dom::object>();
}

void finish_response(response& r) {
  if (r.content.empty() && r.tool_calls.empty() && !r.reasoning.empty()) r.content = r.reasoning;
  for (size_t i = 0; i < r.tool_calls.size(); ++i) {
    tool_call& tc = r.tool_calls[i];
    if (tc.arguments_json.empty()) tc.arguments_json = "{}";
    if (tc.id.empty()) tc.id = "call-" + std::to_string(i + 1);
  }
}

}  // namespace frugal::llm::wire

namespace frugal::llm {

response stream_decoder::take() {
  wire::finish_response(resp_);
  return std::move(resp_);
}

}  // namespace frugal::llm
