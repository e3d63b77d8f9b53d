// OpenSSL memory-BIO plumbing. Errors are read from the OpenSSL error queue (cleared
// before each call) and from SSL_get_verify_result so a user sees "certificate verify
// failed: self-signed certificate" rather than a bare code.
#include "transports/irc/tls.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "core/http/tls_config.h"

namespace frugal::irc {

namespace {
std::string openssl_error() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "unknown TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

bool is_ip(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}
}  // namespace

result<ssl_ctx_ptr> make_tls_context(const tls_options& opt) {
  tls::load_system_config();  // the system TLS policy, deferred at start (tls_config.h)
  ERR_clear_error();
  ssl_ctx_ptr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return fail("tls: SSL_CTX_new: ", openssl_error());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
  if (opt.verify) {
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    if (!opt.ca_file.empty()) {
      if (SSL_CTX_load_verify_locations(ctx.get(), opt.ca_file.c_str(), nullptr) != 1)
        return fail("tls: cannot load CA file ", opt.ca_file, ": ", openssl_error());
    } else if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1) {
      return fail("tls: cannot load the system CA certificates: ", openssl_error());
    }
  }
  if (!opt.client_cert.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), opt.client_cert.c_str()) != 1)
      return fail("tls: cannot load client certificate ", opt.client_cert, ": ", openssl_error());
    const std::string& key = opt.client_key.empty() ? opt.client_cert : opt.client_key;
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), key.c_str(), SSL_FILETYPE_PEM) != 1)
      return fail("tls: cannot load client key ", key, ": ", openssl_error());
    if (SSL_CTX_check_private_key(ctx.get()) != 1)
      return fail("tls: client key ", key, " does not match ", opt.client_cert);
  }
  return ctx;
}

result<std::unique_ptr<tls_session>> tls_session::create(SSL_CTX* ctx, const std::string& host,
                                                         bool verify) {
  ERR_clear_error();
  std::unique_ptr<tls_session> s(new tls_session());
  s->ssl_.reset(SSL_new(ctx));
  if (!s->ssl_) return fail("tls: SSL_new: ", openssl_error());
  s->in_ = BIO_new(BIO_s_mem());
  s->out_ = BIO_new(BIO_s_mem());
  if (!s->in_ || !s->out_) {
    BIO_free(s->in_);
    BIO_free(s->out_);
    return fail("tls: BIO_new failed");
  }
  BIO_set_mem_eof_return(s->in_, -1);  // empty input means "want more", not EOF
  SSL_set_bio(s->ssl_.get(), s->in_, s->out_);
  SSL_set_connect_state(s->ssl_.get());
  bool ip = is_ip(host);
  if (!ip) SSL_set_tlsext_host_name(s->ssl_.get(), host.c_str());
  if (verify) {
    int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s->ssl_.get()), host.c_str())
                : SSL_set1_host(s->ssl_.get(), host.c_str());
    if (ok != 1) return fail("tls: cannot set the expected host name ", host);
  }
  return s;
}

status tls_session::start() {
  return drive_handshake();
}

status tls_session::drive_handshake() {
  ERR_clear_error();
  int r = SSL_do_handshake(ssl_.get());
  if (r == 1) {
    established_ = true;
    return flush_pending();
  }
  int err = SSL_get_error(ssl_.get(), r);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return {};
  long verify = SSL_get_verify_result(ssl_.get());
  if (verify != X509_V_OK)
    return fail("tls: certificate verify failed: ", X509_verify_cert_error_string(verify));
  return fail("tls: handshake failed: ", openssl_error());
}

status tls_session::flush_pending() {
  if (pending_.empty()) return {};
  std::string data = std::move(pending_);
  pending_.clear();
  return send(data);
}

status tls_session::receive(std::string_view cipher, std::string& plain) {
  if (!cipher.empty() && BIO_write(in_, cipher.data(), static_cast<int>(cipher.size())) <= 0)
    return fail("tls: BIO_write failed");
  if (!established_) {
    if (status s = drive_handshake(); !s) return s;
    if (!established_) return {};
  }
  char buf[16384];
  for (;;) {
    ERR_clear_error();
    int n = SSL_read(ssl_.get(), buf, sizeof buf);
    if (n > 0) {
      plain.append(buf, static_cast<size_t>(n));
      continue;
    }
    int err = SSL_get_error(ssl_.get(), n);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return {};
    if (err == SSL_ERROR_ZERO_RETURN) {
      closed_ = true;
      return {};
    }
    return fail("tls: read failed: ", openssl_error());
  }
}

status tls_session::send(std::string_view plain) {
  if (!established_) {
    pending_.append(plain);
    return {};
  }
  while (!plain.empty()) {
    ERR_clear_error();
    int n = SSL_write(ssl_.get(), plain.data(), static_cast<int>(plain.size()));
    if (n <= 0) return fail("tls: write failed: ", openssl_error());
    plain.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

void tls_session::shutdown() {
  if (!established_ || closed_) return;
  ERR_clear_error();
  SSL_shutdown(ssl_.get());
  ERR_clear_error();
}

std::string tls_session::take_output() {
  std::string out;
  char buf[16384];
  int n;
  while ((n = BIO_read(out_, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

}  // namespace frugal::irc
