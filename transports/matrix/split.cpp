// Splitting long replies so each Matrix event stays under the homeserver's 64 KiB PDU limit.
// The size test renders each candidate piece, because escaping can make the HTML several
// times longer than the Markdown; the candidate shrinks until it fits.
#include "core/json_writer.h"
#include "core/utf8.h"
#include "transports/matrix/markdown.h"

namespace frugal::matrix {
namespace {

constexpr size_t k_envelope = 160;  // msgtype, format and the JSON punctuation around them

size_t event_bytes(std::string_view piece) {
  rendered r = render_markdown(piece);
  return json_quote(r.body).size() + json_quote(r.html).size() + k_envelope;
}

size_t utf8_floor(std::string_view s, size_t n) {
  if (n >= s.size()) return s.size();
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  if (n == 0) {  // keep making progress: take the whole first character
    n = 1;
    while (n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) ++n;
  }
  return n;
}

struct cut {
  size_t keep;  // bytes that go into this piece
  size_t skip;  // separator bytes dropped after it
};

cut choose_cut(std::string_view s, size_t limit) {
  limit = std::min(limit, s.size());
  for (std::string_view sep :
       {std::string_view("\n\n"), std::string_view("\n"), std::string_view(" ")}) {
    if (limit < sep.size()) continue;
    size_t pos = s.rfind(sep, limit - sep.size());
    if (pos != std::string_view::npos && pos >= limit / 2 && pos > 0) return {pos, sep.size()};
  }
  return {utf8_floor(s, limit), 0};
}

// The fence run ("```") and info string of a fence left open at the end of `text`.
struct open_fence {
  std::string run;
  std::string info;
};
open_fence fence_at_end(std::string_view text) {
  open_fence f;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    size_t indent = 0;
    while (indent < line.size() && indent < 4 && line[indent] == ' ') ++indent;
    line.remove_prefix(indent);
    char c = line.empty() ? 0 : line.front();
    size_t n = 0;
    while (n < line.size() && line[n] == c) ++n;
    if (indent <= 3 && (c == '`' || c == '~') && n >= 3) {
      if (f.run.empty()) {
        f.run = std::string(n, c);
        // At most 32 bytes of the info string, cut on a character boundary.
        std::string_view info = line.substr(n);
        size_t keep = std::min<size_t>(info.size(), 32);
        while (keep > 0 && keep < info.size() &&
               (static_cast<unsigned char>(info[keep]) & 0xC0) == 0x80)
          --keep;
        f.info = std::string(info.substr(0, keep));
      } else if (c == f.run.front() && n >= f.run.size()) {
        f.run.clear();
      }
    }
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return f;
}

}  // namespace

std::vector<std::string> split_for_events(std::string_view markdown, size_t max_event_bytes) {
  std::vector<std::string> out;
  std::string text = utf8::repair(markdown);
  std::string_view rest = text;
  std::string carry;  // a reopened code fence for the next piece
  while (!rest.empty()) {
    std::string whole = carry + std::string(rest);
    if (event_bytes(whole) <= max_event_bytes) {
      out.push_back(std::move(whole));
      break;
    }
    size_t limit = std::max<size_t>(16, max_event_bytes / 2);
    while (true) {
      cut c = choose_cut(rest, limit);
      std::string piece = carry + std::string(rest.substr(0, c.keep));
      open_fence f = fence_at_end(piece);
      if (!f.run.empty()) piece += "\n" + f.run;
      if (event_bytes(piece) <= max_event_bytes || limit <= 16) {
        out.push_back(std::move(piece));
        rest.remove_prefix(c.keep + c.skip);
        if (f.run.empty())
          while (!rest.empty() && rest.front() == '\n') rest.remove_prefix(1);
        carry = f.run.empty() ? std::string() : f.run + f.info + "\n";
        break;
      }
      limit = limit * 3 / 4;
    }
  }
  return out;
}

}  // namespace frugal::matrix
