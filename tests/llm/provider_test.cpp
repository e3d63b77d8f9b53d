// The provider end to end against tests/fakes/fake_model.py on 127.0.0.1: both APIs,
// streamed and not, tool calls, usage semantics, and the faults the router and budget
// rely on (429 with Retry-After, 5xx, 529, cut streams, truncated bodies, error events,
// garbage, bad key, refused connection, slow first byte).
#include "llm/provider.h"

#include <catch2/catch.hpp>
#include <optional>

#include "tests/core/http/test_support.h"
#include "tests/llm/json_probe.h"

using namespace frugal;
using namespace frugal::llm;
using frugal::testing::run_until;
using frugal::testing::server_process;
using frugal::testing::test_loop;

namespace {

const std::string fake_script = FRUGAL_SOURCE_DIR "/tests/fakes/fake_model.py";
const std::string key = "sk-fake-provider-key-42";

// One fake server for the whole file: starting Python costs seconds on a busy machine.
// Each fixture resets its queue and request log.
server_process& shared_server() {
  static server_process srv{fake_script, {"--port", "0", "--api-key", key, "--crlf"}};
  return srv;
}

struct fixture {
  server_process& srv = shared_server();
  test_loop loop;
  http::client http{loop.get()};

  fixture() { REQUIRE(control("/_reset", "{}").status == 200); }

  provider_config config(api_kind kind) {
    provider_config c;
    c.name = kind == api_kind::openai ? "fake-openai" : "fake-anthropic";
    c.kind = kind;
    c.base_url = kind == api_kind::openai ? srv.url("/v1") : srv.url("");
    c.api_key = key;
    c.first_byte_timeout_ms = 5'000;
    return c;
  }

  http::response control(const std::string& path, const std::string& body) {
    http::request r;
    r.method = body.empty() ? "GET" : "POST";
    r.url = srv.url(path);
    r.body = body;
    std::optional<http::response> out;
    http.start(std::move(r), [&](http::response x) { out = std::move(x); });
    REQUIRE(run_until(
        loop.get(), [&] { return out.has_value(); }, 5000));
    return std::move(*out);
  }
  void script(const std::string& steps) { REQUIRE(control("/_script", steps).status == 200); }

  outcome run(provider& p, const request& req) {
    std::optional<outcome> out;
    p.complete(req, [&](outcome o) { out = std::move(o); });
    REQUIRE(run_until(
        loop.get(), [&] { return out.has_value(); }, 8000));
    return std::move(*out);
  }
  outcome run(api_kind kind, const request& req) {
    auto p = make_provider(config(kind), http);
    return run(*p, req);
  }
};

request ask(bool stream, std::string text = "what time is it") {
  request r;
  r.model = "fake-model";
  r.messages.push_back({role::system, "Be brief."});
  r.messages.push_back({role::user, std::move(text)});
  r.tools.push_back({"clock", "Current time", R"({"type":"object","properties":{}})"});
  r.max_tokens = 200;
  r.stream = stream;
  return r;
}

const api_kind both[] = {api_kind::openai, api_kind::anthropic};

}  // namespace

