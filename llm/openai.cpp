// OpenAI chat.completions codec. Tolerant reading: content may be null, a string or an
// array of parts; tool arguments a string or (some local servers) an object; usage may
// be missing, null, or arrive in any chunk.
#include "llm/openai.h"

#include "core/json_writer.h"

namespace frugal::llm::openai {
namespace {

using simdjson::dom::element;

const char* role_name(role r) {
  switch (r) {
    case role::system:
      return "system";
    case role::user:
      return "user";
    case role::assistant:
      return "assistant";
    case role::tool:
      return "tool";
  }
  return "user";
}

void write_message(json_writer& w, const message& m) {
  w.begin_object();
  w.key("role").string(role_name(m.role));
  if (m.role == role::tool) {
    w.key("tool_call_id").string(m.tool_call_id);
    // The format has no error flag; say it in the text so the model notices.
    w.key("content").string(m.is_error ? "Error: " + m.content : m.content);
  } else if (m.role == role::assistant && !m.tool_calls.empty()) {
    if (m.content.empty())
      w.key("content").null();
    else
      w.key("content").string(m.content);
    w.key("tool_calls").begin_array();
    for (const tool_call& tc : m.tool_calls) {
      w.begin_object();
      w.key("id").string(tc.id);
      w.key("type").string("function");
      w.key("function").begin_object();
      w.key("name").string(tc.name);
      w.key("arguments").string(tc.arguments_json);
      w.end_object();
      w.end_object();
    }
    w.end_array();
  } else {
    w.key("content").string(m.content);
  }
  w.end_object();
}

// Text of a content value: a string, or an array of {"type":"text","text":...} parts.
std::string content_text(element e) {
  std::string_view s;
  if (!e.get(s)) return std::string(s);
  simdjson::dom::array parts;
  std::string out;
  if (!e.get(parts))
    for (element part : parts) out.append(wire::str(part, "text"));
  return out;
}

std::string arguments_text(element fn) {
  element a;
  if (!wire::field(fn, "arguments", a)) return {};
  std::string_view s;
  if (!a.get(s)) return std::string(s);
  return simdjson::to_string(a);
}

void read_usage(element u, usage& out) {
  out.present = true;
  out.input_tokens = wire::integer(u, "prompt_tokens");
  out.output_tokens = wire::integer(u, "completion_tokens");
  element e;
  out.doubt = wire::field(u, "prompt_tokens", e) && wire::field(u, "completion_tokens", e)
                  ? ""
                  : "usage without prompt_tokens or completion_tokens";
  element details;
  if (wire::field(u, "prompt_tokens_details", details)) {
    out.cached_input_tokens = wire::integer(details, "cached_tokens");
    out.cache_write_tokens = wire::integer(details, "cache_write_tokens");
  } else {
    out.cached_input_tokens = wire::integer(u, "prompt_cache_hit_tokens");
  }
  if (auto cost = wire::number(u, "cost")) out.cost_micro_usd = wire::usd_to_micro_ceil(*cost);
}

void append_reasoning(element obj, std::string& out) {
  std::string_view r = wire::str(obj, "reasoning_content");
  if (r.empty()) r = wire::str(obj, "reasoning");
  out.append(r);
}

}  // namespace

std::string build_body(const request& req) {
  json_writer w;
  w.begin_object();
  w.key("model").string(req.model);
  w.key("messages").begin_array();
  for (const message& m : req.messages) write_message(w, m);
  w.end_array();
  if (!req.tools.empty()) {
    w.key("tools").begin_array();
    for (const tool_spec& t : req.tools) {
      w.begin_object();
      w.key("type").string("function");
      w.key("function").begin_object();
      w.key("name").string(t.name);
      w.key("description").string(t.description);
      if (wire::is_json_object(t.parameters_schema_json)) {
        w.key("parameters").raw(t.parameters_schema_json);
      } else {
        w.key("parameters").raw(R"({"type":"object","properties":{}})");
      }
      w.end_object();
      w.end_object();
    }
    w.end_array();
  }
  w.key("max_tokens").number(req.max_tokens);
  if (req.temperature) w.key("temperature").number(*req.temperature);
  if (!req.reasoning_effort.empty()) w.key("reasoning_effort").string(req.reasoning_effort);
  if (req.stream) {
    w.key("stream").boolean(true);
    w.key("stream_options").begin_object().key("include_usage").boolean(true).end_object();
  }
  w.end_object();
  return w.take();
}

result<response> parse_response(std::string_view body) {
  simdjson::dom::parser parser;
  auto opened = wire::open_response(parser, body, "openai");
  if (!opened) return opened.err();
  element doc = opened.value();
  simdjson::dom::array choices;
  element choice;
  if (doc["choices"].get(choices) || choices.size() == 0 || choices.at(0).get(choice))
    return fail("openai: response has no choices");
  response r;
  element msg;
  if (!wire::field(choice, "message", msg)) return fail("openai: choice has no message");
  element content;
  if (wire::field(msg, "content", content)) r.content = content_text(content);
  append_reasoning(msg, r.reasoning);
  simdjson::dom::array calls;
  if (!msg["tool_calls"].get(calls)) {
    for (element tc : calls) {
      element fn;
      if (!wire::field(tc, "function", fn)) continue;
      r.tool_calls.push_back(tool_call{std::string(wire::str(tc, "id")),
                                       std::string(wire::str(fn, "name")), arguments_text(fn)});
    }
  }
  r.stop_reason.assign(wire::str(choice, "finish_reason"));
  element u;
  if (wire::field(doc, "usage", u)) read_usage(u, r.usage);
  wire::finish_response(r);
  return r;
}

status stream_decoder::feed(const sse::event& ev) {
  if (ev.data.empty()) return status::success();
  saw_events_ = true;
  if (ev.data == "[DONE]") {
    done_ = true;
    return status::success();
  }
  simdjson::dom::parser parser;
  element doc;
  if (parser.parse(ev.data.data(), ev.data.size()).get(doc) || !doc.is<simdjson::dom::object>())
    return fail("openai: malformed stream chunk (", ev.data.size(), " bytes)");
  if (auto e = wire::error_from(doc)) {
    error_ = std::move(*e);
    return fail("openai: error event in stream: ", wire::short_text(error_->message));
  }
  simdjson::dom::array choices;
  if (!doc["choices"].get(choices)) {
    for (element choice : choices) {
      if (wire::integer(choice, "index") != 0) continue;  // only one choice is asked for
      element delta;
      if (wire::field(choice, "delta", delta)) {
        element content;
        if (wire::field(delta, "content", content)) {
          std::string text = content_text(content);
          if (!text.empty()) produced_output_ = true;
          resp_.content += text;
        }
        size_t before = resp_.reasoning.size();
        append_reasoning(delta, resp_.reasoning);
        if (resp_.reasoning.size() != before) produced_output_ = true;
        simdjson::dom::array calls;
        if (!delta["tool_calls"].get(calls)) {
          for (element piece : calls) {
            produced_output_ = true;
            element idx;
            bool has_index = wire::field(piece, "index", idx);
            int64_t index = wire::integer(piece, "index");
            std::string_view id = wire::str(piece, "id");
            size_t slot = resp_.tool_calls.size();
            for (size_t k = 0; k < tool_index_.size(); ++k)
              if (has_index && tool_index_[k] == index) slot = k;
            // Without an index, a piece with a new id starts a call; one without continues.
            if (!has_index && id.empty() && !resp_.tool_calls.empty()) slot = slot - 1;
            if (slot == resp_.tool_calls.size()) {
              resp_.tool_calls.emplace_back();
              tool_index_.push_back(has_index ? index : -1);
            }
            tool_call& tc = resp_.tool_calls[slot];
            if (tc.id.empty()) tc.id.assign(id);
            element fn;
            if (wire::field(piece, "function", fn)) {
              if (tc.name.empty()) tc.name.assign(wire::str(fn, "name"));
              tc.arguments_json += arguments_text(fn);
            }
          }
        }
      }
      std::string_view finish = wire::str(choice, "finish_reason");
      if (!finish.empty()) resp_.stop_reason.assign(finish);
    }
  }
  element u;
  if (wire::field(doc, "usage", u)) read_usage(u, resp_.usage);
  return status::success();
}

}  // namespace frugal::llm::openai
