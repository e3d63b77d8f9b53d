// OpenSSL 3 runs its configuration step once per process: OPENSSL_INIT_NO_LOAD_CONFIG
// takes that step without reading the file, after which curl's OPENSSL_INIT_LOAD_CONFIG
// (and SSL_CTX_new's) is a no-op. load_system_config then reads the file with the flags
// OpenSSL's own load uses (DEFAULT_CONF_MFLAGS in crypto/conf/conf_sap.c).
#include "core/http/tls_config.h"

#include <openssl/conf.h>
#include <openssl/crypto.h>
#include <strings.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

namespace frugal::tls {
namespace {
std::atomic<bool> deferred{false};
std::atomic<bool> loaded{false};
std::once_flag load_once;

bool env_set(const char* name) {
  const char* v = std::getenv(name);
  return v && *v;
}

}  // namespace

void defer_system_config() {
  if (OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr) == 1) deferred = true;
}

void load_system_config() {
  std::call_once(load_once, [] {
    // Not deferred: OpenSSL loaded it (or will) on its own first initialisation.
    if (deferred)
      (void)CONF_modules_load_file_ex(nullptr, nullptr, nullptr,
                                      CONF_MFLAGS_DEFAULT_SECTION |
                                          CONF_MFLAGS_IGNORE_MISSING_FILE |
                                          CONF_MFLAGS_IGNORE_RETURN_CODES);
    loaded = true;
  });
}

bool system_config_loaded() {
  return loaded;
}

bool may_use_tls(std::string_view url, bool follow_redirects, bool proxy_allowed) {
  if (url.size() < 7 || strncasecmp(url.data(), "http://", 7) != 0 || follow_redirects) return true;
  // curl takes a plain-HTTP URL's proxy from http_proxy (lower case only), all_proxy or
  // ALL_PROXY; an https:// proxy is a TLS connection.
  return proxy_allowed && (env_set("http_proxy") || env_set("all_proxy") || env_set("ALL_PROXY"));
}

}  // namespace frugal::tls
