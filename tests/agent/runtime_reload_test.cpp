// A reload (SIGHUP) in the middle of a turn: the turn keeps the snapshot it started with.
// The runtime runs a real turn against tests/fakes/fake_model.py; while the first model's
// call is in flight, a reload removes the tier and both of its models. The call then
// fails (500), and the turn must fall back to the tier's second model from its snapshot
// and answer at once — not look the removed tier up in the new config (which threw
// inside the HTTP callback and left the turn hanging to its deadline).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>

#include "agent/runtime.h"
#include "core/config/config.h"
#include "core/http/http_client.h"
#include "tests/core/http/test_support.h"

using namespace frugal;
using frugal::testing::server_process;

namespace {

const std::string fake_script = FRUGAL_SOURCE_DIR "/tests/fakes/fake_model.py";

std::string config_text(const std::string& base_url, const std::string& state_dir,
                        const std::string& tiers_and_models) {
  return "[agent]\nstate_dir = \"" + state_dir +
         "\"\nsystem_prompt = \"test\"\nturn_deadline_s = 8\n\n"
         "[providers.fake]\nkind = \"openai\"\nbase_url = \"" +
         base_url + "/v1\"\nlocal = true\n\n" + tiers_and_models + "\n[budget]\ndaily_usd = 2.0\n";
}

const char* before = R"(
[models.first]
provider = "fake"
model = "fake-first"

[models.second]
provider = "fake"
model = "fake-second"

[tiers]
chat = ["first", "second"]
)";

const char* after = R"(
[models.other]
provider = "fake"
model = "fake-other"

[tiers]
local = ["other"]
)";

// Posts `body` to the fake's control endpoint `path` and waits for the answer.
void control(uv_loop_t* loop, http::client& c, const std::string& url, const std::string& body) {
  http::request r;
  r.method = "POST";
  r.url = url;
  r.body = body;
  r.headers = {"Content-Type: application/json"};
  bool done = false;
  c.start(std::move(r), [&](http::response) { done = true; });
  while (!done) uv_run(loop, UV_RUN_ONCE);
}

struct workdir {
  std::filesystem::path dir;
  workdir() {
    char tmpl[] = "/tmp/frugal-reload-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    dir = tmpl;
  }
  ~workdir() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  }
};

}  // namespace

TEST_CASE("a reload that removes the tier and model in use does not strand the turn",
          "[agent][runtime][reload]") {
  server_process fake(fake_script);
  workdir w;
  const std::string base = "http://127.0.0.1:" + std::to_string(fake.port());
  const std::string state = (w.dir / "state").string();
  const std::string path = w.write("frugal.toml", config_text(base, state, before));

  agent::startup_error err;
  auto rt = agent::runtime::create(path, "error", err);
  REQUIRE(rt);
  control(rt->loop(), rt->http(), base + "/_script",
          R"([{"fault":"500","delay_ms":700},{"content":"from second"}])");

  agent::turn_request req;
  req.msg.transport = "stdin";
  req.msg.target = "stdout";
  req.msg.from.network = "stdin";
  req.msg.text = "hello";
  std::optional<agent::turn_result> result;
  rt->handle(std::move(req), [&](agent::turn_result r) { result = std::move(r); });

  // Let the first call go out, then reload with the tier and its models gone.
  frugal::testing::run_until(
      rt->loop(), [] { return false; }, 200);
  REQUIRE_FALSE(result);
  auto next = config::load(w.write("next.toml", config_text(base, state, after)));
  REQUIRE(next);
  REQUIRE(rt->reload(std::move(next.value())));
  CHECK(rt->cfg().tiers.count("chat") == 0);

  auto started = std::chrono::steady_clock::now();
  frugal::testing::run_until(
      rt->loop(), [&] { return result.has_value(); }, 6'000);
  auto waited = std::chrono::steady_clock::now() - started;
  REQUIRE(result);
  CHECK(result->status == agent::turn_status::answered);
  CHECK(result->text == "from second");
  CHECK(waited < std::chrono::seconds(3));  // the 500 comes after ~0.5 s; the deadline is 8 s

  // The next turn runs on the new snapshot: the local tier's model.
  agent::turn_request again;
  again.msg.transport = "stdin";
  again.msg.target = "stdout";
  again.msg.from.network = "stdin";
  again.msg.text = "and now";
  result.reset();
  rt->handle(std::move(again), [&](agent::turn_result r) { result = std::move(r); });
  frugal::testing::run_until(
      rt->loop(), [&] { return result && rt->turns_in_flight() == 0; }, 5'000);
  REQUIRE(result);
  CHECK(result->text == "echo: and now");
  auto log = [&] {
    http::request r;
    r.method = "GET";
    r.url = base + "/_requests";
    std::string body;
    bool done = false;
    rt->http().start(std::move(r), [&](http::response resp) {
      body = resp.body;
      done = true;
    });
    while (!done) uv_run(rt->loop(), UV_RUN_ONCE);
    return body;
  }();
  CHECK(log.find("fake-other") != std::string::npos);
}
