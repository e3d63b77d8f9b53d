// The splitter works on repaired UTF-8 so that every cut can be placed on a character
// boundary; it prefers spaces so words stay whole, and keeps everything except the spaces
// it breaks at (and the tail dropped past max_lines).
#include "transports/irc/split.h"

#include <algorithm>

#include "core/utf8.h"

namespace frugal::irc {

namespace {
void trim_right(std::string& s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
}

bool blank(std::string_view s) {
  return s.find_first_not_of(' ') == std::string_view::npos;
}

// Cuts the first line of at most `max` bytes off `rest`.
std::string take_line(std::string_view& rest, size_t max) {
  size_t cut = utf8::boundary_at_most(rest, max);
  size_t space = std::string_view::npos;
  if (cut < rest.size()) {
    // A space exactly at `cut` is a perfect break: rest[0, cut) fits.
    space = rest.rfind(' ', cut);
    if (space != std::string_view::npos && space < max / 4) space = std::string_view::npos;
  }
  std::string line;
  if (space != std::string_view::npos) {
    line = std::string(rest.substr(0, space));
    rest.remove_prefix(space + 1);
  } else {
    if (cut == 0) cut = std::min(rest.size(), utf8::sequence_length(rest, 0));
    line = std::string(rest.substr(0, cut));
    rest.remove_prefix(cut);
  }
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  trim_right(line);
  return line;
}
}  // namespace

std::string sanitize_line(std::string_view text) {
  std::string repaired = utf8::repair(text);
  std::string out;
  out.reserve(repaired.size());
  for (char c : repaired) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\t')
      out += ' ';
    else if (u < 0x20 || u == 0x7F)
      continue;
    else
      out += c;
  }
  return out;
}

std::vector<std::string> split_reply(std::string_view text, const split_options& opt) {
  size_t max = std::max<size_t>(opt.max_bytes, 32);
  size_t max_lines = std::max<size_t>(opt.max_lines, 1);
  std::string repaired = utf8::repair(text);
  std::vector<std::string> out;
  std::string_view all = repaired;
  bool more = false;  // lines exist past max_lines
  while (!all.empty()) {
    size_t eol = all.find_first_of("\r\n");
    std::string clean = sanitize_line(all.substr(0, eol));
    all.remove_prefix(eol == std::string_view::npos ? all.size() : eol + 1);
    trim_right(clean);
    if (blank(clean)) continue;
    std::string_view rest = clean;
    while (!rest.empty()) {
      if (out.size() == max_lines) {
        more = true;
        break;
      }
      std::string line = take_line(rest, max);
      if (!blank(line)) out.push_back(std::move(line));
    }
    if (more) break;
  }
  if (more && !out.empty()) {
    std::string& last = out.back();
    size_t room = max - truncation_marker.size() - 1;
    if (last.size() > room) {
      std::string_view v = last;
      last = take_line(v, room);
    }
    last += " ";
    last += truncation_marker;
  }
  return out;
}

size_t text_budget(size_t linelen, size_t self_mask_bytes, std::string_view command,
                   std::string_view target) {
  // ':' mask ' ' command ' ' target ' :' text CR LF
  size_t overhead = 1 + self_mask_bytes + 1 + command.size() + 1 + target.size() + 2 + 2;
  return overhead + 32 >= linelen ? 32 : linelen - overhead;
}

}  // namespace frugal::irc
