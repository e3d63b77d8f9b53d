// turn: the state machine on a real loop and a real (in-memory) sqlite ledger, history and
// audit log, with a fake provider at the seam that answers from a script per model id, or
// holds the call until it is cancelled. Covers the tool loop (with a policy refusal that is
// audited), escalate from chat to tools, fallback within a tier (cool-down, reservation
// released), the turn deadline (reservation charged in full), and a turn that outlives
// the snapshot it started on (a reload swapped it away).
#include "agent/turn/turn.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include "agent/session/fold.h"
#include "agent/session/history.h"
#include "agent/turn/model_health.h"
#include "agent/turn/snapshot.h"
#include "budget/governor.h"
#include "core/config/config.h"
#include "core/store/database.h"
#include "core/uv_handle.h"
#include "policies/rate_limit.h"
#include "tests/core/http/test_support.h"
#include "tools/all_tools.h"
#include "tools/audit.h"

using frugal::core::realm_kind;

using namespace frugal;
using agent::turn_status;

namespace {

// Answers each request with the next scripted outcome for its model id, from the loop (as
// a real provider does). A model with no script left holds the call until cancel().
class fake_provider final : public llm::provider {
 public:
  explicit fake_provider(uv_loop_t* loop) : loop_(loop) {
    uv_timer_init(loop_, timer_.get());
    timer_.mark_initialized();
    timer_->data = this;
  }
  ~fake_provider() override { timer_.close(); }

  std::map<std::string, std::deque<llm::outcome>> script;  // by model id
  // Answers a call whose model has no script left (instead of holding it), when set.
  std::function<llm::outcome(const llm::request&)> responder;
  std::vector<llm::request> requests;
  std::vector<http::request_id> cancelled;

  http::request_id complete(const llm::request& req,
                            std::function<void(llm::outcome)> done) override {
    requests.push_back(req);
    http::request_id id = ++next_id_;
    auto& q = script[req.model];
    if (q.empty() && responder) {
      ready_.push_back({std::move(done), responder(req)});
      kick();
    } else if (q.empty()) {
      held_[id] = std::move(done);
    } else {
      ready_.push_back({std::move(done), std::move(q.front())});
      q.pop_front();
      kick();
    }
    return id;
  }

  void cancel(http::request_id id) override {
    cancelled.push_back(id);
    auto it = held_.find(id);
    if (it == held_.end()) return;
    llm::outcome out;
    out.fail = llm::failure::cancelled;
    out.error = "cancelled";
    ready_.push_back({std::move(it->second), std::move(out)});
    held_.erase(it);
    kick();
  }

  // Answers a held call (the oldest) with `out`.
  void release_held(llm::outcome out) {
    REQUIRE_FALSE(held_.empty());
    ready_.push_back({std::move(held_.begin()->second), std::move(out)});
    held_.erase(held_.begin());
    kick();
  }
  size_t held() const { return held_.size(); }

  const llm::provider_config& config() const override { return cfg_; }

 private:
  void kick() {
    uv_timer_start(
        timer_.get(),
        [](uv_timer_t* h) {
          auto* self = static_cast<fake_provider*>(h->data);
          auto ready = std::move(self->ready_);
          self->ready_.clear();
          for (auto& [done, out] : ready) done(std::move(out));
        },
        1, 0);
  }

