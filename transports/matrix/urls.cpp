// Percent-encoding and homeserver resolution; pure string work, unit-tested directly.
#include "transports/matrix/urls.h"

namespace frugal::matrix {

std::string percent_encode(std::string_view text) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '.' || c == '_' || c == '~';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

homeserver_target resolve_homeserver(std::string_view setting, std::string_view discovery_scheme) {
  homeserver_target out;
  while (!setting.empty() && (setting.back() == '/' || setting.back() == ' '))
    setting.remove_suffix(1);
  while (!setting.empty() && setting.front() == ' ') setting.remove_prefix(1);
  if (setting.find("://") != std::string_view::npos) {
    out.base_url = std::string(setting);
    return out;
  }
  std::string origin = std::string(discovery_scheme) + "://" + std::string(setting);
  out.discover_url = origin + "/.well-known/matrix/client";
  out.fallback_url = origin;
  return out;
}

std::string localpart(std::string_view user_id) {
  if (user_id.size() > 1 && user_id.front() == '@') {
    auto colon = user_id.find(':');
    if (colon != std::string_view::npos) return std::string(user_id.substr(1, colon - 1));
  }
  return std::string(user_id);
}

}  // namespace frugal::matrix
