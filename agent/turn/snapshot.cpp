// Building a snapshot and looking names up in it. Lookups never throw: a name the config
// does not hold is a null pointer the turn handles like any other unavailable model.
#include "agent/turn/snapshot.h"

namespace frugal::agent {
namespace {

template <class Map>
const typename Map::mapped_type* find_in(const Map& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

}  // namespace

const config::tier* snapshot::tier(const std::string& name) const {
  return find_in(cfg.tiers, name);
}

const config::model* snapshot::model(const std::string& name) const {
  return find_in(cfg.models, name);
}

const budget::price* snapshot::price_of(const std::string& model_name) const {
  return find_in(prices, model_name);
}

llm::provider* snapshot::provider_for(const std::string& model_name) const {
  const config::model* m = model(model_name);
  if (!m) return nullptr;
  auto p = find_in(providers, m->provider);
  return p ? p->get() : nullptr;
}

const tools::descriptor* snapshot::tool(std::string_view name) const {
  for (const tools::descriptor* d : tools)
    if (d && name == d->name) return d;
  return nullptr;
}

llm::provider_config provider_config_of(const config::provider& p) {
  llm::provider_config c;
  c.name = p.name;
  c.kind = p.kind == "anthropic" ? llm::api_kind::anthropic : llm::api_kind::openai;
  c.base_url = p.base_url;
  c.api_key = p.api_key;
  c.api_key_env = p.api_key_env;
  c.local = p.local;
  c.connect_timeout_ms = p.connect_timeout_s * 1000;
  if (p.first_byte_timeout_s > 0)
    c.first_byte_timeout_ms = p.first_byte_timeout_s * 1000;
  else
    c.first_byte_timeout_ms = p.local ? 300'000 : 60'000;
  return c;
}

result<snapshot_ptr> make_snapshot(config::file cfg, const tools::sandbox_caps& caps,
                                   const provider_factory& make) {
  auto s = std::make_shared<snapshot>();
  // Price every model now, so an unpriced paid model is a configuration error at start.
  for (const auto& [name, m] : cfg.models) {
    auto pv = cfg.providers.find(m.provider);
    if (pv == cfg.providers.end())
      return fail(cfg.path, ":", static_cast<int64_t>(m.line), ": models.", name,
                  ".provider: no provider \"", m.provider, "\"");
    auto p = budget::price_for(m, pv->second);
    if (!p) return fail(cfg.path, ":", static_cast<int64_t>(m.line), ": ", p.message());
    s->prices[name] = *p;
  }
  for (const auto& [name, p] : cfg.providers) s->providers[name] = make(p);
  s->tools = tools::registry();
  s->caps = caps;
  s->cfg = std::move(cfg);
  return snapshot_ptr(std::move(s));
}

}  // namespace frugal::agent
