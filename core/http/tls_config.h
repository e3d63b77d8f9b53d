// tls_config: OpenSSL's system configuration (openssl.cnf: providers, the TLS policy's
// minimum protocol and cipher levels) loaded when the process first needs TLS, not at
// start. curl_global_init loads it whatever the URL (~1.7 M instructions and a 12 KB file
// read, two thirds of a cron ask's OpenSSL start-up), and an ask against a plain-HTTP
// endpoint (a local model) never makes a TLS connection.
#pragma once
#include <string_view>

namespace frugal::tls {

// Before curl_global_init (or any other OpenSSL use): OpenSSL initialises without reading
// its configuration, so curl's start-up no longer loads it (the load is done once).
void defer_system_config();
// Loads the configuration now if it was deferred and not loaded yet (OpenSSL's own
// defaults: OPENSSL_CONF or the default file, its default section, a missing file
// ignored). Call it before making an SSL_CTX or starting a transfer that may use TLS.
void load_system_config();
// Whether load_system_config has run in this process.
bool system_config_loaded();

// Whether a transfer of `url` may need TLS: anything but plain http://, a redirect that
// may lead to https://, or a proxy from the environment that may itself be https://.
bool may_use_tls(std::string_view url, bool follow_redirects, bool proxy_allowed);

}  // namespace frugal::tls
