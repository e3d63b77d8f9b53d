// Tests for one model call without a network: the http::request it builds (URL, auth
// headers, timeouts) and how each http::response — statuses, failures, streamed bodies cut
// or erroring — maps to an llm::outcome, including what usage is kept.
#include "llm/call.h"

#include <catch2/catch.hpp>

using namespace frugal;
using namespace frugal::llm;

namespace {

provider_config openai_cfg() {
  provider_config c;
  c.name = "oai";
  c.kind = api_kind::openai;
  c.base_url = "http://127.0.0.1:9/v1/";
  c.api_key = "sk-secret-key-123";
  return c;
}

provider_config anthropic_cfg() {
  provider_config c;
  c.name = "ant";
  c.kind = api_kind::anthropic;
  c.base_url = "https://api.anthropic.com";
  c.api_key = "sk-ant-secret-456";
  return c;
}

request simple(bool stream, bool with_tools = false) {
  request r;
  r.model = "m";
  r.messages.push_back({role::user, "hi"});
  r.stream = stream;
  if (with_tools) r.tools.push_back({"clock", "time", R"({"type":"object"})"});
  return r;
}

http::response ok_body(std::string body) {
  http::response r;
  r.status = 200;
  r.request_sent = true;
  r.body = std::move(body);
  return r;
}

bool has_header(const http::request& hr, const std::string& h) {
  for (const auto& x : hr.headers)
    if (x == h) return true;
  return false;
}

// Streams `body` into the call split into 7-byte chunks, then finishes it.
outcome stream_through(call& c, const std::string& body, http::response r) {
  for (size_t i = 0; i < body.size(); i += 7) c.on_data(std::string_view(body).substr(i, 7));
  r.body = body;
  return c.finish(r);
}

const std::string openai_stream =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n"
    ": keep-alive\n\n"
    "data: "
    "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}\n\n"
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":2}}\n\n"
    "data: [DONE]\n\n";

const std::string anthropic_start =
    "event: message_start\r\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":"
    "{\"input_tokens\":40,\"cache_read_input_tokens\":2,\"output_tokens\":1}}}\r\n\r\n"
    "event: content_block_start\r\ndata: {\"type\":\"content_block_start\",\"index\":0,"
    "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\r\n\r\n";
const std::string anthropic_delta =
    "event: content_block_delta\r\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
    "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi!\"}}\r\n\r\n";
const std::string anthropic_end =
    "event: content_block_stop\r\ndata: {\"type\":\"content_block_stop\",\"index\":0}\r\n\r\n"
    "event: message_delta\r\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
    "\"end_turn\"},\"usage\":{\"output_tokens\":3}}\r\n\r\n"
    "event: message_stop\r\ndata: {\"type\":\"message_stop\"}\r\n\r\n";

}  // namespace

