// JSON writer escaping and UTF-8 repair: text from users and models never breaks a body.
#include "core/json_writer.h"

#include <catch2/catch.hpp>

#include "core/log.h"
#include "core/utf8.h"

using namespace frugal;

TEST_CASE("strings are escaped per RFC 8259") {
  CHECK(json_quote("a\"b\\c\n\r\t") == R"("a\"b\\c\n\r\t")");
  CHECK(json_quote(std::string("\x01\x1f\x7f", 3)) == R"("\u0001\u001f\u007f")");
  CHECK(json_quote("é ✓ 😀") == "\"é ✓ 😀\"");
}

TEST_CASE("invalid UTF-8 is replaced, never passed on") {
  CHECK(json_quote("a\xff"
                   "b") == R"("a\ufffdb")");
  CHECK(json_quote("\xc0\xaf") == R"("\ufffd\ufffd")");            // overlong
  CHECK(json_quote("\xed\xa0\x80") == R"("\ufffd\ufffd\ufffd")");  // surrogate
  CHECK(json_quote("\xe2\x82") == R"("\ufffd\ufffd")");            // truncated
  CHECK(utf8::repair("ok\xfe") == "ok\xEF\xBF\xBD");
  CHECK(utf8::valid("plain ✓"));
  CHECK_FALSE(utf8::valid("\xf5\x80\x80\x80"));
}

TEST_CASE("writer builds nested structures with commas in the right places") {
  json_writer w;
  w.begin_object()
      .key("a")
      .number(int64_t{1})
      .key("b")
      .begin_array()
      .string("x")
      .boolean(true)
      .null()
      .end_array()
      .key("c")
      .raw(R"({"k":2})")
      .end_object();
  CHECK(w.str() == R"({"a":1,"b":["x",true,null],"c":{"k":2}})");
}

TEST_CASE("log lines redact registered secrets and strip control bytes") {
  static std::string last;
  log::set_sink([](log::level, std::string_view line) { last = line; });
  log::add_secret("sk-live-SECRET1234");
  LOG_ERROR("test", "key sk-live-SECRET1234 leaked\r\nINJECTED");
  log::set_sink(nullptr);
  CHECK(last.find("SECRET1234") == std::string::npos);
  CHECK(last.find("***") != std::string::npos);
  CHECK(last.find('\n') == std::string::npos);
  CHECK(last.find('\r') == std::string::npos);
}
