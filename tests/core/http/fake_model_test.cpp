// tests/fakes/fake_model.py exercised through http::client: both APIs, streaming and not,
// scripting, validation, auth, the request log and the faults other areas' tests rely on.
// SSE streams are reassembled here from on_data chunks the way a client must.
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <optional>

#include "core/http/http_client.h"
#include "tests/core/http/test_support.h"

using namespace frugal;
using frugal::testing::run_until;
using frugal::testing::server_process;
using frugal::testing::test_loop;

namespace {

const std::string fake_script = FRUGAL_SOURCE_DIR "/tests/fakes/fake_model.py";
const std::string key = "test-key-0123456789";

struct sse_event {
  std::string name;
  std::string data;
};

// Splits an SSE body into events: lines end in \n or \r\n; comments and blank events skipped.
std::vector<sse_event> parse_sse(const std::string& body) {
  std::vector<sse_event> out;
  sse_event cur;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t nl = body.find('\n', pos);
    if (nl == std::string::npos) nl = body.size();
    std::string line = body.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      if (!cur.data.empty() || !cur.name.empty()) out.push_back(cur);
      cur = {};
    } else if (line.starts_with("event: ")) {
      cur.name = line.substr(7);
    } else if (line.starts_with("data: ")) {
      cur.data += line.substr(6);
    }
  }
  return out;
}

struct fixture {
  server_process srv;
  test_loop loop;
  http::client c{loop.get()};
  simdjson::dom::parser parser;

  explicit fixture(std::vector<std::string> args = {"--api-key", key, "--crlf"})
      : srv(fake_script, std::move(args)) {}

  http::response send(const std::string& path, const std::string& body,
                      std::vector<std::string> headers, long first_byte_ms = 5000,
                      std::vector<std::string>* chunks = nullptr) {
    http::request r;
    r.method = path.starts_with("/_") && body.empty() ? "GET" : "POST";
    r.url = srv.url(path);
    r.body = body;
    r.headers = std::move(headers);
    r.headers.push_back("Content-Type: application/json");
    r.first_byte_timeout_ms = first_byte_ms;
    if (chunks) r.on_data = [chunks](std::string_view s) { chunks->emplace_back(s); };
    std::optional<http::response> out;
    c.start(std::move(r), [&](http::response x) { out = std::move(x); });
    REQUIRE(run_until(
        loop.get(), [&] { return out.has_value(); }, 8000));
    return std::move(*out);
  }
  http::response openai(const std::string& body, std::vector<std::string>* chunks = nullptr) {
    return send("/v1/chat/completions", body, {"Authorization: Bearer " + key}, 5000, chunks);
  }
  http::response anthropic(const std::string& body, std::vector<std::string>* chunks = nullptr) {
    return send("/v1/messages", body, {"x-api-key: " + key, "anthropic-version: 2023-06-01"}, 5000,
                chunks);
  }
  void script(const std::string& steps) {
    auto r = send("/_script", steps, {});
    REQUIRE(r.status == 200);
  }
  simdjson::dom::element json(const std::string& text) {
    simdjson::dom::element doc;
    REQUIRE(parser.parse(text).get(doc) == simdjson::SUCCESS);
    return doc;
  }
};

std::string str(simdjson::dom::element e, std::string_view ptr) {
  std::string_view v;
  if (e.at_pointer(ptr).get(v) != simdjson::SUCCESS) return "<missing " + std::string(ptr) + ">";
  return std::string(v);
}
int64_t num(simdjson::dom::element e, std::string_view ptr) {
  int64_t v = -1;
  if (e.at_pointer(ptr).get(v) != simdjson::SUCCESS) return -1;
  return v;
}

const std::string openai_hi = R"({"model":"m","messages":[{"role":"user","content":"hi there"}]})";
const std::string anthropic_hi =
    R"({"model":"m","max_tokens":50,"messages":[{"role":"user","content":"hi there"}]})";

}  // namespace

