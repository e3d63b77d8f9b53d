// The turn's tail: folding the session's history once it passes history_tokens. The
// summary is one paid call like any other (reserve the worst case in the governor, call,
// settle), made by the cheapest model of the chat tier, charged to this turn's realm and
// sender, over this session's rows only. Refused, failed or impossible: the oldest turns
// are dropped instead. The user's reply never waits for it (answer() calls `done` right
// after starting it).
#include <algorithm>
#include <limits>

#include "agent/session/fold.h"
#include "agent/turn/model_health.h"
#include "agent/turn/request_builder.h"
#include "agent/turn/turn.h"
#include "budget/cost.h"
#include "budget/governor.h"
#include "core/log.h"

namespace frugal::agent {

namespace {
constexpr const char* summary_tier = "chat";
constexpr const char* summary_reason = "history summary";
}  // namespace

void turn::fold_history() {
  const int64_t budget = snap_->cfg.agent.history_tokens;
  auto w = env_.history->load_window(key_);
  if (!w) {
    LOG_ERROR("turn", "history fold: ", w.message());
    return;
  }
  fold_ = session::plan_fold(*w, budget);
  if (fold_.count == 0) return;
  fold_base_ = w->summary_through;
  const config::tier* tier = snap_->tier(summary_tier);
  const auto& allowed = realm_cfg_->tiers;
  if (!tier || (!allowed.empty() &&
                std::find(allowed.begin(), allowed.end(), summary_tier) == allowed.end())) {
    drop_folded("no chat tier for this realm to summarise with");
    return;
  }
  // The cheapest model of the tier for this request: the smallest worst-case reservation.
  llm::request r;
  r.messages = session::summary_request(*w, fold_, budget);
  std::string best;
  int64_t best_cost = std::numeric_limits<int64_t>::max();
  for (const std::string& name : tier->models) {
    const config::model* m = snap_->model(name);
    const budget::price* price = snap_->price_of(name);
    if (!m || !price || !snap_->provider_for(name) || !env_.health->available(name)) continue;
    r.model = m->model;
    int64_t max_tokens = std::min(m->max_output_tokens, fold_.summary_max_tokens);
    int64_t cost =
        budget::worst_case_micro(*price, request_bytes(r), static_cast<int64_t>(r.messages.size()),
                                 env_.governor->caps().overhead_per_message, max_tokens);
    if (cost < best_cost) {
      best_cost = cost;
      best = name;
    }
  }
  if (best.empty()) {
    drop_folded("no chat model is available to summarise with");
    return;
  }
  const config::model* m = snap_->model(best);
  r.model = m->model;
  r.max_tokens = std::max<int64_t>(1, std::min(m->max_output_tokens, fold_.summary_max_tokens));
  if (!tier->reasoning_effort.empty()) r.reasoning_effort = "minimal";  // nothing to reason
  budget::call_info ci{realm_, sender_, req_.msg.transport, summary_tier, best, summary_reason};
  auto v = env_.governor->reserve(ci, *snap_->price_of(best), request_bytes(r),
                                  static_cast<int64_t>(r.messages.size()), r.max_tokens);
  if (v.kind == budget::verdict_kind::busy || v.kind == budget::verdict_kind::error) {
    // Nothing reserved; the next turn sends at most history_tokens and tries again.
    LOG_WARN("turn", "history fold postponed: the ledger is ",
             v.kind == budget::verdict_kind::busy ? "locked" : "failing");
    return;
  }
  if (!v.allowed()) {
    drop_folded("the budget refused the summary call (" + v.reason + ")");
    return;
  }
  r.max_tokens = std::min(r.max_tokens, v.max_tokens);
  call_ = std::make_unique<pending_call>();
  call_->tier = summary_tier;
  call_->model = best;
  call_->reservation = v.reservation_id;
  call_->provider = snap_->provider_for(best);
  call_->fold = true;
  LOG_INFO("turn", "folding ", fold_.count, " message(s) of ", core::realm_name(realm_),
           " history with ", best);
  call_->id =
      call_->provider->complete(r, [this](llm::outcome out) { on_outcome(std::move(out)); });
}

void turn::fold_finished(const llm::outcome& out, const std::string& model) {
  if (out.fail != llm::failure::none) {
    if (cools_down(out.fail)) env_.health->record_failure(model, out.retry_after_ms);
    drop_folded("the summary call failed: " + out.error);
    return;
  }
  env_.health->record_success(model);
  std::string summary = session::clip_summary(out.response.content, fold_.summary_max_tokens);
  if (summary.empty()) {
    drop_folded("the summary came back empty");
    return;
  }
  auto won = env_.history->fold(key_, fold_base_, fold_.through_id, summary);
  if (!won)
    LOG_ERROR("turn", "history fold: ", won.message());
  else if (!*won)
    LOG_INFO("turn", "history fold skipped: another turn folded this conversation first");
}

void turn::drop_folded(const std::string& why) {
  LOG_WARN("turn", "history past history_tokens: dropped the ", fold_.count,
           " oldest message(s) instead of summarising them: ", why);
  if (auto s = env_.history->drop(key_, fold_.through_id); !s)
    LOG_ERROR("turn", "history drop: ", s.message());
}

}  // namespace frugal::agent
