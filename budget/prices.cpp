// The built-in price table and the config → micro-dollar conversions. List prices as known
// in late 2025 (USD per million tokens); tiered models (Qwen) are listed at their 32K–128K
// tier. A deployment with other prices sets them per model in the config, which wins.
#include "budget/prices.h"

#include <cctype>
#include <cmath>
#include <limits>

namespace frugal::budget {
namespace {

constexpr int64_t k_max_micro = std::numeric_limits<int64_t>::max();

// One row: normalized ids (first is the canonical one), then $/Mtok × 1e6.
struct entry {
  const char* ids[6];
  int64_t input, cached, output;
  bool anthropic;  // bills cache writes at 1.25 × input
};

// clang-format off
constexpr entry k_table[] = {
  {{"claude-haiku-4-5", "claude-4-5-haiku"}, 1'000'000, 100'000, 5'000'000, true},
  {{"claude-3-5-haiku", "claude-haiku-3-5"}, 800'000, 80'000, 4'000'000, true},
  {{"claude-sonnet-4-6", "claude-4-6-sonnet"}, 3'000'000, 300'000, 15'000'000, true},
  {{"claude-sonnet-4-5", "claude-4-5-sonnet"}, 3'000'000, 300'000, 15'000'000, true},
  {{"claude-sonnet-4", "claude-4-sonnet", "claude-3-7-sonnet"}, 3'000'000, 300'000, 15'000'000, true},
  {{"claude-opus-4-6", "claude-4-6-opus"}, 5'000'000, 500'000, 25'000'000, true},
  {{"claude-opus-4-5", "claude-4-5-opus"}, 5'000'000, 500'000, 25'000'000, true},
  {{"claude-opus-4-1", "claude-4-1-opus"}, 15'000'000, 1'500'000, 75'000'000, true},
  {{"claude-opus-4", "claude-4-opus"}, 15'000'000, 1'500'000, 75'000'000, true},
  {{"gpt-5", "gpt-5-chat-latest", "gpt-5-chat", "gpt-5-1", "gpt-5-1-chat-latest", "gpt-5-codex"}, 1'250'000, 125'000, 10'000'000, false},
  {{"gpt-5-mini"}, 250'000, 25'000, 2'000'000, false},
  {{"gpt-5-nano"}, 50'000, 5'000, 400'000, false},
  {{"gpt-4-1"}, 2'000'000, 500'000, 8'000'000, false},
  {{"gpt-4-1-mini"}, 400'000, 100'000, 1'600'000, false},
  {{"gpt-4-1-nano"}, 100'000, 25'000, 400'000, false},
  {{"gpt-4o"}, 2'500'000, 1'250'000, 10'000'000, false},
  {{"gpt-4o-mini"}, 150'000, 75'000, 600'000, false},
  {{"deepseek-chat", "deepseek-reasoner", "deepseek-v3-2", "deepseek-v3-2-exp", "deepseek-chat-v3-2"}, 280'000, 28'000, 420'000, false},
  {{"deepseek-v3-1", "deepseek-chat-v3-1", "deepseek-v3-1-terminus", "deepseek-v3", "deepseek-chat-v3-0324"}, 560'000, 70'000, 1'680'000, false},
  {{"deepseek-r1", "deepseek-r1-0528"}, 550'000, 140'000, 2'190'000, false},
  {{"minimax-m2", "minimax-m2-1"}, 300'000, 30'000, 1'200'000, false},
  {{"kimi-k2", "kimi-k2-0905", "kimi-k2-0905-preview", "kimi-k2-0711-preview", "kimi-k2-instruct", "kimi-k2-instruct-0905"}, 600'000, 150'000, 2'500'000, false},
  {{"kimi-k2-thinking"}, 600'000, 150'000, 2'500'000, false},
  {{"kimi-k2-turbo-preview", "kimi-k2-thinking-turbo"}, 1'150'000, 150'000, 8'000'000, false},
  {{"kimi-k2-5"}, 600'000, 100'000, 3'000'000, false},
  {{"glm-4-5", "glm-4-6", "glm-4-7"}, 600'000, 110'000, 2'200'000, false},
  {{"glm-4-5-air"}, 200'000, 30'000, 1'100'000, false},
  {{"qwen3-235b-a22b", "qwen3-235b-a22b-thinking-2507"}, 700'000, 700'000, 8'400'000, false},
  {{"qwen3-235b-a22b-instruct-2507"}, 700'000, 700'000, 2'800'000, false},
  {{"qwen3-coder", "qwen3-coder-480b-a35b-instruct", "qwen3-coder-plus"}, 1'800'000, 1'800'000, 9'000'000, false},
  {{"qwen3-max", "qwen3-max-preview"}, 2'400'000, 2'400'000, 12'000'000, false},
};
// clang-format on

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

// Removes one trailing "-YYYYMMDD" or "-YYYY-MM-DD"; returns whether it did.
bool strip_date(std::string& s) {
  if (s.size() > 9 && s[s.size() - 9] == '-' &&
      all_digits(std::string_view(s).substr(s.size() - 8)) &&
      s.compare(s.size() - 8, 2, "20") == 0) {
    s.resize(s.size() - 9);
    return true;
  }
  if (s.size() > 11) {
    std::string_view t = std::string_view(s).substr(s.size() - 11);
    if (t[0] == '-' && all_digits(t.substr(1, 4)) && t[5] == '-' && all_digits(t.substr(6, 2)) &&
        t[8] == '-' && all_digits(t.substr(9, 2)) && t.substr(1, 2) == "20") {
      s.resize(s.size() - 11);
      return true;
    }
  }
  return false;
}

price from_entry(const entry& e) {
  int64_t write = e.anthropic ? e.input + (e.input + 3) / 4 : e.input;
  return price{e.input, e.cached, write, e.output};
}

}  // namespace

int64_t usd_to_micro(double usd) {
  if (!(usd > 0)) return 0;  // NaN and negatives
  double m = usd * 1e6;
  if (m >= 9.2e18) return k_max_micro;
  return std::llround(m);
}

int64_t usd_cap_to_micro(double usd) {
  if (!(usd > 0)) return 0;
  double m = usd * 1e6 + 1e-4;
  if (m >= 9.2e18) return k_max_micro;
  return static_cast<int64_t>(std::floor(m));
}

int64_t fraction_to_ppm(double fraction) {
  if (!(fraction > 0)) return 0;
  if (fraction >= 1) return 1'000'000;
  return std::llround(fraction * 1e6);
}

std::string usd_decimal(int64_t micro) {
  const bool neg = micro < 0;
  const uint64_t abs = neg ? 0 - static_cast<uint64_t>(micro) : static_cast<uint64_t>(micro);
  std::string frac = std::to_string(abs % 1'000'000);
  frac.insert(0, 6 - frac.size(), '0');
  while (frac.size() > 2 && frac.back() == '0') frac.pop_back();
  return (neg ? "-" : "") + std::to_string(abs / 1'000'000) + "." + frac;
}

std::string format_usd(int64_t micro) {
  std::string d = usd_decimal(micro);
  return d[0] == '-' ? "-$" + d.substr(1) : "$" + d;
}

std::string normalize_model_id(std::string_view id) {
  if (auto slash = id.rfind('/'); slash != std::string_view::npos) id.remove_prefix(slash + 1);
  if (auto colon = id.find(':'); colon != std::string_view::npos) id = id.substr(0, colon);
  std::string s;
  s.reserve(id.size());
  for (char c : id) {
    if (c == '.' || c == '_' || c == '@' || c == ' ')
      s += '-';
    else
      s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  while (strip_date(s)) {
  }
  if (s.size() > 7 && s.ends_with("-latest")) s.resize(s.size() - 7);
  return s;
}

std::optional<price> builtin_price(std::string_view model_id) {
  std::string key = normalize_model_id(model_id);
  for (const entry& e : k_table)
    for (const char* id : e.ids)
      if (id && key == id) return from_entry(e);
  return std::nullopt;
}

result<price> price_for(const config::model& m, const config::provider& p) {
  if (p.local) return price{};
  const bool anthropic = p.kind == "anthropic";
  std::optional<price> base = builtin_price(m.model);
  const bool has_in = m.input_micro_per_mtok >= 0, has_out = m.output_micro_per_mtok >= 0;
  if (!base && !(has_in && has_out))
    return fail("models.", m.name, ": no price for paid model ", m.model,
                " (set input_usd_per_mtok/output_usd_per_mtok)");
  price out = base.value_or(price{});
  if (has_in) {
    out.input = m.input_micro_per_mtok;
    // Anthropic documents cache reads at 0.1 × input for every model (rounded up here);
    // other vendors' cached price varies, so without one it is the input price.
    out.cached_input = anthropic ? (m.input_micro_per_mtok + 9) / 10 : m.input_micro_per_mtok;
    out.cache_write = m.input_micro_per_mtok;
  }
  if (m.cached_input_micro_per_mtok >= 0) out.cached_input = m.cached_input_micro_per_mtok;
  if (m.output_micro_per_mtok >= 0) out.output = m.output_micro_per_mtok;
  // Whoever sets the price, Anthropic bills a 5-minute cache write at 1.25 × input.
  if (anthropic) out.cache_write = out.input + (out.input + 3) / 4;
  return out;
}

}  // namespace frugal::budget
