// ISUPPORT parsing and case folding. Values are taken as hints from the server: a LINELEN
// below 512 or above 16 KiB, or a NICKLEN of 0, would break splitting, so they are clamped.
#include "transports/irc/isupport.h"

#include <charconv>

namespace frugal::irc {

namespace {
size_t number(std::string_view v, size_t fallback) {
  size_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  return ec == std::errc() && p == v.data() + v.size() ? n : fallback;
}
}  // namespace

void isupport::apply(const message& m) {
  if (m.command != "005" || m.params.size() < 2) return;
  // params[0] is our nick; the last parameter is the human-readable trailing.
  for (size_t i = 1; i + 1 < m.params.size(); ++i) {
    std::string_view tok = m.params[i];
    if (tok.empty() || tok.front() == '-') continue;
    size_t eq = tok.find('=');
    std::string_view key = tok.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? "" : tok.substr(eq + 1);
    if (key == "CASEMAPPING") {
      if (value == "ascii")
        mapping = casemapping::ascii;
      else if (value == "strict-rfc1459")
        mapping = casemapping::strict_rfc1459;
      else if (value == "rfc1459")
        mapping = casemapping::rfc1459;
      else
        mapping = casemapping::ascii;  // rfc7613 and others: ASCII is the safe subset
    } else if (key == "CHANTYPES") {
      chantypes = std::string(value);
    } else if (key == "LINELEN") {
      size_t n = number(value, linelen);
      linelen = n < 512 ? 512 : (n > 16384 ? 16384 : n);
    } else if (key == "NICKLEN") {
      size_t n = number(value, nicklen);
      nicklen = n == 0 ? nicklen : (n > 64 ? 64 : n);
    } else if (key == "NETWORK") {
      network = std::string(value.substr(0, 64));
    } else if (key == "WHOX") {
      whox = true;
    } else if (key == "MONITOR") {
      monitor = number(value, 100);  // no value: no stated limit; 100 is plenty for us
    }
  }
}

std::string isupport::fold(std::string_view s) const {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    else if (mapping == casemapping::ascii)
      continue;
    else if (c == '[')
      c = '{';
    else if (c == ']')
      c = '}';
    else if (c == '\\')
      c = '|';
    else if (c == '~' && mapping == casemapping::rfc1459)
      c = '^';
  }
  return out;
}

bool isupport::equal(std::string_view a, std::string_view b) const {
  return a.size() == b.size() && fold(a) == fold(b);
}

bool isupport::is_channel(std::string_view target) const {
  return !target.empty() && chantypes.find(target.front()) != std::string::npos;
}

}  // namespace frugal::irc
