// request_builder: what one model call sends, and request_bytes, the input size the
// governor's worst-case reservation (the spend cap) is computed from. An undercount here
// lets a call reserve less than it can cost.
#include "agent/turn/request_builder.h"

#include <catch2/catch.hpp>

using frugal::core::realm_kind;

using namespace frugal;
using namespace frugal::agent;

namespace {

void noop(const tools::context&, std::string_view, tools::done_fn) {}
const tools::descriptor probe_tool = {
    "probe", "Probes.", R"({"type":"object"})", tools::realm_both, false, false, noop};

struct fixture {
  config::tier tier;
  config::model model;
  request_options o;
  std::vector<llm::message> msgs;
  fixture() {
    tier.name = "chat";
    model.name = "m";
    model.model = "api-model-id";
    model.max_output_tokens = 2000;
    o.tier = &tier;
    o.model = &model;
    o.tools = {&probe_tool};
    msgs = build_base_messages("sys", realm_kind::private_, {}, "hi");
  }
};

}  // namespace

TEST_CASE("build_base_messages: system prompt, history, then the user's text",
          "[agent][request_builder]") {
  llm::message past;
  past.role = llm::role::assistant;
  past.content = "earlier answer";
  auto priv = build_base_messages("You help.", realm_kind::private_, {past}, "question");
  REQUIRE(priv.size() == 3);
  CHECK(priv[0].role == llm::role::system);
  CHECK(priv[0].content == "You help.");
  CHECK(priv[1].content == "earlier answer");
  CHECK(priv[2].role == llm::role::user);
  CHECK(priv[2].content == "question");
  auto pub = build_base_messages("You help.", realm_kind::public_, {}, "question");
  REQUIRE(pub.size() == 2);
  CHECK(pub[0].content.rfind("You help.\n", 0) == 0);
  CHECK(pub[0].content.find("member of the public") != std::string::npos);
}

TEST_CASE("build_llm_request: max_tokens, reasoning effort and the tools offered",
          "[agent][request_builder]") {
  fixture f;
  auto r = build_llm_request(f.msgs, f.o);
  CHECK(r.model == "api-model-id");
  CHECK(r.max_tokens == 2000);
  REQUIRE(r.tools.size() == 1);
  CHECK(r.tools[0].name == "probe");

  f.tier.max_output_tokens = 500;  // the tier's lower cap wins
  CHECK(build_llm_request(f.msgs, f.o).max_tokens == 500);
  f.tier.max_output_tokens = 5000;  // a higher one does not raise the model's
  CHECK(build_llm_request(f.msgs, f.o).max_tokens == 2000);

  f.tier.reasoning_effort = "high";
  f.tier.thinking_budget_tokens = 4000;
  CHECK(build_llm_request(f.msgs, f.o).reasoning_effort == "high");
  f.o.simple = true;
  auto simple = build_llm_request(f.msgs, f.o);
  CHECK(simple.reasoning_effort == "minimal");
  CHECK(simple.thinking_budget_tokens == 0);
  f.tier.reasoning_effort = "";  // no effort configured: a simple turn leaves it unset
  CHECK(build_llm_request(f.msgs, f.o).reasoning_effort.empty());

  f.o.offer_escalate = true;
  auto esc = build_llm_request(f.msgs, f.o);
  REQUIRE(esc.tools.size() == 2);
  CHECK(esc.tools[1].name == escalate_tool_name);
  f.o.offer_tools = false;  // max_tool_steps reached: nothing, escalate included
  CHECK(build_llm_request(f.msgs, f.o).tools.empty());
}

TEST_CASE("request_bytes counts every byte the provider bills as input",
          "[agent][request_builder]") {
  llm::request r;
  r.model = "m12";  // 3
  llm::message sys;
  sys.role = llm::role::system;
  sys.content = "abcde";  // 5
  llm::message asst;
  asst.role = llm::role::assistant;
  asst.content = "x";                                  // 1
  asst.tool_calls = {{"id1", "shell", R"({"a":1})"}};  // 3 + 5 + 7
  llm::message tool;
  tool.role = llm::role::tool;
  tool.tool_call_id = "id1";  // 3
  tool.tool_name = "shell";   // 5
  tool.content = "out";       // 3
  r.messages = {sys, asst, tool};
  CHECK(request_bytes(r) == 3 + 5 + 1 + 15 + 3 + 5 + 3);
  r.tools = {{"t", "desc", "{}"}};  // 1 + 4 + 2
  CHECK(request_bytes(r) == 35 + 7);

  // Multi-byte text counts in bytes, not characters (a token is at least one byte).
  llm::request u;
  u.messages = {llm::message{llm::role::user, "héllo €"}};
  CHECK(request_bytes(u) == static_cast<int64_t>(std::string("héllo €").size()));
  CHECK(request_bytes(u) == 10);

  // What build_llm_request adds is counted: tool schemas and the escalate tool.
  fixture f;
  f.o.offer_escalate = true;
  auto with = build_llm_request(f.msgs, f.o);
  f.o.offer_tools = false;
  auto without = build_llm_request(f.msgs, f.o);
  int64_t schemas = 0;
  for (const auto& t : with.tools)
    schemas += static_cast<int64_t>(t.name.size() + t.description.size() +
                                    t.parameters_schema_json.size());
  CHECK(request_bytes(with) - request_bytes(without) == schemas);
}

