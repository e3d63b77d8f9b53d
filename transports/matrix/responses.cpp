// Small-body parsers and the retry verdict. The verdict is the single place that maps HTTP
// outcomes to behaviour, so the sync loop, joins and sends all treat a 429 or a 502 alike.
#include "transports/matrix/responses.h"

#include <simdjson.h>

#include <algorithm>

namespace frugal::matrix {
namespace {

using simdjson::dom::element;

bool parse_object(simdjson::dom::parser& parser, std::string_view body, element& root) {
  if (parser.parse(body.data(), body.size()).get(root)) return false;
  return root.is_object();
}

// The length of an "http://" or "https://" prefix (any case), 0 for anything else.
size_t http_scheme_length(std::string_view url) {
  auto lower = [](std::string_view s, size_t n) {
    std::string out(s.substr(0, n));
    for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    return out;
  };
  if (lower(url, 8) == "https://") return 8;
  if (lower(url, 7) == "http://") return 7;
  return 0;
}

}  // namespace

api_error parse_error(std::string_view body) {
  api_error out;
  simdjson::dom::parser parser;
  element root;
  if (!parse_object(parser, body, root)) return out;
  std::string_view s;
  if (!root["errcode"].get(s)) out.errcode = std::string(s);
  if (!root["error"].get(s)) out.error = std::string(s);
  int64_t ms = 0;
  if (!root["retry_after_ms"].get(ms) && ms >= 0) out.retry_after_ms = ms;
  return out;
}

result<std::string> parse_string_field(std::string_view body, const char* key) {
  simdjson::dom::parser parser;
  element root;
  if (!parse_object(parser, body, root)) return fail("matrix: reply is not a JSON object");
  std::string_view s;
  if (root[key].get(s) || s.empty()) return fail("matrix: reply has no `", key, "`");
  return std::string(s);
}

result<login_reply> parse_login(std::string_view body) {
  simdjson::dom::parser parser;
  element root;
  if (!parse_object(parser, body, root)) return fail("matrix: login reply is not JSON");
  login_reply out;
  std::string_view s;
  if (root["access_token"].get(s) || s.empty())
    return fail("matrix: login reply has no access_token");
  out.access_token = std::string(s);
  if (root["user_id"].get(s) || s.empty()) return fail("matrix: login reply has no user_id");
  out.user_id = std::string(s);
  if (!root["device_id"].get(s)) out.device_id = std::string(s);
  return out;
}

result<std::string> parse_well_known(std::string_view body) {
  simdjson::dom::parser parser;
  element root;
  if (!parse_object(parser, body, root)) return fail("matrix: .well-known is not JSON");
  std::string_view url;
  if (root["m.homeserver"]["base_url"].get(url) || url.empty())
    return fail("matrix: .well-known has no m.homeserver.base_url");
  size_t scheme = http_scheme_length(url);
  if (scheme == 0) return fail("matrix: .well-known base_url is not http(s)");
  while (url.size() > scheme && url.back() == '/') url.remove_suffix(1);
  // "https://" or "https:////" leaves no host to talk to.
  if (url.size() == scheme || url[scheme] == '/')
    return fail("matrix: .well-known base_url has no host");
  return std::string(url);
}

outcome classify(const http::response& r) {
  outcome out;
  switch (r.fail) {
    case http::failure::none:
      break;
    case http::failure::cancelled:
      out.kind = verdict::cancelled;
      out.detail = "cancelled";
      return out;
    default:
      out.kind = verdict::transient;
      out.detail = r.error.empty() ? std::string("network failure") : r.error;
      return out;
  }
  if (r.status >= 200 && r.status < 300) return out;
  api_error e = parse_error(r.body);
  out.errcode = e.errcode;
  out.detail = "HTTP " + std::to_string(r.status);
  if (!e.errcode.empty()) out.detail += " " + e.errcode;
  if (!e.error.empty()) out.detail += ": " + e.error.substr(0, 200);
  if (r.status == 429) {
    out.kind = verdict::rate_limited;
    out.wait_ms = std::max(e.retry_after_ms, r.retry_after_ms);
  } else if (r.status == 401) {
    out.kind = verdict::unauthorized;
  } else if (r.status >= 500 || r.status == 408) {
    out.kind = verdict::transient;
  } else {
    out.kind = verdict::permanent;
  }
  return out;
}

}  // namespace frugal::matrix
