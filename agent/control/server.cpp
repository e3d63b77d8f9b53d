// The control socket's server side. Connections live in a list owned by the server; their
// pipe handles are uv_owned (freed in the close callback), and a write's request and
// buffer belong to the write until its callback, which may come after the connection was
// dropped (then the handle's data is null and nothing else is touched).
#include "agent/control/server.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <exception>
#include <vector>

#include "core/log.h"

namespace frugal::control {

struct server::conn {
  uv_owned<uv_pipe_t> pipe;
  std::string in;
  std::array<char, 4096> buf{};
  server* owner = nullptr;
  uint64_t opened = 0;
  bool answered = false;  // the reply is written or being written: further reads ignored
};

namespace {

struct write_op {
  uv_write_t req{};
  std::string data;
};

// True when something accepts connections at `path` (a live daemon).
bool someone_listens(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  bool up = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return up;
}

}  // namespace

server::server(uv_loop_t* loop, std::string path, handler h)
    : loop_(loop), path_(std::move(path)), handler_(std::move(h)) {}

result<std::unique_ptr<server>> server::listen(uv_loop_t* loop, std::string path,
                                               handler on_request) {
  if (path.size() >= sizeof(sockaddr_un{}.sun_path))
    return fail("control socket: ", path, " is longer than a socket path may be (",
                sizeof(sockaddr_un{}.sun_path) - 1, " bytes); use a shorter state_dir");
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return fail("control socket: ", path, " exists and is not a socket");
    if (someone_listens(path))
      return fail("control socket: another daemon is running (it answers on ", path, ")");
    if (::unlink(path.c_str()) != 0)
      return fail("control socket: cannot remove the stale ", path, ": ", std::strerror(errno));
  }
  std::unique_ptr<server> s(new server(loop, path, std::move(on_request)));
  if (int rc = uv_pipe_init(loop, s->listener_.get(), 0); rc != 0)
    return fail("control socket: ", uv_strerror(rc));
  s->listener_.mark_initialized();
  s->listener_->data = s.get();
  // The file is made 0600 as it is created (bind applies the umask), never readable or
  // writable by others even for a moment. The loop thread is the only one creating files.
  mode_t old = ::umask(0177);
  int rc = uv_pipe_bind(s->listener_.get(), path.c_str());
  ::umask(old);
  if (rc != 0) return fail("control socket: bind ", path, ": ", uv_strerror(rc));
  rc = uv_listen(reinterpret_cast<uv_stream_t*>(s->listener_.get()), 8,
                 [](uv_stream_t* l, int status) noexcept {
                   if (status == 0 && l->data) static_cast<server*>(l->data)->accept_one();
                 });
  if (rc != 0) {
    ::unlink(path.c_str());
    return fail("control socket: listen on ", path, ": ", uv_strerror(rc));
  }
  // The sweeper runs only while a connection is open (accept_one, drop): an idle daemon
  // has no timer of its own to wake for.
  if (uv_timer_init(loop, s->sweeper_.get()) == 0) {
    s->sweeper_.mark_initialized();
    s->sweeper_->data = s.get();
    uv_unref(s->sweeper_.handle());  // the listener keeps the loop alive, not this timer
  }
  return s;
}

server::~server() {
  conns_.clear();  // each pipe's close frees it later; pending writes see null data
  listener_.close();
  sweeper_.close();
  ::unlink(path_.c_str());
}

