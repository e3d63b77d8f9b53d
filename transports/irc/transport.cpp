// The IRC transport glue: owns the connection, the registration state machine, the flood
// queue, the manners (rejoin, nick reclaim) and their timers (reconnect, keepalive, flood,
// reply guard, manners). Lines from the server go through line_buffer → parse →
// registration/manners/inbound; replies go through split → flood_queue.
// Destroying it at any moment (even from inside one of its callbacks) is safe: its
// lifetime token (core/lifetime.h) stops work in progress, uv handles are freed in their
// close callbacks.
#include "transports/irc/transport.h"

#include <map>
#include <unordered_map>

#include "core/lifetime.h"
#include "core/log.h"
#include "core/uv_handle.h"
#include "transports/irc/accounts.h"
#include "transports/irc/reconnect_plan.h"
#include "transports/irc/connection.h"
#include "transports/irc/ctcp.h"
#include "transports/irc/flood.h"
#include "transports/irc/inbound.h"
#include "transports/irc/line_buffer.h"
#include "transports/irc/manners.h"
#include "transports/irc/registration.h"
#include "transports/irc/reply_guard.h"
#include "transports/irc/split.h"

namespace frugal::irc {

namespace {
constexpr const char* tag = "irc";

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

// Lines that carry secrets are never logged.
bool loggable(std::string_view line) {
  if (starts_with(line, "PASS") || starts_with(line, "PRIVMSG NickServ :IDENTIFY")) return false;
  if (starts_with(line, "AUTHENTICATE "))
    return line == "AUTHENTICATE PLAIN" || line == "AUTHENTICATE EXTERNAL" ||
           line == "AUTHENTICATE +";
  return true;
}

// Words in an ERROR that mean "come back much later".
bool is_penalty(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* w : {"k-line", "kline", "g-line", "z-line", "banned", "throttl", "too fast",
                        "too many", "reconnecting too"})
    if (text.find(w) != std::string::npos) return true;
  return false;
}

// Config values that go on the wire as one parameter lose spaces and line breaks.
config::irc_network sanitized(config::irc_network c) {
  auto word = [](std::string& s) {
    std::string out;
    for (char ch : s)
      if (ch != ' ' && ch != '\r' && ch != '\n' && ch != '\0') out += ch;
    s = out.empty() ? "frugal" : out;
    if (s.front() == ':') s[0] = '_';
  };
  word(c.nick);
  word(c.username);
  for (auto& n : c.alt_nicks) word(n);
  c.realname = strip_line_breaks(c.realname);
  if (c.realname.empty()) c.realname = "frugal";
  return c;
}

class network final : public transports::transport {
 public:
  network(uv_loop_t* loop, const config::irc_network& cfg)
      : loop_(loop),
        cfg_(sanitized(cfg)),
        name_("irc." + cfg.name),
        queue_({cfg.flood_lines_per_s, static_cast<double>(cfg.flood_burst),
                static_cast<size_t>(std::max<int64_t>(cfg.outbound_queue_lines, 1))},
               uv_now(loop)),
        ctcp_(std::string("frugal ") + FRUGAL_VERSION),
        plan_({static_cast<uint64_t>(std::max<int64_t>(cfg.reconnect_min_ms, 1)),
               static_cast<uint64_t>(std::max<int64_t>(cfg.reconnect_max_ms, 1)),
               static_cast<uint64_t>(std::max<int64_t>(cfg.reconnect_penalty_ms, 0)),
               static_cast<unsigned>(std::clamp<int64_t>(cfg.sasl_quick_retries, 0, 10))}),
        manners_(cfg_),
        guard_({static_cast<uint64_t>(std::max<int64_t>(cfg.private_reply_hold_ms, 10))}) {
    for (const auto* s : {&cfg_.sasl_password, &cfg_.server_password, &cfg_.nickserv_password})
      if (!s->empty()) log::add_secret(*s);
    for (auto* t :
         {&reconnect_timer_, &keepalive_timer_, &flood_timer_, &guard_timer_, &manners_timer_}) {
      uv_timer_init(loop_, t->get());
      t->mark_initialized();
      (*t)->data = this;
    }
  }