TEST_CASE("call: the http request for OpenAI and Anthropic") {
  call o(openai_cfg(), simple(true));
  http::request a = o.http_request();
  CHECK(a.method == "POST");
  CHECK(a.url == "http://127.0.0.1:9/v1/chat/completions");
  CHECK(has_header(a, "Authorization: Bearer sk-secret-key-123"));
  CHECK(has_header(a, "Content-Type: application/json"));
  CHECK(has_header(a, "Accept: text/event-stream"));
  CHECK(a.body.find("\"stream\":true") != std::string::npos);
  CHECK(a.first_byte_timeout_ms == 60'000);

  provider_config keyless = openai_cfg();
  keyless.api_key.clear();
  keyless.local = true;
  keyless.extra_headers = {"X-Title: frugal"};
  http::request k = call(keyless, simple(false)).http_request();
  for (const auto& h : k.headers) CHECK(h.find("Authorization") == std::string::npos);
  CHECK(has_header(k, "X-Title: frugal"));
  CHECK(k.first_byte_timeout_ms == 300'000);  // local default
  keyless.first_byte_timeout_ms = 5'000;
  CHECK(call(keyless, simple(false)).http_request().first_byte_timeout_ms == 5'000);

  provider_config unset = openai_cfg();
  unset.first_byte_timeout_ms = 0;
  CHECK(first_byte_timeout_ms(unset) == 60'000);
  unset.local = true;
  CHECK(first_byte_timeout_ms(unset) == 300'000);

  http::request n = call(anthropic_cfg(), simple(false)).http_request();
  CHECK(n.url == "https://api.anthropic.com/v1/messages");
  CHECK(has_header(n, "x-api-key: sk-ant-secret-456"));
  CHECK(has_header(n, "anthropic-version: 2023-06-01"));
  provider_config v1 = anthropic_cfg();
  v1.base_url = "http://127.0.0.1:5/v1";
  CHECK(endpoint_url(v1) == "http://127.0.0.1:5/v1/messages");
}

TEST_CASE("call: the key probe uses the call's URL rules and headers") {
  provider_config v1 = anthropic_cfg();
  v1.base_url = "http://127.0.0.1:5/v1/";
  http::request a = key_probe_request(v1, "claude-x");
  CHECK(a.method == "POST");
  CHECK(a.url == "http://127.0.0.1:5/v1/messages");  // not .../v1/v1/messages
  CHECK(has_header(a, "x-api-key: sk-ant-secret-456"));
  CHECK(has_header(a, "anthropic-version: 2023-06-01"));
  CHECK(a.body == R"({"model":"claude-x","max_tokens":1,"messages":[]})");

  http::request o = key_probe_request(openai_cfg(), "m\"x");
  CHECK(o.url == "http://127.0.0.1:9/v1/chat/completions");
  CHECK(has_header(o, "Authorization: Bearer sk-secret-key-123"));
  CHECK(o.body == R"({"model":"mx","max_tokens":1,"messages":[]})");

  provider_config local = openai_cfg();
  local.local = true;
  local.api_key.clear();
  http::request l = key_probe_request(local, "tiny");
  CHECK(l.method == "GET");
  CHECK(l.url == "http://127.0.0.1:9/v1/models");
}

TEST_CASE("call: a rejected key names the provider and its variable") {
  provider_config c = openai_cfg();
  c.name = "openrouter";
  c.api_key_env = "OPENROUTER_API_KEY";
  CHECK(rejected_key_message(c, 401) ==
        "provider openrouter rejected its API key (HTTP 401): check $OPENROUTER_API_KEY "
        "(api_key_env of [providers.openrouter])");
  c.api_key_env.clear();
  CHECK(rejected_key_message(c, 403).find("set api_key_env in [providers.openrouter]") !=
        std::string::npos);
}

TEST_CASE("call: a non-streamed 200 becomes a response with usage") {
  call c(openai_cfg(), simple(false));
  outcome o = c.finish(ok_body(
      R"({"choices":[{"message":{"content":"Hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1}})"));
  REQUIRE(o.fail == failure::none);
  CHECK(o.http_status == 200);
  CHECK(o.response.content == "Hello");
  CHECK(o.response.usage.input_tokens == 5);
}

TEST_CASE("call: HTTP statuses map to rate_limited, overloaded and http_error") {
  auto status_outcome = [](long status, std::string body, int64_t retry = -1) {
    call c(openai_cfg(), simple(false));
    http::response r;
    r.status = status;
    r.request_sent = true;
    r.body = std::move(body);
    r.retry_after_ms = retry;
    return c.finish(r);
  };
  outcome rl = status_outcome(429, R"({"error":{"message":"slow down"}})", 2000);
  CHECK(rl.fail == failure::rate_limited);
  CHECK(rl.retry_after_ms == 2000);
  CHECK(rl.http_status == 429);
  CHECK(rl.error.find("slow down") != std::string::npos);
  CHECK(rl.definitely_free());
  CHECK(status_outcome(500, "oops").fail == failure::overloaded);
  CHECK(status_outcome(503, "").fail == failure::overloaded);
  CHECK(status_outcome(
            529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})")
            .fail == failure::overloaded);
  outcome bad = status_outcome(
      401, R"({"error":{"message":"Incorrect API key provided: sk-secret-key-123. )" +
               std::string(300, 'x') + "\"}}");
  CHECK(bad.fail == failure::unauthorized);
  CHECK(bad.definitely_free());
  CHECK(status_outcome(403, "{}").fail == failure::unauthorized);
  CHECK(bad.error.find("sk-secret-key-123") == std::string::npos);
  CHECK(bad.error.find("Incorrect API key") != std::string::npos);
  CHECK(bad.error.size() < 240);
  CHECK(status_outcome(404, "<html>").fail == failure::http_error);
}

TEST_CASE("call: transport failures map by whether the request was sent") {
  auto fail_outcome = [](http::failure f, bool sent) {
    call c(openai_cfg(), simple(false));
    http::response r;
    r.fail = f;
    r.request_sent = sent;
    r.error = "curl said no";
    return c.finish(r);
  };
  CHECK(fail_outcome(http::failure::connect, false).fail == failure::not_sent);
  CHECK(fail_outcome(http::failure::timeout, true).fail == failure::timeout);
  CHECK(fail_outcome(http::failure::timeout, false).fail == failure::not_sent);
  CHECK(fail_outcome(http::failure::dropped, true).fail == failure::dropped);
  CHECK(fail_outcome(http::failure::too_large, true).fail == failure::bad_response);
  CHECK(fail_outcome(http::failure::cancelled, true).fail == failure::cancelled);
  CHECK(fail_outcome(http::failure::other, true).fail == failure::dropped);
  CHECK(fail_outcome(http::failure::other, false).fail == failure::not_sent);
  CHECK_FALSE(fail_outcome(http::failure::timeout, true).definitely_free());
}

TEST_CASE("call: malformed or truncated 2xx bodies are bad_response") {
  call c(anthropic_cfg(), simple(false));
  CHECK(c.finish(ok_body(R"({"content":[{"type":"text","te)")).fail == failure::bad_response);
  call d(openai_cfg(), simple(false));
  CHECK(d.finish(ok_body("")).fail == failure::bad_response);
  call e(openai_cfg(), simple(false));  // a 200 that is only an error body
  outcome oe = e.finish(ok_body(R"({"error":{"message":"provider down","code":502}})"));
  CHECK(oe.fail == failure::overloaded);
}

TEST_CASE("call: OpenAI stream, whole and split into chunks") {
  call c(openai_cfg(), simple(true));
  outcome o = stream_through(c, openai_stream, ok_body(""));
  REQUIRE(o.fail == failure::none);
  CHECK(o.response.content == "Hello");
  CHECK(o.response.usage.input_tokens == 7);
}

TEST_CASE("call: Anthropic stream; cut mid-way keeps message_start usage") {
  call whole(anthropic_cfg(), simple(true));
  outcome o = stream_through(whole, anthropic_start + anthropic_delta + anthropic_end, ok_body(""));
  REQUIRE(o.fail == failure::none);
  CHECK(o.response.content == "Hi!");
  CHECK(o.response.usage.input_tokens == 42);
  CHECK(o.response.usage.output_tokens == 3);

  call cut(anthropic_cfg(), simple(true));
  outcome oc = stream_through(cut, anthropic_start + anthropic_delta, ok_body(""));
  CHECK(oc.fail == failure::dropped);
  CHECK_FALSE(oc.definitely_free());
  CHECK(oc.response.usage.present);
  CHECK(oc.response.usage.input_tokens == 42);

  call dropped(anthropic_cfg(), simple(true));
  http::response r = ok_body("");
  r.fail = http::failure::dropped;
  outcome od = stream_through(dropped, anthropic_start, r);
  CHECK(od.fail == failure::dropped);
  CHECK(od.response.usage.input_tokens == 42);
}

TEST_CASE("call: usage that is missing, partial or below the bytes streamed is in doubt") {
  // Complete streams: only the final counts differ.
  call whole(anthropic_cfg(), simple(true));
  outcome ok =
      stream_through(whole, anthropic_start + anthropic_delta + anthropic_end, ok_body(""));
  REQUIRE(ok.fail == failure::none);
  CHECK(ok.response.usage.doubt.empty());

  // message_delta without usage: only message_start's placeholder output_tokens 1 was seen.
  std::string no_final = anthropic_end;
  no_final.replace(no_final.find(",\"usage\":{\"output_tokens\":3}"),
                   std::string(",\"usage\":{\"output_tokens\":3}").size(), "");
  call missing(anthropic_cfg(), simple(true));
  outcome om = stream_through(missing, anthropic_start + anthropic_delta + no_final, ok_body(""));
  REQUIRE(om.fail == failure::none);
  CHECK(om.response.usage.present);
  CHECK(om.response.usage.input_tokens == 42);
  CHECK(om.response.usage.output_tokens == 1);
  CHECK(om.response.usage.doubt.find("message_delta") != std::string::npos);

  // A final count below what the bytes prove: 1 token for 64 streamed bytes (≥ 4).
  std::string long_delta = anthropic_delta;
  long_delta.replace(long_delta.find("Hi!"), 3, std::string(64, 'x'));
  std::string one = anthropic_end;
  one.replace(one.find("\"output_tokens\":3"), 17, "\"output_tokens\":1");
  call low(anthropic_cfg(), simple(true));
  outcome ol = stream_through(low, anthropic_start + long_delta + one, ok_body(""));
  REQUIRE(ol.fail == failure::none);
  CHECK(ol.response.usage.doubt.find("reported 1 output tokens for 64 bytes") != std::string::npos);
  call enough(anthropic_cfg(), simple(true));
  std::string four = anthropic_end;
  four.replace(four.find("\"output_tokens\":3"), 17, "\"output_tokens\":4");
  CHECK(stream_through(enough, anthropic_start + long_delta + four, ok_body(""))
            .response.usage.doubt.empty());

  // OpenAI: a usage object without completion_tokens (non-streamed) is partial.
  call partial(openai_cfg(), simple(false));
  outcome op = partial.finish(
      ok_body(R"({"choices":[{"index":0,"message":{"content":"ok"},"finish_reason":"stop"}],)"
              R"("usage":{"prompt_tokens":5}})"));
  REQUIRE(op.fail == failure::none);
  CHECK(op.response.usage.doubt.find("completion_tokens") != std::string::npos);
  // Anthropic non-streamed: usage without output_tokens.
  call partial_a(anthropic_cfg(), simple(false));
  outcome opa = partial_a.finish(
      ok_body(R"({"content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn",)"
              R"("usage":{"input_tokens":5}})"));
  REQUIRE(opa.fail == failure::none);
  CHECK(opa.response.usage.doubt.find("output_tokens") != std::string::npos);
}

TEST_CASE("call: error events mid-stream") {
  const std::string overloaded =
      "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
      "\"message\":\"Overloaded\"}}\n\n";
  call before(anthropic_cfg(), simple(true));
  outcome ob = stream_through(before, anthropic_start + overloaded, ok_body(""));
  CHECK(ob.fail == failure::overloaded);
  CHECK(ob.error.find("Overloaded") != std::string::npos);

  call after(anthropic_cfg(), simple(true));  // output already streamed: may be billed
  CHECK(stream_through(after, anthropic_start + anthropic_delta + overloaded, ok_body("")).fail ==
        failure::dropped);

  call invalid(openai_cfg(), simple(true));
  CHECK(stream_through(
            invalid,
            "data: {\"error\":{\"message\":\"bad param\",\"type\":\"invalid_request_error\"}}\n\n",
            ok_body(""))
            .fail == failure::http_error);

  call garbage(openai_cfg(), simple(true));
  CHECK(
      stream_through(garbage, "data: {\"choices\":[{\"del\n\ndata: [DONE]\n\n", ok_body("")).fail ==
      failure::bad_response);
}

TEST_CASE("call: missing [DONE] after a finish_reason is fine; without both it is dropped") {
  call a(openai_cfg(), simple(true));
  std::string no_done = openai_stream.substr(0, openai_stream.find("data: [DONE]"));
  CHECK(stream_through(a, no_done, ok_body("")).fail == failure::none);
  call b(openai_cfg(), simple(true));
  std::string cut = openai_stream.substr(0, openai_stream.find(": keep-alive"));
  outcome ob = stream_through(b, cut, ok_body(""));
  CHECK(ob.fail == failure::dropped);
  CHECK(ob.response.usage.present == false);
}

TEST_CASE("call: a server that ignores stream:true still answers with one JSON body") {
  call c(openai_cfg(), simple(true));
  std::string body = R"({"choices":[{"message":{"content":"plain"},"finish_reason":"stop"}]})";
  outcome o = stream_through(c, body, ok_body(""));
  REQUIRE(o.fail == failure::none);
  CHECK(o.response.content == "plain");
}

TEST_CASE("call: text tool calls are extracted only when tools were offered") {
  std::string body =
      R"({"choices":[{"message":{"content":"<tool_call>{\"name\":\"clock\",\"arguments\":{}}</tool_call>"}}]})";
  call with(openai_cfg(), simple(false, true));
  outcome o = with.finish(ok_body(body));
  REQUIRE(o.response.tool_calls.size() == 1);
  CHECK(o.response.tool_calls[0].id == "text-call-1");
  CHECK(o.response.content.empty());
  call without(openai_cfg(), simple(false, false));
  CHECK(without.finish(ok_body(body)).response.tool_calls.empty());
}

