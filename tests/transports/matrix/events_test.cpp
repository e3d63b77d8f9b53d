// Unit tests for the /sync parser: good batches, limited timelines, invites, encryption
// state, and truncated or malformed bodies turning into error values.
#include "transports/matrix/events.h"

#include <catch2/catch.hpp>

using namespace frugal::matrix;

namespace {
const char k_batch[] = R"({
  "next_batch": "s72_5",
  "rooms": {
    "join": {
      "!room:hs": {
        "summary": {"m.joined_member_count": 3, "m.invited_member_count": 1},
        "state": {"events": [
          {"type": "m.room.member", "state_key": "@al:hs", "sender": "@al:hs",
           "event_id": "$m1", "content": {"membership": "join", "displayname": "Al"}}
        ]},
        "timeline": {"limited": true, "prev_batch": "p1", "events": [
          {"type": "m.room.message", "event_id": "$e1", "sender": "@al:hs",
           "origin_server_ts": 1700000000000, "unsigned": {"age": 1200},
           "content": {"msgtype": "m.text", "body": "bot: hello",
                       "format": "org.matrix.custom.html", "formatted_body": "<b>hello</b>",
                       "m.mentions": {"user_ids": ["@bot:hs", 5], "room": true}}},
          {"type": "m.room.message", "sender": "@al:hs", "content": {"body": "no id"}},
          {"type": "m.room.message", "event_id": "$e2", "sender": "@al:hs", "content": 7},
          "not an object",
          {"type": "m.room.encryption", "event_id": "$e3", "sender": "@al:hs",
           "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}
        ]}
      }
    },
    "invite": {
      "!inv:hs": {"invite_state": {"events": [
        {"type": "m.room.name", "state_key": "", "sender": "@eve:hs", "content": {"name": "x"}},
        {"type": "m.room.member", "state_key": "@bot:hs", "sender": "@eve:hs",
         "content": {"membership": "invite", "is_direct": true}}
      ]}}
    },
    "leave": {"!old:hs": {}}
  }
})";
}  // namespace

TEST_CASE("parse_sync reads rooms, events and invites", "[matrix][events]") {
  auto b = parse_sync(k_batch, "@bot:hs");
  REQUIRE(b.ok());
  CHECK(b->next_batch == "s72_5");
  REQUIRE(b->joined.size() == 1);
  const joined_room& r = b->joined[0];
  CHECK(r.room_id == "!room:hs");
  CHECK(r.limited);
  CHECK(r.joined_members == 3);
  CHECK(r.invited_members == 1);
  REQUIRE(r.state.size() == 1);
  CHECK(r.state[0].displayname == "Al");
  CHECK(r.state[0].is_state);
  CHECK(r.state[0].state_key == "@al:hs");
  // The event without an id and the non-object are dropped; the one with odd content stays.
  REQUIRE(r.timeline.size() == 3);
  const event& e = r.timeline[0];
  CHECK(e.event_id == "$e1");
  CHECK(e.sender == "@al:hs");
  CHECK(e.msgtype == "m.text");
  CHECK(e.body == "bot: hello");
  CHECK(e.formatted_body == "<b>hello</b>");
  CHECK(e.age_ms == 1200);
  CHECK(e.origin_server_ts == 1700000000000);
  CHECK(e.mentioned_users == std::vector<std::string>{"@bot:hs"});
  CHECK(e.mentions_room);
  CHECK_FALSE(e.is_state);
  CHECK(r.timeline[1].event_id == "$e2");
  CHECK(r.timeline[1].body.empty());
  CHECK(r.timeline[2].type == "m.room.encryption");
  CHECK(r.timeline[2].algorithm == "m.megolm.v1.aes-sha2");
  CHECK(r.timeline[2].is_state);

  REQUIRE(b->invited.size() == 1);
  CHECK(b->invited[0].room_id == "!inv:hs");
  CHECK(b->invited[0].inviter == "@eve:hs");
  CHECK(b->invited[0].is_direct);
  CHECK(b->left == std::vector<std::string>{"!old:hs"});
}

TEST_CASE("parse_sync accepts a batch with no rooms", "[matrix][events]") {
  auto b = parse_sync(R"({"next_batch":"s1"})", "@bot:hs");
  REQUIRE(b.ok());
  CHECK(b->joined.empty());
  CHECK(b->invited.empty());
}

TEST_CASE("parse_sync: an invite naming no inviter has an empty inviter", "[matrix][events]") {
  auto b = parse_sync(
      R"({"next_batch":"s1","rooms":{"invite":{"!i:hs":{"invite_state":{"events":[
      {"type":"m.room.member","state_key":"@other:hs","sender":"@x:hs",
       "content":{"membership":"invite"}}]}}}}})",
      "@bot:hs");
  REQUIRE(b.ok());
  REQUIRE(b->invited.size() == 1);
  CHECK(b->invited[0].inviter.empty());
}

TEST_CASE("parse_sync turns garbage into errors", "[matrix][events]") {
  std::string full = k_batch;
  CHECK_FALSE(parse_sync(full.substr(0, full.size() / 2), "@bot:hs").ok());
  CHECK_FALSE(parse_sync("", "@bot:hs").ok());
  CHECK_FALSE(parse_sync("<html>502 Bad Gateway</html>", "@bot:hs").ok());
  CHECK_FALSE(parse_sync("[1,2,3]", "@bot:hs").ok());
  CHECK_FALSE(parse_sync(R"({"rooms":{}})", "@bot:hs").ok());
  CHECK_FALSE(parse_sync(R"({"next_batch":5})", "@bot:hs").ok());
  CHECK_FALSE(parse_sync(R"({"next_batch":"s1","rooms":[]})", "@bot:hs").ok());
  auto e = parse_sync(full.substr(0, 100), "@bot:hs");
  REQUIRE_FALSE(e.ok());
  CHECK(e.message().find("/sync") != std::string::npos);
}