  ~network() override { life_.end(); }

  const std::string& name() const override { return name_; }

  transports::presence where() const override {
    transports::presence p;
    if (reg_ && reg_->registered()) p.self = reg_->nick();
    for (const auto& [folded, channel] : joined_) p.places.push_back(channel);
    return p;
  }

  void start(message_fn on_message, state_fn on_state) override {
    if (started_) return;
    started_ = true;
    on_message_ = std::move(on_message);
    on_state_ = std::move(on_state);
    connect();
  }

  void stop() override {
    if (stopped_ || !started_) return;
    stopped_ = true;
    for (auto* t :
         {&reconnect_timer_, &keepalive_timer_, &flood_timer_, &guard_timer_, &manners_timer_})
      uv_timer_stop(t->get());
    if (size_t n = guard_.held())
      LOG_WARN(tag, name_, ": stopping with ", n, " private reply(ies) held, not delivered");
    if (conn_ && conn_->is_open()) {
      write_line("QUIT :" + std::string("frugal ") + FRUGAL_VERSION);
      conn_->close_gracefully();
    }
    finished_ = std::move(conn_);
    LOG_INFO(tag, name_, ": stopped");
    emit(transports::state::stopped, "stopped");
  }

  void send(const std::string& target, const std::string& text) override {
    send_as(target, text, flood_queue::priority::normal);
  }

  // Owner replies use the `owner` lane; everyone else shares the bounded normal lane, and
  // whoever loses a line there is told so (at most once a minute per target).
  void send_as(const std::string& target, const std::string& text, flood_queue::priority p) {
    if (stopped_) return;
    if (!is_safe_middle(target) || target.find(',') != std::string::npos) {
      LOG_WARN(tag, name_, ": not sending to an invalid target");
      return;
    }
    size_t budget = text_budget(support().linelen, mask_bytes(), "PRIVMSG", target);
    split_options opt{budget, static_cast<size_t>(std::max<int64_t>(cfg_.max_reply_lines, 1))};
    for (auto& line : split_reply(text, opt)) {
      std::string dropped;
      if (!queue_.push("PRIVMSG " + target + " :" + line, p, &dropped)) {
        LOG_WARN(tag, name_, ": outbound queue full, a line was dropped");
        tell_dropped(dropped);
      }
    }
    pump();
  }

  void tell_dropped(const std::string& line) {
    size_t sp = line.find(' '), colon = line.find(" :");
    if (sp == std::string::npos || colon == std::string::npos || colon <= sp) return;
    std::string target = line.substr(sp + 1, colon - sp - 1);
    if (!is_safe_middle(target)) return;
    std::string key = support().fold(target);
    uint64_t t = now();
    if (told_.size() > 64) told_.clear();
    auto it = told_.find(key);
    if (it != told_.end() && t - it->second < 60000) return;
    told_[key] = t;
    queue_.push("NOTICE " + target + " :(busy: part of a reply was dropped)",
                flood_queue::priority::front);
  }

  void reply(const transports::inbound& to, const std::string& text, bool private_realm) override {
    if (stopped_) return;
    if (!private_realm) return send(to.target, text);
    if (!to.direct) return send_as(to.target, text, flood_queue::priority::owner);
    auto nick = guard_.route(to.from.mask, to.from.account, text, accounts_, support(), now());
    if (nick) {
      if (!support().equal(*nick, to.target))
        LOG_INFO(tag, name_, ": ", to.target, " is now ", *nick, "; the reply follows");
      return send_as(*nick, text, flood_queue::priority::owner);
    }
    LOG_INFO(tag, name_, ": holding a private reply for ", to.target,
             " until the server confirms who holds that nick");
    check_guard();
  }

