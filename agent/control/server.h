// server: the daemon's end of the control socket, a libuv pipe at
// <state_dir>/control.sock (mode 0600). Each connection is checked with SO_PEERCRED (only
// the daemon's own uid and root are served), reads one request line, gets one reply from
// the handler and is closed. It does not know what the requests do (agent/daemon.cpp).
#pragma once
#include <uv.h>

#include <functional>
#include <list>
#include <memory>
#include <string>

#include "agent/control/protocol.h"
#include "core/result.h"
#include "core/uv_handle.h"

namespace frugal::control {

class server {
 public:
  using handler = std::function<reply(const request&)>;

  // Listens at `path` on `loop`. A socket file left by a dead daemon is replaced; one a
  // live daemon answers on is not (error "another daemon is running"). `on_request` runs
  // on the loop and must not throw.
  static result<std::unique_ptr<server>> listen(uv_loop_t* loop, std::string path,
                                                handler on_request);
  // Stops listening, closes open connections and removes the socket file.
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  const std::string& path() const { return path_; }

 private:
  struct conn;
  server(uv_loop_t* loop, std::string path, handler h);
  void accept_one();
  void on_read(conn& c, ssize_t n, const uv_buf_t* buf);
  void answer(conn& c, const reply& r);  // writes the reply, then drops the connection
  void drop(conn& c);                    // closes and forgets it
  void sweep();  // closes connections older than k_conn_timeout_ms (each second, while any)

  static constexpr uint64_t k_conn_timeout_ms = 10'000;
  static constexpr size_t k_max_conns = 16;

  uv_loop_t* loop_;
  std::string path_;
  handler handler_;
  uv_owned<uv_pipe_t> listener_;
  uv_owned<uv_timer_t> sweeper_;
  std::list<std::unique_ptr<conn>> conns_;
};

}  // namespace frugal::control
