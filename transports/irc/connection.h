// connection: one TCP (optionally TLS) connection to an IRC server on the uv loop. Resolves
// the host with uv_getaddrinfo, tries each address in turn, runs the TLS handshake, then
// moves bytes. It knows nothing of IRC lines. One object per attempt: after on_close it
// is finished and is destroyed by its owner (outside its own callbacks).
//
// Ownership: the uv_tcp_t is heap-allocated and freed in its close callback; each write
// buffer belongs to its write request until the write callback. Destroying a connection
// closes it abruptly and no callback runs afterwards, even from within a callback.
#pragma once
#include <uv.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/lifetime.h"
#include "transports/irc/tls.h"

namespace frugal::irc {

class connection {
 public:
  struct events {
    std::function<void()> on_open;                            // connected (and TLS up)
    std::function<void(std::string_view)> on_data;            // bytes from the server
    std::function<void(const std::string& reason)> on_close;  // once; the end of the link
  };

  connection(uv_loop_t* loop, events ev);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  // Starts resolving and connecting. `tls_ctx` null means plain TCP; otherwise it must
  // outlive this object. Failures arrive through on_close.
  void open(const std::string& host, int port, SSL_CTX* tls_ctx, bool verify);
  // Queues bytes for the server (encrypted when TLS). Ignored unless open.
  void write(std::string_view data);
  // Sends what is queued, then a TLS close_notify, shuts the socket down and closes it. No
  // callback runs after this call. The handle finishes closing on its own, so the object
  // may be destroyed right away.
  void close_gracefully();

  bool is_open() const { return open_; }

 private:
  struct resolve_req;
  static void on_resolved(uv_getaddrinfo_t* req, int status, addrinfo* res) noexcept;
  static void on_connected(uv_connect_t* req, int status) noexcept;
  static void on_alloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf) noexcept;
  static void on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) noexcept;

  void try_next_address();
  void handle_read(std::string_view bytes);
  void write_raw(std::string data);
  void flush_tls();
  void fail(const std::string& reason);
  void close_handle();

  uv_loop_t* loop_;
  events ev_;
  std::string host_;
  int port_ = 0;
  SSL_CTX* tls_ctx_ = nullptr;
  bool verify_ = true;
  std::vector<sockaddr_storage> addresses_;
  size_t next_address_ = 0;
  std::string last_error_;
  resolve_req* resolving_ = nullptr;
  uv_tcp_t* tcp_ = nullptr;  // freed in its close callback
  std::unique_ptr<tls_session> tls_;
  bool open_ = false;
  bool done_ = false;  // on_close delivered or closed by the owner: no more callbacks
  lifetime life_;      // the owner may destroy us inside on_open or on_data
};

}  // namespace frugal::irc
