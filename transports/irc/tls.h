// TLS for the IRC connection: an OpenSSL client driven through memory BIOs, so the bytes
// travel over the libuv TCP handle and nothing blocks. Verifies the certificate chain
// (system CAs or a given CA file) and the host name (SSL_set1_host / IP), sends SNI for
// names, presents a client certificate for SASL EXTERNAL, and accepts an EOF without
// close_notify. It does no I/O itself: callers move bytes in and out.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "core/handles.h"
#include "core/result.h"

namespace frugal::irc {

struct tls_options {
  bool verify = true;
  std::string ca_file;      // empty: the system's default CA paths
  std::string client_cert;  // PEM chain, for SASL EXTERNAL; empty: none
  std::string client_key;
};

// A client SSL_CTX (TLS 1.2+) configured from `opt`. Errors name the file that failed.
result<ssl_ctx_ptr> make_tls_context(const tls_options& opt);

class tls_session {
 public:
  // A session for `host` (SNI unless it is an IP address; verified against the
  // certificate when `verify`).
  static result<std::unique_ptr<tls_session>> create(SSL_CTX* ctx, const std::string& host,
                                                     bool verify);

  // Starts the handshake; the ClientHello is then in take_output().
  status start();
  // Feeds bytes read from the socket; appends decrypted application data to `plain`.
  // An error means the session is unusable (bad certificate, protocol error); the message
  // says why. A clean close_notify sets closed().
  status receive(std::string_view cipher, std::string& plain);
  // Encrypts application data; buffered until the handshake completes.
  status send(std::string_view plain);
  // Queues a close_notify.
  void shutdown();
  // Bytes to write to the socket (drained by this call).
  std::string take_output();

  bool established() const { return established_; }
  bool closed() const { return closed_; }

 private:
  tls_session() = default;
  status drive_handshake();
  status flush_pending();

  ssl_ptr ssl_;
  BIO* in_ = nullptr;   // owned by ssl_
  BIO* out_ = nullptr;  // owned by ssl_
  bool established_ = false;
  bool closed_ = false;
  std::string pending_;  // plaintext written before the handshake finished
};

}  // namespace frugal::irc