 private:
  const isupport& support() const { return reg_ ? reg_->support() : default_support_; }
  bool registered() const { return conn_ && reg_ && reg_->registered(); }
  uint64_t now() const { return uv_now(loop_); }

  // The bytes of "nick!user@host" as the server relays us: known once we see our own JOIN,
  // else a worst case (longest nick we may use, 10-byte user with '~', 63-byte host).
  size_t mask_bytes() const {
    if (!self_mask_.empty()) return self_mask_.size();
    size_t nick = cfg_.nick.size() + 3;
    for (const auto& n : cfg_.alt_nicks) nick = std::max(nick, n.size());
    if (reg_) nick = std::max(nick, reg_->nick().size());
    return nick + 1 + 11 + 1 + 63;
  }

  // Callbacks run from a copy: the owner may destroy this transport inside them.
  void emit(transports::state s, const std::string& detail) {
    if (!on_state_) return;
    auto fn = on_state_;
    fn(s, detail);
  }

  void connect() {
    finished_.reset();
    reg_.reset();
    self_mask_.clear();
    joined_.clear();
    accounts_.clear();
    lines_.clear();
    if (cfg_.tls && !tls_ctx_) {
      auto ctx =
          make_tls_context({cfg_.tls_verify, cfg_.ca_file, cfg_.client_cert, cfg_.client_key});
      if (!ctx) {
        LOG_ERROR(tag, name_, ": ", ctx.message());
        lifetime::watcher alive = life_.watch();
        emit(transports::state::disconnected, ctx.message());
        if (!alive.expired()) schedule_reconnect();
        return;
      }
      tls_ctx_ = std::move(ctx.value());
    }
    LOG_INFO(tag, name_, ": connecting to ", cfg_.server, ":", cfg_.port, cfg_.tls ? " (TLS)" : "");
    lifetime::watcher alive = life_.watch();
    emit(transports::state::connecting, cfg_.server);
    if (alive.expired()) return;
    // The loop's cached time may be stale (start() before the loop ran, or after slow
    // start-up work); the registration timeout counts from the real now.
    uv_update_time(loop_);
    attempt_started_ = now();
    connection::events ev;
    ev.on_open = [this] { on_open(); };
    ev.on_data = [this](std::string_view d) { on_data(d); };
    ev.on_close = [this](const std::string& why) { on_link_lost(why); };
    conn_ = std::make_unique<connection>(loop_, std::move(ev));
    conn_->open(cfg_.server, static_cast<int>(cfg_.port), cfg_.tls ? tls_ctx_.get() : nullptr,
                cfg_.tls_verify);
    if (alive.expired()) return;  // open() failed at once and the owner let go of us
    arm_keepalive(static_cast<uint64_t>(cfg_.register_timeout_ms));
  }

  void on_open() {
    last_rx_ = now();
    reg_ = std::make_unique<registration>(cfg_);
    for (const auto& line : reg_->begin()) write_line(line);
  }

  void on_data(std::string_view data) {
    last_rx_ = now();
    ping_sent_ = false;
    lifetime::watcher alive = life_.watch();
    connection* link = conn_.get();
    size_t dropped = lines_.dropped();
    auto lines = lines_.feed(data);
    if (lines_.dropped() != dropped) LOG_WARN(tag, name_, ": dropped an over-long line");
    for (const auto& raw : lines) {
      auto m = parse(raw);
      if (!m) continue;
      handle(*m);
      if (alive.expired() || conn_.get() != link || !conn_) return;
    }
  }

