// Tests for tool calls written as text by local models: Hermes/Qwen <tool_call> tags,
// <function=NAME> forms, whole-text JSON (fenced or bare), and what must stay text.
#include "llm/text_tool_calls.h"

#include <catch2/catch.hpp>

using namespace frugal::llm;

namespace {
const std::vector<tool_spec> tools = {{"clock", "time", "{}"}, {"echo", "echo", "{}"}};
}

TEST_CASE("text tool calls: <tool_call> tags are extracted and removed") {
  std::string content =
      "Let me check.\n<tool_call>\n{\"name\": \"clock\", \"arguments\": {\"tz\": \"UTC\"}}\n"
      "</tool_call>\n<tool_call>{\"name\":\"echo\",\"arguments\":\"{\\\"t\\\":1}\"}</tool_call>";
  auto calls = extract_text_tool_calls(content, tools);
  REQUIRE(calls.size() == 2);
  CHECK(calls[0].id == "text-call-1");
  CHECK(calls[0].name == "clock");
  CHECK(calls[0].arguments_json == R"({"tz":"UTC"})");
  CHECK(calls[1].id == "text-call-2");
  CHECK(calls[1].name == "echo");
  CHECK(calls[1].arguments_json == R"({"t":1})");
  CHECK(content == "Let me check.");
}

TEST_CASE("text tool calls: a final unclosed <tool_call> and missing arguments") {
  std::string content = "<tool_call>{\"name\":\"clock\"}";
  auto calls = extract_text_tool_calls(content, tools);
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].arguments_json == "{}");
  CHECK(content.empty());
}

TEST_CASE("text tool calls: <function=NAME> with JSON or <parameter=> bodies") {
  std::string a = "<function=clock>{\"tz\":\"CET\"}</function> done";
  auto ca = extract_text_tool_calls(a, tools);
  REQUIRE(ca.size() == 1);
  CHECK(ca[0].name == "clock");
  CHECK(ca[0].arguments_json == R"({"tz":"CET"})");
  CHECK(a == "done");

  std::string b =
      "<tool_call>\n<function=echo>\n<parameter=text>\nhi \"there\"\n</parameter>\n"
      "<parameter=n>2</parameter>\n</function>\n</tool_call>";
  auto cb = extract_text_tool_calls(b, tools);
  REQUIRE(cb.size() == 1);
  CHECK(cb[0].name == "echo");
  CHECK(cb[0].arguments_json == R"({"text":"hi \"there\"","n":"2"})");
  CHECK(b.empty());
}

TEST_CASE("text tool calls: whole text as a fenced or bare JSON call of an offered tool") {
  std::string fenced = "```json\n{\"name\": \"clock\", \"arguments\": {}}\n```";
  auto c1 = extract_text_tool_calls(fenced, tools);
  REQUIRE(c1.size() == 1);
  CHECK(c1[0].name == "clock");
  CHECK(fenced.empty());

  std::string bare = " {\"name\":\"echo\",\"parameters\":{\"t\":\"x\"}} ";
  auto c2 = extract_text_tool_calls(bare, tools);
  REQUIRE(c2.size() == 1);
  CHECK(c2[0].arguments_json == R"({"t":"x"})");
}

TEST_CASE("text tool calls: ordinary text, unknown JSON and broken tags stay text") {
  const std::vector<std::string> keep = {
      "The answer is 42.",
      "```json\n{\"name\": \"Alice\", \"age\": 3}\n```",                     // not an offered tool
      "Here: ```json\n{\"name\":\"clock\",\"arguments\":{}}\n``` and more",  // not whole text
      "Use <tool_call> tags like <tool_call>{broken</tool_call> to call.",
      "<function=clock>not json</function>",
      "a < b and <function= nothing",
      "```python\n{\"name\":\"clock\",\"arguments\":{}}\n```",
  };
  for (const std::string& text : keep) {
    std::string content = text;
    CHECK(extract_text_tool_calls(content, tools).empty());
    CHECK(content == text);
  }
  std::string none = "{\"name\":\"clock\",\"arguments\":{}}";
  CHECK(extract_text_tool_calls(none, {}).empty());  // no tools offered: stays text
}
