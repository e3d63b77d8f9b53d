// http_client: libcurl's multi interface driven by libuv, after curl's multi-uv.c. curl
// tells us which sockets to watch (CURLMOPT_SOCKETFUNCTION → one uv_poll_t each) and when
// to wake it (CURLMOPT_TIMERFUNCTION → one uv_timer_t); we call curl_multi_socket_action
// and then read finished transfers. No threads, no blocking calls, no retries.
#include "core/http/http_client.h"

#include <map>
#include <mutex>
#include <set>
#include <utility>
#include <vector>

#include "core/http/tls_config.h"
#include "core/http/transfer.h"
#include "core/lifetime.h"
#include "core/log.h"

namespace frugal::http {
namespace {

struct socket_ctx {
  uv_poll_t poll;
  curl_socket_t fd;
  client::impl* owner;  // nullptr once closing
};

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    tls::defer_system_config();  // read when a transfer may use TLS (start())
    curl_global_init(CURL_GLOBAL_DEFAULT);
  });
}

}  // namespace

struct client::impl {
  uv_loop_t* loop;
  curl_multi_ptr multi;
  uv_owned<uv_timer_t> timer;     // curl's timeout
  uv_owned<uv_timer_t> deferred;  // setup failures are reported from the loop
  std::map<request_id, std::unique_ptr<transfer>> transfers;
  std::set<socket_ctx*> sockets;
  std::vector<request_id> pending_add;     // started while curl was in a callback
  std::vector<request_id> pending_cancel;  // cancelled while curl was in a callback
  std::vector<std::pair<request_id, std::string>> pending_fail;
  request_id next_id = 1;
  int in_action = 0;
  bool destroying = false;
  lifetime life;  // `done` may destroy the client: callers check it afterwards

  explicit impl(uv_loop_t* l) : loop(l) {
    global_init();
    multi.reset(curl_multi_init());
    curl_multi_setopt(multi.get(), CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(multi.get(), CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi.get(), CURLMOPT_TIMERFUNCTION, on_curl_timer);
    curl_multi_setopt(multi.get(), CURLMOPT_TIMERDATA, this);
    uv_timer_init(loop, timer.get());
    timer.mark_initialized();
    timer->data = this;
    uv_timer_init(loop, deferred.get());
    deferred.mark_initialized();
    deferred->data = this;
  }

  ~impl() {
    destroying = true;
    life.end();
    uv_timer_stop(timer.get());
    while (!transfers.empty())
      finish(transfers.begin()->first, failure::cancelled, "cancelled: client shut down");
    // curl_multi_cleanup may still call on_socket to drop cached connections' sockets.
    multi.reset();
    for (socket_ctx* ctx : std::set<socket_ctx*>(sockets)) close_socket(ctx);
  }

  request_id start(request req, std::function<void(response)> done) {
    request_id id = next_id++;
    auto t = std::make_unique<transfer>();
    t->id = id;
    t->loop = loop;
    t->owner = this;
    t->req = std::move(req);
    t->done = std::move(done);
    if (destroying) {
      call_done(t->done, finish_response(*t, failure::cancelled, "cancelled: client shut down"));
      return id;
    }
    if (!tls::system_config_loaded() &&
        tls::may_use_tls(t->req.url, t->req.follow_redirects, !t->req.public_only))
      tls::load_system_config();
    transfer& tr = *t;
    transfers.emplace(id, std::move(t));
    if (status s = configure_transfer(tr); !s) {
      defer_failure(id, s.message());
      return id;
    }
    uv_timer_init(loop, tr.stall.get());
    tr.stall.mark_initialized();
    tr.stall->data = &tr;
    // The loop's cached time may be old (start-up work, a long callback before this one):
    // the silence timeout counts from the real now.
    uv_update_time(loop);
    tr.last_activity = uv_now(loop);
    if (tr.req.first_byte_timeout_ms > 0)
      uv_timer_start(tr.stall.get(), on_stall, static_cast<uint64_t>(tr.req.first_byte_timeout_ms),
                     0);
    if (in_action > 0)
      pending_add.push_back(id);
    else
      add(tr);
    return id;
  }

  void add(transfer& t) {
    CURLMcode rc = curl_multi_add_handle(multi.get(), t.easy.get());
    if (rc != CURLM_OK) return defer_failure(t.id, curl_multi_strerror(rc));
    t.added = true;
  }

  void defer_failure(request_id id, std::string why) {
    pending_fail.emplace_back(id, std::move(why));
    uv_timer_start(deferred.get(), on_deferred, 0, 0);
  }

  void cancel(request_id id) {
    auto it = transfers.find(id);
    if (it == transfers.end()) return;
    if (in_action > 0) {
      // curl forbids removing a handle from inside its callbacks: finish it right after.
      it->second->cancelled = true;
      pending_cancel.push_back(id);
      return;
    }
    finish(id, failure::cancelled, "cancelled");
  }

  // Ends transfer `id` with a failure decided outside curl. Returns false if `done`
  // destroyed the client.
  bool finish(request_id id, failure f, const std::string& why) {
    auto it = transfers.find(id);
    if (it == transfers.end()) return true;
    std::unique_ptr<transfer> t = std::move(it->second);
    transfers.erase(it);
    if (t->added) curl_multi_remove_handle(multi.get(), t->easy.get());
    response r = finish_response(*t, f, why);
    auto done = std::move(t->done);
    t.reset();
    return call_done(done, std::move(r));
  }

  bool complete(transfer* raw, CURLcode code) {
    auto it = transfers.find(raw->id);
    if (it == transfers.end() || it->second.get() != raw) return true;
    std::unique_ptr<transfer> t = std::move(it->second);
    transfers.erase(it);
    curl_multi_remove_handle(multi.get(), t->easy.get());
    response r = finish_response(*t, code);
    auto done = std::move(t->done);
    t.reset();
    return call_done(done, std::move(r));
  }

  bool call_done(std::function<void(response)>& done, response r) {
    lifetime::watcher still = life.watch();
    if (done) {
      try {
        done(std::move(r));
      } catch (const std::exception& e) {
        LOG_ERROR("http", "done callback threw: ", e.what());
      } catch (...) {
        LOG_ERROR("http", "done callback threw");
      }
    }
    return !still.expired();
  }

  void socket_action(curl_socket_t fd, int flags) {
    int running = 0;
    ++in_action;
    curl_multi_socket_action(multi.get(), fd, flags, &running);
    --in_action;
    after_action();
  }

  void after_action() {
    for (request_id id : std::exchange(pending_cancel, {}))
      if (!finish(id, failure::cancelled, "cancelled")) return;
    for (request_id id : std::exchange(pending_add, {})) {
      auto it = transfers.find(id);
      if (it != transfers.end()) add(*it->second);
    }
    CURLMsg* msg;
    int left = 0;
    while ((msg = curl_multi_info_read(multi.get(), &left))) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURLcode code = msg->data.result;
      transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
      if (t && !complete(t, code)) return;
    }
  }

