// The Matrix account destroyed while its /sync is in flight and the shared http client is
// inside curl (another user's on_data callback), so the cancel can only complete after
// curl returns: the reply then reaches a callback whose account is gone and must be
// dropped unread (core/lifetime.h; ASan watches).
#include <catch2/catch.hpp>
#include <optional>

#include "harness.h"

using namespace matrix_test;
using frugal::transports::state;

TEST_CASE("matrix transport: destroyed from inside curl while its sync is in flight",
          "[matrix][loop]") {
  homeserver_process& hs = fresh_homeserver();
  loop_env env;
  auto db = frugal::store::database::open_memory();
  auto cfg = account_config(hs);
  auto t = frugal::matrix::make_transport(&env.loop, *env.http, *db, cfg, fast_tuning());
  recorder rec;
  t->start(rec.on_message(), rec.on_state());
  REQUIRE(env.run_until([&] { return rec.has_state(state::connected); }, 10000));
  // Connected means caught up; the next long-poll /sync follows at once.
  REQUIRE(env.run_until([&] { return env.http->active() == 1; }, 3000));

  frugal::http::request req;
  req.method = "GET";
  req.url = hs.url() + "/_state";
  bool destroyed = false;
  std::optional<frugal::http::response> got;
  req.on_data = [&](std::string_view) {
    if (!t) return;
    t.reset();  // inside curl: the account's cancel of its /sync is deferred
    destroyed = true;
  };
  env.http->start(std::move(req), [&](frugal::http::response r) { got = std::move(r); });
  REQUIRE(env.run_until([&] { return got.has_value(); }, 5000));
  CHECK(destroyed);
  CHECK(got->status == 200);
  CHECK(env.http->active() == 0);  // the /sync was cancelled, its reply dropped unread
  size_t states = rec.states.size();
  env.run_for(300);
  CHECK(rec.states.size() == states);
}