  uv_loop_t* loop_;
  uv_owned<uv_timer_t> timer_;
  llm::provider_config cfg_;
  http::request_id next_id_ = 0;
  std::map<http::request_id, std::function<void(llm::outcome)>> held_;
  std::vector<std::pair<std::function<void(llm::outcome)>, llm::outcome>> ready_;
};

llm::outcome answer(const std::string& text, int64_t in = 100, int64_t out = 10) {
  llm::outcome o;
  o.response.content = text;
  o.response.usage.present = true;
  o.response.usage.input_tokens = in;
  o.response.usage.output_tokens = out;
  return o;
}

llm::outcome calls(std::vector<llm::tool_call> tc) {
  llm::outcome o = answer("");
  o.response.tool_calls = std::move(tc);
  return o;
}

llm::outcome overloaded() {
  llm::outcome o;
  o.fail = llm::failure::overloaded;
  o.http_status = 503;
  o.error = "HTTP 503";
  o.retry_after_ms = 30'000;
  return o;
}

// A tool for the private realm that needs no sandbox: upper-cases its raw arguments.
void upper_exec(const tools::context&, std::string_view args, tools::done_fn done) {
  std::string s(args);
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  done(tools::output{false, s, 0});
}
const tools::descriptor upper_tool = {"upper",
                                      "Upper-cases the arguments.",
                                      R"({"type":"object"})",
                                      tools::realm_both,
                                      false,
                                      false,
                                      upper_exec};

const char* config_toml = R"(
[agent]
state_dir = "/nonexistent/frugal-turn-test"
system_prompt = "test prompt"
turn_deadline_s = 5

[providers.fake]
kind = "openai"
base_url = "http://127.0.0.1:9/v1"

[models.c1]
provider = "fake"
model = "m-c1"
input_usd_per_mtok = 1.0
output_usd_per_mtok = 5.0
max_output_tokens = 1000

[models.c2]
provider = "fake"
model = "m-c2"
input_usd_per_mtok = 1.0
output_usd_per_mtok = 5.0
max_output_tokens = 1000

[models.t1]
provider = "fake"
model = "m-t1"
input_usd_per_mtok = 3.0
output_usd_per_mtok = 15.0
max_output_tokens = 2000

[tiers]
chat = ["c1", "c2"]
tools = ["t1"]

[budget]
daily_usd = 2.0
)";

struct rig {
  frugal::testing::test_loop loop;
  store::database db = std::move(store::database::open_memory().value());
  session::history hist = std::move(session::history::open(db).value());
  std::optional<budget::governor> gov;
  agent::model_health health;
  policies::rate_limiter rate;
  fake_provider* fake = nullptr;
  agent::snapshot_ptr snap;
  agent::turn_env env;
  std::optional<agent::turn_result> result;
  std::unique_ptr<agent::turn> t;

  rig() {
    char tmpl[] = "/tmp/frugal-turn-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    std::string path = std::string(tmpl) + "/frugal.toml";
    std::ofstream(path) << config_toml;
    auto cfg = config::load(path);
    std::filesystem::remove_all(tmpl);
    if (!cfg) FAIL(cfg.message());
    cfg->realms.at(realm_kind::private_).tools = {"upper"};
    cfg->agent.turn_deadline_s = 1;  // below the loader's floor, to keep the test short
    REQUIRE(tools::audit::migrate(db));
    auto g = budget::governor::open(db, cfg->budget);
    REQUIRE(g);
    gov.emplace(std::move(g.value()));
    snap = make(std::move(cfg.value()));
    env.loop = loop.get();
    env.governor = &*gov;
    env.history = &hist;
    env.health = &health;
    env.rate = &rate;
    env.tool_db = &db;
  }

  // A snapshot of `cfg` whose one provider is a fake_provider (kept in `fake`) and whose
  // tools are upper and clock (clock is not allowed in the private realm here).
  agent::snapshot_ptr make(config::file cfg) {
    auto made =
        agent::make_snapshot(std::move(cfg), tools::sandbox_caps{}, [&](const config::provider&) {
          auto p = std::make_unique<fake_provider>(loop.get());
          fake = p.get();
          return p;
        });
    REQUIRE(made);
    auto s = std::make_shared<agent::snapshot>(**made);
    s->tools = {&upper_tool, &tools::clock_tool()};
    return s;
  }

  void start(const std::string& text, const std::string& forced_tier = "",
             const std::string& target = "ask") {
    agent::turn_request req;
    req.msg.transport = "stdin";
    req.msg.target = target;
    req.msg.from.network = "stdin";
    req.msg.text = text;
    req.forced_tier = forced_tier;
    t = std::make_unique<agent::turn>(snap, env, std::move(req),
                                      [this](agent::turn_result r) { result = std::move(r); });
    t->start();
  }

  bool run(uint64_t limit_ms = 3'000) {
    return frugal::testing::run_until(
        loop.get(), [&] { return result.has_value() && t->finished(); }, limit_ms);
  }

  ~rig() {
    t.reset();
    snap.reset();
  }
};

