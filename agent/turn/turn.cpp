// The turn state machine. Every model call is bracketed by a governor reservation: reserve
// (or shrink, or route down, or refuse) → call → settle from usage / release on a definite
// no-charge failure / charge in full when unsure. Nothing here blocks: the provider, the
// tools and the timers call back on the loop.
#include "agent/turn/turn.h"

#include <algorithm>

#include "agent/router/route.h"
#include "agent/session/history.h"
#include "agent/turn/model_health.h"
#include "agent/turn/request_builder.h"
#include "budget/cost.h"
#include "budget/governor.h"
#include "budget/report.h"
#include "core/log.h"
#include "llm/call.h"
#include "policies/rate_limit.h"
#include "policies/realm.h"
#include "tools/runner.h"
#include "tools/tool.h"

namespace frugal::agent {

turn::turn(snapshot_ptr snap, const turn_env& env, turn_request req, turn_done done)
    : snap_(std::move(snap)), env_(env), req_(std::move(req)), done_(std::move(done)) {}

turn::~turn() {
  // A turn is destroyed only after finish(); nothing can be in flight here.
  deadline_.close();
  busy_retry_.close();
}

void turn::start() {
  const auto& cfg = snap_->cfg;
  auto verdict = policies::classify(req_.msg, cfg);
  if (verdict.verdict != policies::realm_verdict::kind::allow) {
    LOG_INFO("turn", "denied ", req_.msg.transport, " ", req_.msg.from.mask, req_.msg.from.account,
             ": ", verdict.reason);
    finish(turn_status::denied, "");
    return;
  }
  realm_ = verdict.realm;
  if (verdict.owner && realm_ == core::realm_kind::public_) LOG_INFO("turn", verdict.reason);
  auto realm_it = cfg.realms.find(realm_);
  if (realm_it == cfg.realms.end()) {
    LOG_ERROR("turn", "no [realms.", core::realm_name(realm_), "] in the config");
    finish(turn_status::internal, "");
    return;
  }
  realm_cfg_ = &realm_it->second;
  sender_ = policies::sender_key(req_.msg.from);
  if (realm_ == core::realm_kind::public_ && !verdict.owner) {
    auto rl = env_.rate->check(sender_, realm_cfg_->rate_per_minute);
    if (rl.verdict != policies::rate_verdict::kind::allow) {
      LOG_INFO("turn", "rate-limited ", sender_, ": ", rl.reason);
      finish(turn_status::denied,
             "Slow down a little: try again in " + std::to_string(rl.retry_after_s) + " s.");
      return;
    }
  }
  key_ = session::key_for(realm_, req_.msg);
  auto stored = req_.fresh_session ? result<session::window>(session::window{})
                                   : env_.history->load_window(key_);
  if (!stored) {
    LOG_ERROR("turn", stored.message());
    finish(turn_status::internal, "Something went wrong on my side (storage).",
           "storage fault in " + env_.tool_db->path() + ": " + stored.message());
    return;
  }
  // Never more than history_tokens of history, even while a fold is pending or failed.
  size_t left_out = 0;
  const std::vector<llm::message> hist = session::fit(*stored, cfg.agent.history_tokens, &left_out);
  if (left_out > 0)
    LOG_INFO("turn", "history past history_tokens: ", left_out,
             " older message(s) left out of this request");
  policies::egress_mode egress_mode = policies::egress_mode::guarded;
  policies::parse_egress_mode(realm_cfg_->egress, egress_mode);  // the loader checked it
  egress_ = policies::egress_guard(egress_mode, realm_cfg_->egress_hosts, req_.msg.text);
  egress_.saw(verdict.owner ? policies::origin::owner : policies::origin::public_sender);
  if (realm_ == core::realm_kind::private_ && !hist.empty())
    egress_.saw(policies::origin::private_store);
  base_ = build_base_messages(cfg.agent.system_prompt, realm_, hist, req_.msg.text);
  messages_ = base_;
  if (uv_timer_init(env_.loop, deadline_.get()) == 0) {
    deadline_.mark_initialized();
    deadline_->data = this;
    uv_timer_start(
        deadline_.get(),
        [](uv_timer_t* h) {
          if (h->data) static_cast<turn*>(h->data)->cancel("the turn deadline passed");
        },
        static_cast<uint64_t>(cfg.agent.turn_deadline_s) * 1000, 0);
  }
  route();
}

void turn::route() {
  const auto& cfg = snap_->cfg;
  router::route_input in;
  in.text = req_.msg.text;
  in.rules = cfg.router;
  in.available_tiers = router::tier_names(cfg);
  in.realm_tiers = realm_cfg_->tiers;
  in.forced_tier = req_.forced_tier;
  in.budget_left = env_.governor->fraction_left(realm_, sender_);
  if (const config::tier* chat = snap_->tier("chat"))
    for (const tools::descriptor* t :
         tier_tools("chat", *chat, tools::offered(*realm_cfg_, snap_->tools, &snap_->caps)))
      in.chat_tools.emplace_back(t->name);
  auto d = router::choose(in);
  if (d.verdict == router::route_decision::kind::error) {
    LOG_WARN("turn", "no route: ", d.reason);
    finish(turn_status::denied,
           "No model tier is available for this request (" +
               (realm_ == core::realm_kind::private_ ? d.reason : std::string("policy")) + ").");
    return;
  }
  plan_.clear();
  plan_.push_back(d.tier);
  for (const auto& f : d.fallbacks) plan_.push_back(f);
  route_reason_ = d.reason;
  simple_ = d.simple;
  p_tools_ = d.intent.p_tools;
  LOG_INFO("router", core::realm_name(realm_), " ", sender_, ": ", d.reason);
  if (req_.dry_run) {
    dry_run(d.reason);
    return;
  }
  next_attempt();
}

// Quotes the plan in the order a real turn would try it (models of a tier, then the next
// tier) and stops at the first the governor would take; refused when none would.
void turn::dry_run(const std::string& route_reason) {
  std::string text = "route: " + route_reason + "\n";
  std::string refusal;
  for (const std::string& tier : plan_) {
    const config::tier* t = snap_->tier(tier);
    for (const std::string& model : t ? t->models : std::vector<std::string>{}) {
      const config::model* m = snap_->model(model);
      const budget::price* price = snap_->price_of(model);
      if (!m || !price) continue;
      llm::request r = build_request(tier, model);
      budget::call_info ci{realm_, sender_, req_.msg.transport, tier, model, route_reason_};
      auto v = env_.governor->quote(ci, *price, request_bytes(r),
                                    static_cast<int64_t>(r.messages.size()), r.max_tokens);
      if (!v.allowed()) {
        if (refusal.empty()) refusal = v.reason;
        text += "not " + model + ": " + v.reason + "\n";
        continue;
      }
      text += "model: " + model + " (" + m->model + ")\n";
      text += "would reserve: " + budget::format_usd(v.reserved_micro) + " (max_tokens " +
              std::to_string(v.max_tokens) + ")\n";
      if (auto today = env_.governor->today())
        text += "remaining today: " + budget::format_usd(today->remaining);
      finish(turn_status::answered, text);
      return;
    }
  }
  finish(turn_status::refused_budget,
         text + "dry run: this request would be refused (" + refusal + ")");
}

// Only called with a tier and model the snapshot holds (next_attempt and route check).
llm::request turn::build_request(const std::string& tier, const std::string& model) const {
  const auto& cfg = snap_->cfg;
  request_options o;
  o.tier = snap_->tier(tier);
  o.model = snap_->model(model);
  o.simple = simple_;
  o.p_tools = escalated_ ? 1.0 : p_tools_;
  o.offer_tools = steps_ < cfg.agent.max_tool_steps;
  o.offer_escalate =
      !escalated_ && tier == "chat" && cfg.tiers.count("tools") &&
      (realm_cfg_->tiers.empty() || std::find(realm_cfg_->tiers.begin(), realm_cfg_->tiers.end(),
                                              "tools") != realm_cfg_->tiers.end());
  o.turn_start = base_.empty() ? 0 : base_.size() - 1;
  o.tools = tier_tools(tier, *o.tier, tools::offered(*realm_cfg_, snap_->tools, &snap_->caps));
  llm::request r = build_llm_request(messages_, o);
  auto provider = cfg.providers.find(o.model->provider);
  r.stream = provider != cfg.providers.end() && provider->second.stream;
  if (req_.on_text) {
    r.stream = true;
    r.on_text = req_.on_text;
  }
  return r;
}

void turn::next_attempt() {
  if (finished_) return;
  while (tier_idx_ < plan_.size()) {
    const config::tier* tier = snap_->tier(plan_[tier_idx_]);
    if (!tier || model_idx_ >= tier->models.size()) {
      ++tier_idx_;
      model_idx_ = 0;
      continue;
    }
    const std::string& model = tier->models[model_idx_];
    if (!snap_->model(model) || !snap_->price_of(model) || !snap_->provider_for(model)) {
      LOG_ERROR("turn", "tier ", tier->name, " names model ", model, " the config lacks");
      provider_failed_ = true;
      ++model_idx_;
      continue;
    }
    if (!env_.health->available(model)) {
      LOG_INFO("turn", "skipping ", model, ": cooling down for ", env_.health->wait_ms(model),
               " ms");
      provider_failed_ = other_failure_ = true;
      ++model_idx_;
      continue;
    }
    call_model(tier->name, model);
    return;
  }
  if (provider_failed_ && !key_rejected_.empty() && !other_failure_) {
    // The owner reads the reply (the terminal, a private query); a public sender's turn
    // leaves the operator only this log line.
    FLOG_AT(realm_ == core::realm_kind::private_ ? log::level::info : log::level::error, "turn",
            key_rejected_);
    finish(turn_status::misconfigured,
           realm_ == core::realm_kind::private_
               ? key_rejected_
               : "I am not set up correctly right now; my operator has to fix it.");
  } else if (provider_failed_ || budget_reason_.empty()) {
    finish(turn_status::unreachable, "No model is reachable right now; please try again later.");
  } else {
    // The figures (cap, spend, what is left, when it resets) are the owner's; a public
    // sender, the owner in a channel included, is told only that the limit is reached.
    finish(turn_status::refused_budget, realm_ == core::realm_kind::private_
                                            ? budget_reason_
                                            : std::string(budget::public_refusal));
  }
}

void turn::call_model(const std::string& tier, const std::string& model) {
  llm::request r = build_request(tier, model);
  budget::call_info ci{realm_, sender_, req_.msg.transport, tier, model, route_reason_};
  auto v = env_.governor->reserve(ci, *snap_->price_of(model), request_bytes(r),
                                  static_cast<int64_t>(r.messages.size()), r.max_tokens);
  if (v.kind == budget::verdict_kind::busy) {
    retry_when_ledger_free(tier, model);
    return;
  }
  if (v.kind == budget::verdict_kind::error) {
    // A storage fault is not a refusal: routing down would only hide it (and `ask` would
    // exit 3, which cron jobs treat as "refused, try tomorrow").
    finish(turn_status::internal, "Something went wrong on my side (storage).", v.detail);
    return;
  }
  if (!v.allowed()) {
    LOG_INFO("budget", "refused ", model, " (", tier, "): ", v.reason);
    budget_reason_ = v.reason;
    // The tier's next model (its fallback) may be cheaper; then the next tier down.
    ++model_idx_;
    next_attempt();
    return;
  }
  if (v.max_tokens < r.max_tokens) {
    LOG_INFO("budget", "max_tokens ", r.max_tokens, " → ", v.max_tokens, " to fit the budget");
    r.max_tokens = v.max_tokens;
  }
  offered_.clear();
  for (const auto& t : r.tools) offered_.push_back(t.name);
  call_ = std::make_unique<pending_call>();
  call_->tier = tier;
  call_->model = model;
  call_->reservation = v.reservation_id;
  call_->provider = snap_->provider_for(model);
  LOG_DEBUG("turn", "calling ", model, " (", tier, ") step ", steps_);
  call_->id =
      call_->provider->complete(r, [this](llm::outcome out) { on_outcome(std::move(out)); });
}

void turn::on_outcome(llm::outcome out) {
  std::unique_ptr<pending_call> call = std::move(call_);
  if (!call) return;
  auto& gov = *env_.governor;
  status settled;
  if (out.fail == llm::failure::none) {
    settled = gov.settle(call->reservation, out.response.usage);
  } else if (out.definitely_free() && !call->cancelled_by_us) {
    settled = gov.release(call->reservation);
  } else {
    settled = gov.charge_full(call->reservation, "", out.response.usage);
  }
  if (!settled) LOG_ERROR("budget", settled.message());
  if (gov.has_pending() && env_.flush_ledger_later) env_.flush_ledger_later();
  if (call->fold) {
    fold_finished(out, call->model);
    return;
  }
  if (finished_) return;
  if (out.fail != llm::failure::none) {
    FLOG_AT(out.fail == llm::failure::unauthorized ? log::level::info : log::level::warn, "turn",
            call->model, " failed: ", out.error,
            out.http_status ? " (HTTP " + std::to_string(out.http_status) + ")" : "");
    if (out.fail != llm::failure::unauthorized)
      other_failure_ = true;
    else if (key_rejected_.empty())
      key_rejected_ = llm::rejected_key_message(call->provider->config(), out.http_status);
    if (cools_down(out.fail)) env_.health->record_failure(call->model, out.retry_after_ms);
    provider_failed_ = true;
    ++model_idx_;  // 400/401 are not retried on the same model either
    next_attempt();
    return;
  }
  env_.health->record_success(call->model);
  auto& resp = out.response;
  if (resp.tool_calls.empty() || steps_ >= snap_->cfg.agent.max_tool_steps) {
    answer(resp.content.empty() ? resp.reasoning : resp.content);
    return;
  }
  for (const auto& tc : resp.tool_calls) {
    // Only when offered: a public realm's chat model that names escalate unasked would
    // otherwise reach a tier the realm excludes.
    if (tc.name == escalate_tool_name && !escalated_ &&
        std::find(offered_.begin(), offered_.end(), escalate_tool_name) != offered_.end()) {
      escalate(tc.arguments_json);
      return;
    }
  }
  llm::message assistant;
  assistant.role = llm::role::assistant;
  assistant.content = resp.content;
  assistant.tool_calls = resp.tool_calls;
  messages_.push_back(std::move(assistant));
  ++steps_;
  run_tool_calls(resp.tool_calls);
}

void turn::escalate(const std::string& reason) {
  escalated_ = true;
  LOG_INFO("router", "escalated to tools: ", reason.substr(0, 200));
  plan_ = {"tools"};
  if (snap_->tier("chat")) plan_.push_back("chat");
  route_reason_ = "escalated from chat";
  tier_idx_ = 0;
  model_idx_ = 0;
  messages_ = base_;
  steps_ = 0;
  next_attempt();
}

void turn::run_tool_calls(const std::vector<llm::tool_call>& calls) {
  tool_results_.assign(calls.size(), llm::message{});
  tools_pending_ = calls.size();
  tool_calls_ += static_cast<int64_t>(calls.size());
  for (size_t i = 0; i < calls.size(); ++i) {
    auto& slot = tool_results_[i];
    slot.role = llm::role::tool;
    slot.tool_call_id = calls[i].id;
    slot.tool_name = calls[i].name;
  }
  const auto cap = static_cast<size_t>(snap_->cfg.sandbox.max_calls_per_step);
  tools::context ctx;
  ctx.loop = env_.loop;
  ctx.realm = realm_;
  ctx.sender = sender_;
  ctx.workspace = realm_cfg_->workspace;
  ctx.realm_cfg = realm_cfg_;
  ctx.db = env_.tool_db;
  ctx.http = env_.tool_http;
  ctx.caps = &snap_->caps;
  ctx.egress = &egress_;
  ctx.offered = &offered_;
  for (size_t i = 0; i < calls.size() && !finished_; ++i) {
    const auto& tc = calls[i];
    if (i >= cap) {  // [sandbox] max_calls_per_step: the excess gets an error, not a process
      auto out = tools::refuse_over_step_cap(ctx, tc.name, tc.arguments_json, cap);
      tool_finished(i, true, std::move(out.text));
      continue;
    }
    // escalate is answered by the turn itself; here it is no tool at all.
    const tools::descriptor* d = tc.name == escalate_tool_name ? nullptr : snap_->tool(tc.name);
    tools::run_tool(
        ctx, tc.name, d, tc.arguments_json, [this, i, name = tc.name](tools::output out) {
          if (out.refused == tools::refusal::egress)
            egress_refusals_.push_back(out.text);
          else if (out.refused != tools::refusal::policy)  // it ran: its output is context now
            egress_.saw(policies::origin_of_tool(name, realm_));
          tool_finished(i, out.is_error, std::move(out.text));
        });
  }
}

void turn::tool_finished(size_t index, bool is_error, std::string text) {
  if (tools_pending_ > 0) --tools_pending_;
  if (finished_ || index >= tool_results_.size()) return;
  tool_results_[index].is_error = is_error;
  tool_results_[index].content = std::move(text);
  if (tools_pending_ > 0) return;
  for (auto& m : tool_results_) messages_.push_back(std::move(m));
  tool_results_.clear();
  next_attempt();
}

void turn::answer(std::string text) {
  if (text.empty()) text = "(no answer)";
  // The owner hears about the budget warning; the public never sees budget detail.
  if (auto warning = env_.governor->take_warning(); warning && realm_ == core::realm_kind::private_)
    text += "\n(" + *warning + ")";
  if (!egress_refusals_.empty() && realm_ == core::realm_kind::private_)
    text += "\n(Blocked " + std::to_string(egress_refusals_.size()) +
            " outbound request(s) in this turn: " + egress_refusals_.front() + ")";
  auto s = env_.history->append(key_, req_.msg.text, text, tool_calls_,
                                session::max_stored_messages, req_.fresh_session);
  if (!s) LOG_ERROR("turn", s.message());
  // A one-shot ask's session is replaced by the next one: nothing there worth a summary.
  if (s && !req_.fresh_session) fold_history();  // starts the call; the reply goes first
  finish(turn_status::answered, std::move(text));
}

void turn::cancel(const std::string& why) {
  if (finished_) {
    if (call_ && call_->fold && !call_->cancelled_by_us) {  // on_outcome charges it in full
      call_->cancelled_by_us = true;
      call_->provider->cancel(call_->id);
    }
    return;
  }
  LOG_WARN("turn", "cancelled: ", why);
  if (!call_ && busy_retry_.initialized() && uv_is_active(busy_retry_.handle())) {
    // Still waiting for another process to release the ledger: a storage fault, not an
    // unreachable model.
    finish(turn_status::internal, "Something went wrong on my side (storage).",
           "storage fault: the spend ledger " + env_.tool_db->path() +
               " stayed locked by another process (" + why + "); no paid call was made");
    return;
  }
  finish(turn_status::unreachable, "Sorry, that took too long; please try again.");
  if (call_) {
    call_->cancelled_by_us = true;
    call_->provider->cancel(call_->id);  // on_outcome charges the reservation in full
  }
}

void turn::retry_when_ledger_free(const std::string& tier, const std::string& model) {
  // Another process holds the ledger's write lock: ask again from a timer (10 ms, doubling
  // to 200 ms) instead of blocking the loop; the turn deadline bounds the wait.
  if (!busy_retry_.initialized()) {
    if (uv_timer_init(env_.loop, busy_retry_.get()) != 0) {
      finish(turn_status::internal, "Something went wrong on my side (storage).",
             "the spend ledger " + env_.tool_db->path() + " stayed locked");
      return;
    }
    busy_retry_.mark_initialized();
    busy_retry_->data = this;
  }
  retry_tier_ = tier;
  retry_model_ = model;
  uint64_t delay = std::min<uint64_t>(200, uint64_t{10} << std::min(busy_retries_++, 5));
  uv_timer_start(
      busy_retry_.get(),
      [](uv_timer_t* h) {
        auto* t = static_cast<turn*>(h->data);
        if (t && !t->finished_) t->call_model(t->retry_tier_, t->retry_model_);
      },
      delay, 0);
}

void turn::finish(turn_status status, std::string text, std::string detail) {
  if (finished_) return;
  finished_ = true;
  if (deadline_.initialized()) uv_timer_stop(deadline_.get());
  if (busy_retry_.initialized()) uv_timer_stop(busy_retry_.get());
  turn_done done = std::move(done_);
  if (done)
    done(turn_result{status, std::move(text), std::move(detail),
                     realm_ == core::realm_kind::private_});
}

}  // namespace frugal::agent
