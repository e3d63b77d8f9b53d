// Tests for budget/prices.cpp: the built-in table, loose id matching, config overrides,
// local providers, and the refusal to price a paid model at $0.
#include "budget/prices.h"

#include <catch2/catch.hpp>

using namespace frugal;
using namespace frugal::budget;

namespace {
config::model model_with(std::string id) {
  config::model m;
  m.name = "m1";
  m.provider = "p";
  m.model = std::move(id);
  return m;
}
config::provider paid(std::string kind = "openai") {
  config::provider p;
  p.name = "p";
  p.kind = std::move(kind);
  return p;
}
}  // namespace

TEST_CASE("usd conversions round as documented", "[prices]") {
  CHECK(usd_to_micro(2.0) == 2'000'000);
  CHECK(usd_to_micro(0.1) == 100'000);
  CHECK(usd_to_micro(0.0000005) == 1);  // nearest
  CHECK(usd_to_micro(0.0000004) == 0);
  CHECK(usd_to_micro(-1.0) == 0);
  CHECK(usd_to_micro(std::nan("")) == 0);
  CHECK(usd_cap_to_micro(0.29) == 290'000);         // not 289999 from binary error
  CHECK(usd_cap_to_micro(2.0000009) == 2'000'000);  // down
  CHECK(usd_cap_to_micro(1e300) == INT64_MAX);
  CHECK(fraction_to_ppm(0.5) == 500'000);
  CHECK(fraction_to_ppm(1.5) == 1'000'000);
  CHECK(fraction_to_ppm(-0.1) == 0);
}

TEST_CASE("model ids are matched loosely", "[prices]") {
  CHECK(normalize_model_id("anthropic/claude-haiku-4.5") == "claude-haiku-4-5");
  CHECK(normalize_model_id("claude-haiku-4-5-20251001") == "claude-haiku-4-5");
  CHECK(normalize_model_id("openrouter/openai/GPT-5-Mini") == "gpt-5-mini");
  CHECK(normalize_model_id("gpt-4o-mini-2024-07-18") == "gpt-4o-mini");
  CHECK(normalize_model_id("z-ai/glm-4.6:exacto") == "glm-4-6");

  auto haiku = builtin_price("claude-haiku-4-5-20251001");
  REQUIRE(haiku);
  CHECK(haiku->input == 1'000'000);
  CHECK(haiku->cached_input == 100'000);
  CHECK(haiku->output == 5'000'000);
  CHECK(haiku->cache_write == 1'250'000);

  auto sonnet = builtin_price("Anthropic/Claude-Sonnet-4.6");
  REQUIRE(sonnet);
  CHECK(sonnet->input == 3'000'000);
  CHECK(sonnet->output == 15'000'000);
  CHECK(builtin_price("claude-sonnet-4-5-20250929")->output == 15'000'000);
  CHECK(builtin_price("claude-opus-4-1-20250805")->output == 75'000'000);
  CHECK(builtin_price("claude-opus-4-5")->output == 25'000'000);

  auto mini = builtin_price("gpt-5-mini");
  REQUIRE(mini);
  CHECK(*mini == price{250'000, 25'000, 250'000, 2'000'000});
  CHECK(*builtin_price("openai/gpt-5-nano") == price{50'000, 5'000, 50'000, 400'000});
  CHECK(builtin_price("gpt-5")->output == 10'000'000);
  CHECK(builtin_price("gpt-5-2025-08-07")->input == 1'250'000);

  for (const char* id :
       {"deepseek-chat", "deepseek-reasoner", "deepseek/deepseek-chat-v3.1", "MiniMax-M2",
        "minimax/minimax-m2.1", "kimi-k2-0905-preview", "moonshotai/kimi-k2-thinking", "kimi-k2.5",
        "glm-4.5", "GLM-4.7", "qwen/qwen3-235b-a22b", "qwen3-coder-plus", "qwen3-max", "gpt-4.1",
        "gpt-4o-mini"}) {
    INFO(id);
    auto p = builtin_price(id);
    REQUIRE(p);
    CHECK(p->input > 0);
    CHECK(p->output > 0);
  }
  CHECK_FALSE(builtin_price("my-private-finetune"));
  CHECK_FALSE(builtin_price("gpt-5-mini-extra"));  // no guessing by prefix
}

TEST_CASE("price_for: local is free, config overrides, unpriced paid is an error", "[prices]") {
  config::provider local = paid();
  local.local = true;
  auto free = price_for(model_with("qwen3:8b"), local);
  REQUIRE(free);
  CHECK(free->free());

  auto table = price_for(model_with("gpt-5-mini"), paid());
  REQUIRE(table);
  CHECK(table->output == 2'000'000);

  config::model over = model_with("gpt-5-mini");
  over.output_micro_per_mtok = 3'000'000;
  auto o = price_for(over, paid());
  REQUIRE(o);
  CHECK(o->input == 250'000);
  CHECK(o->output == 3'000'000);

  config::model custom = model_with("my-finetune");
  custom.name = "tuned";
  custom.input_micro_per_mtok = 500'000;
  custom.output_micro_per_mtok = 1'500'000;
  auto c = price_for(custom, paid());
  REQUIRE(c);
  CHECK(c->cached_input == 500'000);  // defaults to the input price
  CHECK(c->cache_write == 500'000);
  // Anthropic's documented read price is 0.1 × input, whoever set the input price.
  CHECK(price_for(custom, paid("anthropic"))->cached_input == 50'000);
  custom.cached_input_micro_per_mtok = 50'000;
  CHECK(price_for(custom, paid())->cached_input == 50'000);
  CHECK(price_for(custom, paid("anthropic"))->cache_write == 625'000);

  config::model unknown = model_with("mystery-model");
  unknown.name = "cheap";
  auto e = price_for(unknown, paid());
  REQUIRE_FALSE(e);
  CHECK(e.message() ==
        "models.cheap: no price for paid model mystery-model (set "
        "input_usd_per_mtok/output_usd_per_mtok)");
  unknown.input_micro_per_mtok = 100;  // only half a price is still no price
  CHECK_FALSE(price_for(unknown, paid()));

  config::model zero = model_with("free-on-this-host");
  zero.input_micro_per_mtok = 0;
  zero.output_micro_per_mtok = 0;
  CHECK(price_for(zero, paid())->free());  // an explicit $0 is the owner's choice
}