struct ledger_row {
  std::string tier, model, reason, state;
};
std::vector<ledger_row> ledger_rows(store::database& db) {
  std::vector<ledger_row> out;
  auto q = store::statement::prepare(
      db.get(), "SELECT tier, model, route_reason, state FROM ledger ORDER BY id");
  REQUIRE(q);
  while (q->step() == SQLITE_ROW)
    out.push_back({q->text_at(0), q->text_at(1), q->text_at(2), q->text_at(3)});
  return out;
}

bool offers(const llm::request& r, const std::string& tool) {
  for (const auto& t : r.tools)
    if (t.name == tool) return true;
  return false;
}

}  // namespace

TEST_CASE("turn: tool loop runs allowed tools, refuses and audits the rest, then answers",
          "[agent][turn]") {
  rig r;
  r.fake->script["m-t1"] = {calls({{"call_1", "upper", R"({"x":"abc"})"},
                                   {"call_2", "clock", "{}"},
                                   {"call_3", "no_such_tool", "{}"},
                                   {"call_4", "upper", "{not json"}}),
                            answer("done with tools")};
  r.start("please use the tool", "tools");
  REQUIRE(r.run());
  CHECK(r.result->status == turn_status::answered);
  CHECK(r.result->text == "done with tools");
  REQUIRE(r.fake->requests.size() == 2);
  CHECK(offers(r.fake->requests[0], "upper"));
  CHECK_FALSE(offers(r.fake->requests[0], "clock"));  // not allowed: never offered
  const auto& second = r.fake->requests[1].messages;
  REQUIRE(second.size() == 7);  // system, user, assistant(tool calls), 4 tool results
  CHECK(second[2].role == llm::role::assistant);
  CHECK(second[3].role == llm::role::tool);
  CHECK(second[3].content == R"({"X":"ABC"})");
  CHECK_FALSE(second[3].is_error);
  CHECK(second[4].is_error);
  CHECK(second[4].content.find("not enabled in the private realm") != std::string::npos);
  CHECK(second[5].content == "unknown tool \"no_such_tool\"");
  CHECK(second[6].content == "arguments are not a valid JSON object");

  // One row per call with its final verdict: the run once, each refusal once (before, the
  // unknown name and the invalid arguments left no row at all).
  auto rows = tools::audit::recent(r.db, 10);
  REQUIRE(rows);
  REQUIRE(rows->size() == 4);
  CHECK(rows->at(3).tool == "upper");
  CHECK(rows->at(3).allowed);
  CHECK(rows->at(3).exit_status == 0);
  for (size_t i = 0; i < 3; ++i) CHECK_FALSE(rows->at(i).allowed);
  CHECK(rows->at(2).tool == "clock");
  CHECK(rows->at(1).tool == "no_such_tool");
  CHECK(rows->at(0).tool == "upper");
  CHECK(rows->at(0).reason == "arguments are not a valid JSON object");

  auto hist = r.hist.load({realm_kind::private_, "stdin", "ask"}, 10);
  REQUIRE(hist);
  REQUIRE(hist->size() == 2);
  CHECK(hist->at(1).content == "done with tools");
  CHECK(r.hist.recent_tool_calls({realm_kind::private_, "stdin", "ask"}, 1).value() == 4);
}

TEST_CASE("turn: escalate moves a chat turn to the tools tier once", "[agent][turn]") {
  rig r;
  r.fake->script["m-c1"] = {calls({{"e1", "escalate", R"({"reason":"needs tools"})"}})};
  r.fake->script["m-t1"] = {answer("the tools tier answered")};
  r.start("hello");
  REQUIRE(r.run());
  CHECK(r.result->status == turn_status::answered);
  CHECK(r.result->text == "the tools tier answered");
  REQUIRE(r.fake->requests.size() == 2);
  CHECK(r.fake->requests[0].model == "m-c1");
  CHECK(offers(r.fake->requests[0], "escalate"));
  CHECK(r.fake->requests[1].model == "m-t1");
  CHECK_FALSE(offers(r.fake->requests[1], "escalate"));
  // The tools tier starts from the user's message, not from the chat model's call.
  CHECK(r.fake->requests[1].messages.size() == 2);
  CHECK(r.gov->today()->reserved == 0);
}

