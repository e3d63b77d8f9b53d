// The socket side of the IRC transport. Every libuv callback is a noexcept trampoline that
// finds the connection through handle->data (cleared when the connection lets go of the
// handle) or through the resolve request's owner pointer (cleared on destruction).
#include "transports/irc/connection.h"

#include <cstring>

#include "core/log.h"

namespace frugal::irc {

struct connection::resolve_req {
  uv_getaddrinfo_t req;
  connection* owner = nullptr;
};

namespace {
struct write_req {
  uv_write_t req;
  std::string data;
};

void free_tcp(uv_handle_t* h) noexcept {
  delete reinterpret_cast<uv_tcp_t*>(h);
}

void close_tcp_once(uv_tcp_t* tcp) {
  auto* h = reinterpret_cast<uv_handle_t*>(tcp);
  if (!uv_is_closing(h)) uv_close(h, free_tcp);
}

// Finishes a graceful close without an owner: the shutdown request completes after every
// queued write, then the handle closes; a timer closes it anyway after 2 s so a peer that
// stops reading cannot keep the loop alive. Freed when both callbacks have run.
struct closer {
  uv_shutdown_t req{};  // first member: the request pointer is the closer pointer
  uv_timer_t timer{};
  uv_tcp_t* tcp = nullptr;
  int refs = 2;
};

void release(closer* c) {
  if (--c->refs == 0) delete c;
}

void start_closer(uv_loop_t* loop, uv_tcp_t* tcp) {
  auto* c = new closer();
  c->tcp = tcp;
  uv_timer_init(loop, &c->timer);
  c->timer.data = c;
  int rc =
      uv_shutdown(&c->req, reinterpret_cast<uv_stream_t*>(tcp), [](uv_shutdown_t* r, int) noexcept {
        auto* c = reinterpret_cast<closer*>(r);
        close_tcp_once(c->tcp);
        auto* t = reinterpret_cast<uv_handle_t*>(&c->timer);
        if (!uv_is_closing(t))
          uv_close(t, [](uv_handle_t* h) noexcept { release(static_cast<closer*>(h->data)); });
        release(c);
      });
  if (rc != 0) {
    close_tcp_once(tcp);
    uv_close(reinterpret_cast<uv_handle_t*>(&c->timer), [](uv_handle_t* h) noexcept {
      auto* c = static_cast<closer*>(h->data);
      delete c;
    });
    return;
  }
  uv_timer_start(
      &c->timer, [](uv_timer_t* t) noexcept { close_tcp_once(static_cast<closer*>(t->data)->tcp); },
      2000, 0);
}
}  // namespace

connection::connection(uv_loop_t* loop, events ev) : loop_(loop), ev_(std::move(ev)) {}

connection::~connection() {
  life_.end();
  done_ = true;
  if (resolving_) {
    resolving_->owner = nullptr;
    uv_cancel(reinterpret_cast<uv_req_t*>(&resolving_->req));
    resolving_ = nullptr;
  }
  close_handle();
}

void connection::open(const std::string& host, int port, SSL_CTX* tls_ctx, bool verify) {
  host_ = host;
  port_ = port;
  tls_ctx_ = tls_ctx;
  verify_ = verify;
  auto* r = new resolve_req();
  r->owner = this;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  std::string service = std::to_string(port);
  int rc = uv_getaddrinfo(loop_, &r->req, on_resolved, host.c_str(), service.c_str(), &hints);
  if (rc != 0) {
    delete r;
    fail("cannot resolve " + host + ": " + uv_strerror(rc));
    return;
  }
  resolving_ = r;
}

void connection::on_resolved(uv_getaddrinfo_t* req, int status, addrinfo* res) noexcept {
  auto* r = reinterpret_cast<resolve_req*>(req);
  connection* self = r->owner;
  if (self) self->resolving_ = nullptr;
  if (self && status == 0) {
    for (addrinfo* a = res; a; a = a->ai_next) {
      if (a->ai_addrlen > sizeof(sockaddr_storage)) continue;
      sockaddr_storage ss{};
      std::memcpy(&ss, a->ai_addr, a->ai_addrlen);
      self->addresses_.push_back(ss);
    }
  }
  uv_freeaddrinfo(res);
  delete r;
  if (!self) return;
  if (status != 0) return self->fail("cannot resolve " + self->host_ + ": " + uv_strerror(status));
  if (self->addresses_.empty()) return self->fail("no address for " + self->host_);
  self->try_next_address();
}

void connection::try_next_address() {
  close_handle();
  if (next_address_ >= addresses_.size()) {
    fail("cannot connect to " + host_ + ":" + std::to_string(port_) + ": " + last_error_);
    return;
  }
  const sockaddr_storage& addr = addresses_[next_address_++];
  tcp_ = new uv_tcp_t{};
  if (int rc = uv_tcp_init(loop_, tcp_); rc != 0) {
    delete tcp_;
    tcp_ = nullptr;
    fail(std::string("uv_tcp_init: ") + uv_strerror(rc));
    return;
  }
  tcp_->data = this;
  uv_tcp_nodelay(tcp_, 1);
  auto* req = new uv_connect_t{};
  int rc = uv_tcp_connect(req, tcp_, reinterpret_cast<const sockaddr*>(&addr), on_connected);
  if (rc != 0) {
    delete req;
    last_error_ = uv_strerror(rc);
    try_next_address();
  }
}

void connection::on_connected(uv_connect_t* req, int rc) noexcept {
  auto* self = static_cast<connection*>(req->handle->data);
  delete req;
  if (!self) return;  // closed meanwhile
  if (rc != 0) {
    self->last_error_ = uv_strerror(rc);
    self->try_next_address();
    return;
  }
  if (int e = uv_read_start(reinterpret_cast<uv_stream_t*>(self->tcp_), on_alloc, on_read); e != 0)
    return self->fail(std::string("uv_read_start: ") + uv_strerror(e));
  if (!self->tls_ctx_) {
    self->open_ = true;
    if (self->ev_.on_open) self->ev_.on_open();
    return;
  }
  auto session = tls_session::create(self->tls_ctx_, self->host_, self->verify_);
  if (!session) return self->fail(session.message());
  self->tls_ = std::move(session.value());
  if (status s = self->tls_->start(); !s) return self->fail(s.message());
  self->flush_tls();
}

void connection::on_alloc(uv_handle_t*, size_t, uv_buf_t* buf) noexcept {
  // One loop thread: a single static read buffer serves every connection. Not thread_local:
  // glibc zero-fills every thread's static TLS block when the thread starts, so 64 KiB of
  // thread_local cost 64 KiB of private memory in each libuv pool thread, which never reads
  // a socket. In .bss only the pages a read fills are paid for. 16 KiB: libuv reads again
  // while the socket has more, and the TLS memory BIO joins records split across reads.
  static char storage[16 * 1024];
  *buf = uv_buf_init(storage, sizeof storage);
}

void connection::on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) noexcept {
  auto* self = static_cast<connection*>(s->data);
  if (!self || nread == 0) return;
  if (nread < 0) {
    if (self->tls_ && !self->tls_->established())
      return self->fail("TLS handshake: connection closed by the server");
    return self->fail(nread == UV_EOF
                          ? std::string("connection closed by the server")
                          : std::string("read: ") + uv_strerror(static_cast<int>(nread)));
  }
  self->handle_read(std::string_view(buf->base, static_cast<size_t>(nread)));
}

