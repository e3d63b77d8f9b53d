// route: picks the tier for a turn — tools or chat from the intent classifier (intent.h),
// bounded by the tiers that exist and the realm allows, stepped down when the day's budget runs
// low, started cheap-first on the chat tier's own tools, or the tier forced with `ask --tier`.
// Pure and deterministic; it calls no model and reserves nothing (the governor does, and
// routes down along `fallbacks` when it refuses).
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
  // The tools the chat tier offers in this realm (its tool set ∩ the realm's), `escalate`
  // not counted: what a cheap-first tool turn could do before escalating.
  std::vector<std::string> chat_tools;
};

struct route_decision {
  // route: picked by the classifier (possibly past missing or disallowed tiers);
  // route_down: one step lower than that because the budget is low; cheap_first: a tools
  // turn started on the chat tier, which may escalate; forced: the forced tier; error: no
  // tier can be used (tier empty, reason says why).
  enum class kind { route, route_down, cheap_first, forced, error } verdict = kind::error;
  std::string tier;
  // The tiers to try, in order, when `tier` fails or the governor refuses it: the usable
  // tiers below `tier` on the ladder tools → chat → local; for cheap_first, the tools tier
  // first (the turn wanted it), then those below chat. Empty for a forced tier.
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
//  5. Still on "tools" and rules.tool_turns is cheap_first: the chat tier instead when it is
//     usable and chat_tools is not empty (verdict cheap_first; the chat tier offers
//     `escalate`, so the model moves the turn up when it needs more). The reason names the
//     tools, or says why the turn stays on "tools".
route_decision choose(const route_input& in);

// The configured tier names (the keys of cfg.tiers), for route_input::available_tiers.
std::vector<std::string> tier_names(const config::file& cfg);

}  // namespace frugal::router