// Before: the turn honoured any escalate in a reply, offered or not, so a realm limited to
// the chat tier reached m-t1 (requests[1].model was "m-t1") when its model named escalate.
TEST_CASE("turn: escalate that was not offered keeps the turn on the realm's tiers",
          "[agent][turn]") {
  rig r;
  config::file cfg = r.snap->cfg;
  cfg.realms.at(realm_kind::private_).tiers = {"chat"};
  r.snap = r.make(std::move(cfg));
  r.fake->script["m-c1"] = {calls({{"e1", "escalate", R"({"reason":"let me out"})"}}),
                            answer("stayed on chat")};
  r.start("hello");
  REQUIRE(r.run());
  CHECK(r.result->status == turn_status::answered);
  CHECK(r.result->text == "stayed on chat");
  REQUIRE(r.fake->requests.size() == 2);
  CHECK_FALSE(offers(r.fake->requests[0], "escalate"));
  for (const auto& req : r.fake->requests) CHECK(req.model == "m-c1");
  const auto& tool_reply = r.fake->requests[1].messages.back();
  CHECK(tool_reply.is_error);
  CHECK(tool_reply.content == "unknown tool \"escalate\"");
  for (const auto& row : ledger_rows(r.db)) CHECK(row.tier == "chat");
}

// Before: a tool the realm allows ran although the tier had not offered it (the audit row
// said allowed and the model read {"X":"1"}).
TEST_CASE("turn: a tool the request did not offer is refused even when the realm allows it",
          "[agent][turn]") {
  rig r;  // the chat tier's default tools hold no "upper": it offers escalate only
  r.fake->script["m-c1"] = {calls({{"u1", "upper", R"({"x":"1"})"}}), answer("fine")};
  r.start("hello");
  REQUIRE(r.run());
  CHECK(r.result->status == turn_status::answered);
  REQUIRE(r.fake->requests.size() == 2);
  CHECK_FALSE(offers(r.fake->requests[0], "upper"));
  const auto& tool_reply = r.fake->requests[1].messages.back();
  CHECK(tool_reply.is_error);
  CHECK(tool_reply.content == "tool \"upper\" was not offered in this request");
  auto audit = tools::audit::recent(r.db, 10);
  REQUIRE(audit);
  REQUIRE(audit->size() == 1);
  CHECK(audit->at(0).tool == "upper");
  CHECK_FALSE(audit->at(0).allowed);
  CHECK(audit->at(0).reason == "tool \"upper\" was not offered in this request");
}

namespace {
constexpr const char* k_tool_task = "check disk usage on the server and tell me which is biggest";

// The rig with `upper` on the chat tier too (the table form's `tools` key).
void upper_on_chat(rig& r) {
  config::file cfg = r.snap->cfg;
  cfg.tiers.at("chat").tools = std::vector<std::string>{"upper"};
  r.snap = r.make(std::move(cfg));
}
}  // namespace

// Before: a turn the classifier labels "tools" went straight to m-t1 (the tools tier), so
// requests[0].model was "m-t1" and the ledger had one tools-tier row.
TEST_CASE("turn: a tools turn runs cheap-first on the chat tier with its tools",
          "[agent][turn][cheap_first]") {
  rig r;
  upper_on_chat(r);
  r.fake->script["m-c1"] = {calls({{"u1", "upper", R"({"x":"disk"})"}}), answer("sda1 is biggest")};
  r.start(k_tool_task);
  REQUIRE(r.run());
  CHECK(r.result->status == turn_status::answered);
  CHECK(r.result->text == "sda1 is biggest");
  REQUIRE(r.fake->requests.size() == 2);
  for (const auto& req : r.fake->requests) {
    CHECK(req.model == "m-c1");
    CHECK(offers(req, "upper"));
    CHECK(offers(req, "escalate"));
  }
  CHECK(r.fake->requests[1].messages.back().content == R"({"X":"DISK"})");
  auto rows = ledger_rows(r.db);
  REQUIRE(rows.size() == 2);
  for (const auto& row : rows) {
    CHECK(row.tier == "chat");
    CHECK(row.state == "settled");
    CHECK(row.reason.find("→ tools → chat (cheap-first: upper on chat") != std::string::npos);
  }
  auto audit = tools::audit::recent(r.db, 10);
  REQUIRE(audit);
  REQUIRE(audit->size() == 1);
  CHECK(audit->at(0).tool == "upper");
  CHECK(audit->at(0).allowed);
}