  void handle(const message& m) {
    if (!reg_) return;
    accounts_.observe(m, support(), reg_->nick());
    if (!m.prefix.empty() || m.command == "352" || m.command == "354") {
      std::string who = account_for(m, reg_->has_cap("account-tag"), accounts_, support());
      for (auto& o : guard_.observe(m, who, accounts_, support(), now())) {
        LOG_INFO(tag, name_, ": ", o.nick, " confirmed; delivering a held private reply");
        send_as(o.nick, o.text, flood_queue::priority::owner);
        if (!reg_) return;
      }
    }
    bool was_registered = reg_->registered();
    auto replies = reg_->feed(m);
    bool registered_now = reg_->registered();
    for (auto& line : replies) {
      if (registered_now && !starts_with(line, "PONG") && !starts_with(line, "QUIT"))
        queue_.push(std::move(line), flood_queue::priority::front);
      else
        write_line(line);
      if (!reg_) return;  // a failed write ended the link
    }
    if (reg_->quitting()) {
      ending_ = reg_->sasl_unavailable() ? reconnect_plan::ending::sasl_missing
                                         : reconnect_plan::ending::penalty;
      return drop_link(reg_->failure());
    }
    if (!was_registered && registered_now) return on_registered();
    const std::string& c = m.command;
    if (registered_now) {
      apply(manners_.feed(m, reg_->nick(), support(), now()));
      if (!reg_) return;
    }
    if (c == "001" && !registered_now) {
      LOG_WARN(tag, name_, ": ignoring a 001 that does not name us (\"", m.param(0),
               "\"); still waiting for registration");
    } else if (c == "ERROR") {
      LOG_WARN(tag, name_, ": server says ERROR: ", m.param(0));
      if (is_penalty(m.param(0))) ending_ = reconnect_plan::ending::penalty;
      last_error_ = m.param(0);
    } else if (c == "JOIN" && support().equal(m.nick(), reg_->nick())) {
      self_mask_ = m.prefix;
      joined_[support().fold(m.param(0))] = m.param(0);
      LOG_INFO(tag, name_, ": joined ", m.param(0));
      // Who is already there and logged in to what: accounts for people who joined first.
      if (support().whox && is_safe_middle(m.param(0))) {
        queue_.push(whox_query(m.param(0)), flood_queue::priority::front);
        pump();
      }
    } else if (c == "PART" && support().equal(m.nick(), reg_->nick())) {
      joined_.erase(support().fold(m.param(0)));
    } else if (c == "KICK" && support().equal(m.param(1), reg_->nick())) {
      joined_.erase(support().fold(m.param(0)));
    } else if (c == "PRIVMSG") {
      on_privmsg(m);  // may destroy this transport (the callback's owner): nothing after
    } else if (c == "403") {
      LOG_WARN(tag, name_, ": cannot join ", m.param(1), ": ", m.params.back());
    } else if (c == "NICK" && !self_mask_.empty() &&
               support().equal(m.nick(), self_mask_.substr(0, self_mask_.find('!')))) {
      self_mask_ = m.param(0) + self_mask_.substr(self_mask_.find('!'));
    }
  }

  void on_registered() {
    backoff_registered_at_ = now();
    plan_.registered();
    std::string detail = "registered as " + reg_->nick();
    if (!reg_->account().empty()) detail += " (account " + reg_->account() + ")";
    if (!reg_->failure().empty()) detail += "; " + reg_->failure();
    LOG_INFO(tag, name_, ": ", detail);
    queue_.refill_full(now());
    arm_keepalive(static_cast<uint64_t>(cfg_.keepalive_ping_ms));
    apply(manners_.registered(reg_->nick(), support(), now()));
    if (!reg_) return;
    lifetime::watcher alive = life_.watch();
    emit(transports::state::connected, detail);
    if (!alive.expired()) pump();
    if (!alive.expired()) check_guard();
  }

