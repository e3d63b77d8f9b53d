// The /sync loop and what it delivers. The first sync of a new account runs with
// timeout=0 and only records state (invites, encryption), so the backlog is never
// answered; afterwards each batch is handled and its next_batch saved before the next
// long-poll (after a batch that delivered nothing, only when the token moved, at most
// every few minutes and at stop: an idle account writes nothing). Each message is
// recorded (seen + inbox) before delivery and before the token moves, so a replayed batch
// delivers nothing twice, and one received but not answered when the process died is
// delivered again after the restart (at-least-once; the reply keeps its persisted txn
// id). When recording fails, the token is not saved and the batch is fetched again.
#include <chrono>

#include "core/json_writer.h"
#include "core/log.h"
#include "policies/invite.h"
#include "transports/matrix/account.h"
#include "transports/matrix/addressing.h"
#include "transports/matrix/urls.h"

namespace frugal::matrix {
namespace {

const char k_encrypted_notice[] = "I only work in unencrypted rooms.";

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void account::sync() {
  if (stopped_) return;
  bool initial = since_.empty();
  if (initial) {
    auto saved = state_.next_batch();
    if (!saved)
      LOG_WARN("matrix", name_, ": ", saved.message());
    else
      since_ = saved_since_ = *saved;
    initial = since_.empty();
  }
  // Until one sync succeeded, ask the server not to wait: "connected" then means caught up.
  std::string path = "/_matrix/client/v3/sync?timeout=";
  path += initial || !synced_once_ ? "0" : std::to_string(tune_.sync_timeout_ms);
  if (!filter_id_.empty()) path += "&filter=" + percent_encode(filter_id_);
  if (!initial) path += "&since=" + percent_encode(since_);
  main_req_ = api("GET", path, "", tune_.sync_http_timeout_ms,
                  [this, initial](const http::response& r, const outcome& o) {
                    main_req_ = 0;
                    on_sync(r, o, initial);
                  });
}

void account::on_sync(const http::response& r, const outcome& o, bool initial) {
  if (o.kind == verdict::cancelled || stopped_) return;
  if (o.kind == verdict::permanent) {
    // A homeserver that forgot our filter answers 400/404: make a new one.
    filter_id_.clear();
    return retry_main(o, "sync", [this] { whoami(); });
  }
  if (o.kind != verdict::ok) return retry_main(o, "sync", [this] { sync(); });
  auto batch = parse_sync(r.body, own_id_);
  if (!batch)
    return retry_main({verdict::transient, -1, "", batch.message()}, "sync", [this] { sync(); });

  if (!replayed_ && !initial) replay_inbox();
  replayed_ = true;
  for (const invited_room& invite : batch->invited) handle_invite(invite);
  record_failed_ = false;
  for (const joined_room& room : batch->joined) handle_room(room, initial);
  if (record_failed_)
    return retry_main({verdict::transient, -1, "", "could not record received messages"}, "sync",
                      [this] { sync(); });
  keep_token(batch->next_batch,
             initial || !batch->joined.empty() || !batch->invited.empty() || !batch->left.empty());
  if (initial) LOG_INFO("matrix", name_, ": first sync; earlier messages are not answered");
  main_backoff_.reset();
  fresh_login_ = false;
  synced_once_ = true;
  set_state(transports::state::connected, base_url_);
  sync();
}

void account::keep_token(const std::string& token, bool eventful) {
  since_ = token;
  if (since_ == saved_since_) return;  // an idle long-poll: nothing moved, nothing written
  if (eventful || steady_ms() - since_saved_at_ >= tune_.token_save_every_ms) save_token();
}

void account::save_token() {
  if (since_.empty() || since_ == saved_since_) return;
  if (auto s = state_.set_next_batch(since_); !s) {
    LOG_WARN("matrix", name_, ": ", s.message());
    return;
  }
  saved_since_ = since_;
  since_saved_at_ = steady_ms();
}

void account::handle_room(const joined_room& room, bool initial) {
  auto loaded = state_.room(room.room_id);
  if (!loaded) LOG_WARN("matrix", name_, ": ", loaded.message());
  room_info info = loaded ? *loaded : room_info{};
  room_info before = info;
  if (room.joined_members >= 0) info.members = room.joined_members;
  joined_rooms_.insert(room.room_id);  // listed under rooms.join: the bot is in it

  std::map<std::string, std::string> names;  // display names seen in this batch
  auto scan = [&](const std::vector<event>& events) {
    for (const event& ev : events) {
      if (ev.type == "m.room.encryption" && ev.is_state) info.encrypted = true;
      if (ev.type == "m.room.member" && ev.is_state && !ev.state_key.empty())
        if (auto s = state_.set_member(room.room_id, ev.state_key, ev.membership); !s)
          LOG_WARN("matrix", name_, ": ", s.message());
      if (ev.type == "m.room.member" && ev.is_state && ev.state_key == own_id_)
        ev.membership == "join" ? (void)joined_rooms_.insert(room.room_id)
                                : (void)joined_rooms_.erase(room.room_id);
      if (ev.type != "m.room.member" || !ev.is_state || ev.displayname.empty()) continue;
      if (ev.state_key == own_id_)
        own_display_ = ev.displayname;
      else
        names[ev.state_key] = ev.displayname;
    }
  };
  scan(room.state);
  scan(room.timeline);

  if (info.encrypted && !info.notified) {
    info.notified = true;
    LOG_INFO("matrix", name_, ": ", room.room_id,
             " is encrypted; sending one notice and "
             "ignoring it from now on");
    json_writer w;
    w.begin_object().key("msgtype").string("m.notice").key("body").string(k_encrypted_notice);
    queue_content(room.room_id, w.end_object().take());
  }
  if (info.encrypted != before.encrypted || info.notified != before.notified ||
      info.members != before.members) {
    if (auto s = state_.set_room(room.room_id, info); !s)
      LOG_WARN("matrix", name_, ": ", s.message());
  }
  if (info.encrypted || initial) return;
  if (room.limited)
    LOG_INFO("matrix", name_, ": gap in ", room.room_id, "; only the latest ", room.timeline.size(),
             " events are considered");
  for (const event& ev : room.timeline) handle_message(room, ev, info, names);
}

void account::handle_message(const joined_room& room, const event& ev, const room_info& info,
                             const std::map<std::string, std::string>& names) {
  if (ev.type != "m.room.message" || ev.sender == own_id_) return;
  if (ev.msgtype != "m.text" && ev.msgtype != "m.emote") return;  // m.notice: other bots
  int64_t age = ev.age_ms >= 0 ? ev.age_ms : now_ms() - ev.origin_server_ts;
  if (age > tune_.max_event_age_ms) {
    LOG_DEBUG("matrix", name_, ": skipping ", ev.event_id, ", ", age / 1000, " s old");
    return;
  }
  bool direct = info.direct || info.members == 2;
  addressing a = address(ev, own_id_, own_display_);
  if (!direct && cfg_.respond_to != "all" && !a.mentioned) return;
  if (a.text.find_first_not_of(" \t\r\n") == std::string::npos) return;
  auto n = names.find(ev.sender);
  inbox_entry e{ev.event_id,
                room.room_id,
                ev.sender,
                n != names.end() ? n->second : localpart(ev.sender),
                std::move(a.text),
                direct,
                now_ms() - std::max<int64_t>(age, 0)};
  auto fresh = state_.receive(e);
  if (!fresh) {
    // Neither delivered nor recorded: the batch's token is not saved, so it comes again.
    LOG_WARN("matrix", name_, ": ", fresh.message());
    record_failed_ = true;
    return;
  }
  if (*fresh) deliver(e);
}

void account::deliver(const inbox_entry& e) {
  transports::inbound in;
  in.transport = name_;
  in.target = e.room_id;
  in.from.network = "matrix";
  in.from.account = e.sender;
  in.from.display = e.display;
  in.text = e.text;
  in.direct = e.direct;
  in.id = e.event_id;
  auto info = state_.room(e.room_id);
  if (!info) LOG_WARN("matrix", name_, ": ", info.message());
  fill_audience(e.room_id, info ? *info : room_info{}, in);
  LOG_DEBUG("matrix", name_, ": message ", e.event_id, " from ", e.sender, " in ", e.room_id);
  if (on_message_) on_message_(std::move(in));
}

// Who can read the room, for policies/placement.h. Known only once the full member state
// arrived (our own join is in it: the filter does not lazy-load members, so joining or the
// first sync brings every member) and it agrees with the server's joined count when the
// server sent one; otherwise the room counts as readable by anyone.
void account::fill_audience(const std::string& room_id, const room_info& info,
                            transports::inbound& in) {
  auto m = state_.members(room_id);
  if (!m) {
    LOG_WARN("matrix", name_, ": ", m.message());
    return;
  }
  bool self_joined = false;
  for (const auto* list : {&m->joined, &m->invited})
    for (const std::string& user : *list) {
      if (user == own_id_)
        self_joined = list == &m->joined;
      else
        in.audience.push_back(user);
    }
  in.audience_known =
      self_joined && (info.members < 0 || static_cast<int64_t>(m->joined.size()) == info.members);
}

void account::replay_inbox() {
  auto pending = state_.inbox();
  if (!pending) {
    LOG_WARN("matrix", name_, ": ", pending.message());
    return;
  }
  for (const inbox_entry& e : *pending) {
    int64_t age = now_ms() - e.origin_ts;
    if (age > tune_.max_event_age_ms) {
      LOG_INFO("matrix", name_, ": not answering ", e.event_id, " from ", e.sender,
               " received before the restart: ", age / 1000, " s old");
      if (auto s = state_.answered(e.event_id); !s) LOG_WARN("matrix", name_, ": ", s.message());
      continue;
    }
    LOG_INFO("matrix", name_, ": answering ", e.event_id, " from ", e.sender,
             ", received before the restart");
    deliver(e);
  }
}

transports::presence account::where() const {
  transports::presence p;
  if (state_now_ == transports::state::connected) p.self = own_id_;
  p.places.assign(joined_rooms_.begin(), joined_rooms_.end());
  return p;
}

void account::done(const std::string& message_id) {
  if (!unsaved_.empty()) {  // its reply is not stored yet: answered once it is
    answered_later_.push_back(message_id);
    return;
  }
  if (auto s = state_.answered(message_id); !s) LOG_WARN("matrix", name_, ": ", s.message());
}

void account::handle_invite(const invited_room& invite) {
  std::string room = percent_encode(invite.room_id);
  auto v = policies::may_invite(cfg_, invite.inviter);
  if (v.verdict != policies::invite_verdict::kind::allow) {
    LOG_INFO("matrix", name_, ": declining invite to ", invite.room_id, " from ",
             invite.inviter.empty() ? std::string("(unknown)") : invite.inviter, ": ", v.reason);
    return queue({"POST", "/_matrix/client/v3/rooms/" + room + "/leave", "{}",
                  "decline " + invite.room_id, 0});
  }
  LOG_INFO("matrix", name_, ": joining ", invite.room_id, " on invite from ", invite.inviter);
  if (invite.is_direct) {
    auto info = state_.room(invite.room_id);
    room_info updated = info ? *info : room_info{};
    updated.direct = true;
    if (auto s = state_.set_room(invite.room_id, updated); !s)
      LOG_WARN("matrix", name_, ": ", s.message());
  }
  queue({"POST", "/_matrix/client/v3/join/" + room, "{}", "join " + invite.room_id, 0});
}

}  // namespace frugal::matrix
