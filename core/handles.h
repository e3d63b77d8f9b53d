// unique_ptr deleters for the C handles this program owns. uv handles are not here: they
// are closed through uv_close (see core/uv_handle.h).
#pragma once
#include <curl/curl.h>
#include <openssl/ssl.h>
#include <sqlite3.h>

#include <memory>

namespace frugal {

struct curl_easy_deleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct curl_multi_deleter {
  void operator()(CURLM* h) const { curl_multi_cleanup(h); }
};
struct curl_slist_deleter {
  void operator()(curl_slist* h) const { curl_slist_free_all(h); }
};
struct sqlite_deleter {
  void operator()(sqlite3* h) const { sqlite3_close_v2(h); }
};
struct sqlite_stmt_deleter {
  void operator()(sqlite3_stmt* h) const { sqlite3_finalize(h); }
};
struct ssl_deleter {
  void operator()(SSL* h) const { SSL_free(h); }
};
struct ssl_ctx_deleter {
  void operator()(SSL_CTX* h) const { SSL_CTX_free(h); }
};

using curl_easy_ptr = std::unique_ptr<CURL, curl_easy_deleter>;
using curl_multi_ptr = std::unique_ptr<CURLM, curl_multi_deleter>;
using curl_slist_ptr = std::unique_ptr<curl_slist, curl_slist_deleter>;
using sqlite_ptr = std::unique_ptr<sqlite3, sqlite_deleter>;
using sqlite_stmt_ptr = std::unique_ptr<sqlite3_stmt, sqlite_stmt_deleter>;
using ssl_ptr = std::unique_ptr<SSL, ssl_deleter>;
using ssl_ctx_ptr = std::unique_ptr<SSL_CTX, ssl_ctx_deleter>;

}  // namespace frugal
