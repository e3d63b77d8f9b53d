// /sync parsing: simdjson DOM in error-code style, copied into the plain structs of
// events.h. A fresh parser per body keeps no memory between long-polls (idle RSS matters
// more here than the microseconds a reused parser would save).
#include "transports/matrix/events.h"

#include <simdjson.h>

#include <cmath>

namespace frugal::matrix {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

std::string text_of(element parent, const char* key) {
  std::string_view v;
  if (parent[key].get(v)) return {};
  return std::string(v);
}

int64_t int_of(element parent, const char* key, int64_t fallback) {
  element e;
  if (parent[key].get(e)) return fallback;
  int64_t i = 0;
  if (!e.get(i)) return i;
  uint64_t u = 0;
  if (!e.get(u)) return u > INT64_MAX ? INT64_MAX : static_cast<int64_t>(u);
  double d = 0;
  // Converting a double outside int64's range is undefined: such values read as absent.
  if (!e.get(d))
    return std::isfinite(d) && std::fabs(d) < 9e18 ? static_cast<int64_t>(d) : fallback;
  return fallback;
}

bool bool_of(element parent, const char* key) {
  bool b = false;
  if (parent[key].get(b)) return false;
  return b;
}

void read_content(element content, event& ev) {
  if (!content.is_object()) return;
  ev.msgtype = text_of(content, "msgtype");
  ev.body = text_of(content, "body");
  ev.format = text_of(content, "format");
  ev.formatted_body = text_of(content, "formatted_body");
  ev.membership = text_of(content, "membership");
  ev.displayname = text_of(content, "displayname");
  ev.is_direct = bool_of(content, "is_direct");
  ev.algorithm = text_of(content, "algorithm");
  element mentions;
  if (!content["m.mentions"].get(mentions) && mentions.is_object()) {
    ev.mentions_room = bool_of(mentions, "room");
    array ids;
    if (!mentions["user_ids"].get(ids)) {
      for (element id : ids) {
        std::string_view s;
        if (!id.get(s)) ev.mentioned_users.emplace_back(s);
      }
    }
  }
}

// Reads one event; false when it is not an object or lacks sender/type.
bool read_event(element e, event& ev) {
  if (!e.is_object()) return false;
  ev.event_id = text_of(e, "event_id");
  ev.sender = text_of(e, "sender");
  ev.type = text_of(e, "type");
  if (ev.sender.empty() || ev.type.empty()) return false;
  std::string_view key;
  if (!e["state_key"].get(key)) {
    ev.is_state = true;
    ev.state_key = std::string(key);
  }
  ev.origin_server_ts = int_of(e, "origin_server_ts", 0);
  element unsigned_part;
  if (!e["unsigned"].get(unsigned_part) && unsigned_part.is_object())
    ev.age_ms = int_of(unsigned_part, "age", -1);
  element content;
  if (!e["content"].get(content)) read_content(content, ev);
  return true;
}

// Reads parent[key].events into `out`. A missing section is fine; a wrongly typed one is
// skipped too (the room's other sections may still be useful).
void read_events(element parent, const char* key, bool need_id, std::vector<event>& out) {
  array events;
  if (parent[key]["events"].get(events)) return;
  for (element e : events) {
    event ev;
    if (!read_event(e, ev)) continue;
    if (need_id && ev.event_id.empty()) continue;
    out.push_back(std::move(ev));
  }
}

joined_room read_joined(std::string_view room_id, element room) {
  joined_room out;
  out.room_id = std::string(room_id);
  if (!room.is_object()) return out;
  element summary;
  if (!room["summary"].get(summary) && summary.is_object()) {
    out.joined_members = int_of(summary, "m.joined_member_count", -1);
    out.invited_members = int_of(summary, "m.invited_member_count", -1);
  }
  read_events(room, "state", false, out.state);
  read_events(room, "timeline", true, out.timeline);
  element timeline;
  if (!room["timeline"].get(timeline) && timeline.is_object())
    out.limited = bool_of(timeline, "limited");
  return out;
}

invited_room read_invited(std::string_view room_id, element room, std::string_view own_user_id) {
  invited_room out;
  out.room_id = std::string(room_id);
  if (!room.is_object()) return out;
  std::vector<event> state;
  read_events(room, "invite_state", false, state);
  for (const event& ev : state) {
    if (ev.type != "m.room.member" || ev.state_key != own_user_id) continue;
    if (ev.membership != "invite") continue;
    out.inviter = ev.sender;
    out.is_direct = ev.is_direct;
  }
  return out;
}

}  // namespace

result<sync_batch> parse_sync(std::string_view json, std::string_view own_user_id) {
  simdjson::dom::parser parser;
  element root;
  if (auto err = parser.parse(json.data(), json.size()).get(root); err)
    return fail("matrix: /sync body is not JSON (", simdjson::error_message(err), ", ", json.size(),
                " bytes)");
  if (!root.is_object()) return fail("matrix: /sync body is not a JSON object");
  sync_batch out;
  std::string_view next;
  if (root["next_batch"].get(next) || next.empty())
    return fail("matrix: /sync body has no next_batch");
  out.next_batch = std::string(next);

  element rooms;
  auto err = root["rooms"].get(rooms);
  if (err == simdjson::NO_SUCH_FIELD) return out;
  if (err || !rooms.is_object()) return fail("matrix: /sync `rooms` is not an object");

  object section;
  if (!rooms["join"].get(section)) {
    for (auto [room_id, room] : section) out.joined.push_back(read_joined(room_id, room));
  }
  if (!rooms["invite"].get(section)) {
    for (auto [room_id, room] : section)
      out.invited.push_back(read_invited(room_id, room, own_user_id));
  }
  if (!rooms["leave"].get(section)) {
    for (auto [room_id, room] : section) out.left.emplace_back(room_id);
  }
  return out;
}

}  // namespace frugal::matrix
