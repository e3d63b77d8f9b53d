// http_get: fetches one http(s) URL for the model. Every connection goes through
// http::client with public_only, so loopback, private, link-local and metadata addresses
// are refused after DNS resolution; redirects are followed here, one hop at a time, so each
// hop's scheme and host are checked against the realm's allowlist too. Caps: 5 hops, 15 s
// in all, 512 KB downloaded, 64 KB of text returned. It sends no cookies or credentials.
#include "tools/http_get.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "core/config/config.h"
#include "core/http/http_client.h"
#include "core/log.h"
#include "core/utf8.h"
#include "policies/egress.h"
#include "tools/all_tools.h"
#include "tools/tool_args.h"

namespace frugal::tools {
namespace {

constexpr int max_hops = 5;
constexpr int64_t total_ms = 15'000;
constexpr size_t max_download = 512 * 1024;
constexpr size_t max_text = 64 * 1024;

struct url_deleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using url_ptr = std::unique_ptr<CURLU, url_deleter>;

struct parsed_url {
  std::string url;   // normalised
  std::string host;  // lower case
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Parses `url`, relative to `base` when given (a redirect's Location).
result<parsed_url> parse_url(const std::string& url, const std::string& base = "") {
  url_ptr u(curl_url());
  if (!u) return fail("http_get: out of memory");
  if (!base.empty() && curl_url_set(u.get(), CURLUPART_URL, base.c_str(), 0) != CURLUE_OK)
    return fail("http_get: bad URL");
  if (curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
    return fail("http_get: \"", url, "\" is not a valid URL");
  auto part = [&](CURLUPart p) {
    char* v = nullptr;
    std::string s;
    if (curl_url_get(u.get(), p, &v, 0) == CURLUE_OK && v) s = v;
    curl_free(v);
    return s;
  };
  std::string scheme = lower(part(CURLUPART_SCHEME));
  if (scheme != "http" && scheme != "https")
    return fail("http_get: only http and https URLs are allowed");
  if (!part(CURLUPART_USER).empty()) return fail("http_get: URLs with credentials are refused");
  parsed_url out{part(CURLUPART_URL), lower(part(CURLUPART_HOST))};
  if (out.host.empty()) return fail("http_get: the URL has no host");
  return out;
}

// No list allows every host the address policy allows; otherwise policies' host matcher.
bool host_allowed(const std::vector<std::string>& hosts, const std::string& host) {
  return hosts.empty() || policies::host_listed(hosts, host);
}

bool textual(const std::string& type) {
  if (type.empty()) return true;
  std::string t = lower(type);
  return t.rfind("text/", 0) == 0 || t.find("json") != std::string::npos ||
         t.find("xml") != std::string::npos || t.find("javascript") != std::string::npos;
}

struct fetch {
  http::client* client;
  std::vector<std::string> hosts;  // a copy: the config may be reloaded mid-request
  bool public_only;
  done_fn done;
  uint64_t start_ns;
  int hops = 0;
};

std::string describe(const http::response& r, const std::string& url) {
  auto type_it = r.headers.find("content-type");
  std::string type = type_it == r.headers.end() ? "" : type_it->second;
  std::string text = log::cat("HTTP ", r.status, " from ", url);
  if (!type.empty()) text += " (" + type + ")";
  text += log::cat(", ", r.body.size(), " bytes");
  if (r.fail == http::failure::too_large)
    text += log::cat(" (download stopped at ", max_download, ")");
  text += "\n\n";
  if (!textual(type)) return text + "[binary content not shown]";
  std::string body = utf8::repair(r.body.substr(0, max_text));
  text += body;
  if (r.body.size() > max_text) text += log::cat("\n[truncated: first ", max_text, " bytes shown]");
  return text;
}

void get(std::shared_ptr<fetch> f, parsed_url target) {
  int64_t left = total_ms - static_cast<int64_t>((uv_hrtime() - f->start_ns) / 1'000'000);
  if (left <= 0) return f->done(tool_error("http_get: time limit (15 s) reached"));
  http::request req;
  req.method = "GET";
  req.url = target.url;
  req.headers = {"User-Agent: frugal/" FRUGAL_VERSION " (http_get tool)",
                 "Accept: text/html, text/plain, application/json, */*;q=0.5"};
  req.connect_timeout_ms = std::min<int64_t>(left, 5'000);
  req.first_byte_timeout_ms = left;
  req.total_timeout_ms = left;
  req.max_response_bytes = max_download;
  req.follow_redirects = false;  // hops are followed below, each one checked
  req.public_only = f->public_only;
  req.http_only = true;
  f->client->start(std::move(req), [f, target](http::response r) {
    if (r.fail != http::failure::none && r.fail != http::failure::too_large) {
      std::string why = log::cat("http_get: ", target.url, ": ", r.error);
      return f->done(r.address_refused ? tool_refused(std::move(why)) : tool_error(std::move(why)));
    }
    auto loc = r.headers.find("location");
    bool redirect =
        r.status == 301 || r.status == 302 || r.status == 303 || r.status == 307 || r.status == 308;
    if (redirect && loc != r.headers.end()) {
      if (++f->hops > max_hops) return f->done(tool_error("http_get: too many redirects"));
      auto next = parse_url(loc->second, target.url);
      if (!next) return f->done(tool_error(next.message() + " (in a redirect)"));
      if (!host_allowed(f->hosts, next->host))
        return f->done(tool_refused("http_get: redirect to " + next->host +
                                    ", which is not on this realm's host allowlist"));
      return get(f, std::move(next.value()));
    }
    output out = tool_ok(describe(r, target.url));
    out.is_error = r.status >= 400;
    done_fn done = std::move(f->done);
    done(std::move(out));
  });
}

void exec(const context& ctx, std::string_view args_json, done_fn done) {
  auto args = tool_args::parse(args_json);
  if (!args) return done(tool_error(args.message()));
  std::string url;
  if (auto s = args->get_string("url", url, true); !s) return done(tool_error(s.message()));
  if (!ctx.http) return done(tool_error("http_get: no HTTP client in this context"));
  std::vector<std::string> hosts;
  if (ctx.realm_cfg) hosts = ctx.realm_cfg->http_hosts;
  http_fetch(*ctx.http, url, std::move(hosts), true, std::move(done));
}

const descriptor k_http_get{
    "http_get",
    "Fetch a public http(s) URL and return its status and text (64 KB at most).",
    R"({"type":"object","properties":{"url":{"type":"string"}},"required":["url"]})",
    realm_both,
    true,
    false,
    exec};

}  // namespace

void http_fetch(http::client& client, const std::string& url, std::vector<std::string> hosts,
                bool public_only, done_fn done) {
  if (url.size() > 4096) return done(tool_error("http_get: URL longer than 4096 bytes"));
  auto target = parse_url(url);
  if (!target) return done(tool_error(target.message()));
  if (!host_allowed(hosts, target->host))
    return done(
        tool_refused("http_get: " + target->host + " is not on this realm's host allowlist"));
  auto f = std::make_shared<fetch>(
      fetch{&client, std::move(hosts), public_only, std::move(done), uv_hrtime()});
  get(std::move(f), std::move(target.value()));
}

const descriptor& http_get_tool() {
  return k_http_get;
}

}  // namespace frugal::tools
