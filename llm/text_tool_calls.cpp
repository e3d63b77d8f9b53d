// Extraction of tool calls written as text. A plain scan for the opening tags; the JSON
// inside is parsed with simdjson, and anything that does not parse stays in the text, so
// a model talking *about* <tool_call> tags loses nothing.
#include "llm/text_tool_calls.h"

#include <optional>
#include <string_view>

#include "core/json_writer.h"
#include "llm/wire.h"

namespace frugal::llm {
namespace {

using simdjson::dom::element;

constexpr std::string_view ws = " \t\r\n";

std::string_view trim(std::string_view s) {
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

// {"name":..,"arguments"|"parameters":{..} or "<json text>"} → a call without an id.
std::optional<tool_call> parse_json_call(std::string_view text) {
  simdjson::dom::parser parser;
  element doc;
  text = trim(text);
  if (text.empty()) return std::nullopt;  // (and simdjson must not copy from a null pointer)
  if (parser.parse(text.data(), text.size()).get(doc)) return std::nullopt;
  std::string_view name = wire::str(doc, "name");
  if (name.empty()) return std::nullopt;
  tool_call tc{"", std::string(name), "{}"};
  element args;
  if (wire::field(doc, "arguments", args) || wire::field(doc, "parameters", args)) {
    std::string_view s;
    tc.arguments_json = args.get(s) ? simdjson::to_string(args) : std::string(s);
  }
  return tc;
}

// The body of <function=NAME>: a JSON object, or <parameter=K>V</parameter> pairs whose
// values become JSON strings.
std::optional<std::string> parse_function_body(std::string_view body) {
  body = trim(body);
  if (body.empty()) return std::string("{}");
  if (body.front() == '{') {
    if (!wire::is_json_object(body)) return std::nullopt;
    return std::string(body);
  }
  json_writer w;
  w.begin_object();
  constexpr std::string_view open = "<parameter=", close = "</parameter>";
  while (!body.empty()) {
    if (!body.starts_with(open)) return std::nullopt;
    size_t gt = body.find('>');
    size_t end = body.find(close);
    if (gt == std::string_view::npos || end == std::string_view::npos || end < gt)
      return std::nullopt;
    w.key(trim(body.substr(open.size(), gt - open.size())));
    w.string(trim(body.substr(gt + 1, end - gt - 1)));
    body = trim(body.substr(end + close.size()));
  }
  w.end_object();
  return w.take();
}

// `text` starts with "<function=". Fills `out` and returns the length consumed.
size_t parse_function_form(std::string_view text, std::optional<tool_call>& out) {
  constexpr std::string_view open = "<function=", close = "</function>";
  size_t gt = text.find('>');
  if (gt == std::string_view::npos) return 0;
  std::string_view name = trim(text.substr(open.size(), gt - open.size()));
  size_t end = text.find(close, gt);
  size_t body_end = end == std::string_view::npos ? text.size() : end;
  auto args = parse_function_body(text.substr(gt + 1, body_end - gt - 1));
  if (name.empty() || !args) return 0;
  out = tool_call{"", std::string(name), std::move(*args)};
  return end == std::string_view::npos ? text.size() : end + close.size();
}

// `text` starts with "<tool_call>". Returns the length consumed, 0 when not a call.
size_t parse_tagged(std::string_view text, std::optional<tool_call>& out) {
  constexpr std::string_view open = "<tool_call>", close = "</tool_call>";
  size_t end = text.find(close);
  size_t body_end = end == std::string_view::npos ? text.size() : end;
  std::string_view body = trim(text.substr(open.size(), body_end - open.size()));
  if (body.starts_with("<function=")) {
    size_t used = parse_function_form(body, out);
    if (used == 0 || !trim(body.substr(used)).empty()) return 0;
  } else {
    out = parse_json_call(body);
  }
  if (!out) return 0;
  return end == std::string_view::npos ? text.size() : end + close.size();
}

bool offered(const std::vector<tool_spec>& tools, const std::string& name) {
  for (const tool_spec& t : tools)
    if (t.name == name) return true;
  return false;
}

// The whole text is one JSON call, bare or fenced with ``` (optionally ```json).
std::optional<tool_call> whole_text_call(std::string_view text,
                                         const std::vector<tool_spec>& tools) {
  text = trim(text);
  if (text.starts_with("```") && text.size() >= 6 && text.ends_with("```")) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos || nl > text.size() - 3) return std::nullopt;
    std::string_view lang = trim(text.substr(3, nl - 3));
    if (!lang.empty() && lang != "json") return std::nullopt;
    text = trim(text.substr(nl + 1, text.size() - 3 - nl - 1));
  }
  if (text.empty() || text.front() != '{') return std::nullopt;
  auto tc = parse_json_call(text);
  if (!tc || !offered(tools, tc->name)) return std::nullopt;
  return tc;
}

}  // namespace

std::vector<tool_call> extract_text_tool_calls(std::string& content,
                                               const std::vector<tool_spec>& tools) {
  std::vector<tool_call> calls;
  if (auto tc = whole_text_call(content, tools)) {
    calls.push_back(std::move(*tc));
    content.clear();
  } else {
    std::string kept;
    std::string_view rest = content;
    while (!rest.empty()) {
      size_t a = rest.find("<tool_call>");
      size_t b = rest.find("<function=");
      size_t at = std::min(a, b);
      if (at == std::string_view::npos) break;
      kept.append(rest.substr(0, at));
      rest.remove_prefix(at);
      std::optional<tool_call> tc;
      size_t used = at == a ? parse_tagged(rest, tc) : parse_function_form(rest, tc);
      if (used == 0) {  // not a call after all: keep the '<' and look further
        kept += rest.front();
        rest.remove_prefix(1);
        continue;
      }
      calls.push_back(std::move(*tc));
      rest.remove_prefix(used);
    }
    if (calls.empty()) return calls;
    kept.append(rest);
    content = std::string(trim(kept));
  }
  for (size_t i = 0; i < calls.size(); ++i) calls[i].id = "text-call-" + std::to_string(i + 1);
  return calls;
}

}  // namespace frugal::llm