TEST_CASE("provider: text answers with usage, both APIs, streamed and not") {
  fixture f;
  for (api_kind kind : both) {
    for (bool stream : {false, true}) {
      INFO((kind == api_kind::openai ? "openai" : "anthropic") << (stream ? " stream" : ""));
      f.script(R"([{"content":"It is noon. Ünïcode ✓","reasoning":"look at clock",
        "usage":{"input":120,"output":9,"cached":100,"cache_write":7,"cost":0.0000021}}])");
      outcome o = f.run(kind, ask(stream));
      REQUIRE(o.fail == failure::none);
      CHECK(o.http_status == 200);
      CHECK(o.response.content == "It is noon. Ünïcode ✓");
      CHECK(o.response.reasoning == "look at clock");
      CHECK(o.response.tool_calls.empty());
      CHECK(o.response.usage.present);
      CHECK(o.response.usage.output_tokens == 9);
      CHECK(o.response.usage.cached_input_tokens == 100);
      if (kind == api_kind::openai) {
        CHECK(o.response.usage.input_tokens == 120);  // cached are inside prompt_tokens
        CHECK(o.response.usage.cost_micro_usd == 3);  // 2.1 µ$ rounded up
        CHECK(o.response.stop_reason == "stop");
      } else {
        CHECK(o.response.usage.input_tokens == 227);  // 120 + 100 read + 7 written
        CHECK(o.response.usage.cache_write_tokens == 7);
        CHECK(o.response.stop_reason == "end_turn");
      }
    }
  }
  // What the server received: auth present (never logged), the stream options, tools.
  frugal::test::json_probe log(f.control("/_requests", "").body);
  REQUIRE(log.size("") == 4);
  CHECK(log.str("/0/headers/authorization") == "present");
  CHECK(log.str("/0/body/tools/0/function/name") == "clock");
  CHECK(log.boolean("/1/body/stream_options/include_usage"));
  CHECK(log.str("/2/headers/x-api-key") == "present");
  CHECK(log.str("/2/headers/anthropic-version") == "2023-06-01");
  CHECK(log.str("/2/body/system") == "Be brief.");
  CHECK(log.str("/3/body/tools/0/input_schema/type") == "object");
}

TEST_CASE("provider: tool calls round trip, streamed and not, both APIs") {
  fixture f;
  for (api_kind kind : both) {
    for (bool stream : {false, true}) {
      INFO((kind == api_kind::openai ? "openai" : "anthropic") << (stream ? " stream" : ""));
      f.script(
          R"([{"content":"Checking.","tool_calls":[{"name":"clock","arguments":{"tz":"Europe/Paris","n":[1,2]}},
        {"name":"clock","arguments":{}}]}, {"content":"It is noon."}])");
      request req = ask(stream);
      outcome o = f.run(kind, req);
      REQUIRE(o.fail == failure::none);
      REQUIRE(o.response.tool_calls.size() == 2);
      CHECK(o.response.tool_calls[0].name == "clock");
      frugal::test::json_probe args(o.response.tool_calls[0].arguments_json);
      CHECK(args.str("/tz") == "Europe/Paris");
      CHECK(args.integer("/n/1") == 2);
      CHECK(o.response.tool_calls[1].arguments_json.find('{') == 0);
      CHECK_FALSE(o.response.tool_calls[0].id.empty());
      // Send the results back: the fake checks that each result answers a call.
      message a{role::assistant, o.response.content};
      a.tool_calls = o.response.tool_calls;
      req.messages.push_back(a);
      for (const tool_call& tc : o.response.tool_calls) {
        message t{role::tool, "12:00"};
        t.tool_call_id = tc.id;
        t.tool_name = tc.name;
        req.messages.push_back(t);
      }
      outcome second = f.run(kind, req);
      REQUIRE(second.fail == failure::none);
      CHECK(second.response.content == "It is noon.");
    }
  }
}

