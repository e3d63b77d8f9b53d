// The body shared by openai_fuzz and anthropic_fuzz: one input is read as an HTTP error
// body, as a whole non-streaming response, as an SSE stream, and as one event per line (a
// leading "data: " removed); every response that comes out is checked against the
// contracts callers rely on. It does not test request building (no untrusted input there).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/utf8.h"
#include "llm/sse.h"
#include "llm/text_tool_calls.h"
#include "llm/wire.h"
#include "tests/fuzz/fuzz_support.h"

namespace frugal::fuzz {

// Errors carry context, never a dump of the body: they stay short and single-line.
inline void check_error_text(const std::string& message) {
  FUZZ_CHECK(!message.empty());
  FUZZ_CHECK(message.size() <= 512);
  FUZZ_CHECK(message.find_first_of("\r\n") == std::string::npos);
}

// What wire::finish_response promises, and what text_tool_calls promises on top.
inline void check_response(llm::response r) {
  for (const llm::tool_call& tc : r.tool_calls) {
    FUZZ_CHECK(!tc.id.empty());
    FUZZ_CHECK(!tc.arguments_json.empty());
  }
  if (r.content.empty() && r.tool_calls.empty()) FUZZ_CHECK(r.reasoning.empty());

  static const std::vector<llm::tool_spec> tools = {{"clock", "time", R"({"type":"object"})"},
                                                    {"shell", "run", R"({"type":"object"})"}};
  std::string before = r.content;
  std::vector<llm::tool_call> calls = llm::extract_text_tool_calls(r.content, tools);
  FUZZ_CHECK(r.content.size() <= before.size());
  if (calls.empty()) FUZZ_CHECK(r.content == before);  // untouched when nothing was found
  for (size_t i = 0; i < calls.size(); ++i) {
    FUZZ_CHECK(calls[i].id == "text-call-" + std::to_string(i + 1));
    FUZZ_CHECK(!calls[i].arguments_json.empty());
  }
}

template <class Decoder>
void decode_events(const std::vector<llm::sse::event>& events) {
  Decoder d;
  for (const llm::sse::event& ev : events) {
    status s = d.feed(ev);
    if (!s.ok()) {
      check_error_text(s.message());
      break;  // the caller stops feeding after an error
    }
  }
  (void)d.complete();
  (void)d.produced_output();
  (void)d.saw_events();
  if (d.error()) FUZZ_CHECK(!d.error()->message.empty());
  check_response(d.take());
}

template <class Decoder, class Parse>
void fuzz_llm_input(const uint8_t* data, size_t size, Parse parse_response) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  // An HTTP error body goes through these two before it reaches a log line or a user.
  if (auto e = llm::wire::error_from_body(in)) {
    FUZZ_CHECK(!e->message.empty());
    std::string shown = llm::wire::short_text(e->message, 40 + size % 200);
    FUZZ_CHECK(shown.size() <= 40 + size % 200 + 3);
    FUZZ_CHECK(utf8::valid(shown));
    for (char c : shown) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  }

  auto parsed = parse_response(in);
  if (parsed.ok())
    check_response(std::move(parsed.value()));
  else
    check_error_text(parsed.message());

  llm::sse::parser sse;
  std::vector<llm::sse::event> events;
  (void)sse.feed(in, events);
  decode_events<Decoder>(events);

  events.clear();
  for (size_t start = 0; start < in.size();) {
    size_t end = in.find('\n', start);
    if (end == std::string_view::npos) end = in.size();
    std::string_view line = in.substr(start, end - start);
    start = end + 1;
    if (line.substr(0, 6) == "data: ") line.remove_prefix(6);
    if (line.empty()) continue;
    llm::sse::event ev;
    ev.data.assign(line);
    events.push_back(std::move(ev));
  }
  decode_events<Decoder>(events);
}

}  // namespace frugal::fuzz
