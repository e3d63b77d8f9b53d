// score: a cheap, deterministic complexity score for one turn, from signals in its text and
// the session's recent tool use. No model call: one lower-cased copy of the text and a few
// substring scans. It only scores; choosing a tier from the score is route.h.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.h"

namespace frugal::router {

struct turn_score {
  int64_t total = 0;
  // One entry per signal that fired, in the order below, e.g. "url +2",
  // "action 'fetch' +2". Empty when total is 0.
  std::vector<std::string> reasons;
};

// Signals and weights (each counted at most as stated):
//   code block  "```" anywhere                                        +3  "code block +3"
//   url         "http://", "https://" or a word starting "www."        +2  "url +2"
//   action      each distinct rules.action_words entry found as a whole word (ASCII
//               case-insensitive; a space in the entry matches any run of whitespace;
//               bytes >= 0x80 count as word characters), at most two   +2 each
//                                                                      "action 'fetch' +2"
//   multi-step  "and then", "after that", "afterwards", "followed by", "step by step",
//               "and finally", or two or more lines starting "N." / "N)"   +2
//                                                                      "multi-step 'and then' +2"
//   tool use    recent_tool_calls > 0: +1 per call, at most +2         "recent tool calls 3 +2"
//   length      size > rules.long_message_bytes: +1; > 3× that: +2     "long message 812 bytes +1"
// Text beyond the first 64 KiB is not scanned (it still counts for length).
turn_score score_turn(std::string_view text, int64_t recent_tool_calls,
                      const config::router_section& rules);

// True for a turn with no signal at all (total <= 0): the turn loop may ask the provider
// for its lowest reasoning effort.
bool is_simple_turn(const turn_score& score);

// "4 (url +2, action 'fetch' +2)", or "0" when nothing fired.
std::string describe(const turn_score& score);

}  // namespace frugal::router