  void close_socket(socket_ctx* ctx) {
    sockets.erase(ctx);
    ctx->owner = nullptr;
    uv_poll_stop(&ctx->poll);
    uv_close(reinterpret_cast<uv_handle_t*>(&ctx->poll),
             [](uv_handle_t* h) { delete static_cast<socket_ctx*>(h->data); });
  }

  static int on_socket(CURL*, curl_socket_t fd, int what, void* userp, void* socketp) noexcept {
    auto* self = static_cast<impl*>(userp);
    auto* ctx = static_cast<socket_ctx*>(socketp);
    if (what == CURL_POLL_REMOVE) {
      if (ctx) {
        self->close_socket(ctx);
        curl_multi_assign(self->multi.get(), fd, nullptr);
      }
      return 0;
    }
    if (!ctx) {
      ctx = new (std::nothrow) socket_ctx{{}, fd, self};
      if (!ctx) return -1;
      if (uv_poll_init_socket(self->loop, &ctx->poll, fd) != 0) {
        LOG_ERROR("http", "cannot watch socket ", static_cast<int>(fd));
        delete ctx;
        return -1;
      }
      ctx->poll.data = ctx;
      self->sockets.insert(ctx);
      curl_multi_assign(self->multi.get(), fd, ctx);
    }
    int events = 0;
    if (what & CURL_POLL_IN) events |= UV_READABLE;
    if (what & CURL_POLL_OUT) events |= UV_WRITABLE;
    uv_poll_start(&ctx->poll, events, on_poll);
    return 0;
  }

  static void on_poll(uv_poll_t* h, int status, int events) noexcept {
    auto* ctx = static_cast<socket_ctx*>(h->data);
    if (!ctx || !ctx->owner) return;
    int flags = 0;
    if (status < 0) flags = CURL_CSELECT_ERR;
    if (events & UV_READABLE) flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE) flags |= CURL_CSELECT_OUT;
    ctx->owner->socket_action(ctx->fd, flags);
  }

  static int on_curl_timer(CURLM*, long timeout_ms, void* userp) noexcept {
    auto* self = static_cast<impl*>(userp);
    if (timeout_ms < 0)
      uv_timer_stop(self->timer.get());
    else  // 0 means "as soon as possible": from the loop, never from inside curl.
      uv_timer_start(self->timer.get(), on_timeout, static_cast<uint64_t>(timeout_ms), 0);
    return 0;
  }

  static void on_timeout(uv_timer_t* h) noexcept {
    if (auto* self = static_cast<impl*>(h->data)) self->socket_action(CURL_SOCKET_TIMEOUT, 0);
  }

  static void on_stall(uv_timer_t* h) noexcept {
    auto* t = static_cast<transfer*>(h->data);
    if (!t) return;
    auto* self = static_cast<impl*>(t->owner);
    uint64_t limit = static_cast<uint64_t>(t->req.first_byte_timeout_ms);
    uint64_t idle = uv_now(self->loop) - t->last_activity;
    if (idle < limit) {
      uv_timer_start(h, on_stall, limit - idle, 0);
      return;
    }
    self->finish(t->id, failure::timeout, log::cat("no data for ", limit, " ms"));
  }

  static void on_deferred(uv_timer_t* h) noexcept {
    auto* self = static_cast<impl*>(h->data);
    if (!self) return;
    for (auto& [id, why] : std::exchange(self->pending_fail, {}))
      if (!self->finish(id, failure::other, why)) return;
  }
};

client::client(uv_loop_t* loop) : impl_(std::make_unique<impl>(loop)) {}
client::~client() = default;

request_id client::start(request req, std::function<void(response)> done) {
  return impl_->start(std::move(req), std::move(done));
}
void client::cancel(request_id id) {
  impl_->cancel(id);
}
size_t client::active() const {
  return impl_->transfers.size();
}

}  // namespace frugal::http