namespace {

std::vector<std::string> tool_names(const std::vector<const tools::descriptor*>& v) {
  std::vector<std::string> out;
  for (const auto* d : v) out.push_back(d->name);
  return out;
}

}  // namespace

TEST_CASE("the chat tier offers cheap read-only tools; the tools tier the realm's") {
  const auto& all = tools::registry();  // the private realm's list when everything is allowed
  config::tier chat, tools_tier, listed;
  CHECK(tool_names(agent::tier_tools("chat", chat, all)) ==
        std::vector<std::string>{"clock", "read_file", "list_dir", "memory_recall"});
  CHECK(tool_names(agent::tier_tools("local", chat, all)) ==
        std::vector<std::string>{"clock", "read_file", "list_dir", "memory_recall"});
  CHECK(agent::tier_tools("tools", tools_tier, all).size() == all.size());
  listed.tools = std::vector<std::string>{"read_file", "clock"};
  CHECK(tool_names(agent::tier_tools("chat", listed, all)) ==
        std::vector<std::string>{"clock", "read_file"});  // registry order: byte-stable
  listed.tools = std::vector<std::string>{};
  CHECK(agent::tier_tools("tools", listed, all).empty());
  // The realm narrows the tier: a tool the realm does not offer is never added.
  std::vector<const tools::descriptor*> public_realm = {tools::find("clock")};
  listed.tools = std::vector<std::string>{"shell", "clock"};
  CHECK(tool_names(agent::tier_tools("chat", listed, public_realm)) ==
        std::vector<std::string>{"clock"});
}

TEST_CASE("a chat request carries only the tier's tools and escalate") {
  config::model m;
  m.model = "m";
  m.max_output_tokens = 100;
  config::tier chat;
  agent::request_options o;
  o.tier = &chat;
  o.model = &m;
  o.offer_escalate = true;
  o.tools = agent::tier_tools("chat", chat, tools::registry());
  auto msgs = agent::build_base_messages("sys", realm_kind::private_, {}, "hello");
  llm::request r = agent::build_llm_request(msgs, o);
  std::vector<std::string> sent;
  for (const auto& t : r.tools) sent.push_back(t.name);
  CHECK(sent ==
        std::vector<std::string>{"clock", "read_file", "list_dir", "memory_recall", "escalate"});
  CHECK(agent::request_bytes(r) < 1000);
}

// The tools tier's first call marks the whole request for caching only when the router
// expects a tool round to resend it. Before, every first call on the tools tier was marked:
// a piped log on `ask --tier tools` paid the 1.25 × cache write and never read it.
TEST_CASE("the tools tier marks a first call's tail only when a tool loop is likely",
          "[agent][request_builder]") {
  fixture f;
  f.tier.name = "tools";
  f.o.turn_start = f.msgs.size() - 1;
  f.o.p_tools = 0.05;  // "summarise this log:\n..." — answered in one call
  CHECK_FALSE(build_llm_request(f.msgs, f.o).cache_tail);
  f.o.p_tools = 0.9;  // "read notes.txt and ..." — a tool round resends it all
  CHECK(build_llm_request(f.msgs, f.o).cache_tail);
  // A round already made in this turn repeats the request whatever the router thought.
  f.o.p_tools = 0.05;
  llm::message call;
  call.role = llm::role::assistant;
  call.tool_calls.push_back({"id1", "clock", "{}"});
  llm::message result;
  result.role = llm::role::tool;
  result.tool_call_id = "id1";
  result.content = "UTC: 2026-12-02 04:00";
  f.msgs.push_back(call);
  f.msgs.push_back(result);
  CHECK(build_llm_request(f.msgs, f.o).cache_tail);
  // The chat tier marks no first call: its turns mostly end in one.
  f.tier.name = "chat";
  f.msgs.resize(f.o.turn_start + 1);
  f.o.p_tools = 0.9;
  CHECK_FALSE(build_llm_request(f.msgs, f.o).cache_tail);
}
