// Inputs found by tests/fuzz/anthropic_fuzz that crashed the Anthropic codec: a
// content_block_start without its content_block (a null simdjson element was read), and
// usage counts whose sum overflowed int64 (undefined behaviour; now saturates).
#include <catch2/catch.hpp>
#include <cstdint>

#include "llm/anthropic.h"

using namespace frugal::llm;

namespace {
sse::event data_event(std::string data) {
  sse::event ev;
  ev.data = std::move(data);
  return ev;
}
}  // namespace

TEST_CASE("anthropic stream: content_block_start without a content_block is skipped") {
  anthropic::stream_decoder d;
  REQUIRE(d.feed(data_event(R"({"type":"content_block_start","index":0})")).ok());
  REQUIRE(
      d
          .feed(data_event(
              R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}})"))
          .ok());
  REQUIRE(d.feed(data_event(R"({"type":"content_block_start","index":1,"content_block":)"
                            R"({"type":"text","text":"kept"}})"))
              .ok());
  response r = d.take();
  CHECK(r.content == "kept");  // the unknown block's delta is not text
}

TEST_CASE("anthropic usage: huge counts saturate instead of overflowing") {
  auto r = anthropic::parse_response(
      R"({"content":[],"usage":{"input_tokens":9223372036854775807,)"
      R"("cache_read_input_tokens":9223372036854775807,"cache_creation_input_tokens":5,)"
      R"("output_tokens":1}})");
  REQUIRE(r.ok());
  CHECK(r->usage.input_tokens == INT64_MAX);
  CHECK(r->usage.cached_input_tokens == INT64_MAX);

  anthropic::stream_decoder d;
  REQUIRE(d.feed(data_event(R"({"type":"message_start","message":{"usage":{)"
                            R"("input_tokens":-9223372036854775807,"cache_read_input_tokens":-9,)"
                            R"("cache_creation_input_tokens":-9}}})"))
              .ok());
  CHECK(d.partial().usage.input_tokens == INT64_MIN);
}
