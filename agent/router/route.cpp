// route: choose() walks the fixed ladder tools → chat → local. The rules are in route.h;
// this file keeps the reason string exact because the lead logs it and stores it in the
// ledger row, where it explains a day's spending after the fact.
#include "agent/router/route.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace frugal::router {
namespace {

constexpr const char* ladder[] = {"tools", "chat", "local"};
constexpr int ladder_size = 3;

bool contains(const std::vector<std::string>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

bool realm_allows(const route_input& in, std::string_view tier) {
  return in.realm_tiers.empty() || contains(in.realm_tiers, tier);
}

bool usable(const route_input& in, std::string_view tier) {
  return contains(in.available_tiers, tier) && realm_allows(in, tier);
}

std::string why_unusable(const route_input& in, std::string_view tier) {
  if (!contains(in.available_tiers, tier)) return "tier '" + std::string(tier) + "' not configured";
  return "realm does not allow '" + std::string(tier) + "'";
}

std::string joined(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& s : list) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "none" : out;
}

std::string percent(double fraction) {
  if (!(fraction >= 0)) fraction = 0;  // also NaN
  return std::to_string(std::llround(std::min(fraction, 1.0) * 100)) + "%";
}

// "0.93"
std::string two_places(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// "classifier p(tools) 0.93 ≥ 0.50 (disk +1.21, check disk +0.80)"; `compared` is the
// " ≥ 0.50" part, or empty.
std::string describe(const intent_score& s, const std::string& compared = "") {
  std::string out = "classifier p(tools) " + two_places(s.p_tools) + compared;
  if (s.deciding.empty()) return out;
  out += " (";
  for (size_t i = 0; i < s.deciding.size(); ++i) {
    const double w = s.deciding[i].weight;
    out += (i ? ", " : "") + s.deciding[i].name + " " + (w >= 0 ? "+" : "") + two_places(w);
  }
  return out + ")";
}

route_decision forced(const route_input& in, route_decision d) {
  const std::string& t = in.forced_tier;
  if (!contains(in.available_tiers, t)) {
    d.reason =
        "forced tier '" + t + "' is not configured (tiers: " + joined(in.available_tiers) + ")";
    return d;
  }
  if (!realm_allows(in, t)) {
    d.reason = "forced tier '" + t +
               "' is not allowed in this realm (allowed: " + joined(in.realm_tiers) + ")";
    return d;
  }
  d.verdict = route_decision::kind::forced;
  d.tier = t;
  d.reason = describe(d.intent) + "; forced tier '" + t + "' (--tier)";
  return d;
}

}  // namespace

route_decision choose(const route_input& in) {
  route_decision d;
  d.intent = classify_intent(in.text, 3);
  d.simple = d.intent.p_tools < 0.25 && in.text.size() <= 300 &&
             in.text.find("```") == std::string_view::npos;
  if (!in.forced_tier.empty()) return forced(in, std::move(d));

  const bool wants_tools = d.intent.p_tools >= in.rules.tools_confidence;
  const int want = wants_tools ? 0 : 1;
  d.reason =
      describe(d.intent, (wants_tools ? " ≥ " : " < ") + two_places(in.rules.tools_confidence)) +
      " → " + ladder[want];

  int chosen = -1;
  for (int i = want; i < ladder_size && chosen < 0; ++i) {
    if (usable(in, ladder[i]))
      chosen = i;
    else
      d.reason += "; " + why_unusable(in, ladder[i]);
  }
  for (int i = want - 1; i >= 0 && chosen < 0; --i)
    if (usable(in, ladder[i])) chosen = i;
  if (chosen < 0) {
    d.reason += "; no usable tier (configured: " + joined(in.available_tiers) +
                "; realm allows: " + (in.realm_tiers.empty() ? "all" : joined(in.realm_tiers)) +
                ")";
    return d;
  }
  if (chosen != want) d.reason += std::string(" → ") + ladder[chosen];
  d.verdict = route_decision::kind::route;

  if (in.budget_left < in.rules.route_down_below) {
    std::string low =
        "budget left " + percent(in.budget_left) + " < " + percent(in.rules.route_down_below);
    int lower = -1;
    for (int i = chosen + 1; i < ladder_size && lower < 0; ++i)
      if (usable(in, ladder[i])) lower = i;
    if (lower >= 0) {
      chosen = lower;
      d.verdict = route_decision::kind::route_down;
      d.reason += "; " + low + " → " + ladder[chosen];
    } else {
      d.reason += "; " + low + " but no lower tier; staying on " + ladder[chosen];
    }
  }

  if (chosen == 0 && d.verdict == route_decision::kind::route &&
      in.rules.tool_turns == config::tool_route::cheap_first) {
    if (!usable(in, ladder[1])) {
      d.reason += "; cheap-first: " + why_unusable(in, ladder[1]);
    } else if (in.chat_tools.empty()) {
      d.reason += "; cheap-first: chat has no tools in this realm";
    } else {
      // The wanted tier stays the first fallback: a chat model that is down, cooling or
      // refused leaves the tool task to the tier that was meant for it.
      d.fallbacks.emplace_back(ladder[0]);
      chosen = 1;
      d.verdict = route_decision::kind::cheap_first;
      d.reason += " → chat (cheap-first: " + joined(in.chat_tools) + " on chat; escalate → tools)";
    }
  }

  d.tier = ladder[chosen];
  for (int i = chosen + 1; i < ladder_size; ++i)
    if (usable(in, ladder[i])) d.fallbacks.emplace_back(ladder[i]);
  return d;
}

std::vector<std::string> tier_names(const config::file& cfg) {
  std::vector<std::string> out;
  out.reserve(cfg.tiers.size());
  for (const auto& [name, tier] : cfg.tiers) out.push_back(name);
  return out;
}

}  // namespace frugal::router
