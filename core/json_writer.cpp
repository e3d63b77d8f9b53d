// JSON writer and UTF-8 repair. The UTF-8 decoder follows RFC 3629 (no overlongs, no
// surrogates, nothing above U+10FFFF).
#include "core/json_writer.h"

#include <cmath>
#include <cstdio>

namespace frugal {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid.
size_t utf8_seq_len(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF)
    n = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF)
    n = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4)
    n = 4, cp = c & 0x07;
  else
    return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

}  // namespace

bool valid_utf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    size_t n = utf8_seq_len(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string sanitize_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t n = utf8_seq_len(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

void json_escape_into(std::string& out, std::string_view text) {
  out += '"';
  for (size_t i = 0; i < text.size();) {
    size_t n = utf8_seq_len(text, i);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (n > 1) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    char c = text[i++];
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

std::string json_quote(std::string_view text) {
  std::string s;
  json_escape_into(s, text);
  return s;
}

void json_writer::comma() {
  if (need_comma_) out_ += ',';
  need_comma_ = true;
}
json_writer& json_writer::begin_object() {
  comma();
  out_ += '{';
  need_comma_ = false;
  return *this;
}
json_writer& json_writer::end_object() {
  out_ += '}';
  need_comma_ = true;
  return *this;
}
json_writer& json_writer::begin_array() {
  comma();
  out_ += '[';
  need_comma_ = false;
  return *this;
}
json_writer& json_writer::end_array() {
  out_ += ']';
  need_comma_ = true;
  return *this;
}
json_writer& json_writer::key(std::string_view k) {
  comma();
  json_escape_into(out_, k);
  out_ += ':';
  need_comma_ = false;
  return *this;
}
json_writer& json_writer::string(std::string_view v) {
  comma();
  json_escape_into(out_, v);
  return *this;
}
json_writer& json_writer::number(int64_t v) {
  comma();
  out_ += std::to_string(v);
  return *this;
}
json_writer& json_writer::number(double v) {
  comma();
  if (!std::isfinite(v)) {
    out_ += "null";
    return *this;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  out_ += buf;
  return *this;
}
json_writer& json_writer::boolean(bool v) {
  comma();
  out_ += v ? "true" : "false";
  return *this;
}
json_writer& json_writer::null() {
  comma();
  out_ += "null";
  return *this;
}
json_writer& json_writer::raw(std::string_view json) {
  comma();
  out_.append(json);
  return *this;
}

}  // namespace frugal
