// http_get's fetch loop, exposed so tests can drive its redirect handling (scheme, host
// allowlist and hop checks on every hop) against a loopback server. The tool itself always
// passes public_only = true; nothing else in the program should call this with false.
#pragma once
#include <string>
#include <vector>

#include "tools/tool.h"

namespace frugal::http {
class client;
}

namespace frugal::tools {

// Fetches `url` (http/https only), following up to 5 redirects itself; each hop must pass
// the scheme check and `hosts` (empty = any host; "example.org", ".example.org" and
// "*.example.org" forms). `done` gets "HTTP <status> from <url> ..." and the text body.
void http_fetch(http::client& client, const std::string& url, std::vector<std::string> hosts,
                bool public_only, done_fn done);

}  // namespace frugal::tools
