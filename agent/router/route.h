// route: picks the tier for a turn — tools or chat from the intent classifier (intent.h),
// bounded by the tiers that exist and the realm allows, stepped down when the day's budget runs
// low, or the tier forced with `ask --tier`. Pure and deterministic; it calls no model and reserves
// nothing (the governor does, and routes down along `fallbacks` when it refuses).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/router/intent.h"
#include "core/config/config.h"

namespace frugal::router {

struct route_input {
  std::string_view text;                     // the user's turn; borrowed for the call
  config::router_section rules;              // [router]
  std::vector<std::string> available_tiers;  // names of configured tiers (tier_names())
  std::vector<std::string> realm_tiers;      // the realm's allowed tiers; empty = all
  std::string forced_tier;                   // `ask --tier NAME`; empty = none
  double budget_left = 1.0;                  // fraction of today's budget left, 0..1
};

struct route_decision {
  // route: picked by the classifier (possibly past missing or disallowed tiers);
  // route_down: one step lower than that because the budget is low; forced: the forced
  // tier; error: no tier can be used (tier empty, reason says why).
  enum class kind { route, route_down, forced, error } verdict = kind::error;
  std::string tier;
  // Usable tiers below `tier` on the ladder tools → chat → local, in the order to try them
  // when the governor refuses `tier`. Empty for a forced tier (forced means that tier).
  std::vector<std::string> fallbacks;
  intent_score intent;  // with the (at most 3) features that decided it
  // A short turn the classifier is sure needs no tools (p_tools < 0.25, ≤ 300 bytes, no
  // code block): the provider's lowest reasoning effort is enough.
  bool simple = false;
  // One line for the log, the ledger row and `ask --dry-run`, e.g.
  // "classifier p(tools) 0.93 ≥ 0.50 (disk +1.21, check disk +0.80, usage +0.55) → tools".
  std::string reason;
};

// The decision, in this order:
//  1. forced_tier set: it must be configured and allowed by the realm (else error); no
//     scoring rule, budget step-down or fallback applies.
//  2. p_tools ≥ rules.tools_confidence wants "tools", else "chat" (which can still call
//     `escalate`): below the confidence the cheaper tier is tried first.
//  3. A wanted tier that is not configured or not allowed by the realm falls to the next
//     usable one down the ladder tools → chat → local; if none below is usable, the lowest
//     usable one above it is kept. None usable at all → error.
//  4. budget_left < rules.route_down_below: one step down to the next usable tier below
//     (verdict route_down); if there is none, the tier stays (the reason says so).
route_decision choose(const route_input& in);

// The configured tier names (the keys of cfg.tiers), for route_input::available_tiers.
std::vector<std::string> tier_names(const config::file& cfg);

}  // namespace frugal::router
