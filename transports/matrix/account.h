// account: the Matrix transport's implementation class, shared by account.cpp (start-up,
// login, plumbing), sync.cpp (the /sync loop and what it delivers) and outbox.cpp (sends,
// joins and leaves, retried in order). Not for use outside transports/matrix: callers use
// make_transport() from transport.h.
#pragma once
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "core/backoff.h"
#include "core/lifetime.h"
#include "core/uv_handle.h"
#include "transports/matrix/events.h"
#include "transports/matrix/responses.h"
#include "transports/matrix/state.h"
#include "transports/matrix/transport.h"

    namespace frugal::matrix {

  // A one-shot timer that runs a callback on the loop; start() replaces a pending one.
  class delay {
   public:
    explicit delay(uv_loop_t* loop);
    void start(int64_t ms, std::function<void()> fn);
    void stop();

   private:
    uv_owned<uv_timer_t> timer_;
    std::function<void()> fn_;
  };

  class account final : public transports::transport {
   public:
    account(uv_loop_t* loop, http::client& http, state_store state,
            const config::matrix_account& cfg, const tuning& tune);
    ~account() override;

    const std::string& name() const override { return name_; }
    void start(message_fn on_message, state_fn on_state) override;
    void stop() override;
    void send(const std::string& target, const std::string& text) override;
    void done(const std::string& message_id) override;
    transports::presence where() const override;

   private:
    using reply_fn = std::function<void(const http::response&, const outcome&)>;

    // A queued request that must be retried until the homeserver answers it.
    struct job {
      std::string method;
      std::string path;
      std::string body;
      std::string what;        // for logs: "send to !room:hs", "join !room:hs"
      int64_t pending_id = 0;  // matrix_pending row to delete once acknowledged (sends)
      std::function<void(const std::string& body)> then = {};  // on 2xx, with the reply body
    };

    // account.cpp
    // `auth` adds the access token; only .well-known discovery sets `follow` (redirects).
    http::request_id call(const char* method, const std::string& url, std::string body,
                          long timeout_ms, bool auth, bool follow, reply_fn done);
    http::request_id api(const char* method, const std::string& path, std::string body,
                         long timeout_ms, reply_fn done);
    void resolve();
    void discover(const std::string& url, const std::string& fallback);
    void authenticate();
    void login();
    void whoami();
    void create_filter();
    void join_rooms(size_t index);
    // Schedules `again` after a failed main-lane request (429 wait or backoff); 401 re-logs in.
    void retry_main(const outcome& o, const char* step, std::function<void()> again);
    void reauth(const outcome& o);
    void halt(const std::string& reason);
    void set_state(transports::state s, const std::string& detail);
    void cancel_requests();

    // sync.cpp
    void sync();
    void on_sync(const http::response& r, const outcome& o, bool initial);
    // Moves since_ to `token` and saves it when the database holds another one: at once
    // when the batch carried anything (`eventful`), otherwise at most every
    // tune_.token_save_every_ms. An unsaved token only makes a restart fetch again batches
    // that delivered nothing; each message was recorded before its token moved.
    void keep_token(const std::string& token, bool eventful);
    void save_token();  // since_, when the database holds another token (stop, halt)
    void handle_room(const joined_room& room, bool initial);
    void handle_message(const joined_room& room, const event& ev, const room_info& info,
                        const std::map<std::string, std::string>& names);
    void handle_invite(const invited_room& invite);
    void fill_audience(const std::string& room_id, const room_info& info, transports::inbound& in);
    void deliver(const inbox_entry& e);
    void replay_inbox();  // messages received before a restart and never answered
    void save_unsaved();  // stores and queues sends the database refused (busy) so far

    // outbox.cpp
    void load_pending();
    void queue(job j);
    void queue_content(const std::string& room_id, const std::string& content);
    void pump();
    void on_job_reply(const http::response& r, const outcome& o);

    http::client& http_;
    state_store state_;
    config::matrix_account cfg_;
    tuning tune_;
    std::string name_;  // "matrix.<name>"
    lifetime life_;     // replies to requests of a destroyed account are dropped unread

    message_fn on_message_;
    state_fn on_state_;
    transports::state state_now_ = transports::state::disconnected;

    std::string base_url_;
    std::string token_;
    std::string own_id_;
    std::set<std::string> joined_rooms_;              // room ids seen under rooms.join
    std::map<std::string, std::string> alias_rooms_;  // #alias:server → !room:server, looked up
    std::string own_display_;
    std::string filter_id_;
    std::string since_;
    std::string saved_since_;     // the token the database holds ("" unknown or none)
    int64_t since_saved_at_ = 0;  // steady ms of the last save

    bool started_ = false;
    bool stopped_ = false;      // stop() or halt(): nothing runs any more
    bool ready_ = false;        // token and user id known: the outbox may run
    bool relogging_ = false;    // a 401 re-login is in progress
    bool fresh_login_ = false;  // logged in and no sync has succeeded since
    bool synced_once_ = false;
    bool record_failed_ = false;  // a message of this batch could not be recorded
    bool replayed_ = false;       // the inbox of an earlier run was delivered (once)

    http::request_id main_req_ = 0;  // the start-up chain or /sync in flight
    delay main_delay_;
    backoff main_backoff_;

    std::deque<job> outbox_;
    bool outbox_busy_ = false;  // a request or a retry timer is outstanding for the head
    http::request_id outbox_req_ = 0;
    delay outbox_delay_;
    std::deque<std::pair<std::string, std::string>> unsaved_;  // (room, content) not stored yet
    std::vector<std::string> answered_later_;  // done() before their replies were stored
    delay unsaved_delay_;
    backoff outbox_backoff_;
  };

}  // namespace frugal::matrix
