// JSON writer. Strings are escaped per RFC 8259; what is not well-formed UTF-8 (core/utf8.h)
// becomes \ufffd.
#include "core/json_writer.h"

#include <cmath>
#include <cstdio>

#include "core/utf8.h"

namespace frugal {

void json_escape_into(std::string& out, std::string_view text) {
  out += '"';
  for (size_t i = 0; i < text.size();) {
    size_t n = utf8::sequence_length(text, i);
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
