// Test helper: reads values out of a JSON body by JSON Pointer (RFC 6901), in simdjson's
// error-code style. A missing or mistyped value reads as "<missing>" / -999 / false.
#pragma once
#include <simdjson.h>

#include <string>
#include <string_view>

namespace frugal::test {

class json_probe {
 public:
  explicit json_probe(std::string_view json) : text_(json) {
    ok_ = !parser_.parse(text_).get(doc_);
  }
  bool ok() const { return ok_; }
  bool has(std::string_view ptr) {
    simdjson::dom::element e;
    return ok_ && !doc_.at_pointer(ptr).get(e);
  }
  bool is_null(std::string_view ptr) {
    simdjson::dom::element e;
    return ok_ && !doc_.at_pointer(ptr).get(e) && e.is_null();
  }
  std::string str(std::string_view ptr) {
    std::string_view v;
    if (!ok_ || doc_.at_pointer(ptr).get(v)) return "<missing>";
    return std::string(v);
  }
  int64_t integer(std::string_view ptr) {
    int64_t v;
    if (!ok_ || doc_.at_pointer(ptr).get(v)) return -999;
    return v;
  }
  double number(std::string_view ptr) {
    double v;
    if (!ok_ || doc_.at_pointer(ptr).get(v)) return -999;
    return v;
  }
  bool boolean(std::string_view ptr) {
    bool v;
    return ok_ && !doc_.at_pointer(ptr).get(v) && v;
  }
  size_t size(std::string_view ptr) {
    simdjson::dom::array a;
    simdjson::dom::object o;
    if (!ok_) return 0;
    if (!doc_.at_pointer(ptr).get(a)) return a.size();
    if (!doc_.at_pointer(ptr).get(o)) return o.size();
    return 0;
  }

 private:
  std::string text_;
  simdjson::dom::parser parser_;
  simdjson::dom::element doc_;
  bool ok_ = false;
};

}  // namespace frugal::test
