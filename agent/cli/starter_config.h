// The commented starter config that `frugal init` writes, filled from a few answers.
#pragma once
#include <string>

namespace frugal::cli {

struct starter_options {
  std::string state_dir = "~/.local/state/frugal";
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

std::string render_starter_config(const starter_options& o);

}  // namespace frugal::cli
