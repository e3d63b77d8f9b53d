// fold: how much history a turn sends and when a session's stored history is folded into
// a summary. The budget (`[agent] history_tokens`) is in estimated tokens
// (llm::estimated_tokens: bytes / 4, rounded up, per message) over what a request carries
// as history: the marked summary message and the stored messages. The system prompt, the
// tools and the turn's own message are not history. No I/O and no model call here.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "agent/session/history.h"
#include "llm/types.h"

namespace frugal::session {

// Estimated tokens of one message's text.
int64_t tokens_of(const std::string& text);

// The earlier-context message carrying `summary`: a user message, marked as a summary
// written by the agent (never a system message: a public channel's summary must not gain
// the system prompt's authority).
llm::message summary_message(const std::string& summary);

// Estimated tokens of the history `w` would send whole (summary message included).
int64_t window_tokens(const window& w);

// The history to send with a turn: the summary message (if any) and the newest stored
// messages, leaving out the oldest ones (then the summary) until it fits `budget`. Never
// starts with an assistant message. `dropped`, when given, counts the messages left out.
std::vector<llm::message> fit(const window& w, int64_t budget, size_t* dropped = nullptr);

struct fold_plan {
  size_t count = 0;                // fold w.rows[0, count); 0 = nothing to fold
  int64_t through_id = 0;          // w.rows[count - 1].id
  int64_t summary_max_tokens = 0;  // budget / 4
};

// Nothing while `w` fits `budget`. Past it: fold every stored message except the newest
// whole exchanges that fit in budget / 4, so the summary (at most budget / 4) and what is
// kept fill at most half the budget. Folding rarely and in big chunks keeps the history a
// byte-stable, cacheable prefix between folds.
fold_plan plan_fold(const window& w, int64_t budget);

// The summariser's request messages: an instruction (system) and one user message holding
// the previous summary and the folded messages as a transcript, each message cut to
// `budget` tokens' worth of bytes with a marker.
std::vector<llm::message> summary_request(const window& w, const fold_plan& p, int64_t budget);

// The summary as stored: the model's text trimmed, cut to max_tokens' worth of bytes (at a
// UTF-8 boundary) with a marker.
std::string clip_summary(std::string text, int64_t max_tokens);

}  // namespace frugal::session
