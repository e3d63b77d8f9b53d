// Matrix account: construction, the start-up chain (discovery → login → whoami → filter →
// joins → first sync), request plumbing and the 401 handling shared by every lane. The
// access token travels only in the Authorization header and is registered as a secret.
#include "transports/matrix/account.h"

#include "core/json_writer.h"
#include "core/log.h"
#include "transports/matrix/urls.h"

namespace frugal::matrix {

delay::delay(uv_loop_t* loop) {
  uv_timer_init(loop, timer_.get());
  timer_.mark_initialized();
}

void delay::start(int64_t ms, std::function<void()> fn) {
  fn_ = std::move(fn);
  timer_->data = this;
  uv_timer_start(
      timer_.get(),
      [](uv_timer_t* t) noexcept {
        auto* self = static_cast<delay*>(t->data);
        if (!self || !self->fn_) return;
        auto fn = std::move(self->fn_);
        self->fn_ = nullptr;
        try {
          fn();
        } catch (...) {
          LOG_ERROR("matrix", "unexpected exception in a timer callback");
        }
      },
      static_cast<uint64_t>(ms < 0 ? 0 : ms), 0);
}

void delay::stop() {
  uv_timer_stop(timer_.get());
  fn_ = nullptr;
}

account::account(uv_loop_t* loop, http::client& http, state_store state,
                 const config::matrix_account& cfg, const tuning& tune)
    : http_(http),
      state_(std::move(state)),
      cfg_(cfg),
      tune_(tune),
      name_("matrix." + cfg.name),
      token_(cfg.access_token),
      main_delay_(loop),
      main_backoff_(static_cast<uint64_t>(tune.backoff_min_ms),
                    static_cast<uint64_t>(tune.backoff_max_ms)),
      outbox_delay_(loop),
      unsaved_delay_(loop),
      outbox_backoff_(static_cast<uint64_t>(tune.backoff_min_ms),
                      static_cast<uint64_t>(tune.backoff_max_ms)) {
  if (!cfg_.access_token.empty()) log::add_secret(cfg_.access_token);
  if (!cfg_.password.empty()) log::add_secret(cfg_.password);
}

account::~account() {
  life_.end();  // replies arriving from now on are dropped unread
  cancel_requests();
}

void account::cancel_requests() {
  main_delay_.stop();
  outbox_delay_.stop();
  http::request_id m = main_req_, o = outbox_req_;
  main_req_ = outbox_req_ = 0;
  outbox_busy_ = false;
  if (m) http_.cancel(m);
  if (o) http_.cancel(o);
}

void account::set_state(transports::state s, const std::string& detail) {
  if (s == state_now_ && s != transports::state::disconnected) return;
  state_now_ = s;
  if (on_state_) on_state_(s, detail);
}

void account::start(message_fn on_message, state_fn on_state) {
  if (started_) return;
  started_ = true;
  on_message_ = std::move(on_message);
  on_state_ = std::move(on_state);
  set_state(transports::state::connecting, cfg_.homeserver);
  load_pending();
  resolve();
}

void account::stop() {
  if (stopped_) return;
  stopped_ = true;
  cancel_requests();
  save_token();
  LOG_INFO("matrix", name_, ": stopped");
  set_state(transports::state::stopped, "stopped");
}

void account::halt(const std::string& reason) {
  if (stopped_) return;
  LOG_ERROR("matrix", name_, ": ", reason, "; this account is stopped");
  stopped_ = true;
  cancel_requests();
  save_token();
  set_state(transports::state::stopped, reason);
}

http::request_id account::call(const char* method, const std::string& url, std::string body,
                               long timeout_ms, bool auth, bool follow, reply_fn done) {
  http::request req;
  req.method = method;
  req.url = url;
  if (auth && !token_.empty()) req.headers.push_back("Authorization: Bearer " + token_);
  if (std::string_view(method) != "GET") req.headers.push_back("Content-Type: application/json");
  req.body = std::move(body);
  req.connect_timeout_ms = std::min<long>(10'000, timeout_ms);
  req.first_byte_timeout_ms = timeout_ms;
  req.total_timeout_ms = timeout_ms;
  req.max_response_bytes = 16 << 20;
  req.follow_redirects = follow;
  lifetime::watcher life = life_.watch();
  return http_.start(std::move(req), [this, life, done = std::move(done)](http::response r) {
    if (life.expired()) return;
    outcome o = classify(r);
    done(r, o);
  });
}

http::request_id account::api(const char* method, const std::string& path, std::string body,
                              long timeout_ms, reply_fn done) {
  return call(method, base_url_ + path, std::move(body), timeout_ms, true, false, std::move(done));
}

void account::retry_main(const outcome& o, const char* step, std::function<void()> again) {
  if (o.kind == verdict::cancelled || stopped_) return;
  if (o.kind == verdict::unauthorized) return reauth(o);
  int64_t wait = o.kind == verdict::rate_limited && o.wait_ms >= 0
                     ? o.wait_ms
                     : static_cast<int64_t>(main_backoff_.next());
  LOG_WARN("matrix", name_, ": ", step, " failed (", o.detail, "); retrying in ", wait, " ms");
  if (state_now_ == transports::state::connected)
    set_state(transports::state::disconnected, o.detail);
  main_delay_.start(wait, std::move(again));
}

void account::resolve() {
  homeserver_target t = resolve_homeserver(cfg_.homeserver, tune_.discovery_scheme);
  if (!t.base_url.empty()) {
    base_url_ = t.base_url;
    return authenticate();
  }
  discover(t.discover_url, t.fallback_url);
}

void account::discover(const std::string& url, const std::string& fallback) {
  main_req_ = call("GET", url, "", tune_.request_timeout_ms, false, true,
                   [this, url, fallback](const http::response& r, const outcome& o) {
                     main_req_ = 0;
                     if (o.kind == verdict::ok) {
                       auto base = parse_well_known(r.body);
                       if (!base) return halt(base.message() + " (" + url + ")");
                       base_url_ = *base;
                     } else if (r.fail == http::failure::none && r.status == 404) {
                       base_url_ = fallback;  // spec: no .well-known → use the name as is
                     } else {
                       return retry_main(o, "discovery",
                                         [this, url, fallback] { discover(url, fallback); });
                     }
                     LOG_INFO("matrix", name_, ": homeserver is ", base_url_);
                     authenticate();
                   });
}

void account::authenticate() {
  if (!token_.empty()) return whoami();
  if (!cfg_.password.empty() && !cfg_.user.empty()) return login();
  halt("no access token (set $" + cfg_.access_token_env + ") and no user/password to log in with");
}

void account::login() {
  json_writer w;
  w.begin_object().key("type").string("m.login.password");
  w.key("identifier").begin_object().key("type").string("m.id.user");
  w.key("user").string(cfg_.user).end_object();
  w.key("password").string(cfg_.password);
  w.key("device_id").string(cfg_.device_id);
  w.key("initial_device_display_name").string("frugal").end_object();
  main_req_ = call(
      "POST", base_url_ + "/_matrix/client/v3/login", w.take(), tune_.request_timeout_ms, false,
      false, [this](const http::response& r, const outcome& o) {
        main_req_ = 0;
        if (o.kind == verdict::permanent || o.kind == verdict::unauthorized)
          return halt("login as " + cfg_.user + " refused (" + o.detail + ")");
        if (o.kind != verdict::ok) return retry_main(o, "login", [this] { login(); });
        auto reply = parse_login(r.body);
        if (!reply)
          return retry_main({verdict::transient, -1, "", reply.message()}, "login",
                            [this] { login(); });
        token_ = reply->access_token;
        log::add_secret(token_);
        own_id_ = reply->user_id;
        relogging_ = false;
        fresh_login_ = true;
        LOG_INFO("matrix", name_, ": logged in as ", own_id_, " (device ", reply->device_id, ")");
        whoami();
      });
}

void account::reauth(const outcome& o) {
  if (stopped_ || relogging_) return;
  if (cfg_.password.empty() || cfg_.user.empty())
    return halt("the homeserver rejected the access token (" + o.detail +
                "); put a new token in $" + cfg_.access_token_env +
                " or configure user and password_env");
  if (fresh_login_) return halt("a fresh login was rejected at once (" + o.detail + ")");
  LOG_WARN("matrix", name_, ": access token rejected (", o.errcode, "); logging in again");
  relogging_ = true;
  ready_ = false;
  cancel_requests();
  token_.clear();
  login();
}

void account::whoami() {
  main_req_ = api("GET", "/_matrix/client/v3/account/whoami", "", tune_.request_timeout_ms,
                  [this](const http::response& r, const outcome& o) {
                    main_req_ = 0;
                    if (o.kind == verdict::permanent)
                      return halt("whoami refused (" + o.detail + ")");
                    if (o.kind != verdict::ok) return retry_main(o, "whoami", [this] { whoami(); });
                    auto id = parse_string_field(r.body, "user_id");
                    if (!id)
                      return retry_main({verdict::transient, -1, "", id.message()}, "whoami",
                                        [this] { whoami(); });
                    own_id_ = *id;
                    ready_ = true;
                    LOG_INFO("matrix", name_, ": signed in as ", own_id_);
                    pump();
                    if (filter_id_.empty()) return create_filter();
                    join_rooms(0);
                  });
}

void account::create_filter() {
  const char* types[] = {"m.room.message", "m.room.encryption", "m.room.member"};
  json_writer w;
  w.begin_object().key("room").begin_object();
  w.key("timeline").begin_object().key("limit").number(tune_.timeline_limit);
  w.key("types").begin_array();
  for (const char* t : types) w.string(t);
  w.end_array().end_object();
  w.key("state").begin_object().key("types").begin_array();
  // Every member, not only the senders in view (no lazy_load_members): an owner's room is
  // judged private only by a member list that is complete (policies/placement.h).
  w.string("m.room.encryption").string("m.room.member").end_array().end_object();
  w.key("ephemeral").begin_object().key("not_types").begin_array().string("*").end_array();
  w.end_object();
  w.key("account_data").begin_object().key("not_types").begin_array().string("*").end_array();
  w.end_object().end_object();
  w.key("presence").begin_object().key("not_types").begin_array().string("*").end_array();
  w.end_object();
  w.key("account_data").begin_object().key("not_types").begin_array().string("*").end_array();
  w.end_object().end_object();
  std::string path = "/_matrix/client/v3/user/" + percent_encode(own_id_) + "/filter";
  main_req_ =
      api("POST", path, w.take(), tune_.request_timeout_ms,
          [this](const http::response& r, const outcome& o) {
            main_req_ = 0;
            if (o.kind == verdict::permanent) {
              LOG_WARN("matrix", name_, ": filter refused (", o.detail, "); syncing without one");
              return join_rooms(0);
            }
            if (o.kind != verdict::ok) return retry_main(o, "filter", [this] { create_filter(); });
            auto id = parse_string_field(r.body, "filter_id");
            if (id) filter_id_ = *id;
            join_rooms(0);
          });
}

void account::join_rooms(size_t index) {
  if (index >= cfg_.rooms.size()) return sync();
  const std::string& room = cfg_.rooms[index];
  main_req_ =
      api("POST", "/_matrix/client/v3/join/" + percent_encode(room), "{}", tune_.request_timeout_ms,
          [this, index, room](const http::response&, const outcome& o) {
            main_req_ = 0;
            if (o.kind == verdict::permanent) {
              LOG_WARN("matrix", name_, ": cannot join ", room, " (", o.detail, ")");
            } else if (o.kind != verdict::ok) {
              return retry_main(o, "join", [this, index] { join_rooms(index); });
            }
            join_rooms(index + 1);
          });
}

std::unique_ptr<transports::transport> make_transport(uv_loop_t* loop, http::client& http,
                                                      store::database& db,
                                                      const config::matrix_account& cfg) {
  return make_transport(loop, http, db, cfg, tuning{});
}

std::unique_ptr<transports::transport> make_transport(uv_loop_t* loop, http::client& http,
                                                      store::database& db,
                                                      const config::matrix_account& cfg,
                                                      const tuning& tune) {
  auto state = state_store::open(db, cfg.name);
  if (!state) {
    LOG_ERROR("matrix", "matrix.", cfg.name, ": ", state.message());
    return nullptr;
  }
  return std::make_unique<account>(loop, http, std::move(*state), cfg, tune);
}

}  // namespace frugal::matrix