TEST_CASE("fake_model: OpenAI echo, auth, validation and the request log") {
  fixture f;
  auto r = f.openai(openai_hi);
  REQUIRE(r.status == 200);
  auto doc = f.json(r.body);
  CHECK(str(doc, "/object") == "chat.completion");
  CHECK(str(doc, "/choices/0/message/content") == "echo: hi there");
  CHECK(str(doc, "/choices/0/finish_reason") == "stop");
  CHECK(num(doc, "/usage/prompt_tokens") == static_cast<int64_t>(openai_hi.size() / 4));
  CHECK(num(doc, "/usage/prompt_tokens_details/cached_tokens") == 0);

  r = f.send("/v1/chat/completions", openai_hi, {"Authorization: Bearer wrong"});
  CHECK(r.status == 401);
  CHECK(str(f.json(r.body), "/error/code") == "invalid_api_key");
  r = f.openai(R"({"model":"m"})");
  CHECK(r.status == 400);
  CHECK(str(f.json(r.body), "/error/type") == "invalid_request_error");
  // A tool message must answer a preceding tool call, as the real API insists.
  r = f.openai(R"({"model":"m","messages":[{"role":"tool","tool_call_id":"x","content":"1"}]})");
  CHECK(r.status == 400);

  auto log = f.send("/_requests", "", {});
  auto entries = f.json(log.body);
  simdjson::dom::array arr;
  REQUIRE(entries.get(arr) == simdjson::SUCCESS);
  CHECK(arr.size() == 4);
  CHECK(str(entries, "/0/headers/authorization") == "present");
  CHECK(str(entries, "/0/body/messages/0/content") == "hi there");
  CHECK(log.body.find(key) == std::string::npos);
  CHECK(f.send("/_reset", "{}", {}).status == 200);
  CHECK(f.send("/_requests", "", {}).body == "[]");
  CHECK(f.send("/_health", "", {}).status == 200);
}

TEST_CASE("fake_model: OpenAI stream with tool call, reasoning and usage, split awkwardly") {
  fixture f;
  f.script(R"([{"content":"héllo wörld","reasoning":"hmm","tool_calls":[{"name":"get",)"
           R"("arguments":{"q":"x"}}],"usage":{"input":10,"output":5,"cached":3,"cost":0.25}}])");
  std::vector<std::string> chunks;
  auto r = f.openai(R"({"model":"m","stream":true,"stream_options":{"include_usage":true},)"
                    R"("messages":[{"role":"user","content":"go"}]})",
                    &chunks);
  REQUIRE(r.status == 200);
  CHECK(r.headers["content-type"] == "text/event-stream");
  auto events = parse_sse(r.body);
  REQUIRE(events.size() > 5);
  CHECK(chunks.size() > events.size());  // events arrived in pieces
  CHECK(r.body.find("\r\n") != std::string::npos);
  CHECK(events.back().data == "[DONE]");
  std::string content, reasoning, args, finish;
  simdjson::dom::element usage;
  bool has_usage = false;
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    auto doc = f.json(events[i].data);
    CHECK(str(doc, "/object") == "chat.completion.chunk");
    simdjson::dom::array choices;
    REQUIRE(doc["choices"].get(choices) == simdjson::SUCCESS);
    if (choices.size() == 0) {
      has_usage = doc["usage"].get(usage) == simdjson::SUCCESS;
      continue;
    }
    std::string_view s;
    if (doc.at_pointer("/choices/0/delta/content").get(s) == simdjson::SUCCESS) content += s;
    if (doc.at_pointer("/choices/0/delta/reasoning").get(s) == simdjson::SUCCESS) reasoning += s;
    if (doc.at_pointer("/choices/0/delta/tool_calls/0/function/arguments").get(s) ==
        simdjson::SUCCESS)
      args += s;
    if (doc.at_pointer("/choices/0/finish_reason").get(s) == simdjson::SUCCESS) finish = s;
  }
  CHECK(content == "héllo wörld");
  CHECK(reasoning == "hmm");
  CHECK(args == R"({"q":"x"})");
  CHECK(finish == "tool_calls");
  REQUIRE(has_usage);
  CHECK(num(usage, "/prompt_tokens") == 10);
  CHECK(num(usage, "/completion_tokens") == 5);
  CHECK(num(usage, "/prompt_tokens_details/cached_tokens") == 3);
  double cost = 0;
  CHECK(usage["cost"].get(cost) == simdjson::SUCCESS);
  CHECK(cost == Approx(0.25));
}

