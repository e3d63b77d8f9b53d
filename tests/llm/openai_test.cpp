// Tests for the OpenAI chat.completions codec: body building (roles, tool calls, tools,
// options, escaping), response parsing (text, reasoning, tool calls, usage and cost), and
// stream decoding (content, tool-call pieces stitched by index, usage chunk, errors).
#include "llm/openai.h"

#include <catch2/catch.hpp>

#include "tests/llm/json_probe.h"

using namespace frugal::llm;

namespace {

request sample_request() {
  request r;
  r.model = "gpt-test";
  r.messages.push_back({role::system, "Be brief."});
  r.messages.push_back({role::user, "What time is it?"});
  message a{role::assistant, ""};
  a.tool_calls.push_back({"call_1", "clock", R"({"tz":"UTC"})"});
  r.messages.push_back(a);
  message t{role::tool, "12:00"};
  t.tool_call_id = "call_1";
  t.tool_name = "clock";
  r.messages.push_back(t);
  r.tools.push_back(
      {"clock", "Current time", R"({"type":"object","properties":{"tz":{"type":"string"}}})"});
  r.max_tokens = 300;
  return r;
}

// Feeds `data` strings as SSE events to a fresh decoder.
std::string feed_all(openai::stream_decoder& d, const std::vector<std::string>& datas) {
  for (const std::string& data : datas) {
    frugal::llm::sse::event ev;
    ev.data = data;
    auto s = d.feed(ev);
    if (!s) return s.message();
  }
  return "";
}

}  // namespace

TEST_CASE("openai body: messages, tool calls, tool results, tools and max_tokens") {
  frugal::test::json_probe j(openai::build_body(sample_request()));
  REQUIRE(j.ok());
  CHECK(j.str("/model") == "gpt-test");
  CHECK(j.integer("/max_tokens") == 300);
  REQUIRE(j.size("/messages") == 4);
  CHECK(j.str("/messages/0/role") == "system");
  CHECK(j.str("/messages/0/content") == "Be brief.");
  CHECK(j.str("/messages/1/role") == "user");
  CHECK(j.str("/messages/2/role") == "assistant");
  CHECK(j.is_null("/messages/2/content"));
  CHECK(j.str("/messages/2/tool_calls/0/id") == "call_1");
  CHECK(j.str("/messages/2/tool_calls/0/type") == "function");
  CHECK(j.str("/messages/2/tool_calls/0/function/name") == "clock");
  CHECK(j.str("/messages/2/tool_calls/0/function/arguments") == R"({"tz":"UTC"})");
  CHECK(j.str("/messages/3/role") == "tool");
  CHECK(j.str("/messages/3/tool_call_id") == "call_1");
  CHECK(j.str("/messages/3/content") == "12:00");
  CHECK(j.str("/tools/0/type") == "function");
  CHECK(j.str("/tools/0/function/name") == "clock");
  CHECK(j.str("/tools/0/function/description") == "Current time");
  CHECK(j.str("/tools/0/function/parameters/properties/tz/type") == "string");
  CHECK_FALSE(j.has("/temperature"));
  CHECK_FALSE(j.has("/reasoning_effort"));
  CHECK_FALSE(j.has("/stream"));
  CHECK_FALSE(j.has("/stream_options"));
}

TEST_CASE("openai body: options, streaming, error results and a bad schema") {
  request r = sample_request();
  r.temperature = 0.25;
  r.reasoning_effort = "minimal";
  r.stream = true;
  r.messages[3].is_error = true;
  r.tools[0].parameters_schema_json = "not json";
  frugal::test::json_probe j(openai::build_body(r));
  REQUIRE(j.ok());
  CHECK(j.number("/temperature") == 0.25);
  CHECK(j.str("/reasoning_effort") == "minimal");
  CHECK(j.boolean("/stream"));
  CHECK(j.boolean("/stream_options/include_usage"));
  CHECK(j.str("/messages/3/content") == "Error: 12:00");
  CHECK(j.str("/tools/0/function/parameters/type") == "object");
}

