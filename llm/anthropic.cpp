// Anthropic Messages codec. Content blocks are written one at a time into small strings
// and grouped into turns, so merging consecutive same-role messages is a list operation.
#include "llm/anthropic.h"

#include <cstdint>

#include "core/json_writer.h"

namespace frugal::llm::anthropic {
namespace {

using simdjson::dom::element;

struct turn {
  bool assistant = false;
  std::vector<std::string> blocks;  // serialised content blocks
  size_t last_message = 0;          // index in request.messages of its last message
};

constexpr std::string_view k_cache_marker = R"(,"cache_control":{"type":"ephemeral"})";

// Adds the cache marker to one serialised block (an object ending in '}').
void mark(std::string& block) {
  if (!block.empty() && block.back() == '}' && block.find(k_cache_marker) == std::string::npos)
    block.insert(block.size() - 1, k_cache_marker);
}

std::string text_block(std::string_view text) {
  json_writer w;
  w.begin_object().key("type").string("text").key("text").string(text).end_object();
  return w.take();
}

std::string tool_use_block(const tool_call& tc) {
  json_writer w;
  w.begin_object().key("type").string("tool_use");
  w.key("id").string(tc.id).key("name").string(tc.name);
  // The arguments came from a model and may be broken; the API needs an object.
  w.key("input").raw(wire::is_json_object(tc.arguments_json) ? std::string_view(tc.arguments_json)
                                                             : std::string_view("{}"));
  w.end_object();
  return w.take();
}

std::string tool_result_block(const message& m) {
  json_writer w;
  w.begin_object().key("type").string("tool_result");
  w.key("tool_use_id").string(m.tool_call_id);
  w.key("content").string(m.content);
  w.key("is_error").boolean(m.is_error);
  w.end_object();
  return w.take();
}

std::vector<turn> build_turns(const std::vector<message>& messages) {
  std::vector<turn> turns;
  for (const message& m : messages) {
    if (m.role == role::system) continue;
    bool assistant = m.role == role::assistant;
    if (turns.empty() || turns.back().assistant != assistant)
      turns.push_back(turn{assistant, {}, 0});
    turns.back().last_message = static_cast<size_t>(&m - messages.data());
    std::vector<std::string>& blocks = turns.back().blocks;
    if (m.role == role::tool) {
      blocks.push_back(tool_result_block(m));
      continue;
    }
    if (!m.content.empty()) blocks.push_back(text_block(m.content));
    if (assistant)
      for (const tool_call& tc : m.tool_calls) blocks.push_back(tool_use_block(tc));
  }
  for (turn& t : turns)
    if (t.blocks.empty()) t.blocks.push_back(text_block("(empty)"));
  return turns;
}

// Thinking budget actually sent, or 0 (see the header for the rules).
int64_t thinking_budget(const request& req) {
  int64_t budget = std::min(req.thinking_budget_tokens, req.max_tokens - 1);
  if (budget < min_thinking_budget) return 0;
  for (auto it = req.messages.rbegin(); it != req.messages.rend(); ++it) {
    if (it->role == role::user) break;
    if (it->role == role::assistant && !it->tool_calls.empty()) return 0;
  }
  return budget;
}

// Counts come from the server: their sum saturates instead of overflowing.
int64_t saturating_add(int64_t a, int64_t b) {
  int64_t sum;
  if (__builtin_add_overflow(a, b, &sum)) return b > 0 ? INT64_MAX : INT64_MIN;
  return sum;
}

void set_usage(usage& out, int64_t in, int64_t cache_read, int64_t cache_write, int64_t output) {
  out.present = true;
  out.input_tokens = saturating_add(saturating_add(in, cache_read), cache_write);
  out.cached_input_tokens = cache_read;
  out.cache_write_tokens = cache_write;
  out.output_tokens = output;
}

void append_joined(std::string& out, std::string_view piece) {
  if (!out.empty()) out += '\n';
  out.append(piece);
}

}  // namespace

int64_t min_cacheable_tokens(std::string_view model) {
  auto has = [&](std::string_view s) { return model.find(s) != std::string_view::npos; };
  if (has("haiku-4-5") || has("haiku-4.5") || has("opus-4-5") || has("opus-4.5") ||
      has("opus-4-6") || has("opus-4.6"))
    return 4096;
  if (has("haiku")) return 2048;
  return 1024;
}

std::string build_body(const request& req) {
  json_writer w;
  w.begin_object();
  w.key("model").string(req.model);
  w.key("max_tokens").number(req.max_tokens);
  std::string system;
  for (const message& m : req.messages)
    if (m.role == role::system && !m.content.empty())
      system += (system.empty() ? "" : "\n\n") + m.content;
  std::vector<turn> turns = build_turns(req.messages);
  // Breakpoints, from estimated prefix sizes (llm::estimated_tokens' bytes per token).
  const int64_t min_bytes = approx_bytes_per_token * min_cacheable_tokens(req.model);
  int64_t prefix = static_cast<int64_t>(system.size());
  for (const tool_spec& t : req.tools)
    prefix += static_cast<int64_t>(t.name.size() + t.description.size() +
                                   t.parameters_schema_json.size());
  const bool cache_system = !system.empty() && prefix >= min_bytes;
  size_t stable_turn = SIZE_MAX;
  for (size_t i = 0; i < turns.size(); ++i) {
    for (const std::string& b : turns[i].blocks) prefix += static_cast<int64_t>(b.size());
    if (turns[i].last_message < req.cache_stable_prefix && prefix >= min_bytes) stable_turn = i;
    if (req.cache_tail && i + 1 == turns.size() && prefix >= min_bytes && !turns[i].blocks.empty())
      mark(turns[i].blocks.back());
  }
  if (stable_turn != SIZE_MAX && !turns[stable_turn].blocks.empty())
    mark(turns[stable_turn].blocks.back());
  if (cache_system) {
    std::string block = text_block(system);
    mark(block);
    w.key("system").begin_array().raw(block).end_array();
  } else if (!system.empty()) {
    w.key("system").string(system);
  }
  w.key("messages").begin_array();
  for (const turn& t : turns) {
    w.begin_object();
    w.key("role").string(t.assistant ? "assistant" : "user");
    w.key("content").begin_array();
    for (const std::string& b : t.blocks) w.raw(b);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  if (!req.tools.empty()) {
    w.key("tools").begin_array();
    for (const tool_spec& t : req.tools) {
      w.begin_object();
      w.key("name").string(t.name);
      w.key("description").string(t.description);
      w.key("input_schema")
          .raw(wire::is_json_object(t.parameters_schema_json)
                   ? std::string_view(t.parameters_schema_json)
                   : std::string_view(R"({"type":"object","properties":{}})"));
      w.end_object();
    }
    w.end_array();
  }
  int64_t budget = thinking_budget(req);
  if (budget > 0) {
    w.key("thinking").begin_object();
    w.key("type").string("enabled").key("budget_tokens").number(budget);
    w.end_object();
  } else if (req.temperature) {
    w.key("temperature").number(*req.temperature);
  }
  if (req.stream) w.key("stream").boolean(true);
  w.end_object();
  return w.take();
}

result<response> parse_response(std::string_view body) {
  simdjson::dom::parser parser;
  auto opened = wire::open_response(parser, body, "anthropic");
  if (!opened) return opened.err();
  element doc = opened.value();
  simdjson::dom::array content;
  if (doc["content"].get(content)) return fail("anthropic: response has no content array");
  response r;
  for (element b : content) {
    std::string_view type = wire::str(b, "type");
    if (type == "text") {
      append_joined(r.content, wire::str(b, "text"));
    } else if (type == "thinking") {
      append_joined(r.reasoning, wire::str(b, "thinking"));
    } else if (type == "tool_use") {
      element input;
      std::string args = wire::field(b, "input", input) ? simdjson::to_string(input) : "{}";
      r.tool_calls.push_back(
          tool_call{std::string(wire::str(b, "id")), std::string(wire::str(b, "name")), args});
    }
  }
  r.stop_reason.assign(wire::str(doc, "stop_reason"));
  element u, e;
  if (wire::field(doc, "usage", u)) {
    set_usage(r.usage, wire::integer(u, "input_tokens"),
              wire::integer(u, "cache_read_input_tokens"),
              wire::integer(u, "cache_creation_input_tokens"), wire::integer(u, "output_tokens"));
    if (!wire::field(u, "input_tokens", e) || !wire::field(u, "output_tokens", e))
      r.usage.doubt = "usage without input_tokens or output_tokens";
  }
  wire::finish_response(r);
  return r;
}

stream_decoder::block* stream_decoder::find_block(int64_t index) {
  for (block& b : blocks_)
    if (b.index == index) return &b;
  return nullptr;
}

void stream_decoder::update_usage(element u, bool final) {
  // message_start carries everything; message_delta carries cumulative counts, of which
  // older API versions send only output_tokens. Fields that are absent keep their value.
  element e;
  if (wire::field(u, "input_tokens", e)) input_ = wire::integer(u, "input_tokens");
  if (wire::field(u, "cache_read_input_tokens", e))
    cache_read_ = wire::integer(u, "cache_read_input_tokens");
  if (wire::field(u, "cache_creation_input_tokens", e))
    cache_write_ = wire::integer(u, "cache_creation_input_tokens");
  int64_t output = resp_.usage.output_tokens;
  bool has_output = wire::field(u, "output_tokens", e);
  if (has_output) output = wire::integer(u, "output_tokens");
  set_usage(resp_.usage, input_, cache_read_, cache_write_, output);
  // message_start's output_tokens is a placeholder (1): only a message_delta's count is
  // the final one. Until one arrives the usage is in doubt (see budget/usage.h).
  if (final && has_output)
    resp_.usage.doubt.clear();
  else if (!final)
    resp_.usage.doubt = "the stream's final message_delta carried no output_tokens";
}

status stream_decoder::feed(const sse::event& ev) {
  if (ev.data.empty()) return status::success();
  saw_events_ = true;
  simdjson::dom::parser parser;
  element doc;
  if (parser.parse(ev.data.data(), ev.data.size()).get(doc) || !doc.is<simdjson::dom::object>())
    return fail("anthropic: malformed stream event '", wire::short_text(ev.type, 40), "' (",
                ev.data.size(), " bytes)");
  std::string_view type = wire::str(doc, "type");
  if (type == "error" || ev.type == "error") {
    error_ = wire::error_from(doc).value_or(api_error{"", "(no message)", 0});
    return fail("anthropic: error event in stream: ", wire::short_text(error_->message));
  }
  element e;
  if (type == "message_start") {
    element u;
    if (wire::field(doc, "message", e) && wire::field(e, "usage", u)) update_usage(u, false);
  } else if (type == "content_block_start") {
    block b;
    b.index = wire::integer(doc, "index");
    // Without a content_block, `e` would be an empty element that must not be read.
    std::string_view kind = wire::field(doc, "content_block", e) ? wire::str(e, "type") : "";
    if (kind == "text") {
      b.kind = block_kind::text;
      if (!resp_.content.empty()) resp_.content += '\n';
      resp_.content.append(wire::str(e, "text"));
    } else if (kind == "thinking") {
      b.kind = block_kind::thinking;
      if (!resp_.reasoning.empty()) resp_.reasoning += '\n';
      resp_.reasoning.append(wire::str(e, "thinking"));
    } else if (kind == "tool_use") {
      b.kind = block_kind::tool_use;
      b.tool = resp_.tool_calls.size();
      // The start event's input is always {}; the arguments arrive as input_json_delta.
      resp_.tool_calls.push_back(
          tool_call{std::string(wire::str(e, "id")), std::string(wire::str(e, "name")), ""});
      produced_output_ = true;
    }
    blocks_.push_back(b);
  } else if (type == "content_block_delta") {
    block* b = find_block(wire::integer(doc, "index"));
    if (!b || !wire::field(doc, "delta", e))
      return fail("anthropic: content_block_delta for an unknown block");
    std::string_view kind = wire::str(e, "type");
    if (kind == "text_delta" && b->kind == block_kind::text) {
      resp_.content.append(wire::str(e, "text"));
      produced_output_ = true;
    } else if (kind == "thinking_delta" && b->kind == block_kind::thinking) {
      resp_.reasoning.append(wire::str(e, "thinking"));
      produced_output_ = true;
    } else if (kind == "input_json_delta" && b->kind == block_kind::tool_use) {
      resp_.tool_calls[b->tool].arguments_json.append(wire::str(e, "partial_json"));
    }
    // signature_delta and unknown deltas carry nothing this layer keeps.
  } else if (type == "message_delta") {
    if (wire::field(doc, "delta", e)) {
      std::string_view stop = wire::str(e, "stop_reason");
      if (!stop.empty()) resp_.stop_reason.assign(stop);
    }
    if (wire::field(doc, "usage", e)) update_usage(e, true);
  } else if (type == "message_stop") {
    stopped_ = true;
  }
  // ping, content_block_stop and unknown event types need nothing.
  return status::success();
}

}  // namespace frugal::llm::anthropic
