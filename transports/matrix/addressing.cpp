// Mention detection, kept apart from the transport so it can be tested on plain strings.
#include "transports/matrix/addressing.h"

#include <algorithm>

#include "transports/matrix/urls.h"

namespace frugal::matrix {
namespace {

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (prefix.empty() || s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (lower(s[i]) != lower(prefix[i])) return false;
  return true;
}

// Length of the addressing prefix `name` at the start of `body`, separators included;
// 0 when `body` does not start with it as a whole word.
size_t prefix_length(std::string_view body, std::string_view name) {
  size_t at = (!body.empty() && body.front() == '@' && name.front() != '@') ? 1 : 0;
  if (!starts_with_ci(body.substr(at), name)) return 0;
  size_t end = at + name.size();
  if (end < body.size()) {
    char c = body[end];
    if (c != ':' && c != ',' && c != ' ' && c != '\t' && c != '\n') return 0;
  }
  while (end < body.size() && (body[end] == ':' || body[end] == ',')) ++end;
  while (end < body.size() && (body[end] == ' ' || body[end] == '\t' || body[end] == '\n')) ++end;
  return end;
}

}  // namespace

addressing address(const event& ev, std::string_view own_id, std::string_view own_display) {
  addressing out;
  std::string_view body = ev.body;
  while (!body.empty() && (body.front() == ' ' || body.front() == '\t')) body.remove_prefix(1);
  std::string local = localpart(own_id);
  std::vector<std::string_view> names = {own_id, local, own_display};
  std::sort(names.begin(), names.end(),
            [](std::string_view a, std::string_view b) { return a.size() > b.size(); });
  for (std::string_view name : names) {
    if (name.empty()) continue;
    if (size_t n = prefix_length(body, name)) {
      out.mentioned = true;
      out.text = std::string(body.substr(n));
      return out;
    }
  }
  out.text = std::string(body);
  if (std::find(ev.mentioned_users.begin(), ev.mentioned_users.end(), own_id) !=
      ev.mentioned_users.end())
    out.mentioned = true;
  if (!own_id.empty() && (ev.body.find(own_id) != std::string::npos ||
                          ev.formatted_body.find(own_id) != std::string::npos))
    out.mentioned = true;
  return out;
}

}  // namespace frugal::matrix
