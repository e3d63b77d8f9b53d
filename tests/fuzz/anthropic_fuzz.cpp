// Fuzzes the anthropic response codec (llm/anthropic.h): parse_response on the input, and
// the stream decoder over the SSE events the input makes (see llm_fuzz_common.h for the
// three readings and the checks). It does not fuzz build_body.
#include "llm/anthropic.h"
#include "tests/fuzz/llm_fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  frugal::fuzz::fuzz_llm_input<frugal::llm::anthropic::stream_decoder>(
      data, size,
      [](std::string_view body) { return frugal::llm::anthropic::parse_response(body); });
  return 0;
}
