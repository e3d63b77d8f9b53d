// turn: one request from a user, from policy check to final reply. A state machine on the
// loop: classify the sender (policies), load the session, route to a tier (agent/router),
// then for each attempt reserve in the governor, call the provider, settle; run tool calls
// through the policy check and the sandboxed tools, loop at most max_tool_steps times;
// fall back across models and route down across tiers; escalate chat → tools once. Once
// answered, it may fold the session's older history into a summary (turn_fold.cpp): that
// call runs after `done`, and the turn is not finished() until it settles.
// It reads configuration only from the snapshot it was given (a reload mid-turn changes
// nothing it sees) and reaches the rest through turn_env. It never throws and always
// calls `done` exactly once.
#pragma once
#include <uv.h>

#include <memory>
#include <string>
#include <vector>

#include "agent/session/fold.h"
#include "agent/session/history.h"
#include "agent/turn/snapshot.h"
#include "agent/turn/turn_env.h"
#include "agent/turn/turn_types.h"
#include "core/config/config.h"
#include "core/uv_handle.h"
#include "llm/types.h"
#include "policies/egress.h"

namespace frugal::agent {

class turn {
 public:
  // `snap` is kept to the end of the turn; `env`'s collaborators must outlive it.
  turn(snapshot_ptr snap, const turn_env& env, turn_request req, turn_done done);
  ~turn();
  turn(const turn&) = delete;
  turn& operator=(const turn&) = delete;

  void start();
  // Ends the turn early (deadline, shutdown): the call in flight is cancelled and its
  // reservation charged in full (it may have been billed).
  void cancel(const std::string& why);
  // True once `done` has run and no provider call or tool still refers to this turn.
  bool finished() const { return finished_ && !call_ && tools_pending_ == 0; }

 private:
  // The model call in flight (one at a time): its reservation and how to cancel it.
  struct pending_call {
    std::string tier;
    std::string model;
    llm::provider* provider = nullptr;
    http::request_id id = 0;
    int64_t reservation = 0;
    bool cancelled_by_us = false;
    bool fold = false;  // the history summary call, made after the turn answered
  };
  void route();
  void next_attempt();
  void call_model(const std::string& tier, const std::string& model);
  void retry_when_ledger_free(const std::string& tier, const std::string& model);
  void on_outcome(llm::outcome out);
  void run_tool_calls(const std::vector<llm::tool_call>& calls);
  void tool_finished(size_t index, bool is_error, std::string text);
  void escalate(const std::string& reason);
  void answer(std::string text);
  void finish(turn_status status, std::string text, std::string detail = "");
  void dry_run(const std::string& route_reason);
  // turn_fold.cpp: after the exchange is stored, fold the session's history if it passed
  // history_tokens (a summary call through the governor), else drop the oldest turns.
  void fold_history();
  void fold_finished(const llm::outcome& out, const std::string& model);
  void drop_folded(const std::string& why);
  llm::request build_request(const std::string& tier, const std::string& model) const;

  snapshot_ptr snap_;
  turn_env env_;
  turn_request req_;
  turn_done done_;
  bool finished_ = false;

  core::realm_kind realm_ = core::realm_kind::public_;
  const config::realm* realm_cfg_ = nullptr;  // in snap_
  std::string sender_;
  session::key key_;
  std::vector<llm::message> base_;      // system + history + the user's message
  std::vector<llm::message> messages_;  // base_ + this turn's tool rounds
  std::vector<std::string> plan_;       // tiers to try, in order
  std::string route_reason_;
  bool simple_ = false;
  double p_tools_ = 1.0;  // the router's p(tools): whether a tool loop is likely
  size_t tier_idx_ = 0;
  size_t model_idx_ = 0;
  int64_t steps_ = 0;
  int64_t tool_calls_ = 0;
  bool escalated_ = false;
  bool provider_failed_ = false;
  // The first 401/403 ("provider X rejected the key in $VAR"): when every failure was
  // one, the turn ends as a configuration error instead of "unreachable".
  std::string key_rejected_;
  bool other_failure_ = false;
  std::string budget_reason_;  // the governor's last refusal, for the reply
  // Provenance of the context so far and the ways out it leaves (policies/egress.h).
  policies::egress_guard egress_;
  std::vector<std::string> egress_refusals_;  // for the one-line note to the owner

  std::unique_ptr<pending_call> call_;
  session::fold_plan fold_;  // the fold in flight (call_->fold)
  int64_t fold_base_ = 0;    // the summary_through it started from
  // The tool names (escalate included) of the request whose answer is being acted on: a
  // tool call, escalate too, counts only if its name was offered (the model is untrusted).
  std::vector<std::string> offered_;
  std::vector<llm::message> tool_results_;
  size_t tools_pending_ = 0;
  uv_owned<uv_timer_t> deadline_;
  uv_owned<uv_timer_t> busy_retry_;  // call_model again once the ledger is not locked
  std::string retry_tier_, retry_model_;
  int busy_retries_ = 0;
};

}  // namespace frugal::agent
