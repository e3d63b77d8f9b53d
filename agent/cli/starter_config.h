// The commented starter config that `frugal init` writes, filled from a few answers.
#pragma once
#include <string>

namespace frugal::cli {

// The state folder init suggests: /var/lib/frugal as root (what the loader defaults to
// for root too, config::default_state_dir), else ~/.local/state/frugal.
std::string starter_state_dir();

struct starter_options {
  std::string state_dir = starter_state_dir();
  std::string base_url = "https://openrouter.ai/api/v1";
  std::string api_key_env = "OPENROUTER_API_KEY";
  std::string chat_model = "anthropic/claude-haiku-4.5";
  std::string tools_model = "anthropic/claude-sonnet-4.6";
  std::string local_url = "http://127.0.0.1:11434/v1";
  std::string local_model = "qwen3:4b";
  std::string daily_usd = "2.0";
  std::string irc_server;
  std::string irc_channel = "#frugal-test";
  std::string irc_nick = "frugalbot";
};

// A model the built-in price table does not know gets placeholder prices (high, so the
// governor over-reserves rather than overspends) and price_placeholder = true, which
// `frugal doctor` reports until the real prices replace them.
std::string render_starter_config(const starter_options& o);

}  // namespace frugal::cli
