// events: the typed view of a Matrix /sync response (client-server spec v3), parsed from
// untrusted JSON with simdjson in error-code style. Only what the transport acts on is kept:
// messages, membership, encryption state, invites. It does not fetch anything, decide who
// may talk, or keep state between batches (state.h does that).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace frugal::matrix {

// One room event. Wire form (a client event):
//   {"event_id":"$a", "sender":"@u:hs", "type":"m.room.message", "origin_server_ts":1700,
//    "state_key":"" (state events only), "unsigned":{"age":1234},
//    "content":{"msgtype":"m.text", "body":"hi", "format":"org.matrix.custom.html",
//               "formatted_body":"<b>hi</b>", "m.mentions":{"user_ids":["@bot:hs"]}}}
// m.room.member content: {"membership":"join"|"invite"|"leave", "displayname":"Al",
//                         "is_direct":true}; m.room.encryption: {"algorithm":"m.megolm..."}.
// Fields absent or of the wrong type are left empty; the event is still returned.
struct event {
  std::string event_id;  // empty for stripped invite_state events
  std::string sender;
  std::string type;
  bool is_state = false;  // carries a state_key
  std::string state_key;
  int64_t origin_server_ts = 0;
  int64_t age_ms = -1;  // unsigned.age; -1 when absent
  // m.room.message
  std::string msgtype;
  std::string body;
  std::string format;
  std::string formatted_body;
  std::vector<std::string> mentioned_users;  // content["m.mentions"].user_ids
  bool mentions_room = false;                // content["m.mentions"].room
  // m.room.member
  std::string membership;
  std::string displayname;
  bool is_direct = false;
  // m.room.encryption
  std::string algorithm;
};

// rooms.join.<room_id>: {"summary":{"m.joined_member_count":2,"m.invited_member_count":0},
//   "state":{"events":[...]}, "timeline":{"events":[...],"limited":true,"prev_batch":"p"}}
struct joined_room {
  std::string room_id;
  std::vector<event> state;     // state before the timeline starts
  std::vector<event> timeline;  // in order; events without event_id/sender/type dropped
  bool limited = false;         // the server left a gap before these events
  int64_t joined_members = -1;  // summary; -1 when the server did not say
  int64_t invited_members = -1;
};

// rooms.invite.<room_id>: {"invite_state":{"events":[stripped state events]}}. The inviter
// is the sender of the m.room.member event whose state_key is our user id.
struct invited_room {
  std::string room_id;
  std::string inviter;  // empty when the invite_state names none
  bool is_direct = false;
};

// The top level: {"next_batch":"s72", "rooms":{"join":{...},"invite":{...},"leave":{...}}}.
struct sync_batch {
  std::string next_batch;  // required
  std::vector<joined_room> joined;
  std::vector<invited_room> invited;
  std::vector<std::string> left;  // room ids under rooms.leave
};

// Parses one /sync body. `own_user_id` picks our membership event out of invite_state.
// Truncated or malformed JSON, a missing next_batch or a wrongly typed `rooms` section is
// an error; an odd single event is skipped instead, so one bad event cannot stall the loop.
result<sync_batch> parse_sync(std::string_view json, std::string_view own_user_id);

}  // namespace frugal::matrix