void server::accept_one() {
  auto c = std::make_unique<conn>();
  if (uv_pipe_init(loop_, c->pipe.get(), 0) != 0) return;
  c->pipe.mark_initialized();
  auto* stream = reinterpret_cast<uv_stream_t*>(c->pipe.get());
  if (uv_accept(reinterpret_cast<uv_stream_t*>(listener_.get()), stream) != 0) return;
  c->opened = uv_now(loop_);
  c->owner = this;
  conn& ref = *c;
  c->pipe->data = &ref;
  conns_.push_back(std::move(c));
  if (sweeper_.initialized() && !uv_is_active(sweeper_.handle()))
    uv_timer_start(
        sweeper_.get(),
        [](uv_timer_t* t) noexcept {
          if (t->data) static_cast<server*>(t->data)->sweep();
        },
        1000, 1000);
  if (conns_.size() > k_max_conns)
    return answer(ref, {false, 1, "the daemon is busy with other control connections"});

  // Only the daemon's own user and root: the socket's mode already says so, and a socket
  // file made reachable by mistake (a chmod, a bind mount) must not open the daemon up.
  uv_os_fd_t fd = -1;
  ucred peer{};
  socklen_t len = sizeof peer;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(ref.pipe.get()), &fd) != 0 ||
      ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0)
    return answer(ref, {false, 1, "refused: the peer's credentials are unknown"});
  uid_t own = ::geteuid();
  if (peer.uid != own && peer.uid != 0) {
    LOG_WARN("control", "refused a control connection from uid ", peer.uid, " (pid ", peer.pid,
             ")");
    return answer(
        ref, {false, 1,
              "refused: uid " + std::to_string(peer.uid) + " is neither the daemon's user (uid " +
                  std::to_string(own) + ") nor root"});
  }
  uv_read_start(
      stream,
      [](uv_handle_t* h, size_t, uv_buf_t* b) noexcept {
        auto* cc = static_cast<conn*>(h->data);
        *b = cc ? uv_buf_init(cc->buf.data(), static_cast<unsigned>(cc->buf.size()))
                : uv_buf_init(nullptr, 0);
      },
      [](uv_stream_t* st, ssize_t n, const uv_buf_t* b) noexcept {
        if (auto* cc = static_cast<conn*>(st->data)) cc->owner->on_read(*cc, n, b);
      });
}

void server::on_read(conn& c, ssize_t n, const uv_buf_t* buf) {
  if (c.answered) return;
  if (n > 0) c.in.append(buf->base, static_cast<size_t>(n));
  size_t nl = c.in.find('\n');
  if (nl == std::string::npos && c.in.size() > k_max_request_bytes)
    return answer(c, {false, 2, "the request is larger than the daemon accepts"});
  if (nl == std::string::npos && n >= 0) return;               // more to come (n == 0: try again)
  if (nl == std::string::npos && n != UV_EOF) return drop(c);  // a read error: nobody to answer
  auto req = decode_request(std::string_view(c.in).substr(0, nl));
  if (!req) return answer(c, {false, 2, req.message()});
  reply r;
  try {
    r = handler_(*req);
  } catch (const std::exception& e) {  // nothing may cross the libuv callback
    r = {false, 1, std::string("internal error: ") + e.what()};
  }
  answer(c, r);
}

void server::answer(conn& c, const reply& r) {
  c.answered = true;
  auto* stream = reinterpret_cast<uv_stream_t*>(c.pipe.get());
  uv_read_stop(stream);
  auto op = std::make_unique<write_op>();
  op->data = encode(r);
  uv_buf_t b = uv_buf_init(op->data.data(), static_cast<unsigned>(op->data.size()));
  op->req.data = op.get();
  int rc = uv_write(&op->req, stream, &b, 1, [](uv_write_t* w, int) noexcept {
    std::unique_ptr<write_op> done(static_cast<write_op*>(w->data));
    if (auto* cc = static_cast<conn*>(w->handle->data)) cc->owner->drop(*cc);
  });
  if (rc != 0) return drop(c);
  (void)op.release();  // owned by the write until its callback
}

void server::drop(conn& c) {
  c.pipe.close();
  conns_.remove_if([&](const std::unique_ptr<conn>& p) { return p.get() == &c; });
  if (conns_.empty() && sweeper_.initialized()) uv_timer_stop(sweeper_.get());
}

void server::sweep() {
  uint64_t now = uv_now(loop_);
  std::vector<conn*> stale;
  for (auto& c : conns_)
    if (now - c->opened > k_conn_timeout_ms) stale.push_back(c.get());
  for (conn* c : stale) drop(*c);
}

}  // namespace frugal::control
