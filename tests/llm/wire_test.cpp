// What both codecs share (llm/wire): a bad whole-response body is reported the same way by
// each, naming the API and the fault, with the server's message made safe to log.
#include "llm/wire.h"

#include <catch2/catch.hpp>
#include <string>
#include <utility>

#include "llm/anthropic.h"
#include "llm/openai.h"

using namespace frugal;
using namespace frugal::llm;

TEST_CASE("both codecs name the API and the fault of a bad whole-response body") {
  using parse_fn = result<llm::response> (*)(std::string_view);
  for (auto [api, parse] :
       {std::pair<std::string, parse_fn>{"anthropic", anthropic::parse_response},
        std::pair<std::string, parse_fn>{"openai", openai::parse_response}}) {
    auto truncated = parse(R"({"id":"x","content":[)");
    REQUIRE_FALSE(truncated.ok());
    CHECK(truncated.message().rfind(api + ": malformed response JSON (", 0) == 0);
    CHECK(truncated.message().find("21 bytes)") != std::string::npos);
    auto array = parse("[1,2]");
    REQUIRE_FALSE(array.ok());
    CHECK(array.message() == api + ": response is not a JSON object");
    auto overloaded =
        parse(R"({"type":"error","error":{"type":"overloaded_error","message":"Over\nloaded"}})");
    REQUIRE_FALSE(overloaded.ok());
    CHECK(overloaded.message() == api + ": error in response: Over loaded");
  }
}
