// `frugal budget` output: today's summary and the day history, as text for a person and
// as JSON for scripts. Amounts in JSON are exact decimal numbers of dollars (*_usd) built
// from the integer micro-dollars, which are given too (*_micro). It reads nothing itself.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "budget/governor.h"

namespace frugal::budget {

// Several lines ending in '\n': day and zone, cap, spent, reserved, remaining, the reset
// time, the caps that apply, a STOPPED line when paid calls are stopped, and the
// breakdowns by tier, model and realm.
std::string format_text(const summary& s);
// One JSON object and '\n': day, timezone, cap_usd, spent_usd, reserved_usd,
// remaining_usd, resets_at (ISO 8601 local), resets_at_unix, public_cap_usd,
// per_sender_cap_usd, monthly_cap_usd, month_usd, stopped, stop_reason, the *_micro
// integers, input_tokens / cached_input_tokens / cache_write_tokens / cached_share_percent
// (cache reads as a share of all input tokens, one decimal), and by_tier / by_model /
// by_realm: [{name, spent_usd, reserved_usd, calls}].
std::string format_json(const summary& s);

// A table of the last days, newest first, with the cap for comparison.
std::string format_history_text(const std::vector<day_row>& days, int64_t cap_micro,
                                const std::string& timezone);
// {"timezone", "cap_usd", "days": [{day, spent_usd, reserved_usd, calls, stopped,
// input_tokens, cached_input_tokens, cache_write_tokens, cached_share_percent}]}.
std::string format_history_json(const std::vector<day_row>& days, int64_t cap_micro,
                                const std::string& timezone);

}  // namespace frugal::budget
