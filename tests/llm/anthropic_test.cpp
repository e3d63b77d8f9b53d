// Tests for the Anthropic Messages codec: body building (system, content blocks, merged
// tool results, thinking rules, escaping), response parsing (blocks, usage with cache
// tokens outside input_tokens), and stream decoding (every event type, errors, cuts).
#include "llm/anthropic.h"

#include <catch2/catch.hpp>

#include "tests/llm/json_probe.h"

using namespace frugal::llm;
using frugal::test::json_probe;

namespace {

request tool_turn() {
  request r;
  r.model = "claude-test";
  r.messages.push_back({role::system, "Be brief."});
  r.messages.push_back({role::system, "Use tools."});
  r.messages.push_back({role::user, "Time and weather?"});
  message a{role::assistant, "Checking."};
  a.tool_calls.push_back({"toolu_1", "clock", R"({"tz":"UTC"})"});
  a.tool_calls.push_back({"toolu_2", "weather", R"({"city": "Par)"});  // broken JSON
  r.messages.push_back(a);
  message t1{role::tool, "12:00"};
  t1.tool_call_id = "toolu_1";
  message t2{role::tool, "no network"};
  t2.tool_call_id = "toolu_2";
  t2.is_error = true;
  r.messages.push_back(t1);
  r.messages.push_back(t2);
  r.tools.push_back({"clock", "Current time", R"({"type":"object","properties":{}})"});
  r.max_tokens = 2000;
  return r;
}

std::string feed_all(anthropic::stream_decoder& d,
                     const std::vector<std::pair<std::string, std::string>>& events) {
  for (const auto& [type, data] : events) {
    sse::event ev;
    ev.type = type;
    ev.data = data;
    auto s = d.feed(ev);
    if (!s) return s.message();
  }
  return "";
}

}  // namespace

TEST_CASE("anthropic body: system on top, tool_use blocks, merged tool_result turn") {
  json_probe j(anthropic::build_body(tool_turn()));
  REQUIRE(j.ok());
  CHECK(j.str("/model") == "claude-test");
  CHECK(j.integer("/max_tokens") == 2000);
  CHECK(j.str("/system") == "Be brief.\n\nUse tools.");
  REQUIRE(j.size("/messages") == 3);
  CHECK(j.str("/messages/0/role") == "user");
  CHECK(j.str("/messages/0/content/0/type") == "text");
  CHECK(j.str("/messages/0/content/0/text") == "Time and weather?");
  CHECK(j.str("/messages/1/role") == "assistant");
  CHECK(j.str("/messages/1/content/0/text") == "Checking.");
  CHECK(j.str("/messages/1/content/1/type") == "tool_use");
  CHECK(j.str("/messages/1/content/1/id") == "toolu_1");
  CHECK(j.str("/messages/1/content/1/name") == "clock");
  CHECK(j.str("/messages/1/content/1/input/tz") == "UTC");
  CHECK(j.size("/messages/1/content/2/input") == 0);  // invalid arguments → {}
  CHECK(j.has("/messages/1/content/2/input"));
  CHECK(j.str("/messages/2/role") == "user");
  REQUIRE(j.size("/messages/2/content") == 2);
  CHECK(j.str("/messages/2/content/0/type") == "tool_result");
  CHECK(j.str("/messages/2/content/0/tool_use_id") == "toolu_1");
  CHECK(j.str("/messages/2/content/0/content") == "12:00");
  CHECK_FALSE(j.boolean("/messages/2/content/0/is_error"));
  CHECK(j.str("/messages/2/content/1/tool_use_id") == "toolu_2");
  CHECK(j.boolean("/messages/2/content/1/is_error"));
  CHECK(j.str("/tools/0/name") == "clock");
  CHECK(j.str("/tools/0/description") == "Current time");
  CHECK(j.str("/tools/0/input_schema/type") == "object");
  CHECK_FALSE(j.has("/thinking"));
  CHECK_FALSE(j.has("/stream"));
  CHECK_FALSE(j.has("/temperature"));
}

TEST_CASE("anthropic body: a user message after tool results joins their turn") {
  request r = tool_turn();
  r.messages.push_back({role::user, "thanks"});
  r.messages.push_back({role::assistant, ""});  // empty turn gets a placeholder block
  json_probe j(anthropic::build_body(r));
  REQUIRE(j.size("/messages") == 4);
  CHECK(j.str("/messages/2/content/2/type") == "text");
  CHECK(j.str("/messages/2/content/2/text") == "thanks");
  CHECK(j.str("/messages/3/content/0/text") == "(empty)");
}

TEST_CASE("anthropic body: temperature, stream and the thinking rules") {
  request r;
  r.model = "m";
  r.messages.push_back({role::user, "hi"});
  r.max_tokens = 4000;
  r.temperature = 0.5;
  r.stream = true;
  json_probe plain(anthropic::build_body(r));
  CHECK(plain.number("/temperature") == 0.5);
  CHECK(plain.boolean("/stream"));
  CHECK_FALSE(plain.has("/system"));

  r.thinking_budget_tokens = 2048;
  json_probe thinking(anthropic::build_body(r));
  CHECK(thinking.str("/thinking/type") == "enabled");
  CHECK(thinking.integer("/thinking/budget_tokens") == 2048);
  CHECK_FALSE(thinking.has("/temperature"));  // the API requires the default with thinking

  r.thinking_budget_tokens = 10000;  // lowered below max_tokens
  CHECK(json_probe(anthropic::build_body(r)).integer("/thinking/budget_tokens") == 3999);
  r.max_tokens = 1000;  // no room for the 1024 minimum → off
  CHECK_FALSE(json_probe(anthropic::build_body(r)).has("/thinking"));

  request t = tool_turn();  // mid tool loop: earlier thinking blocks are not replayable
  t.thinking_budget_tokens = 1500;
  CHECK_FALSE(json_probe(anthropic::build_body(t)).has("/thinking"));
  t.messages.push_back({role::assistant, "done"});
  t.messages.push_back({role::user, "next question"});
  CHECK(json_probe(anthropic::build_body(t)).integer("/thinking/budget_tokens") == 1500);
}

TEST_CASE("anthropic body: escaping of control characters and invalid UTF-8") {
  request r;
  r.model = "m";
  r.messages.push_back({role::user, std::string("q\"\t\x02\xfe", 5)});
  std::string body = anthropic::build_body(r);
  CHECK(body.find(R"("q\"\t\u0002\ufffd")") != std::string::npos);
  CHECK(json_probe(body).ok());
}

TEST_CASE("anthropic parse: text, thinking, tool_use and usage outside input_tokens") {
  auto r = anthropic::parse_response(R"({"id":"msg_1","type":"message","role":"assistant",
    "content":[{"type":"thinking","thinking":"hmm","signature":"sig"},
      {"type":"text","text":"Let me look."},
      {"type":"tool_use","id":"toolu_9","name":"clock","input":{"tz":"UTC","n":[1,2]}},
      {"type":"text","text":"One moment."}],
    "stop_reason":"tool_use",
    "usage":{"input_tokens":10,"cache_creation_input_tokens":200,"cache_read_input_tokens":1000,
      "output_tokens":55}})");
  REQUIRE(r.ok());
  CHECK(r->content == "Let me look.\nOne moment.");
  CHECK(r->reasoning == "hmm");
  REQUIRE(r->tool_calls.size() == 1);
  CHECK(r->tool_calls[0].id == "toolu_9");
  CHECK(r->tool_calls[0].name == "clock");
  CHECK(r->tool_calls[0].arguments_json == R"({"tz":"UTC","n":[1,2]})");
  CHECK(r->stop_reason == "tool_use");
  CHECK(r->usage.present);
  CHECK(r->usage.input_tokens == 1210);
  CHECK(r->usage.cached_input_tokens == 1000);
  CHECK(r->usage.cache_write_tokens == 200);
  CHECK(r->usage.output_tokens == 55);
}

TEST_CASE("anthropic parse: thinking is the answer only when there is no text") {
  auto r = anthropic::parse_response(
      R"({"content":[{"type":"thinking","thinking":"42"}],"stop_reason":"max_tokens"})");
  REQUIRE(r.ok());
  CHECK(r->content == "42");
  CHECK(r->reasoning == "42");
}

TEST_CASE("anthropic parse: truncated, garbage and error bodies are errors") {
  std::string good = R"({"content":[{"type":"text","text":"hi"}],"usage":{"input_tokens":1}})";
  for (size_t n = 0; n < good.size(); ++n)
    CHECK_FALSE(anthropic::parse_response(good.substr(0, n)).ok());
  CHECK_FALSE(anthropic::parse_response(std::string("\x00\x01garbage", 9)).ok());
  CHECK_FALSE(anthropic::parse_response(R"({"content":"text"})").ok());
  auto e = anthropic::parse_response(
      R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
  REQUIRE_FALSE(e.ok());
  CHECK(e.message().find("Overloaded") != std::string::npos);
}

TEST_CASE("anthropic stream: text, thinking, tool input split across deltas, usage") {
  anthropic::stream_decoder d;
  REQUIRE(
      feed_all(
          d,
          {{"message_start",
            R"({"type":"message_start","message":{"id":"m","usage":{"input_tokens":20,"cache_read_input_tokens":100,"cache_creation_input_tokens":5,"output_tokens":1}}})"},
           {"ping", R"({"type":"ping"})"},
           {"content_block_start",
            R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}})"},
           {"content_block_delta",
            R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"plan"}})"},
           {"content_block_delta",
            R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"xx"}})"},
           {"content_block_stop", R"({"type":"content_block_stop","index":0})"},
           {"content_block_start",
            R"({"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}})"},
           {"content_block_delta",
            R"({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hel"}})"},
           {"content_block_delta",
            R"({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"lo"}})"},
           {"content_block_stop", R"({"type":"content_block_stop","index":1})"},
           {"content_block_start",
            R"({"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_1","name":"clock","input":{}}})"},
           {"content_block_delta",
            R"({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":""}})"},
           {"content_block_delta",
            R"({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"tz\": \"U"}})"},
           {"content_block_delta",
            R"({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"TC\"}"}})"},
           {"content_block_stop", R"({"type":"content_block_stop","index":2})"},
           {"content_block_start",
            R"({"type":"content_block_start","index":3,"content_block":{"type":"tool_use","id":"toolu_2","name":"noargs","input":{}}})"},
           {"content_block_stop", R"({"type":"content_block_stop","index":3})"},
           {"message_delta",
            R"({"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":42}})"},
           {"message_stop", R"({"type":"message_stop"})"}}) == "");
  CHECK(d.complete());
  response r = d.take();
  CHECK(r.content == "Hello");
  CHECK(r.reasoning == "plan");
  REQUIRE(r.tool_calls.size() == 2);
  CHECK(r.tool_calls[0].id == "toolu_1");
  CHECK(r.tool_calls[0].name == "clock");
  CHECK(r.tool_calls[0].arguments_json == R"({"tz": "UTC"})");
  CHECK(r.tool_calls[1].arguments_json == "{}");
  CHECK(r.stop_reason == "tool_use");
  CHECK(r.usage.input_tokens == 125);
  CHECK(r.usage.cached_input_tokens == 100);
  CHECK(r.usage.cache_write_tokens == 5);
  CHECK(r.usage.output_tokens == 42);
}

