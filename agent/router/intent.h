// intent: the router's classifier. Does this turn need to act (run a command, read or
// write files, fetch a URL, use memory or the clock) or can the model answer it from its
// own knowledge? A logistic regression over hashed word, word-bigram and character-trigram
// features, trained offline (tests/agent/router/train_intent.py) into intent_table.cpp.
// No model call and no allocation per feature; microseconds per turn (router_bench).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace frugal::router {

// Bytes of a turn read for features (its full size still sets the length marker).
constexpr size_t intent_scan_limit = 4096;

struct intent_feature {
  std::string name;   // "disk", "check disk", "'isk'", "code block", "url", ...
  double weight = 0;  // its contribution to the logit (+ = tools, − = chat)
};

struct intent_score {
  double p_tools = 0.5;  // the classifier's probability that the turn needs tools
  // The features that pushed hardest towards the side p_tools is on (at most
  // `explain` of them, strongest first); empty when not asked for.
  std::vector<intent_feature> deciding;
};

// Classifies `text`. With explain > 0 it also names up to that many deciding features.
// Features, hashing and scaling are defined once, in train_intent.py, and mirrored here:
// ASCII-lowercased bytes; markers for a ``` code block, a URL, the length (≤ 20, ≤ 80,
// ≤ 300, more bytes) and pasted lines (3 or more newlines outside fences); words = runs of
// [A-Za-z0-9_] or bytes ≥ 0x80 outside ``` fences, the first 64 of them (each cut to 32
// bytes), with pasted lines only those of the first line that has words; per word "w:word", "b:prev
// word", the char trigrams of "<word>" (words of at most 20 bytes), and "f:first-word"; FNV-1a of
// each name, modulo intent_buckets, each bucket counted once per turn.
intent_score classify_intent(std::string_view text, size_t explain = 0);

}  // namespace frugal::router
