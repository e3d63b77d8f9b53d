// Loop tests for sending, against the fake homeserver with the real http client: the event
// content, exactly one event when a PUT is dropped, hangs or gets a 502 and is retried with
// the same txn id, 429 waits in both styles, and unsent messages surviving a restart.
#include <catch2/catch.hpp>

#include "harness.h"
#include "transports/matrix/state.h"

using namespace matrix_test;
using frugal::transports::state;

namespace {
const std::string k_room = "!room:localhost";
const char k_send_prefix[] = "/_matrix/client/v3/rooms/%21room%3Alocalhost/send/m.room.message/";

struct sender {
  homeserver_process& hs = fresh_homeserver();
  loop_env env;
  frugal::result<frugal::store::database> db = frugal::store::database::open_memory();
  std::unique_ptr<frugal::transports::transport> t;
  recorder rec;

  explicit sender(frugal::config::matrix_account* override_cfg = nullptr) {
    hs.post("/_room", "{\"room\":\"" + k_room + "\",\"members\":[\"@al:localhost\"]}");
    auto cfg = override_cfg ? *override_cfg : account_config(hs);
    cfg.rooms = {k_room};
    t = frugal::matrix::make_transport(&env.loop, *env.http, *db, cfg, fast_tuning());
    t->start(rec.on_message(), rec.on_state());
    REQUIRE(env.run_until([&] { return rec.has_state(state::connected); }, 10000));
  }
  ~sender() { t.reset(); }
};
}  // namespace

TEST_CASE("matrix transport: sending (loop, fake homeserver)", "[matrix][loop]") {
  SECTION("send puts one formatted event") {
    sender s;
    s.t->send(k_room, "**Done.** See <this>");
    REQUIRE(s.env.run_until([&] { return s.hs.sent().size() == 1; }, 5000));
    auto ev = s.hs.sent()[0];
    CHECK(ev.room == k_room);
    CHECK(ev.msgtype == "m.notice");
    CHECK(ev.body == "**Done.** See <this>");
    CHECK(ev.format == "org.matrix.custom.html");
    CHECK(ev.formatted_body == "<p><strong>Done.</strong> See &lt;this&gt;</p>");
    auto puts = s.hs.requests_to("PUT", k_send_prefix);
    REQUIRE(puts.size() == 1);

    // Every send gets a new, larger txn id.
    s.t->send(k_room, "again");
    REQUIRE(s.env.run_until([&] { return s.hs.sent().size() == 2; }, 5000));
    auto all = s.hs.sent();
    CHECK(all[0].txn_id != all[1].txn_id);
    auto num = [](const std::string& txn) { return std::stoll(txn.substr(txn.find('.') + 1)); };
    CHECK(num(all[1].txn_id) == num(all[0].txn_id) + 1);
  }

  SECTION("a retried send makes exactly one event") {
    std::string kind;
    SECTION("dropped connection after the server stored the event") {
      kind = "drop";
    }
    SECTION("hung connection after the server stored the event") {
      kind = "hang";
    }
    SECTION("502 from a proxy") {
      kind = "502";
    }
    sender s;
    s.hs.post("/_fault", "{\"kind\":\"" + kind + "\",\"count\":1,\"method\":\"PUT\",\"ms\":3000}");
    s.t->send(k_room, "exactly once");
    REQUIRE(
        s.env.run_until([&] { return s.hs.requests_to("PUT", k_send_prefix).size() >= 2; }, 8000));
    s.env.run_for(300);
    auto puts = s.hs.requests_to("PUT", k_send_prefix);
    REQUIRE(puts.size() == 2);
    CHECK(puts[0].path == puts[1].path);  // the same txn id
    auto sent = s.hs.sent();
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].body == "exactly once");
  }

  SECTION("429 waits honour retry_after_ms and Retry-After") {
    std::string fault;
    double min_gap = 0;
    SECTION("retry_after_ms in the body") {
      fault = R"({"kind":"429_ms","count":1,"method":"PUT","ms":600})";
      min_gap = 0.55;
    }
    SECTION("Retry-After header") {
      fault = R"({"kind":"429_header","count":1,"method":"PUT","ms":1000})";
      min_gap = 0.95;
    }
    sender s;
    s.hs.post("/_fault", fault);
    s.t->send(k_room, "patience");
    REQUIRE(s.env.run_until([&] { return s.hs.sent().size() == 1; }, 6000));
    auto puts = s.hs.requests_to("PUT", k_send_prefix);
    REQUIRE(puts.size() == 2);
    CHECK(puts[1].t - puts[0].t >= min_gap);  // backoff alone would retry after ≤ 100 ms
  }

  SECTION("long replies are split into several events") {
    sender s;
    std::string text;
    for (int i = 0; i < 12000; ++i) text += "word" + std::to_string(i % 10) + " ";
    s.t->send(k_room, text);
    REQUIRE(s.env.run_until([&] { return s.hs.sent().size() >= 2; }, 5000));
    s.env.run_for(300);
    auto sent = s.hs.sent();
    size_t total = 0;
    for (auto& e : sent) {
      CHECK(e.body.size() + e.formatted_body.size() < 60000);
      total += e.body.size();
    }
    CHECK(total + sent.size() >= text.size() - 1);  // only the separators at cuts are gone
  }

  SECTION("unsent messages survive a restart with their txn id") {
    homeserver_process& hs = fresh_homeserver();
    hs.post("/_room", "{\"room\":\"" + k_room + "\",\"members\":[\"@al:localhost\"]}");
    std::string path = temp_db_path();
    loop_env env;
    auto cfg = account_config(hs);
    cfg.rooms = {k_room};
    {
      auto db = frugal::store::database::open(path);
      auto t = frugal::matrix::make_transport(&env.loop, *env.http, *db, cfg, fast_tuning());
      recorder rec;
      t->start(rec.on_message(), rec.on_state());
      REQUIRE(env.run_until([&] { return rec.has_state(state::connected); }, 10000));
      // The server stores the event but the reply never comes; we stop before any retry.
      hs.post("/_fault", R"({"kind":"hang","count":1,"method":"PUT","ms":5000})");
      t->send(k_room, "before the crash");
      REQUIRE(env.run_until([&] { return hs.sent().size() == 1; }, 5000));
      t->stop();
    }
    auto db = frugal::store::database::open(path);
    auto t = frugal::matrix::make_transport(&env.loop, *env.http, *db, cfg, fast_tuning());
    recorder rec;
    t->start(rec.on_message(), rec.on_state());
    REQUIRE(env.run_until([&] { return hs.requests_to("PUT", k_send_prefix).size() == 2; }, 8000));
    env.run_for(300);
    auto puts = hs.requests_to("PUT", k_send_prefix);
    REQUIRE(puts.size() == 2);
    CHECK(puts[0].path == puts[1].path);
    CHECK(hs.sent().size() == 1);
    auto left = frugal::matrix::state_store::open(*db, "main");
    CHECK(left->pending()->empty());
    t.reset();
    remove_db(path);
  }
}
