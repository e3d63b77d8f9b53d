// Tool calls that local models write into their text instead of the API's tool_calls
// field. Recognised forms:
//   <tool_call>{"name":"clock","arguments":{...}}</tool_call>     (Hermes, Qwen; the closing
//       tag may be missing at the very end, where servers strip it as a stop word)
//   <tool_call><function=clock><parameter=tz>UTC</parameter></function></tool_call>
//   <function=clock>{"tz":"UTC"}</function>                      (Llama 3.x style)
//   the whole text being one {"name":..,"arguments":..} object, bare or in a ``` fence
//       (only when the name is one of the offered tools: plain JSON answers stay text).
// It does not validate arguments against the tool's schema.
#pragma once
#include <string>
#include <vector>

#include "llm/types.h"

namespace frugal::llm {

// Removes the recognised calls from `content` (then trims surrounding whitespace) and
// returns them in order, with ids "text-call-1", "text-call-2", ... Arguments are JSON text
// ("{}" when none were given). Malformed tagged calls are left in the text untouched.
std::vector<tool_call> extract_text_tool_calls(std::string& content,
                                               const std::vector<tool_spec>& tools);

}  // namespace frugal::llm