TEST_CASE("anthropic stream: a cut stream keeps message_start usage and is incomplete") {
  anthropic::stream_decoder d;
  REQUIRE(
      feed_all(
          d,
          {{"message_start",
            R"({"type":"message_start","message":{"usage":{"input_tokens":33,"output_tokens":1}}})"},
           {"content_block_start",
            R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"},
           {"content_block_delta",
            R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"partial"}})"}}) ==
      "");
  CHECK_FALSE(d.complete());
  CHECK(d.produced_output());
  CHECK(d.partial().usage.present);
  CHECK(d.partial().usage.input_tokens == 33);
  CHECK(d.partial().content == "partial");
}

TEST_CASE("anthropic stream: error events, malformed data, deltas for unknown blocks") {
  anthropic::stream_decoder d;
  std::string msg = feed_all(
      d, {{"error",
           R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"}});
  CHECK(msg.find("Overloaded") != std::string::npos);
  REQUIRE(d.error());
  CHECK(d.error()->type == "overloaded_error");
  CHECK_FALSE(d.produced_output());

  anthropic::stream_decoder m;
  CHECK_FALSE(feed_all(m, {{"message_start", "{\"type\":\"message_st"}}).empty());
  anthropic::stream_decoder u;
  CHECK_FALSE(
      feed_all(
          u,
          {{"content_block_delta",
            R"({"type":"content_block_delta","index":5,"delta":{"type":"text_delta","text":"x"}})"}})
          .empty());
}

namespace {

size_t count(const std::string& s, std::string_view what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

request cached_request(size_t system_bytes, int history_pairs) {
  request r;
  r.model = "claude-sonnet-4-5";
  r.max_tokens = 100;
  message sys;
  sys.role = role::system;
  sys.content = std::string(system_bytes, 's');
  r.messages.push_back(sys);
  for (int i = 0; i < history_pairs; ++i) {
    message u, a;
    u.role = role::user;
    u.content = "question " + std::string(900, 'q');
    a.role = role::assistant;
    a.content = "answer " + std::string(900, 'a');
    r.messages.push_back(u);
    r.messages.push_back(a);
  }
  message now;
  now.role = role::user;
  now.content = "the new question";
  r.messages.push_back(now);
  r.cache_stable_prefix = r.messages.size() - 1;
  return r;
}

}  // namespace

TEST_CASE("cache_control: system and the stable history, never below the minimum") {
  const std::string marker = R"("cache_control":{"type":"ephemeral"})";
  // Short everything: no breakpoint (it could not be cached and would waste a slot).
  CHECK(count(anthropic::build_body(cached_request(100, 0)), marker) == 0);
  // A long system prompt: one breakpoint on it (the system becomes a block list).
  std::string body = anthropic::build_body(cached_request(5000, 0));
  CHECK(count(body, marker) == 1);
  CHECK(body.find(R"("system":[{"type":"text")") != std::string::npos);
  // Plus history past the minimum: a second one on the last history block, not on the
  // new question (which changes every turn).
  body = anthropic::build_body(cached_request(5000, 4));
  CHECK(count(body, marker) == 2);
  CHECK(body.find("the new question\"," + marker) == std::string::npos);
  CHECK(body.find(std::string(900, 'a') + "\"," + marker) != std::string::npos);
  // A tool loop marks the tail too; at most 3 of the API's 4 in any case.
  request loop = cached_request(5000, 4);
  loop.cache_tail = true;
  CHECK(count(anthropic::build_body(loop), marker) == 3);
  // Haiku 4.5 needs 4096 tokens: the same 5 KB system prompt is not marked.
  request haiku = cached_request(5000, 0);
  haiku.model = "claude-haiku-4-5";
  CHECK(count(anthropic::build_body(haiku), marker) == 0);
  CHECK(anthropic::min_cacheable_tokens("claude-haiku-4-5-20251001") == 4096);
  CHECK(anthropic::min_cacheable_tokens("claude-sonnet-4-6") == 1024);
}