TEST_CASE("fake_model: Anthropic message, stream, validation and usage modes") {
  fixture f;
  f.script(R"([{"content":"done","reasoning":"think","tool_calls":[{"name":"read","arguments":)"
           R"({"path":"a.txt"}}],"usage":{"input":7,"output":3,"cached":100,"cache_write":20}},)"
           R"({"usage_mode":"max"}, {"no_usage":true}])");
  auto r = f.anthropic(anthropic_hi);
  REQUIRE(r.status == 200);
  auto doc = f.json(r.body);
  CHECK(str(doc, "/type") == "message");
  CHECK(str(doc, "/content/0/type") == "thinking");
  CHECK(str(doc, "/content/1/text") == "done");
  CHECK(str(doc, "/content/2/type") == "tool_use");
  CHECK(str(doc, "/content/2/input/path") == "a.txt");
  CHECK(str(doc, "/stop_reason") == "tool_use");
  CHECK(num(doc, "/usage/input_tokens") == 7);
  CHECK(num(doc, "/usage/cache_read_input_tokens") == 100);
  CHECK(num(doc, "/usage/cache_creation_input_tokens") == 20);

  r = f.anthropic(anthropic_hi);  // usage_mode max: body bytes and max_tokens
  doc = f.json(r.body);
  CHECK(num(doc, "/usage/input_tokens") == static_cast<int64_t>(anthropic_hi.size()));
  CHECK(num(doc, "/usage/output_tokens") == 50);
  r = f.anthropic(anthropic_hi);  // no_usage
  CHECK(f.json(r.body)["usage"].error() == simdjson::NO_SUCH_FIELD);

  r = f.send("/v1/messages", anthropic_hi, {"x-api-key: " + key});
  CHECK(r.status == 400);
  CHECK(str(f.json(r.body), "/error/type") == "invalid_request_error");
  r = f.send("/v1/messages", anthropic_hi, {"anthropic-version: 2023-06-01"});
  CHECK(r.status == 401);
  CHECK(str(f.json(r.body), "/error/type") == "authentication_error");

  f.script(R"([{"content":"streamed","tool_calls":[{"name":"t","arguments":{"k":[1,2]}}]}])");
  std::vector<std::string> chunks;
  r = f.anthropic(R"({"model":"m","max_tokens":50,"stream":true,)"
                  R"("messages":[{"role":"user","content":"s"}]})",
                  &chunks);
  auto events = parse_sse(r.body);
  REQUIRE(events.size() > 6);
  CHECK(events.front().name == "message_start");
  CHECK(events[1].name == "ping");
  CHECK(events.back().name == "message_stop");
  std::string text, json_args, stop;
  for (auto& e : events) {
    auto d = f.json(e.data);
    CHECK(str(d, "/type") == e.name);
    if (e.name == "content_block_delta") {
      if (str(d, "/delta/type") == "text_delta") text += str(d, "/delta/text");
      if (str(d, "/delta/type") == "input_json_delta") json_args += str(d, "/delta/partial_json");
    }
    if (e.name == "message_delta") stop = str(d, "/delta/stop_reason");
  }
  CHECK(text == "streamed");
  CHECK(json_args == R"({"k":[1,2]})");
  CHECK(stop == "tool_use");
}

TEST_CASE("fake_model: faults") {
  fixture f;
  f.script(R"([{"fault":"429","retry_after":2},{"fault":"529"},{"fault":"truncated"},)"
           R"({"fault":"garbage"},{"fault":"slow_first_byte","delay_ms":250},{"fault":"hang"}])");
  auto r = f.openai(openai_hi);
  CHECK(r.status == 429);
  CHECK(r.retry_after_ms == 2000);
  CHECK(str(f.json(r.body), "/error/code") == "rate_limit_exceeded");
  r = f.anthropic(anthropic_hi);
  CHECK(r.status == 529);
  CHECK(str(f.json(r.body), "/error/type") == "overloaded_error");
  r = f.openai(openai_hi);
  CHECK(r.fail == http::failure::dropped);
  r = f.openai(openai_hi);
  CHECK(r.status == 200);
  simdjson::dom::element doc;
  CHECK(f.parser.parse(r.body).get(doc) != simdjson::SUCCESS);
  auto t0 = std::chrono::steady_clock::now();
  r = f.openai(openai_hi);
  CHECK(r.status == 200);
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(240));
  r = f.send("/v1/chat/completions", openai_hi, {"Authorization: Bearer " + key}, 300);
  CHECK(r.fail == http::failure::timeout);
  CHECK(r.request_sent);

  const std::string stream_req =
      R"({"model":"m","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"x"}]})";
  f.script(R"([{"fault":"drop_mid_stream"},{"fault":"error_event"},{"fault":"error_event"}])");
  r = f.anthropic(stream_req);
  CHECK(r.fail == http::failure::dropped);
  CHECK(parse_sse(r.body).front().name == "message_start");
  r = f.anthropic(stream_req);
  CHECK(r.fail == http::failure::none);
  CHECK(parse_sse(r.body).back().name == "error");
  r = f.openai(stream_req);
  CHECK(r.fail == http::failure::none);
  CHECK(str(f.json(parse_sse(r.body).back().data), "/error/type") == "server_error");
}