  // Sends what the manners decided (after the replies already queued at the front), logs
  // their notes and sets the manners timer to their next wake-up.
  void apply(manners::output out) {
    for (const auto& n : out.notes) {
      if (n.warn)
        LOG_WARN(tag, name_, ": ", n.text);
      else
        LOG_INFO(tag, name_, ": ", n.text);
    }
    for (auto& line : out.lines) queue_.push(std::move(line), flood_queue::priority::front);
    lifetime::watcher alive = life_.watch();
    if (!out.lines.empty()) pump();
    if (alive.expired() || !reg_) return;  // a failed write ended the link
    auto at = manners_.next_wake(now());
    if (!at) {
      uv_timer_stop(manners_timer_.get());
      return;
    }
    uv_timer_start(
        manners_timer_.get(),
        [](uv_timer_t* t) noexcept {
          auto* self = static_cast<network*>(t->data);
          if (self && self->registered()) self->apply(self->manners_.wake(self->now()));
        },
        std::max<uint64_t>(*at, 1), 0);
  }

  // Held private replies: drop the expired ones, ask the server about the others, and come
  // back while any are held.
  void check_guard() {
    for (const auto& who : guard_.expire(now()))
      LOG_WARN(tag, name_, ": dropped held private reply for ", who,
               ": the sender's identity was not confirmed in time");
    if (guard_.held() == 0) {
      uv_timer_stop(guard_timer_.get());
      return;
    }
    if (registered()) {
      for (auto& line : guard_.queries(support(), now()))
        queue_.push(std::move(line), flood_queue::priority::front);
      pump();
    }
    uv_timer_start(
        guard_timer_.get(),
        [](uv_timer_t* t) noexcept {
          if (auto* self = static_cast<network*>(t->data)) self->check_guard();
        },
        1000, 0);
  }

  void on_privmsg(const message& m) {
    const std::string& text = m.params.back();
    if (auto req = parse_ctcp(text)) {
      std::string sender = m.nick();
      if (is_safe_middle(sender) && !support().equal(sender, reg_->nick()))
        if (auto reply = ctcp_.answer(*req, sender, now())) {
          queue_.push(std::move(*reply));
          pump();
        }
      return;
    }
    inbound_context ctx{
        name_, reg_->nick(), &support(), &cfg_.channels, reg_->has_cap("account-tag"), &accounts_};
    if (auto in = to_inbound(m, ctx))
      if (on_message_) {
        if (in->direct) guard_.note(m.prefix, in->from.account, accounts_, support(), now());
        auto fn = on_message_;
        fn(std::move(*in));
      }
  }

  void write_line(const std::string& line) {
    if (!conn_) return;
    if (line.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      LOG_ERROR(tag, name_, ": refusing to send a line with CR, LF or NUL");
      return;
    }
    if (loggable(line)) LOG_DEBUG(tag, name_, " >> ", line);
    conn_->write(line + "\r\n");
  }

  void pump() {
    if (!registered()) return;
    lifetime::watcher alive = life_.watch();
    for (const auto& line : queue_.take(now())) {
      write_line(line);
      if (alive.expired() || !conn_) return;
    }
    int64_t wait = queue_.next_in(now());
    if (wait >= 0)
      uv_timer_start(
          flood_timer_.get(),
          [](uv_timer_t* t) noexcept {
            if (auto* self = static_cast<network*>(t->data)) self->pump();
          },
          static_cast<uint64_t>(std::max<int64_t>(wait, 1)), 0);
  }

  // The keepalive timer checks, when it fires, registration progress or silence.
  void arm_keepalive(uint64_t in_ms) {
    uv_timer_start(
        keepalive_timer_.get(),
        [](uv_timer_t* t) noexcept {
          if (auto* self = static_cast<network*>(t->data)) self->check_keepalive();
        },
        std::max<uint64_t>(in_ms, 1), 0);
  }

