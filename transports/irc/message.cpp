// The IRC line parser. A hand-written scanner over string_view: no allocation beyond the
// result, linear in the line length, no recursion. Anything it cannot make sense of is
// dropped by returning nullopt; it never throws on input.
#include "transports/irc/message.h"

#include <cctype>

namespace frugal::irc {

namespace {
constexpr size_t max_params = 64;

void skip_spaces(std::string_view s, size_t& i) {
  while (i < s.size() && s[i] == ' ') ++i;
}

std::string_view word(std::string_view s, size_t& i) {
  size_t start = i;
  while (i < s.size() && s[i] != ' ') ++i;
  return s.substr(start, i - start);
}

bool valid_command(std::string_view c) {
  if (c.empty() || c.size() > 32) return false;
  for (char ch : c)
    if (!std::isalnum(static_cast<unsigned char>(ch))) return false;
  return true;
}

void parse_tags(std::string_view text, message& m) {
  size_t i = 0;
  while (i <= text.size()) {
    size_t end = text.find(';', i);
    if (end == std::string_view::npos) end = text.size();
    std::string_view tag = text.substr(i, end - i);
    if (!tag.empty()) {
      size_t eq = tag.find('=');
      std::string key(tag.substr(0, eq));
      std::string value =
          eq == std::string_view::npos ? "" : unescape_tag_value(tag.substr(eq + 1));
      if (!key.empty()) m.tags.emplace_back(std::move(key), std::move(value));
    }
    i = end + 1;
  }
}
}  // namespace

std::string unescape_tag_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '\\') {
      out += v[i];
      continue;
    }
    if (++i >= v.size()) break;  // a lone trailing backslash is dropped
    switch (v[i]) {
      case ':':
        out += ';';
        break;
      case 's':
        out += ' ';
        break;
      case '\\':
        out += '\\';
        break;
      case 'r':
        out += '\r';
        break;
      case 'n':
        out += '\n';
        break;
      default:
        out += v[i];
        break;
    }
  }
  return out;
}

const std::string* message::tag(std::string_view key) const {
  for (const auto& [k, v] : tags)
    if (k == key) return &v;
  return nullptr;
}

const std::string& message::param(size_t i) const {
  static const std::string empty;
  return i < params.size() ? params[i] : empty;
}

std::string message::nick() const {
  size_t bang = prefix.find('!');
  return prefix.substr(0, bang);
}

std::optional<message> parse(std::string_view line) {
  // NUL, CR and LF all end a line, so no parameter can carry one back onto the wire.
  if (size_t end = line.find_first_of(std::string_view("\0\r\n", 3)); end != std::string_view::npos)
    line = line.substr(0, end);
  message m;
  size_t i = 0;
  skip_spaces(line, i);
  if (i < line.size() && line[i] == '@') {
    ++i;
    parse_tags(word(line, i), m);
    skip_spaces(line, i);
  }
  if (i < line.size() && line[i] == ':') {
    ++i;
    m.prefix = std::string(word(line, i));
    skip_spaces(line, i);
  }
  std::string_view command = word(line, i);
  if (!valid_command(command)) return std::nullopt;
  m.command.reserve(command.size());
  for (char c : command)
    m.command += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  while (m.params.size() < max_params) {
    skip_spaces(line, i);
    if (i >= line.size()) break;
    if (line[i] == ':') {
      m.params.emplace_back(line.substr(i + 1));
      break;
    }
    m.params.emplace_back(word(line, i));
  }
  return m;
}

bool is_safe_middle(std::string_view s) {
  if (s.empty() || s.front() == ':') return false;
  for (char c : s)
    if (c == ' ' || c == '\r' || c == '\n' || c == '\0') return false;
  return true;
}

std::string strip_line_breaks(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '\r' && c != '\n' && c != '\0') out += c;
  return out;
}

}  // namespace frugal::irc
