// A small JSON writer for request bodies. Strings are escaped per RFC 8259 and invalid
// UTF-8 is replaced by U+FFFD (core/utf8.h), so text from IRC users or models is never passed on as
// broken JSON. It does not check structure (a key outside an object is the caller's bug).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace frugal {

class json_writer {
 public:
  json_writer& begin_object();
  json_writer& end_object();
  json_writer& begin_array();
  json_writer& end_array();
  json_writer& key(std::string_view k);
  json_writer& string(std::string_view v);
  json_writer& number(int64_t v);
  json_writer& number(double v);
  json_writer& boolean(bool v);
  json_writer& null();
  // Inserts already-serialised JSON (e.g. a tool's schema) as one value.
  json_writer& raw(std::string_view json);

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void comma();
  std::string out_;
  bool need_comma_ = false;
};

// Appends `text` to `out` as a quoted, escaped JSON string.
void json_escape_into(std::string& out, std::string_view text);
std::string json_quote(std::string_view text);

}  // namespace frugal
