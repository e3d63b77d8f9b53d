// The blocking control client. A missing socket file and a refused connection both mean
// "no daemon is running"; anything else (permissions, a timeout) is named.
#include "agent/control/client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace frugal::control {
namespace {

int64_t now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1'000'000;
}

// Waits for `events` on fd until `deadline`; false on timeout or error.
bool wait_for(int fd, short events, int64_t deadline) {
  for (;;) {
    int64_t left = deadline - now_ms();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    int rc = ::poll(&p, 1, static_cast<int>(left));
    if (rc > 0) return true;
    if (rc < 0 && errno != EINTR) return false;
  }
}

struct fd_closer {
  int fd;
  ~fd_closer() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

call_result call(const std::string& socket_path, const request& r, int timeout_ms) {
  call_result out;
  sockaddr_un a{};
  if (socket_path.size() >= sizeof a.sun_path) {
    out.problem = "the control socket path " + socket_path + " is too long";
    return out;
  }
  a.sun_family = AF_UNIX;
  std::memcpy(a.sun_path, socket_path.c_str(), socket_path.size() + 1);
  fd_closer s{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (s.fd < 0) {
    out.problem = std::string("socket: ") + std::strerror(errno);
    return out;
  }
  if (::connect(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    int e = errno;
    out.problem = e == ENOENT || e == ECONNREFUSED
                      ? "no daemon is running (nothing answers on " + socket_path + ")"
                      : "cannot reach the daemon at " + socket_path + ": " + std::strerror(e);
    return out;
  }
  int64_t deadline = now_ms() + timeout_ms;
  std::string req = encode(r);
  for (size_t off = 0; off < req.size();) {
    if (!wait_for(s.fd, POLLOUT, deadline)) {
      out.problem = "the daemon did not take the request in time";
      return out;
    }
    ssize_t n = ::send(s.fd, req.data() + off, req.size() - off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) break;  // the daemon may have answered (a refusal) and closed: read it
    off += static_cast<size_t>(n);
  }
  ::shutdown(s.fd, SHUT_WR);
  std::string in;
  char buf[4096];
  for (;;) {
    if (!wait_for(s.fd, POLLIN, deadline)) {
      out.problem = "the daemon did not answer in time";
      return out;
    }
    ssize_t n = ::recv(s.fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;
    in.append(buf, static_cast<size_t>(n));
    if (in.size() > (4u << 20)) break;
  }
  auto rep = decode_reply(in.substr(0, in.find('\n')));
  if (!rep) {
    out.problem = in.empty() ? "the daemon closed the connection without an answer" : rep.message();
    return out;
  }
  out.reached = true;
  out.answer = std::move(rep.value());
  return out;
}

}  // namespace frugal::control
