// CTCP answers. The echoed PING argument is untrusted: it is sanitised like model text and
// capped at 64 bytes so it cannot carry protocol or grow the NOTICE past a line.
#include "transports/irc/ctcp.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "transports/irc/split.h"
#include "core/utf8.h"

namespace frugal::irc {

std::optional<ctcp_request> parse_ctcp(std::string_view text) {
  if (text.size() < 2 || text.front() != '\x01') return std::nullopt;
  text.remove_prefix(1);
  if (!text.empty() && text.back() == '\x01') text.remove_suffix(1);
  size_t sp = text.find(' ');
  ctcp_request r;
  for (char c : text.substr(0, sp))
    r.command += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (sp != std::string_view::npos) r.args = std::string(text.substr(sp + 1));
  if (r.command.empty()) return std::nullopt;
  return r;
}

ctcp_responder::ctcp_responder(std::string version, int burst, uint64_t interval_ms)
    : version_(sanitize_line(version)),
      tokens_(burst),
      burst_(std::max(burst, 1)),
      interval_ms_(std::max<uint64_t>(interval_ms, 1)) {}

std::optional<std::string> ctcp_responder::answer(const ctcp_request& req, std::string_view nick,
                                                  uint64_t now_ms) {
  std::string body;
  if (req.command == "VERSION") {
    body = "VERSION " + version_;
  } else if (req.command == "PING") {
    std::string arg = sanitize_line(req.args);
    arg.resize(utf8::boundary_at_most(arg, 64));
    body = "PING " + arg;
  } else if (req.command == "TIME") {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    body = std::string("TIME ") + buf;
  } else if (req.command == "CLIENTINFO") {
    body = "CLIENTINFO CLIENTINFO PING TIME VERSION";
  } else {
    return std::nullopt;
  }
  if (!started_) {
    started_ = true;
    last_ms_ = now_ms;
  }
  if (now_ms > last_ms_) {
    tokens_ = std::min<double>(burst_, tokens_ + static_cast<double>(now_ms - last_ms_) /
                                                     static_cast<double>(interval_ms_));
    last_ms_ = now_ms;
  }
  if (tokens_ < 1.0) return std::nullopt;
  tokens_ -= 1.0;
  return "NOTICE " + std::string(nick) + " :\x01" + body + "\x01";
}

}  // namespace frugal::irc