TEST_CASE("turn: a hard cheap-first tool turn escalates to the tools tier, recorded",
          "[agent][turn][cheap_first]") {
  rig r;
  upper_on_chat(r);
  r.fake->script["m-c1"] = {calls({{"e1", "escalate", R"({"reason":"several steps"})"}})};
  r.fake->script["m-t1"] = {calls({{"u1", "upper", R"({"x":"a"})"}}), answer("done on tools")};
  r.start(k_tool_task);
  REQUIRE(r.run());
  CHECK(r.result->status == turn_status::answered);
  CHECK(r.result->text == "done on tools");
  REQUIRE(r.fake->requests.size() == 3);
  CHECK(r.fake->requests[0].model == "m-c1");
  CHECK(r.fake->requests[1].model == "m-t1");
  CHECK(r.fake->requests[1].messages.size() == 2);  // from the user's message again
  CHECK_FALSE(offers(r.fake->requests[1], "escalate"));
  auto rows = ledger_rows(r.db);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].tier == "chat");
  CHECK(rows[0].reason.find("cheap-first") != std::string::npos);
  CHECK(rows[1].tier == "tools");
  CHECK(rows[1].reason == "escalated from chat");
  CHECK(rows[2].reason == "escalated from chat");
  CHECK(r.gov->today()->reserved == 0);

  SECTION("a chat model that is down leaves the tool turn to the tools tier") {
    r.result.reset();
    r.fake->requests.clear();
    r.fake->script["m-c1"] = {overloaded()};
    r.fake->script["m-c2"] = {overloaded()};
    r.fake->script["m-t1"] = {answer("the tools tier took it")};
    r.start(k_tool_task);
    REQUIRE(r.run());
    CHECK(r.result->status == turn_status::answered);
    CHECK(r.result->text == "the tools tier took it");
    REQUIRE(r.fake->requests.size() == 3);
    CHECK(r.fake->requests[2].model == "m-t1");
  }
}

TEST_CASE("turn: a realm whose chat tier holds no tools sends tool turns to the tools tier",
          "[agent][turn][cheap_first]") {
  rig r;  // chat's default tools (clock, memory_recall, ...) are not the realm's (upper)
  r.fake->script["m-t1"] = {answer("from tools")};
  r.start(k_tool_task);
  REQUIRE(r.run());
  REQUIRE(r.fake->requests.size() == 1);
  CHECK(r.fake->requests[0].model == "m-t1");
  auto rows = ledger_rows(r.db);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].reason.find("cheap-first: chat has no tools in this realm") != std::string::npos);
}