TEST_CASE("openai body: control characters and invalid UTF-8 are escaped into valid JSON") {
  request r;
  r.model = "m";
  r.messages.push_back({role::user, std::string("a\"b\\c\n\x01\x7f\xff\xc3(", 11) + "é"});
  std::string body = openai::build_body(r);
  CHECK(body.find(R"("a\"b\\c\n\u0001\u007f\ufffd\ufffd(é")") != std::string::npos);
  frugal::test::json_probe j(body);
  REQUIRE(j.ok());
  CHECK(j.str("/messages/0/content") == "a\"b\\c\n\x01\x7f\xEF\xBF\xBD\xEF\xBF\xBD(é");
}

TEST_CASE("openai parse: text, finish reason and usage with cached tokens inside") {
  auto r = openai::parse_response(R"({"id":"x","choices":[{"index":0,"message":{"role":"assistant",
    "content":"Hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":100,"completion_tokens":20,
    "prompt_tokens_details":{"cached_tokens":60}}})");
  REQUIRE(r.ok());
  CHECK(r->content == "Hello");
  CHECK(r->stop_reason == "stop");
  CHECK(r->usage.present);
  CHECK(r->usage.input_tokens == 100);  // cached tokens are inside prompt_tokens
  CHECK(r->usage.cached_input_tokens == 60);
  CHECK(r->usage.output_tokens == 20);
  CHECK_FALSE(r->usage.cost_micro_usd);
}

TEST_CASE("openai parse: tool calls, null content, arguments as string or object") {
  auto r = openai::parse_response(R"({"choices":[{"message":{"content":null,"tool_calls":[
    {"id":"call_a","type":"function","function":{"name":"clock","arguments":"{\"tz\":\"UTC\"}"}},
    {"id":"call_b","type":"function","function":{"name":"echo","arguments":{"x":1}}},
    {"type":"function","function":{"name":"noargs"}}]},"finish_reason":"tool_calls"}]})");
  REQUIRE(r.ok());
  CHECK(r->content.empty());
  REQUIRE(r->tool_calls.size() == 3);
  CHECK(r->tool_calls[0].id == "call_a");
  CHECK(r->tool_calls[0].name == "clock");
  CHECK(r->tool_calls[0].arguments_json == R"({"tz":"UTC"})");
  CHECK(r->tool_calls[1].arguments_json == R"({"x":1})");
  CHECK(r->tool_calls[2].arguments_json == "{}");
  CHECK(r->tool_calls[2].id == "call-3");
  CHECK_FALSE(r->usage.present);
}

TEST_CASE("openai parse: reasoning becomes the answer only when content is empty") {
  auto a = openai::parse_response(
      R"({"choices":[{"message":{"content":"","reasoning_content":"think... 42"}}]})");
  REQUIRE(a.ok());
  CHECK(a->content == "think... 42");
  CHECK(a->reasoning == "think... 42");
  auto b =
      openai::parse_response(R"({"choices":[{"message":{"content":"42","reasoning":"because"}}]})");
  REQUIRE(b.ok());
  CHECK(b->content == "42");
  CHECK(b->reasoning == "because");
}

TEST_CASE("openai parse: OpenRouter usage.cost is rounded UP to whole micro-dollars") {
  auto cost_of = [](std::string cost) {
    auto r = openai::parse_response(R"({"choices":[{"message":{"content":"x"}}],"usage":{
      "prompt_tokens":1,"completion_tokens":1,"cost":)" +
                                    cost + "}}");
    REQUIRE(r.ok());
    REQUIRE(r->usage.cost_micro_usd);
    return *r->usage.cost_micro_usd;
  };
  CHECK(cost_of("0.0000011") == 2);   // 1.1 µ$ → 2
  CHECK(cost_of("0.000123") == 123);  // exact (float noise is not rounded up)
  CHECK(cost_of("0.0001") == 100);
  CHECK(cost_of("0.00000001") == 1);  // any positive cost costs at least 1 µ$
  CHECK(cost_of("0") == 0);
  CHECK(cost_of("2") == 2'000'000);
}

