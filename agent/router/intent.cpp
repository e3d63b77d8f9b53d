// intent: feature extraction and scoring for the router classifier. Mirrors
// tests/agent/router/train_intent.py byte for byte (a change here needs the same change
// there and a retrained table). Does not choose a tier: route.cpp does. No allocation per
// feature: a bitset finds each bucket's first feature, names are built only for the few
// features an explanation shows.
#include "agent/router/intent.h"

#include <algorithm>
#include <bitset>
#include <cmath>
#include <cstdint>

#include "agent/router/intent_table.h"

namespace frugal::router {
namespace {

constexpr size_t max_words = 64;
constexpr size_t max_gram_word = 20;   // longer words (hashes, paths) give no trigrams
constexpr size_t max_word_bytes = 32;  // a longer word counts by its first 32 bytes
constexpr size_t paste_newlines = 3;   // outside ``` fences: an ask plus pasted material

enum class kind : uint8_t { marker, first, word, bigram, gram };

struct feature {
  uint32_t bucket;
  kind k;
  std::string_view a, b;             // the text it was taken from (b: a bigram's second word)
  bool lead = false, trail = false;  // a trigram's '<' / '>' word boundary
};

bool is_word(unsigned char c) {
  return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         c == '_';
}

// A ``` fence starts at s[i]. Plain byte compares: string_view::compare per byte made a
// 4 KB turn cost ~200 µs.
bool fence_at(std::string_view s, size_t i) {
  return s[i] == '`' && i + 2 < s.size() && s[i + 1] == '`' && s[i + 2] == '`';
}

size_t newlines_outside_fences(std::string_view s) {
  size_t count = 0;
  bool fenced = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (fence_at(s, i)) {
      fenced = !fenced;
      i += 2;
    } else if (!fenced && s[i] == '\n') {
      ++count;
    }
  }
  return count;
}

void mix(uint32_t& h, std::string_view s) {
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x01000193u;
  }
}

const char* prefix_of(kind k) {
  switch (k) {
    case kind::marker:
      return "s:";
    case kind::first:
      return "f:";
    case kind::word:
      return "w:";
    case kind::bigram:
      return "b:";
    case kind::gram:
      return "c:";
  }
  return "";
}

std::string display(const feature& f) {
  const std::string a(f.a);
  switch (f.k) {
    case kind::marker:
      if (a == "code") return "code block";
      if (a == "url") return "url";
      if (a == "paste") return "pasted lines";
      return "length " + a.substr(3);
    case kind::first:
      return "starts '" + a + "'";
    case kind::word:
      return a;
    case kind::bigram:
      return a + " " + std::string(f.b);
    case kind::gram:
      return std::string("'") + (f.lead ? "<" : "") + a + (f.trail ? ">" : "") + "'";
  }
  return a;
}

// Keeps the first feature of each bucket (the one that names it) and sums their weights.
struct collector {
  std::bitset<intent_buckets> seen;
  std::vector<feature> kept;
  int64_t sum = 0;
  void add(kind k, std::string_view a, std::string_view b = {}, bool lead = false,
           bool trail = false) {
    uint32_t h = 0x811C9DC5u;
    mix(h, prefix_of(k));
    if (lead) mix(h, "<");
    mix(h, a);
    if (trail) mix(h, ">");
    if (k == kind::bigram) {
      mix(h, " ");
      mix(h, b);
    }
    h &= intent_buckets - 1;
    if (seen.test(h)) return;
    seen.set(h);
    kept.push_back({h, k, a, b, lead, trail});
    sum += intent_weight(h);
  }
};

}  // namespace

intent_score classify_intent(std::string_view text, size_t explain) {
  char low[intent_scan_limit];
  const size_t n = std::min(text.size(), intent_scan_limit);
  for (size_t i = 0; i < n; ++i) {
    const char c = text[i];
    low[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  const std::string_view s(low, n);
  collector col;
  col.kept.reserve(256);

  if (s.find("```") != std::string_view::npos) col.add(kind::marker, "code");
  if (s.find("http://") != std::string_view::npos || s.find("https://") != std::string_view::npos ||
      s.find("www.") != std::string_view::npos)
    col.add(kind::marker, "url");
  const size_t size = text.size();
  col.add(kind::marker, size <= 20 ? "len0" : size <= 80 ? "len1" : size <= 300 ? "len2" : "len3");

  // Pasted material (a piped log, a mail) is what the turn is about, not what it asks for:
  // only the first line with words is read, as train_intent.py does.
  const bool pasted = newlines_outside_fences(s) >= paste_newlines;
  if (pasted) col.add(kind::marker, "paste");

  std::string_view words[max_words];
  size_t count = 0;
  bool fenced = false;
  for (size_t i = 0; i < s.size() && count < max_words;) {
    if (fence_at(s, i)) {
      fenced = !fenced;
      i += 3;
      continue;
    }
    if (pasted && count > 0 && !fenced && s[i] == '\n') break;
    if (fenced || !is_word(static_cast<unsigned char>(s[i]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && is_word(static_cast<unsigned char>(s[j]))) ++j;
    words[count++] = s.substr(i, std::min(j - i, max_word_bytes));
    i = j;
  }
  if (count > 0) col.add(kind::first, words[0]);
  for (size_t w = 0; w < count; ++w) {
    const std::string_view word = words[w];
    col.add(kind::word, word);
    if (w > 0) col.add(kind::bigram, words[w - 1], word);
    if (word.size() > max_gram_word) continue;
    // Trigrams of "<word>": trigram k spans padded bytes k..k+2, i.e. word bytes k-1..k+1,
    // with '<' when k == 0 and '>' when it reaches the end.
    const size_t len = word.size();
    for (size_t k = 0; k < len; ++k) {
      const size_t from = k == 0 ? 0 : k - 1;
      const size_t to = std::min(len - 1, k + 1);
      col.add(kind::gram, word.substr(from, to - from + 1), {}, k == 0, k + 1 == len);
    }
  }

  const double norm = 1.0 / std::sqrt(static_cast<double>(col.kept.size()));
  const double z = intent_bias + intent_scale * static_cast<double>(col.sum) * norm;
  intent_score out;
  out.p_tools = 1.0 / (1.0 + std::exp(-std::clamp(z, -60.0, 60.0)));
  if (explain == 0) return out;

  const double side = out.p_tools >= 0.5 ? 1.0 : -1.0;
  std::vector<const feature*> pushing;
  for (const feature& f : col.kept)
    if (intent_weight(f.bucket) * side > 0) pushing.push_back(&f);
  std::partial_sort(pushing.begin(), pushing.begin() + std::min(explain, pushing.size()),
                    pushing.end(), [&](const feature* x, const feature* y) {
                      return intent_weight(x->bucket) * side > intent_weight(y->bucket) * side;
                    });
  for (size_t i = 0; i < pushing.size() && i < explain; ++i)
    out.deciding.push_back(
        {display(*pushing[i]), intent_scale * intent_weight(pushing[i]->bucket) * norm});
  return out;
}

}  // namespace frugal::router