TEST_CASE("fake_model: match steps, bad scripts, default usage max") {
  fixture f({"--default-usage", "max"});
  f.script(R"([{"match":"second","content":"for second"},{"content":"for anything"}])");
  auto ask = [&](const std::string& text) {
    auto r = f.send(
        "/v1/chat/completions",
        R"({"model":"m","max_tokens":9,"messages":[{"role":"user","content":")" + text + "\"}]}",
        {});
    return f.json(r.body);
  };
  CHECK(str(ask("first"), "/choices/0/message/content") == "for anything");
  auto d = ask("the second one");
  CHECK(str(d, "/choices/0/message/content") == "for second");
  CHECK(num(d, "/usage/completion_tokens") == 9);  // --default-usage max
  CHECK(f.send("/_queue", "", {}).body == "[]");

  CHECK(f.send("/_script", R"({"content":"x"})", {}).status == 400);
  CHECK(f.send("/_script", R"([{"fault":"boom"}])", {}).status == 400);
  CHECK(f.send("/_script", R"([{"contnet":"typo"}])", {}).status == 400);
  CHECK(f.send("/_script", R"([{"usage":{"input":-1}}])", {}).status == 400);
  CHECK(f.send("/_script", "not json", {}).status == 400);
  CHECK(f.send("/_queue", "", {}).body == "[]");

  // Odd request shapes are 400s in the API's error shape, never a dead server.
  for (
      const char* body :
      {R"({"model":"m","messages":[1,2]})", R"({"model":"m","messages":"hi"})",
       R"({"model":"m","messages":[{"role":"user","content":"x"}],"tools":{"a":1}})",
       R"({"model":"m","messages":[{"role":"user","content":"x"}],"tools":[1]})",
       R"({"model":"m","stream":true,"stream_options":[1],"messages":[{"role":"user","content":"x"}]})",
       R"([1,2,3])", "{"}) {
    INFO(body);
    auto r = f.send("/v1/chat/completions", body, {});
    CHECK(r.status == 400);
    CHECK(str(f.json(r.body), "/error/type") == "invalid_request_error");
  }
  for (
      const char* body :
      {R"({"model":"m","max_tokens":5,"messages":[{"role":"system","content":"x"}]})",
       R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[7]}]})",
       R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":""}]})",
       R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"nope"}]}]})",
       R"({"model":"m","max_tokens":0,"messages":[{"role":"user","content":"x"}]})"}) {
    INFO(body);
    auto r = f.send("/v1/messages", body, {"anthropic-version: 2023-06-01"});
    CHECK(r.status == 400);
    CHECK(str(f.json(r.body), "/type") == "error");
  }
  CHECK(f.send("/_health", "", {}).status == 200);
}

// A cheap model hands a task up only when the tool it needs is not in its request: the
// step's if_absent answers instead (the routing benchmark scripts its cheap model so).
TEST_CASE("fake_model: if_absent answers when a step's tool is not offered") {
  fixture f(std::vector<std::string>{});
  const std::string step =
      R"({"tool_calls":[{"name":"read_file","arguments":{"path":"a"}}],)"
      R"("if_absent":{"tool_calls":[{"name":"escalate","arguments":{"reason":"no read_file"}}],)"
      R"("if_absent":{"content":"cannot"}}})";
  f.script("[" + step + "," + step + "," + step + "," + step + "]");
  auto tool = [](const char* name) {
    return std::string(R"({"type":"function","function":{"name":")") + name +
           R"(","parameters":{"type":"object"}}})";
  };
  auto ask = [&](const std::string& tools) {
    auto r = f.send(
        "/v1/chat/completions",
        R"({"model":"m","messages":[{"role":"user","content":"x"}],"tools":[)" + tools + "]}", {});
    REQUIRE(r.status == 200);
    return f.json(r.body);
  };
  CHECK(str(ask(tool("read_file") + "," + tool("escalate")),
            "/choices/0/message/tool_calls/0/function/name") == "read_file");
  CHECK(str(ask(tool("clock") + "," + tool("escalate")),
            "/choices/0/message/tool_calls/0/function/name") == "escalate");
  CHECK(str(ask(tool("clock")), "/choices/0/message/content") == "cannot");
  // Anthropic tools are {name, input_schema}.
  auto r = f.send("/v1/messages",
                  R"({"model":"m","max_tokens":50,"messages":[{"role":"user","content":"x"}],)"
                  R"("tools":[{"name":"escalate","input_schema":{"type":"object"}}]})",
                  {"anthropic-version: 2023-06-01"});
  REQUIRE(r.status == 200);
  CHECK(str(f.json(r.body), "/content/0/name") == "escalate");
  CHECK(f.send("/_script", R"([{"if_absent":{"match":"x"}}])", {}).status == 400);
  CHECK(f.send("/_script", R"([{"if_absent":{"contnet":"typo"}}])", {}).status == 400);
}
