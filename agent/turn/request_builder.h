// request_builder: turns a session's messages, a tier and a model into an llm::request —
// the system prompt, the tools the realm may offer, the escalate tool on the chat tier,
// the reasoning effort (lowest for simple turns) and max_tokens. Also measures the bytes
// the governor's worst-case estimate is based on. No I/O.
#pragma once
#include <string>
#include <vector>

#include "core/config/config.h"
#include "llm/types.h"
#include "tools/tool.h"

namespace frugal::agent {

inline constexpr const char* escalate_tool_name = "escalate";

struct request_options {
  const config::tier* tier = nullptr;
  const config::model* model = nullptr;
  bool simple = false;          // router: no signal → lowest reasoning effort
  bool offer_tools = true;      // false once max_tool_steps is reached
  bool offer_escalate = false;  // chat tier with a tools tier the realm may use
  std::vector<const tools::descriptor*> tools;
  // Index of this turn's user message in the messages: what comes before it is the
  // stable prefix a prompt cache can reuse on the next turn.
  size_t turn_start = 0;
  // The router's p(tools) for the turn (1 once escalated): on the tools tier the first call
  // marks the whole request for caching only when a tool round (which resends it) is at
  // least tool_loop_break_even likely.
  double p_tools = 1.0;
};

// A cache write costs 1.25 × input and a read saves 0.9 × input (Anthropic), so marking
// the tail of a first call pays off when a second call follows with p > 0.25 / 0.9.
inline constexpr double tool_loop_break_even = 0.28;

// system prompt (with the realm named, so the model knows whom it serves) + history + the
// user's text.
std::vector<llm::message> build_base_messages(const std::string& system_prompt,
                                              core::realm_kind realm,
                                              const std::vector<llm::message>& history,
                                              const std::string& user_text);

llm::request build_llm_request(const std::vector<llm::message>& messages, const request_options& o);

// The tools a tier offers: of `offered` (what the realm's policy allows, in registry order),
// those the tier lists in `tools`; when the tier sets no list, all of them on the "tools"
// tier and config::default_tier_tools() on any other. A turn pays for every schema it sends,
// so a chat turn carries only cheap read-only tools (and `escalate`, added by the caller).
std::vector<const tools::descriptor*> tier_tools(
    const std::string& tier_name, const config::tier& tier,
    const std::vector<const tools::descriptor*>& offered);

// Bytes of everything the request sends that the provider counts as input: every
// message's text, tool calls and ids, and the tool schemas.
int64_t request_bytes(const llm::request& r);

}  // namespace frugal::agent
