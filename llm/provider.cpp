// make_provider: the one provider implementation, for both API kinds. Each complete()
// creates a call (call.h) shared by the streaming callback and the completion callback,
// so the provider object itself may be destroyed while a transfer finishes.
#include "llm/provider.h"

#include "core/log.h"
#include "llm/call.h"

namespace frugal::llm {
namespace {

class http_provider final : public provider {
 public:
  http_provider(provider_config cfg, http::client& http) : cfg_(std::move(cfg)), http_(http) {
    log::add_secret(cfg_.api_key);
  }

  http::request_id complete(const request& req, std::function<void(outcome)> done) override {
    auto c = std::make_shared<call>(cfg_, req);
    http::request hr = c->http_request();
    if (req.stream) hr.on_data = [c](std::string_view chunk) { c->on_data(chunk); };
    LOG_DEBUG("llm", cfg_.name, ": POST ", hr.url, " model ", req.model,
              req.stream ? " (stream)" : "", ", ", hr.body.size(), " bytes");
    return http_.start(std::move(hr),
                       [c, done = std::move(done)](http::response r) { done(c->finish(r)); });
  }

  void cancel(http::request_id id) override { http_.cancel(id); }
  const provider_config& config() const override { return cfg_; }

 private:
  provider_config cfg_;
  http::client& http_;
};

}  // namespace

std::unique_ptr<provider> make_provider(provider_config cfg, http::client& http) {
  return std::make_unique<http_provider>(std::move(cfg), http);
}

}  // namespace frugal::llm