void connection::handle_read(std::string_view bytes) {
  lifetime::watcher alive = life_.watch();
  auto on_data = ev_.on_data;  // a copy: the owner may destroy us inside the callback
  if (!tls_) {
    on_data(bytes);
    return;
  }
  bool was_established = tls_->established();
  std::string plain;
  status st = tls_->receive(bytes, plain);
  flush_tls();
  if (!st) return fail(st.message());
  if (!was_established && tls_->established()) {
    open_ = true;
    auto on_open = ev_.on_open;
    if (on_open) on_open();
    if (alive.expired() || done_) return;
  }
  if (!plain.empty()) {
    on_data(plain);
    if (alive.expired() || done_) return;
  }
  if (tls_->closed()) fail("connection closed by the server (TLS close_notify)");
}

void connection::write(std::string_view data) {
  if (!open_ || done_) return;
  if (!tls_) {
    write_raw(std::string(data));
    return;
  }
  if (status s = tls_->send(data); !s) return fail(s.message());
  flush_tls();
}

void connection::flush_tls() {
  if (!tls_ || !tcp_) return;
  std::string out = tls_->take_output();
  if (!out.empty()) write_raw(std::move(out));
}

void connection::write_raw(std::string data) {
  auto* w = new write_req();
  w->data = std::move(data);
  uv_buf_t buf = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
  int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(tcp_), &buf, 1,
                    [](uv_write_t* req, int status) noexcept {
                      auto* self = static_cast<connection*>(req->handle->data);
                      delete reinterpret_cast<write_req*>(req);
                      if (self && status < 0 && status != UV_ECANCELED)
                        self->fail(std::string("write: ") + uv_strerror(status));
                    });
  if (rc != 0) {
    delete w;
    fail(std::string("write: ") + uv_strerror(rc));
  }
}

void connection::close_gracefully() {
  done_ = true;
  open_ = false;
  if (resolving_) {
    resolving_->owner = nullptr;
    uv_cancel(reinterpret_cast<uv_req_t*>(&resolving_->req));
    resolving_ = nullptr;
  }
  if (!tcp_) return;
  if (tls_) {
    tls_->shutdown();
    flush_tls();
  }
  uv_tcp_t* tcp = tcp_;
  tcp_ = nullptr;
  tcp->data = nullptr;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(tcp));
  start_closer(loop_, tcp);
}

void connection::close_handle() {
  if (!tcp_) return;
  tcp_->data = nullptr;
  uv_handle_t* h = reinterpret_cast<uv_handle_t*>(tcp_);
  if (!uv_is_closing(h)) uv_close(h, free_tcp);
  tcp_ = nullptr;
}

void connection::fail(const std::string& reason) {
  if (done_) return;
  done_ = true;
  open_ = false;
  close_handle();
  LOG_DEBUG("irc", "connection to ", host_, ":", port_, " ended: ", reason);
  auto on_close = ev_.on_close;
  if (on_close) on_close(reason);
}

}  // namespace frugal::irc