  void check_keepalive() {
    if (!conn_) return;
    uint64_t t = now();
    if (!registered()) {
      uint64_t limit = attempt_started_ + static_cast<uint64_t>(cfg_.register_timeout_ms);
      if (t >= limit) return drop_link("registration timed out");
      return arm_keepalive(limit - t);
    }
    uint64_t silence = t - last_rx_;
    auto ping_ms = static_cast<uint64_t>(cfg_.keepalive_ping_ms);
    auto dead_ms = static_cast<uint64_t>(cfg_.keepalive_dead_ms);
    if (silence >= dead_ms) return drop_link("no reply from the server (ping timeout)");
    if (silence >= ping_ms && !ping_sent_) {
      ping_sent_ = true;
      write_line("PING :frugal");
    }
    uint64_t next = silence < ping_ms ? ping_ms - silence : dead_ms - silence;
    arm_keepalive(next);
  }

  // Ends the link from our side (registration failure, timeout) and plans a reconnect.
  void drop_link(const std::string& why) {
    if (conn_) conn_->close_gracefully();
    on_link_lost(why);
  }

  void on_link_lost(const std::string& why) {
    finished_ = std::move(conn_);  // destroyed later, outside its own callback
    uv_timer_stop(keepalive_timer_.get());
    uv_timer_stop(flood_timer_.get());
    uv_timer_stop(manners_timer_.get());
    manners_.disconnected();
    std::string detail = last_error_.empty() ? why : why + " (ERROR: " + last_error_ + ")";
    last_error_.clear();
    if (reg_ && reg_->registered() && now() - backoff_registered_at_ >= 30000) plan_.stable();
    reg_.reset();
    joined_.clear();
    guard_.disconnected();
    LOG_WARN(tag, name_, ": disconnected: ", detail);
    lifetime::watcher alive = life_.watch();
    emit(transports::state::disconnected, detail);
    if (!alive.expired()) schedule_reconnect();
  }

  void schedule_reconnect() {
    if (stopped_) return;
    bool sasl_missing = ending_ == reconnect_plan::ending::sasl_missing;
    uint64_t delay = plan_.next(ending_);
    ending_ = reconnect_plan::ending::ordinary;
    LOG_INFO(tag, name_, ": reconnecting in ", delay, " ms",
             sasl_missing && delay < static_cast<uint64_t>(cfg_.reconnect_penalty_ms)
                 ? " (SASL missing: services may be relinking; a quick retry)"
                 : "");
    uv_timer_start(
        reconnect_timer_.get(),
        [](uv_timer_t* t) noexcept {
          if (auto* self = static_cast<network*>(t->data)) self->connect();
        },
        delay, 0);
  }

  uv_loop_t* loop_;
  config::irc_network cfg_;
  std::string name_;
  message_fn on_message_;
  state_fn on_state_;
  ssl_ctx_ptr tls_ctx_;
  std::unique_ptr<connection> conn_;
  std::unique_ptr<connection> finished_;
  line_buffer lines_;
  std::unique_ptr<registration> reg_;
  isupport default_support_;
  account_map accounts_;
  flood_queue queue_;
  ctcp_responder ctcp_;
  reconnect_plan plan_;
  manners manners_;
  reply_guard guard_;
  uv_owned<uv_timer_t> reconnect_timer_, keepalive_timer_, flood_timer_, guard_timer_,
      manners_timer_;
  uint64_t attempt_started_ = 0;
  uint64_t last_rx_ = 0;
  uint64_t backoff_registered_at_ = 0;
  bool ping_sent_ = false;
  reconnect_plan::ending ending_ = reconnect_plan::ending::ordinary;
  std::string last_error_;
  std::string self_mask_;
  std::map<std::string, std::string> joined_;       // folded channel name → as the server said it
  std::unordered_map<std::string, uint64_t> told_;  // target → when told of a dropped line
  bool started_ = false;
  bool stopped_ = false;
  lifetime life_;  // the owner may destroy us inside on_message or on_state
};

}  // namespace

std::unique_ptr<transports::transport> make_transport(uv_loop_t* loop,
                                                      const config::irc_network& cfg) {
  return std::make_unique<network>(loop, cfg);
}

}  // namespace frugal::irc
