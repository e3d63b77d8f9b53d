// snapshot: what a turn reads of the configuration, fixed for the whole turn — the config,
// every model's price, one provider per [providers.NAME], the tool registry and the
// sandbox the start-up probe found. The runtime builds one at start and one per reload
// and hands each turn a shared_ptr to the current one; a reload never changes a snapshot a
// turn holds, so a tier or model removed mid-turn stays usable by that turn to its end.
// It owns no state that changes (cool-downs, budget, history live in the runtime).
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "budget/prices.h"
#include "core/config/config.h"
#include "core/result.h"
#include "llm/provider.h"
#include "tools/sandbox.h"
#include "tools/tool.h"

namespace frugal::agent {

struct snapshot {
  config::file cfg;
  std::map<std::string, budget::price> prices;                      // by model name
  std::map<std::string, std::shared_ptr<llm::provider>> providers;  // by provider name
  std::vector<const tools::descriptor*> tools;                      // tools::registry()
  tools::sandbox_caps caps;

  // Lookups by [tiers.NAME] / [models.NAME] key; nullptr when the name is unknown.
  const config::tier* tier(const std::string& name) const;
  const config::model* model(const std::string& name) const;
  const budget::price* price_of(const std::string& model_name) const;
  llm::provider* provider_for(const std::string& model_name) const;
  // The tool named `name` in `tools`, or nullptr.
  const tools::descriptor* tool(std::string_view name) const;
};

using snapshot_ptr = std::shared_ptr<const snapshot>;

// Builds the provider for one [providers.NAME]; the runtime's makes llm::make_provider on
// its HTTP client (which must outlive the snapshot), tests make fakes.
using provider_factory = std::function<std::unique_ptr<llm::provider>(const config::provider& p)>;

// Prices every model (an unpriced paid model is an error naming file:line), builds one
// provider per configured provider with `make` and takes the tool registry. `caps` is the
// sandbox probe's finding, kept across reloads.
result<snapshot_ptr> make_snapshot(config::file cfg, const tools::sandbox_caps& caps,
                                   const provider_factory& make);

// The llm settings of one configured provider (timeouts in ms, local defaults).
llm::provider_config provider_config_of(const config::provider& p);

}  // namespace frugal::agent
