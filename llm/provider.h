// provider: one configured model API (OpenAI-compatible chat completions or Anthropic
// Messages) reached over the shared http::client. complete() sends one request, streaming
// or not, and calls back once with the parsed outcome. It does not retry or fall back
// (agent/router does), and it never logs the API key.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "core/http/http_client.h"
#include "llm/types.h"

namespace frugal::llm {

enum class api_kind { openai, anthropic };

struct provider_config {
  std::string name;
  api_kind kind = api_kind::openai;
  std::string base_url;
  std::string api_key;  // resolved from api_key_env; empty for keyless local servers
  std::string api_key_env;  // the variable's name, for messages that say what to fix
  bool local = false;   // a local server (Ollama, llama.cpp): free, longer first byte
  long connect_timeout_ms = 10'000;
  long first_byte_timeout_ms = 60'000;  // local providers default to 300'000
  long total_timeout_ms = 300'000;
  std::vector<std::string> extra_headers;  // "Name: value"
};

class provider {
 public:
  virtual ~provider() = default;
  // Sends `req`; `done` runs exactly once from the loop. Returns a handle for cancel().
  virtual http::request_id complete(const request& req, std::function<void(outcome)> done) = 0;
  virtual void cancel(http::request_id id) = 0;
  virtual const provider_config& config() const = 0;
};

std::unique_ptr<provider> make_provider(provider_config cfg, http::client& http);

}  // namespace frugal::llm