TEST_CASE("call: classify_api_error") {
  CHECK(classify_api_error({"overloaded_error", "x", 0}) == failure::overloaded);
  CHECK(classify_api_error({"server_error", "x", 0}) == failure::overloaded);
  CHECK(classify_api_error({"", "x", 503}) == failure::overloaded);
  CHECK(classify_api_error({"rate_limit_error", "x", 0}) == failure::rate_limited);
  CHECK(classify_api_error({"", "x", 429}) == failure::rate_limited);
  CHECK(classify_api_error({"invalid_request_error", "x", 400}) == failure::http_error);
}

TEST_CASE("call: on_text gets each new piece of a streamed answer, in order, once") {
  std::vector<std::string> pieces;
  request r = simple(true);
  r.on_text = [&](std::string_view p) { pieces.emplace_back(p); };
  call c(openai_cfg(), r);
  for (const char* part : {"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n",
                           "\n: keep-alive\n\n"})
    c.on_data(part);
  CHECK(pieces == std::vector<std::string>{"Hel"});  // shown before the rest arrived
  outcome o = stream_through(c, openai_stream.substr(openai_stream.find(": keep-alive\n\n") + 14),
                             ok_body(""));
  REQUIRE(o.fail == failure::none);
  CHECK(o.response.content == "Hello");
  CHECK(pieces == std::vector<std::string>{"Hel", "lo"});
}