TEST_CASE("provider: 429 with Retry-After, 500, 529, bad key, refused connection") {
  fixture f;
  f.script(R"([{"fault":"429","retry_after":2}])");
  outcome rl = f.run(api_kind::openai, ask(false));
  CHECK(rl.fail == failure::rate_limited);
  CHECK(rl.http_status == 429);
  CHECK(rl.retry_after_ms == 2000);
  CHECK(rl.definitely_free());

  f.script(R"([{"fault":"500"}])");
  outcome ov = f.run(api_kind::openai, ask(true));
  CHECK(ov.fail == failure::overloaded);
  CHECK(ov.http_status == 500);

  f.script(R"([{"fault":"529"}])");
  outcome o529 = f.run(api_kind::anthropic, ask(true));
  CHECK(o529.fail == failure::overloaded);
  CHECK(o529.http_status == 529);
  CHECK(o529.definitely_free());

  provider_config wrong = f.config(api_kind::anthropic);
  wrong.api_key = "sk-wrong-key-0000";
  auto p = make_provider(wrong, f.http);
  outcome unauthorised = f.run(*p, ask(false));
  CHECK(unauthorised.fail == failure::unauthorized);
  CHECK(unauthorised.definitely_free());
  CHECK(unauthorised.http_status == 401);
  CHECK(unauthorised.error.find("sk-wrong-key-0000") == std::string::npos);
  CHECK_FALSE(unauthorised.error.empty());

  provider_config closed = f.config(api_kind::openai);
  closed.base_url = "http://127.0.0.1:" + std::to_string(frugal::testing::unused_port()) + "/v1";
  auto q = make_provider(closed, f.http);
  outcome refused = f.run(*q, ask(false));
  CHECK(refused.fail == failure::not_sent);
  CHECK(refused.definitely_free());
}

TEST_CASE("provider: cut streams, truncated bodies, error events and garbage") {
  fixture f;
  for (api_kind kind : both) {
    INFO((kind == api_kind::openai ? "openai" : "anthropic"));
    const std::string long_reply =
        R"("content":"one two three four five six seven eight nine ten eleven twelve")";
    f.script("[{\"fault\":\"drop_mid_stream\"," + long_reply + ",\"usage\":{\"input\":77}}]");
    outcome dropped = f.run(kind, ask(true));
    CHECK(dropped.fail == failure::dropped);
    CHECK_FALSE(dropped.definitely_free());
    if (kind == api_kind::anthropic) {  // message_start came before the cut
      CHECK(dropped.response.usage.present);
      CHECK(dropped.response.usage.input_tokens == 77);
    }

    f.script("[{\"fault\":\"truncated\"," + long_reply + "}]");
    outcome truncated = f.run(kind, ask(false));
    CHECK((truncated.fail == failure::dropped || truncated.fail == failure::bad_response));
    CHECK_FALSE(truncated.definitely_free());

    f.script("[{\"fault\":\"error_event\"," + long_reply + "}]");
    outcome error_event = f.run(kind, ask(true));
    // Text had streamed before the error: tokens were generated, so it may be billed.
    CHECK(error_event.fail == failure::dropped);
    CHECK(error_event.error.find("error event") != std::string::npos);

    f.script(R"([{"fault":"garbage"}])");
    CHECK(f.run(kind, ask(false)).fail == failure::bad_response);
    f.script(R"([{"fault":"garbage"}])");
    outcome garbage_stream = f.run(kind, ask(true));
    CHECK(garbage_stream.fail == failure::bad_response);
  }
}

TEST_CASE("provider: a slow first byte past a short timeout is a timeout") {
  fixture f;
  f.script(R"([{"fault":"slow_first_byte","delay_ms":1500}])");
  provider_config c = f.config(api_kind::openai);
  c.first_byte_timeout_ms = 300;
  auto p = make_provider(c, f.http);
  outcome o = f.run(*p, ask(true));
  CHECK(o.fail == failure::timeout);
  CHECK_FALSE(o.definitely_free());
}

TEST_CASE("provider: cancel reports cancelled once") {
  fixture f;
  f.script(R"([{"fault":"hang"}])");
  auto p = make_provider(f.config(api_kind::anthropic), f.http);
  int calls = 0;
  std::optional<outcome> out;
  http::request_id id = p->complete(ask(true), [&](outcome o) {
    ++calls;
    out = std::move(o);
  });
  run_until(
      f.loop.get(), [] { return false; }, 100);
  p->cancel(id);
  REQUIRE(run_until(
      f.loop.get(), [&] { return out.has_value(); }, 3000));
  CHECK(out->fail == failure::cancelled);
  run_until(
      f.loop.get(), [] { return false; }, 50);
  CHECK(calls == 1);
}
