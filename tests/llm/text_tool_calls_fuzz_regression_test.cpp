// An input found by tests/fuzz/openai_fuzz: "<tool_call>" with nothing after it handed
// simdjson an empty string_view with a null data pointer, which it memcpy'd (undefined
// behaviour). An empty or blank tagged call is now not a call, and the text is kept.
#include <catch2/catch.hpp>

#include "llm/text_tool_calls.h"

using namespace frugal::llm;

TEST_CASE("text tool calls: an empty <tool_call> is left in the text") {
  const std::vector<tool_spec> tools = {{"clock", "time", R"({"type":"object"})"}};
  for (std::string text : {"a<tool_call>", "<tool_call>   </tool_call>", "x <tool_call>\n"}) {
    std::string content = text;
    CHECK(extract_text_tool_calls(content, tools).empty());
    CHECK(content == text);
  }
}
