// The outbox: sends, joins and leaves, one at a time and in order. A send is written to
// sqlite with its transaction id before the first attempt and deleted only when the
// homeserver acknowledges it, so a retry — after a timeout, a dropped connection or a
// restart — reuses the same txn id and the homeserver de-duplicates it.
#include "core/json_writer.h"
#include "core/log.h"
#include "transports/matrix/account.h"
#include "transports/matrix/markdown.h"
#include "transports/matrix/responses.h"
#include "transports/matrix/urls.h"

namespace frugal::matrix {

void account::load_pending() {
  auto rows = state_.pending();
  if (!rows) {
    LOG_WARN("matrix", name_, ": ", rows.message());
    return;
  }
  for (pending_send& p : *rows) {
    outbox_.push_back({"PUT",
                       "/_matrix/client/v3/rooms/" + percent_encode(p.room_id) +
                           "/send/m.room.message/" + percent_encode(p.txn_id),
                       std::move(p.content), "send to " + p.room_id, p.id});
  }
  if (!rows->empty())
    LOG_INFO("matrix", name_, ": ", rows->size(), " unsent message(s) from last run queued");
}

void account::send(const std::string& target, const std::string& text) {
  if (stopped_) {
    LOG_WARN("matrix", name_, ": stopped; reply to ", target, " dropped");
    return;
  }
  if (!target.empty() && target[0] == '#') {
    // A room alias (`frugal say matrix.NAME:#room:server`): sends go to room ids, so look
    // it up once (GET /directory/room/{alias}) in the outbox's order, then send.
    if (auto it = alias_rooms_.find(target); it != alias_rooms_.end())
      return send(it->second, text);
    queue({"GET", "/_matrix/client/v3/directory/room/" + percent_encode(target), "",
           "look up " + target, 0, [this, target, text](const std::string& body) {
             auto id = parse_string_field(body, "room_id");
             if (!id || id->empty() || (*id)[0] != '!') {
               LOG_WARN("matrix", name_, ": ", target, " has no room id; message dropped");
               return;
             }
             alias_rooms_[target] = *id;
             send(*id, text);
           }});
    return;
  }
  for (const std::string& piece : split_for_events(text, tune_.max_event_bytes)) {
    rendered r = render_markdown(piece);
    json_writer w;
    w.begin_object().key("msgtype").string(cfg_.msgtype).key("body").string(r.body);
    w.key("format").string("org.matrix.custom.html").key("formatted_body").string(r.html);
    queue_content(target, w.end_object().take());
  }
}

void account::queue_content(const std::string& room_id, const std::string& content) {
  if (outbox_.size() >= tune_.max_queued_sends) {
    LOG_WARN("matrix", name_, ": outbox full (", outbox_.size(), "); message to ", room_id,
             " dropped");
    return;
  }
  unsaved_.push_back({room_id, content});
  save_unsaved();
}

void account::save_unsaved() {
  // A send is stored (with its txn id) before it is queued. When the database is locked by
  // another process the statement gives up after a few ms: keep the send in memory, in
  // order, and try again from a timer instead of dropping it or blocking the loop.
  while (!unsaved_.empty()) {
    const auto& [room_id, content] = unsaved_.front();
    auto p = state_.enqueue(room_id, content);
    if (!p) {
      LOG_WARN("matrix", name_, ": storing a message to ", room_id, " failed (", p.message(),
               "); retrying");
      unsaved_delay_.start(100, [this] { save_unsaved(); });
      return;
    }
    queue({"PUT",
           "/_matrix/client/v3/rooms/" + percent_encode(room_id) + "/send/m.room.message/" +
               percent_encode(p->txn_id),
           content, "send to " + room_id, p->id});
    unsaved_.pop_front();
  }
  // Messages whose replies are stored now count as answered.
  for (const std::string& id : answered_later_)
    if (auto s = state_.answered(id); !s) LOG_WARN("matrix", name_, ": ", s.message());
  answered_later_.clear();
}

void account::queue(job j) {
  outbox_.push_back(std::move(j));
  pump();
}

void account::pump() {
  if (stopped_ || relogging_ || !ready_ || outbox_busy_ || outbox_.empty()) return;
  outbox_busy_ = true;
  const job& j = outbox_.front();
  long timeout = j.pending_id ? tune_.send_timeout_ms : tune_.request_timeout_ms;
  outbox_req_ = api(j.method.c_str(), j.path, j.body, timeout,
                    [this](const http::response& r, const outcome& o) {
                      outbox_req_ = 0;
                      on_job_reply(r, o);
                    });
}

void account::on_job_reply(const http::response& r, const outcome& o) {
  if (o.kind == verdict::cancelled || stopped_ || outbox_.empty()) return;
  outbox_busy_ = false;
  job& j = outbox_.front();
  switch (o.kind) {
    case verdict::ok:
    case verdict::permanent: {
      if (o.kind == verdict::permanent)
        LOG_WARN("matrix", name_, ": ", j.what, " refused (", o.detail, "); dropped");
      if (j.pending_id) {
        if (auto s = state_.remove_pending(j.pending_id); !s)
          LOG_WARN("matrix", name_, ": ", s.message());
      }
      auto then = std::move(j.then);
      outbox_.pop_front();
      outbox_backoff_.reset();
      if (then && o.kind == verdict::ok) then(r.body);  // may queue more (a looked-up send)
      return pump();
    }
    case verdict::unauthorized:
      return reauth(o);
    default: {
      int64_t wait = o.kind == verdict::rate_limited && o.wait_ms >= 0
                         ? o.wait_ms
                         : static_cast<int64_t>(outbox_backoff_.next());
      LOG_WARN("matrix", name_, ": ", j.what, " failed (", o.detail, "); retrying in ", wait,
               " ms");
      outbox_busy_ = true;
      outbox_delay_.start(wait, [this] {
        outbox_busy_ = false;
        pump();
      });
    }
  }
}

}  // namespace frugal::matrix
