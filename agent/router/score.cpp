// score: the signal scan behind score_turn(). One lower-cased copy of the text, then plain
// substring searches with word-boundary checks; weights are documented in score.h. Costs a
// few microseconds for a chat line (see tests/bench/router_bench.cpp).
#include "agent/router/score.h"

#include <algorithm>

namespace frugal::router {
namespace {

constexpr size_t scan_limit = 64 * 1024;
constexpr int64_t max_action_words = 2;

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_word(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_';
}

// End of `phrase` matched at `at` in `text` (a space in the phrase matches a run of
// whitespace), or npos.
size_t match_at(std::string_view text, size_t at, std::string_view phrase) {
  size_t t = at;
  for (size_t p = 0; p < phrase.size(); ++p) {
    if (phrase[p] == ' ') {
      if (t >= text.size() || !is_space(text[t])) return std::string_view::npos;
      while (t < text.size() && is_space(text[t])) ++t;
    } else {
      if (t >= text.size() || text[t] != phrase[p]) return std::string_view::npos;
      ++t;
    }
  }
  return t;
}

// True when lower-cased `phrase` occurs in lower-cased `text` as whole words.
bool has_phrase(std::string_view text, std::string_view phrase) {
  if (phrase.empty()) return false;
  for (size_t at = text.find(phrase[0]); at != std::string_view::npos;
       at = text.find(phrase[0], at + 1)) {
    if (at > 0 && is_word(text[at - 1])) continue;
    size_t end = match_at(text, at, phrase);
    if (end == std::string_view::npos) continue;
    if (end < text.size() && is_word(text[end])) continue;
    return true;
  }
  return false;
}

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

bool has_url(std::string_view text) {
  if (text.find("http://") != std::string_view::npos) return true;
  if (text.find("https://") != std::string_view::npos) return true;
  for (size_t at = text.find("www."); at != std::string_view::npos; at = text.find("www.", at + 1))
    if ((at == 0 || !is_word(text[at - 1])) && at + 4 < text.size() && is_word(text[at + 4]))
      return true;
  return false;
}

// Lines starting (after indentation) with digits then '.' or ')' and a space.
int numbered_lines(std::string_view text) {
  int count = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t i = start;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    size_t digits = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i > digits && i + 1 < text.size() && (text[i] == '.' || text[i] == ')') &&
        text[i + 1] == ' ')
      ++count;
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return count;
}

void add(turn_score& s, int64_t points, std::string what) {
  s.total += points;
  s.reasons.push_back(std::move(what) + " +" + std::to_string(points));
}

}  // namespace

turn_score score_turn(std::string_view text, int64_t recent_tool_calls,
                      const config::router_section& rules) {
  turn_score s;
  const std::string low = lowered(text.substr(0, std::min(text.size(), scan_limit)));

  if (low.find("```") != std::string::npos) add(s, 3, "code block");
  if (has_url(low)) add(s, 2, "url");

  int64_t actions = 0;
  std::vector<std::string> seen;
  for (const std::string& word : rules.action_words) {
    if (actions >= max_action_words) break;
    std::string w = lowered(word);
    if (w.empty() || std::find(seen.begin(), seen.end(), w) != seen.end()) continue;
    if (!has_phrase(low, w)) continue;
    seen.push_back(w);
    ++actions;
    add(s, 2, "action '" + w + "'");
  }

  static constexpr std::string_view markers[] = {"and then",    "after that",   "afterwards",
                                                 "followed by", "step by step", "and finally"};
  bool multi = false;
  for (std::string_view m : markers) {
    if (has_phrase(low, m)) {
      add(s, 2, "multi-step '" + std::string(m) + "'");
      multi = true;
      break;
    }
  }
  if (!multi && numbered_lines(low) >= 2) add(s, 2, "multi-step numbered list");

  if (recent_tool_calls > 0)
    add(s, std::min<int64_t>(recent_tool_calls, 2),
        "recent tool calls " + std::to_string(recent_tool_calls));

  const int64_t long_bytes = rules.long_message_bytes;
  const int64_t size = static_cast<int64_t>(text.size());
  if (long_bytes > 0 && size > long_bytes)
    add(s, size > 3 * long_bytes ? 2 : 1, "long message " + std::to_string(size) + " bytes");
  return s;
}

bool is_simple_turn(const turn_score& score) {
  return score.total <= 0;
}

std::string describe(const turn_score& score) {
  std::string out = std::to_string(score.total);
  if (score.reasons.empty()) return out;
  out += " (";
  for (size_t i = 0; i < score.reasons.size(); ++i) {
    if (i) out += ", ";
    out += score.reasons[i];
  }
  out += ")";
  return out;
}

}  // namespace frugal::router
