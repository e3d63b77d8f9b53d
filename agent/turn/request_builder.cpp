// Request assembly for one model call.
#include "agent/turn/request_builder.h"

#include <algorithm>

namespace frugal::agent {

std::vector<llm::message> build_base_messages(const std::string& system_prompt,
                                              core::realm_kind realm,
                                              const std::vector<llm::message>& history,
                                              const std::string& user_text) {
  std::vector<llm::message> out;
  llm::message sys;
  sys.role = llm::role::system;
  sys.content = system_prompt;
  if (realm == core::realm_kind::public_)
    sys.content +=
        "\nYou are talking with a member of the public in a shared channel. "
        "Keep answers short.";
  out.push_back(std::move(sys));
  out.insert(out.end(), history.begin(), history.end());
  llm::message user;
  user.role = llm::role::user;
  user.content = user_text;
  out.push_back(std::move(user));
  return out;
}

llm::request build_llm_request(const std::vector<llm::message>& messages,
                               const request_options& o) {
  llm::request r;
  r.model = o.model->model;
  r.messages = messages;
  r.max_tokens = o.model->max_output_tokens;
  if (o.tier->max_output_tokens > 0 && o.tier->max_output_tokens < r.max_tokens)
    r.max_tokens = o.tier->max_output_tokens;
  r.temperature = o.tier->temperature;
  r.reasoning_effort = o.tier->reasoning_effort;
  r.thinking_budget_tokens = o.tier->thinking_budget_tokens;
  // Caching: the history before this turn stays byte-stable; a tool loop (rounds already
  // in this turn, or the tools tier when the router expects tools) repeats the whole
  // request next. A one-shot turn the classifier sees no tools in (a piped log on
  // `--tier tools`) would pay the 1.25 × write for nothing.
  r.cache_stable_prefix = o.turn_start;
  r.cache_tail = messages.size() > o.turn_start + 1 ||
                 (o.tier->name == "tools" && o.p_tools >= tool_loop_break_even);
  if (o.simple && !r.reasoning_effort.empty()) {
    // A turn with no complexity signal skips chain-of-thought where the API allows it.
    r.reasoning_effort = "minimal";
    r.thinking_budget_tokens = 0;
  }
  if (o.offer_tools) {
    for (const tools::descriptor* d : o.tools)
      r.tools.push_back({d->name, d->description, d->schema_json});
    if (o.offer_escalate)
      r.tools.push_back({escalate_tool_name,
                         "Hand the request to a stronger model with more tools. Only when it "
                         "needs tools you lack or careful multi-step work.",
                         R"({"type":"object","properties":{"reason":{"type":"string"}},)"
                         R"("required":["reason"]})"});
  }
  return r;
}

std::vector<const tools::descriptor*> tier_tools(
    const std::string& tier_name, const config::tier& tier,
    const std::vector<const tools::descriptor*>& offered) {
  if (!tier.tools && tier_name == "tools") return offered;
  const std::vector<std::string>& names = tier.tools ? *tier.tools : config::default_tier_tools();
  std::vector<const tools::descriptor*> out;
  for (const tools::descriptor* d : offered)
    if (std::find(names.begin(), names.end(), d->name) != names.end()) out.push_back(d);
  return out;
}

int64_t request_bytes(const llm::request& r) {
  int64_t n = static_cast<int64_t>(r.model.size());
  for (const auto& m : r.messages) {
    n += static_cast<int64_t>(m.content.size() + m.tool_call_id.size() + m.tool_name.size());
    for (const auto& tc : m.tool_calls)
      n += static_cast<int64_t>(tc.id.size() + tc.name.size() + tc.arguments_json.size());
  }
  for (const auto& t : r.tools)
    n += static_cast<int64_t>(t.name.size() + t.description.size() +
                              t.parameters_schema_json.size());
  return n;
}

}  // namespace frugal::agent