TEST_CASE("openai parse: truncated, garbage and error bodies are errors, not crashes") {
  std::string good = R"({"choices":[{"message":{"content":"Hello"}}],"usage":{"prompt_tokens":3}})";
  for (size_t n = 0; n < good.size(); ++n)
    CHECK_FALSE(openai::parse_response(good.substr(0, n)).ok());
  CHECK_FALSE(openai::parse_response("<html>502 Bad Gateway</html>").ok());
  CHECK_FALSE(openai::parse_response("[1,2]").ok());
  CHECK_FALSE(openai::parse_response(R"({"choices":[]})").ok());
  CHECK_FALSE(openai::parse_response(R"({"choices":[{"index":0}]})").ok());
  auto e = openai::parse_response(R"({"error":{"message":"model not found","type":"invalid"}})");
  REQUIRE_FALSE(e.ok());
  CHECK(e.message().find("model not found") != std::string::npos);
  // Wrong types are tolerated as missing.
  auto w = openai::parse_response(
      R"({"choices":[{"message":{"content":5,"tool_calls":"x"},"finish_reason":7}],"usage":"no"})");
  REQUIRE(w.ok());
  CHECK(w->content.empty());
}

TEST_CASE("openai stream: content, tool-call arguments split across chunks, usage chunk") {
  openai::stream_decoder d;
  REQUIRE(
      feed_all(
          d,
          {R"({"choices":[{"index":0,"delta":{"role":"assistant","content":"Let me "}}]})",
           R"({"choices":[{"index":0,"delta":{"content":"check."}}]})",
           R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"clock","arguments":""}}]}}]})",
           R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"echo","arguments":"{\"t"}}]}}]})",
           R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"tz\":"}}]}}]})",
           R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"UTC\"}"}}]}}]})",
           R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"\":1}"}}]}}]})",
           R"({"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})",
           R"({"choices":[],"usage":{"prompt_tokens":50,"completion_tokens":9,"prompt_tokens_details":{"cached_tokens":10},"cost":0.0000205}})",
           "[DONE]"}) == "");
  CHECK(d.complete());
  CHECK(d.produced_output());
  response r = d.take();
  CHECK(r.content == "Let me check.");
  REQUIRE(r.tool_calls.size() == 2);
  CHECK(r.tool_calls[0].id == "call_1");
  CHECK(r.tool_calls[0].name == "clock");
  CHECK(r.tool_calls[0].arguments_json == R"({"tz":"UTC"})");
  CHECK(r.tool_calls[1].id == "call_2");
  CHECK(r.tool_calls[1].arguments_json == R"({"t":1})");
  CHECK(r.stop_reason == "tool_calls");
  CHECK(r.usage.input_tokens == 50);
  CHECK(r.usage.cached_input_tokens == 10);
  CHECK(r.usage.output_tokens == 9);
  CHECK(r.usage.cost_micro_usd == 21);
}

TEST_CASE("openai stream: without [DONE] a finish_reason completes; without both it is cut") {
  openai::stream_decoder a;
  REQUIRE(
      feed_all(a,
               {R"({"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]})"}) ==
      "");
  CHECK(a.complete());
  openai::stream_decoder b;
  REQUIRE(feed_all(b, {R"({"choices":[{"index":0,"delta":{"content":"hi"}}]})"}) == "");
  CHECK_FALSE(b.complete());
  CHECK(b.partial().content == "hi");
}

TEST_CASE("openai stream: an error event and a malformed chunk are errors") {
  openai::stream_decoder d;
  std::string msg =
      feed_all(d, {R"({"choices":[{"index":0,"delta":{"content":"a"}}]})",
                   R"({"error":{"message":"upstream died","type":"server_error","code":502}})"});
  CHECK(msg.find("upstream died") != std::string::npos);
  REQUIRE(d.error());
  CHECK(d.error()->type == "server_error");
  CHECK(d.error()->code == 502);
  openai::stream_decoder g;
  CHECK_FALSE(feed_all(g, {R"({"choices":[{"ind)"}).empty());
  CHECK_FALSE(g.error());
}

TEST_CASE("openai stream: reasoning deltas become the answer when no content streams") {
  openai::stream_decoder d;
  REQUIRE(
      feed_all(
          d,
          {R"({"choices":[{"index":0,"delta":{"reasoning_content":"so "}}]})",
           R"({"choices":[{"index":0,"delta":{"reasoning_content":"42"},"finish_reason":"stop"}]})"}) ==
      "");
  response r = d.take();
  CHECK(r.content == "so 42");
  CHECK(r.reasoning == "so 42");
}