TEST_CASE("turn: a failed model falls back to the next, cools down, and is not charged",
          "[agent][turn]") {
  rig r;
  r.fake->script["m-c1"] = {overloaded()};
  r.fake->script["m-c2"] = {answer("from c2", 1000, 100)};
  r.start("hello");
  REQUIRE(r.run());
  CHECK(r.result->status == turn_status::answered);
  CHECK(r.result->text == "from c2");
  CHECK_FALSE(r.health.available("c1"));
  CHECK(r.health.wait_ms("c1") > 20'000);  // Retry-After 30 s
  CHECK(r.health.available("c2"));
  auto today = r.gov->today();
  REQUIRE(today);
  CHECK(today->reserved == 0);
  CHECK(today->spent == 1000 + 100 * 5);  // c2's usage only: 1000 in at $1, 100 out at $5

  SECTION("every model failing is 'unreachable', never a budget refusal") {
    r.result.reset();
    r.fake->script["m-c2"] = {overloaded()};
    r.start("again");
    REQUIRE(r.run());
    CHECK(r.result->status == turn_status::unreachable);
  }
}

TEST_CASE("turn: the deadline cancels the call in flight and charges it in full", "[agent][turn]") {
  rig r;  // turn_deadline_s = 1 and no script: the call is held
  r.start("hello");
  REQUIRE_FALSE(r.run(300));
  CHECK(r.fake->held() == 1);
  REQUIRE(r.run(2'000));
  CHECK(r.result->status == turn_status::unreachable);
  CHECK(r.result->text.find("took too long") != std::string::npos);
  CHECK(r.fake->cancelled.size() == 1);
  auto today = r.gov->today();
  REQUIRE(today);
  CHECK(today->reserved == 0);
  CHECK(today->spent > 0);  // may have been billed: the whole reservation is spent
}

TEST_CASE("turn: a turn keeps its snapshot when a reload swaps it away mid-call",
          "[agent][turn][reload]") {
  rig r;
  r.start("hello");
  REQUIRE_FALSE(r.run(100));
  REQUIRE(r.fake->held() == 1);
  fake_provider* old_fake = r.fake;
  std::weak_ptr<const agent::snapshot> old = r.snap;

  // The reload: a config without the chat tier and its models; the runtime's pointer moves.
  config::file next = r.snap->cfg;
  next.tiers.erase("chat");
  next.models.erase("c1");
  next.models.erase("c2");
  r.snap = r.make(std::move(next));
  REQUIRE_FALSE(old.expired());  // only the turn holds it now

  old_fake->script["m-c2"] = {answer("from c2 on the old snapshot")};
  old_fake->release_held(overloaded());
  REQUIRE(r.run());
  CHECK(r.result->status == turn_status::answered);
  CHECK(r.result->text == "from c2 on the old snapshot");
  CHECK(r.fake->requests.empty());  // the new snapshot's provider saw nothing
  r.t.reset();
  CHECK(old.expired());  // the old providers go with the last turn that used them
}

namespace {

// Estimated tokens (bytes / 4, rounded up, per message) of the history a request carried:
// everything between the system prompt and the turn's own message.
int64_t history_tokens_sent(const llm::request& req) {
  int64_t n = 0;
  for (size_t i = 1; i + 1 < req.messages.size(); ++i)
    n += static_cast<int64_t>((req.messages[i].content.size() + 3) / 4);
  return n;
}

// A chat turn's text, about `bytes` long, numbered.
std::string chatter(int i, size_t bytes) {
  std::string s = "turn " + std::to_string(i) + ": ";
  while (s.size() < bytes) s += "the quick brown fox jumps over the lazy dog ";
  return s.substr(0, bytes);
}

}  // namespace

TEST_CASE(
    "turn: 200 turns keep the history under history_tokens, folded by the cheapest "
    "chat model through the governor",
    "[agent][turn][history]") {
  rig r;
  config::file cfg = r.snap->cfg;
  cfg.agent.history_tokens = 400;
  cfg.models.at("c2").input_micro_per_mtok = 100'000;  // $0.10 / $0.50: the cheapest chat model
  cfg.models.at("c2").output_micro_per_mtok = 500'000;
  r.snap = r.make(std::move(cfg));
  int summaries = 0;
  r.fake->responder = [&](const llm::request& req) {
    if (req.model == "m-c2") {
      ++summaries;
      CHECK(req.messages.at(0).content.find("Summarise") != std::string::npos);
      CHECK(req.tools.empty());
      return answer("summary " + std::to_string(summaries) + ": they talked about foxes", 300, 20);
    }
    return answer(chatter(static_cast<int>(r.fake->requests.size()), 200), 500, 50);
  };
  int64_t most = 0;
  for (int i = 0; i < 200; ++i) {
    r.result.reset();
    r.start(chatter(i, 200), "chat", "chat");
    REQUIRE(r.run());
    REQUIRE(r.result->status == turn_status::answered);
    const llm::request* sent = nullptr;
    for (const auto& req : r.fake->requests)
      if (req.model == "m-c1") sent = &req;
    REQUIRE(sent);
    CHECK(history_tokens_sent(*sent) <= 400);  // before: 20 messages of 200 bytes, 1000
    most = std::max(most, history_tokens_sent(*sent));
  }
  CHECK(most > 200);  // the history is used, not thrown away
  // Folds are rare and big: down to half the budget each time (~4 turns of growth).
  CHECK(summaries >= 20);
  CHECK(summaries <= 70);
  const auto& last = r.fake->requests.back().model == "m-c1"
                         ? r.fake->requests.back()
                         : r.fake->requests[r.fake->requests.size() - 2];
  CHECK(last.messages.at(1).content.find("Summary of the earlier conversation") !=
        std::string::npos);
  CHECK(last.messages.at(1).content.find("they talked about foxes") != std::string::npos);

  int summary_rows = 0;
  for (const auto& row : ledger_rows(r.db)) {
    if (row.reason != "history summary") continue;
    ++summary_rows;
    CHECK(row.model == "c2");
    CHECK(row.tier == "chat");
    CHECK(row.state == "settled");
  }
  CHECK(summary_rows == summaries);
  CHECK(r.gov->today()->reserved == 0);
  // Stored: one summary and the few exchanges after it, not 400 messages.
  auto w = r.hist.load_window({realm_kind::private_, "stdin", "chat"});
  REQUIRE(w);
  CHECK(w->rows.size() < 10);
  CHECK_FALSE(w->summary.empty());
}

TEST_CASE("turn: a summary the budget refuses drops the oldest turns; the user is answered",
          "[agent][turn][history]") {
  rig r;
  config::file cfg = r.snap->cfg;
  cfg.agent.history_tokens = 400;
  cfg.tiers.at("chat").models = {"c2"};
  // A chat model far too dear for the cap: every summary is refused (answers come from t1).
  cfg.models.at("c2").input_micro_per_mtok = 1'000'000'000;
  cfg.models.at("c2").output_micro_per_mtok = 1'000'000'000;
  config::budget_section budget = cfg.budget;
  budget.daily_usd = 0.5;
  REQUIRE(r.gov->reconfigure(budget));
  r.snap = r.make(std::move(cfg));
  r.fake->responder = [&](const llm::request& req) {
    CHECK(req.model == "m-t1");
    return answer(chatter(static_cast<int>(r.fake->requests.size()), 200), 500, 50);
  };
  for (int i = 0; i < 30; ++i) {
    r.result.reset();
    r.start(chatter(i, 200), "tools", "chat");
    REQUIRE(r.run());
    REQUIRE(r.result->status == turn_status::answered);
    CHECK(history_tokens_sent(r.fake->requests.back()) <= 400);
  }
  for (const auto& req : r.fake->requests) CHECK(req.model == "m-t1");  // no summary call
  for (const auto& row : ledger_rows(r.db)) CHECK(row.model == "t1");
  auto w = r.hist.load_window({realm_kind::private_, "stdin", "chat"});
  REQUIRE(w);
  CHECK(w->summary.empty());
  CHECK(session::window_tokens(*w) <= 400);  // dropped, not left to grow
  REQUIRE_FALSE(w->rows.empty());
  CHECK(w->rows.back().msg.content == r.result->text);
}

TEST_CASE("turn: a failed summary call drops the oldest turns and is not charged",
          "[agent][turn][history]") {
  rig r;
  config::file cfg = r.snap->cfg;
  cfg.agent.history_tokens = 400;
  r.snap = r.make(std::move(cfg));
  int failures = 0;
  r.fake->responder = [&](const llm::request& req) {
    if (req.messages.at(0).content.find("Summarise") != std::string::npos) {
      ++failures;
      return overloaded();
    }
    return answer(chatter(static_cast<int>(r.fake->requests.size()), 200), 500, 50);
  };
  for (int i = 0; i < 12; ++i) {
    r.result.reset();
    r.start(chatter(i, 200), "tools", "chat");
    REQUIRE(r.run());
    REQUIRE(r.result->status == turn_status::answered);
  }
  CHECK(failures > 0);
  auto w = r.hist.load_window({realm_kind::private_, "stdin", "chat"});
  REQUIRE(w);
  CHECK(w->summary.empty());
  CHECK(session::window_tokens(*w) <= 400);
  CHECK(r.gov->today()->reserved == 0);
  for (const auto& row : ledger_rows(r.db))
    if (row.reason == "history summary") CHECK(row.state == "released");
}
