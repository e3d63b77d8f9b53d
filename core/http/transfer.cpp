// transfer: curl easy-handle options and callbacks for one request, and the mapping of
// curl's outcome to http::failure. The callbacks are noexcept trampolines; they only
// record into the transfer (the multi glue in http_client.cpp acts on what they record).
#include "core/http/transfer.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "core/http/address_policy.h"
#include "core/log.h"

namespace frugal::http {
namespace {

size_t on_body(char* p, size_t size, size_t n, void* userp) noexcept {
  auto* t = static_cast<transfer*>(userp);
  size_t len = size * n;
  if (t->cancelled) return 0;
  t->last_activity = uv_now(t->loop);
  if (len > t->req.max_response_bytes - t->received) {
    t->too_large = true;
    return 0;
  }
  t->received += len;
  try {
    if (t->req.keep_body) t->resp.body.append(p, len);
    if (t->req.on_data) t->req.on_data(std::string_view(p, len));
  } catch (...) {
    t->callback_threw = true;
    return 0;
  }
  // on_data may have cancelled this very transfer.
  return t->cancelled ? 0 : len;
}

size_t on_header(char* p, size_t size, size_t n, void* userp) noexcept {
  auto* t = static_cast<transfer*>(userp);
  size_t len = size * n;
  t->last_activity = uv_now(t->loop);
  std::string_view line(p, len);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  // A new status line (after a 1xx or a redirect) starts a new set of headers.
  if (line.starts_with("HTTP/")) {
    t->resp.headers.clear();
    return len;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return len;
  try {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    t->resp.headers[std::move(name)] = std::string(value);
  } catch (...) {
    t->callback_threw = true;
    return 0;
  }
  return len;
}

bool address_ok(const transfer& t, const sockaddr* sa) noexcept {
  try {
    return t.req.address_allowed ? t.req.address_allowed(sa) : is_public_address(sa);
  } catch (...) {
    return false;
  }
}

// Opens every connection's socket: close-on-exec (tools are forked from this process),
// and for public_only requests only after the resolved address passed the policy.
curl_socket_t on_open_socket(void* userp, curlsocktype, curl_sockaddr* a) noexcept {
  auto* t = static_cast<transfer*>(userp);
  if (t->req.public_only && !address_ok(*t, &a->addr)) {
    t->refused_address = address_text(&a->addr);
    return CURL_SOCKET_BAD;
  }
  return ::socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

// Runs right before each request goes out (every redirect hop included), after curl chose
// a connection, new or reused from its pool: the peer address is judged again, so a
// connection opened by someone else's request to a refused address is never used here.
int on_prereq(void* userp, char* peer_ip, char*, int peer_port, int) noexcept {
  auto* t = static_cast<transfer*>(userp);
  sockaddr_storage ss{};
  auto* sa = reinterpret_cast<sockaddr*>(&ss);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  const auto port = htons(static_cast<uint16_t>(peer_port));
  if (peer_ip && inet_pton(AF_INET, peer_ip, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = port;
  } else if (peer_ip && inet_pton(AF_INET6, peer_ip, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = port;
  }
  if (ss.ss_family != AF_UNSPEC && address_ok(*t, sa)) return CURL_PREREQFUNC_OK;
  t->refused_address = ss.ss_family == AF_UNSPEC ? std::string("?") : address_text(sa);
  return CURL_PREREQFUNC_ABORT;
}

bool valid_method(const std::string& m) {
  if (m.empty() || m.size() > 16) return false;
  return std::all_of(m.begin(), m.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool has_header(const std::vector<std::string>& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (h.size() < name.size() + 1 || h[name.size()] != ':') continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(h[i])) == name[i];
    if (same) return true;
  }
  return false;
}

failure classify(CURLcode code) {
  switch (code) {
    case CURLE_OK:
      return failure::none;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
      return failure::connect;
    case CURLE_OPERATION_TIMEDOUT:
      return failure::timeout;
    case CURLE_FILESIZE_EXCEEDED:
      return failure::too_large;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return failure::dropped;
    default:
      return failure::other;
  }
}

}  // namespace

std::string safe_url(const std::string& url) {
  std::string u = url.substr(0, url.find_first_of("?#"));
  size_t scheme = u.find("://");
  size_t host = scheme == std::string::npos ? 0 : scheme + 3;
  size_t path = u.find('/', host);
  size_t at = u.rfind('@', path == std::string::npos ? u.size() : path);
  if (at != std::string::npos && at >= host) u.erase(host, at + 1 - host);
  return u;
}

#define FRUGAL_SETOPT(opt, value)                                                           \
  do {                                                                                      \
    if (curl_easy_setopt(h, opt, value) != CURLE_OK) return fail("http: cannot set " #opt); \
  } while (0)

status configure_transfer(transfer& t) {
  const request& r = t.req;
  if (!valid_method(r.method)) return fail("http: bad method for ", safe_url(r.url));
  t.easy.reset(curl_easy_init());
  if (!t.easy) return fail("http: curl_easy_init failed");
  CURL* h = t.easy.get();
  FRUGAL_SETOPT(CURLOPT_PRIVATE, &t);
  FRUGAL_SETOPT(CURLOPT_ERRORBUFFER, t.errbuf);
  FRUGAL_SETOPT(CURLOPT_URL, r.url.c_str());
  FRUGAL_SETOPT(CURLOPT_NOSIGNAL, 1L);
  FRUGAL_SETOPT(CURLOPT_CONNECTTIMEOUT_MS, r.connect_timeout_ms);
  FRUGAL_SETOPT(CURLOPT_TIMEOUT_MS, r.total_timeout_ms);
  FRUGAL_SETOPT(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(r.max_response_bytes));
  FRUGAL_SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
  FRUGAL_SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
  if (r.http_only) {
    FRUGAL_SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
    FRUGAL_SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  }
  FRUGAL_SETOPT(CURLOPT_FOLLOWLOCATION, r.follow_redirects ? 1L : 0L);
  FRUGAL_SETOPT(CURLOPT_MAXREDIRS, 5L);
  // A proxy would make the connection that public_only must judge: never use one there.
  if (r.public_only) FRUGAL_SETOPT(CURLOPT_PROXY, "");
  FRUGAL_SETOPT(CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
  FRUGAL_SETOPT(CURLOPT_OPENSOCKETDATA, &t);
  if (r.public_only) {
    FRUGAL_SETOPT(CURLOPT_PREREQFUNCTION, on_prereq);
    FRUGAL_SETOPT(CURLOPT_PREREQDATA, &t);
  }
  FRUGAL_SETOPT(CURLOPT_WRITEFUNCTION, on_body);
  FRUGAL_SETOPT(CURLOPT_WRITEDATA, &t);
  FRUGAL_SETOPT(CURLOPT_HEADERFUNCTION, on_header);
  FRUGAL_SETOPT(CURLOPT_HEADERDATA, &t);

  if (r.method == "GET") {
    FRUGAL_SETOPT(CURLOPT_HTTPGET, 1L);
  } else if (r.method == "HEAD") {
    FRUGAL_SETOPT(CURLOPT_NOBODY, 1L);
  } else {
    if (r.method != "POST") FRUGAL_SETOPT(CURLOPT_CUSTOMREQUEST, r.method.c_str());
    if (r.method == "POST" || !r.body.empty()) {
      FRUGAL_SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
      FRUGAL_SETOPT(CURLOPT_POSTFIELDS, r.body.c_str());
    }
  }

  curl_slist* list = nullptr;
  auto append = [&](const std::string& line) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (!next) return false;
    list = next;
    return true;
  };
  bool ok = true;
  for (const auto& line : r.headers) ok = ok && append(line);
  // Servers that ignore "Expect: 100-continue" would cost a one-second wait per request.
  if (!has_header(r.headers, "expect")) ok = ok && append("Expect:");
  if (!has_header(r.headers, "user-agent")) ok = ok && append("User-Agent: frugal/" FRUGAL_VERSION);
  t.headers.reset(list);
  if (!ok) return fail("http: out of memory for headers");
  FRUGAL_SETOPT(CURLOPT_HTTPHEADER, list);
  return {};
}

#undef FRUGAL_SETOPT

response finish_response(transfer& t, failure f, const std::string& why) {
  response out = std::move(t.resp);
  out.fail = f;
  if (f != failure::none)
    out.error = log::cat("http: ", t.req.method, " ", safe_url(t.req.url), ": ", why);
  if (t.easy) {
    long code = 0, sent = 0;
    curl_easy_getinfo(t.easy.get(), CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(t.easy.get(), CURLINFO_REQUEST_SIZE, &sent);
    out.status = code;
    out.request_sent = sent > 0;
  }
  auto ra = out.headers.find("retry-after");
  if (ra != out.headers.end())
    out.retry_after_ms = parse_retry_after(ra->second, static_cast<int64_t>(std::time(nullptr)));
  return out;
}

response finish_response(transfer& t, CURLcode code) {
  failure f = classify(code);
  std::string why = t.errbuf[0] ? t.errbuf : curl_easy_strerror(code);
  if (t.cancelled) {
    f = failure::cancelled;
    why = "cancelled";
  } else if (t.too_large || code == CURLE_FILESIZE_EXCEEDED) {
    f = failure::too_large;
    why = log::cat("response larger than ", t.req.max_response_bytes, " bytes");
  } else if (t.callback_threw) {
    f = failure::other;
    why = "a response callback failed";
  } else if (!t.refused_address.empty() &&
             (f == failure::connect || code == CURLE_ABORTED_BY_CALLBACK)) {
    // Refused before a byte of the request was sent (at open or in on_prereq).
    response r = finish_response(t, failure::connect, "address not allowed: " + t.refused_address);
    r.address_refused = true;
    return r;
  }
  return finish_response(t, f, why);
}

}  // namespace frugal::http
