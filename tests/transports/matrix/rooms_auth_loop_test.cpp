// Loop tests for membership and authentication, against the fake homeserver with the real
// http client: invites from allowed users joined and from strangers declined, an encrypted
// room answered with one notice and then ignored, a 401 stopping the account cleanly, and
// password login (at start and after a 401).
#include <catch2/catch.hpp>

#include "harness.h"

using namespace matrix_test;
using frugal::transports::state;

namespace {
const std::string k_group = "!group:localhost";

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}
}  // namespace

TEST_CASE("matrix transport: rooms and auth (loop, fake homeserver)", "[matrix][loop]") {
  SECTION("invites from allowed users are joined, others declined") {
    homeserver_process& hs = fresh_homeserver();
    loop_env env;
    auto db = frugal::store::database::open_memory();
    auto cfg = account_config(hs);
    auto t = frugal::matrix::make_transport(&env.loop, *env.http, *db, cfg, fast_tuning());
    recorder rec;
    t->start(rec.on_message(), rec.on_state());
    REQUIRE(env.run_until([&] { return rec.has_state(state::connected); }, 10000));

    hs.post("/_invite", R"({"room":"!spam:localhost","inviter":"@stranger:localhost"})");
    hs.post("/_invite",
            R"({"room":"!friend:localhost","inviter":"@al:localhost","is_direct":true})");
    REQUIRE(env.run_until(
        [&] {
          return contains(hs.state_list("joined"), "!friend:localhost") &&
                 contains(hs.state_list("left"), "!spam:localhost");
        },
        8000));
    CHECK_FALSE(contains(hs.state_list("joined"), "!spam:localhost"));

    // The invited direct chat works without mentioning the bot.
    hs.inject("!friend:localhost", "@al:localhost", "hi in private");
    REQUIRE(env.run_until([&] { return !rec.messages.empty(); }, 5000));
    CHECK(rec.messages[0].direct);
    CHECK(rec.messages[0].text == "hi in private");
  }

  SECTION("an encrypted room gets one notice and is then ignored") {
    homeserver_process& hs = fresh_homeserver();
    hs.post("/_room",
            "{\"room\":\"" + k_group + "\",\"members\":[\"@al:localhost\",\"@carol:localhost\"]}");
    loop_env env;
    auto db = frugal::store::database::open_memory();
    auto cfg = account_config(hs);
    cfg.rooms = {k_group};
    auto t = frugal::matrix::make_transport(&env.loop, *env.http, *db, cfg, fast_tuning());
    recorder rec;
    t->start(rec.on_message(), rec.on_state());
    REQUIRE(env.run_until([&] { return rec.has_state(state::connected); }, 10000));

    hs.post("/_encrypt", "{\"room\":\"" + k_group + "\"}");
    REQUIRE(env.run_until([&] { return hs.sent().size() == 1; }, 5000));
    hs.inject(k_group, "@al:localhost", "bot: can you read this?");
    hs.post("/_encrypt", "{\"room\":\"" + k_group + "\"}");
    // An encrypted room we are invited to later gets its notice on joining.
    hs.post("/_room", R"({"room":"!secret:localhost","members":["@al:localhost"]})");
    hs.post("/_encrypt", R"({"room":"!secret:localhost"})");
    hs.post("/_invite", R"({"room":"!secret:localhost","inviter":"@al:localhost"})");
    REQUIRE(env.run_until([&] { return hs.sent().size() == 2; }, 8000));
    env.run_for(500);

    auto sent = hs.sent();
    REQUIRE(sent.size() == 2);
    CHECK(sent[0].room == k_group);
    CHECK(sent[0].msgtype == "m.notice");
    CHECK(sent[0].body == "I only work in unencrypted rooms.");
    CHECK(sent[0].formatted_body.empty());
    CHECK(sent[1].room == "!secret:localhost");
    CHECK(rec.messages.empty());
  }

  SECTION("401 without a password stops the account cleanly") {
    homeserver_process& hs = fresh_homeserver();
    loop_env env;
    log_capture logs;
    auto db = frugal::store::database::open_memory();
    auto cfg = account_config(hs);
    cfg.password.clear();
    auto t = frugal::matrix::make_transport(&env.loop, *env.http, *db, cfg, fast_tuning());
    recorder rec;
    t->start(rec.on_message(), rec.on_state());
    REQUIRE(env.run_until([&] { return rec.has_state(state::connected); }, 10000));

    hs.post("/_fault", R"({"kind":"401","count":1})");
    // Wake the long-poll so the next request meets the fault.
    hs.post("/_invite", R"({"room":"!x:localhost","inviter":"@al:localhost"})");
    REQUIRE(env.run_until([&] { return rec.has_state(state::stopped); }, 8000));
    CHECK(rec.states.back().second.find("M_UNKNOWN_TOKEN") != std::string::npos);
    size_t requests = hs.requests().size();
    env.run_for(600);
    CHECK(hs.requests().size() == requests);  // nothing more goes out

    bool told = false;
    for (const std::string& line : captured_logs()) {
      CHECK(line.find("Bearer T0") == std::string::npos);
      if (line.find("matrix.main") != std::string::npos &&
          line.find("FRUGAL_TEST_MATRIX_TOKEN") != std::string::npos &&
          line.find("stopped") != std::string::npos)
        told = true;
    }
    CHECK(told);
    t->send(k_group, "dropped");
    env.run_for(200);
    CHECK(hs.sent().empty());
  }

  SECTION("password login at start and again after a 401") {
    homeserver_process& hs = fresh_homeserver();
    hs.post("/_room",
            "{\"room\":\"" + k_group + "\",\"members\":[\"@al:localhost\",\"@carol:localhost\"]}");
    loop_env env;
    auto db = frugal::store::database::open_memory();
    auto cfg = account_config(hs);
    cfg.access_token.clear();
    cfg.password = "bot-password";
    cfg.rooms = {k_group};
    auto t = frugal::matrix::make_transport(&env.loop, *env.http, *db, cfg, fast_tuning());
    recorder rec;
    t->start(rec.on_message(), rec.on_state());
    REQUIRE(env.run_until([&] { return rec.has_state(state::connected); }, 10000));
    CHECK(hs.requests_to("POST", "/_matrix/client/v3/login").size() == 1);

    hs.post("/_fault", R"({"kind":"401","count":1,"path_prefix":"/_matrix/client/v3/rooms/"})");
    t->send(k_group, "after re-login");
    REQUIRE(env.run_until([&] { return hs.sent().size() == 1; }, 8000));
    CHECK(hs.requests_to("POST", "/_matrix/client/v3/login").size() == 2);
    hs.inject(k_group, "@al:localhost", "bot: still there?");
    REQUIRE(env.run_until([&] { return !rec.messages.empty(); }, 5000));
    CHECK_FALSE(rec.has_state(state::stopped));
  }

  SECTION("a refused login stops the account") {
    homeserver_process& hs = fresh_homeserver();
    loop_env env;
    auto db = frugal::store::database::open_memory();
    auto cfg = account_config(hs);
    cfg.access_token.clear();
    cfg.password = "wrong";
    auto t = frugal::matrix::make_transport(&env.loop, *env.http, *db, cfg, fast_tuning());
    recorder rec;
    t->start(rec.on_message(), rec.on_state());
    REQUIRE(env.run_until([&] { return rec.has_state(state::stopped); }, 8000));
    CHECK(rec.states.back().second.find("M_FORBIDDEN") != std::string::npos);
  }
}
