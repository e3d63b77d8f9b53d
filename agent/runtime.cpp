// Building and tearing down the runtime. Order matters: the loop first (everything hangs
// off it), then storage, then the objects that use both. Teardown closes every handle and
// runs the loop until libuv has released them.
#include "agent/runtime.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/log.h"
#include "agent/turn/turn.h"
#include "policies/realm.h"

namespace frugal::agent {
namespace {

status make_dirs(const std::string& dir, mode_t mode) {
  for (size_t i = 1; i <= dir.size(); ++i) {
    if (i != dir.size() && dir[i] != '/') continue;
    std::string part = dir.substr(0, i);
    if (::mkdir(part.c_str(), mode) != 0 && errno != EEXIST)
      return fail("cannot create ", part, ": ", std::strerror(errno));
  }
  return status::success();
}

// As root, sandboxed children run as nobody (tools/sandbox.h): their workspace must be
// theirs and every folder above it searchable. The database stays out of their reach by
// Landlock, which allows them nothing outside the workspace and the system folders.
void prepare_workspace_for_root(const std::string& workspace, uint32_t uid) {
  if (::geteuid() != 0) return;
  if (::chown(workspace.c_str(), uid, uid) != 0)
    LOG_WARN("runtime", "cannot hand ", workspace, " to the sandbox user: ", std::strerror(errno));
  for (std::string dir = workspace; dir.size() > 1;) {
    dir = dir.substr(0, dir.rfind('/'));
    if (dir.empty()) break;
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0 && !(st.st_mode & S_IXOTH))
      LOG_WARN("runtime", "sandboxed tools run as nobody and cannot reach ", workspace, ": ", dir,
               " is not searchable (chmod o+x it, or run frugal as its own user)");
  }
}

llm::provider_config provider_config_of(const config::provider& p) {
  llm::provider_config c;
  c.name = p.name;
  c.kind = p.kind == "anthropic" ? llm::api_kind::anthropic : llm::api_kind::openai;
  c.base_url = p.base_url;
  c.api_key = p.api_key;
  c.local = p.local;
  c.connect_timeout_ms = p.connect_timeout_s * 1000;
  if (p.first_byte_timeout_s > 0)
    c.first_byte_timeout_ms = p.first_byte_timeout_s * 1000;
  else
    c.first_byte_timeout_ms = p.local ? 300'000 : 60'000;
  return c;
}

// Price every model now, so an unpriced paid model is a configuration error at start.
status price_models(const config::file& cfg, std::map<std::string, budget::price>& out) {
  out.clear();
  for (const auto& [name, m] : cfg.models) {
    auto p = budget::price_for(m, cfg.providers.at(m.provider));
    if (!p) return fail(cfg.path, ":", static_cast<int64_t>(m.line), ": ", p.message());
    out[name] = *p;
  }
  return status::success();
}

}  // namespace

std::unique_ptr<runtime> runtime::create(const std::string& config_path,
                                         const std::string& log_level, startup_error& err,
                                         bool need_secrets) {
  struct stat st {};
  if (::stat(config_path.c_str(), &st) != 0) {
    err = {2, "no config at " + config_path + "; write a starter one with `frugal --config " +
                  config_path + " init`"};
    return nullptr;
  }
  // Read-only commands must work without the service's secrets in the environment.
  config::env_fn lenient = [](const std::string& name) -> std::string {
    const char* v = std::getenv(name.c_str());
    return v && *v ? v : "unset-for-read-only-command";
  };
  auto loaded = config::load(config_path, need_secrets ? nullptr : lenient);
  if (!loaded) {
    err = {2, loaded.message()};
    return nullptr;
  }
  std::unique_ptr<runtime> rt(new runtime());
  rt->cfg_ = std::move(loaded.value());
  if (auto s = policies::validate_identity_lists(rt->cfg_); !s) {
    err = {2, config_path + ": " + s.message()};
    return nullptr;
  }
  if (auto s = price_models(rt->cfg_, rt->prices_); !s) {
    err = {2, s.message()};
    return nullptr;
  }
  log::level lvl = log::level::info;
  log::parse_level(log_level.empty() ? rt->cfg_.agent.log_level : log_level, lvl);
  log::set_level(lvl);

  const auto& cfg = rt->cfg_;
  // Running as root, the state folder must let the sandbox user through to the
  // workspaces (0711: searchable, not listable); otherwise it is private to us (0700).
  const bool root = ::geteuid() == 0;
  if (auto s = make_dirs(cfg.agent.state_dir, root ? 0711 : 0700); !s) {
    err = {1, "state_dir: " + s.message()};
    return nullptr;
  }
  if (root) (void)make_dirs(cfg.agent.state_dir + "/workspaces", 0711);
  for (const auto& [name, realm] : cfg.realms) {
    if (auto s = make_dirs(realm.workspace, 0700); !s) {
      err = {1, "realms." + name + ".workspace: " + s.message()};
      return nullptr;
    }
    prepare_workspace_for_root(realm.workspace, tools::spawn_spec{}.root_fallback_uid);
  }
  if (int rc = uv_loop_init(&rt->loop_); rc != 0) {
    err = {1, std::string("event loop: ") + uv_strerror(rc)};
    return nullptr;
  }
  rt->loop_ready_ = true;
  auto db = store::database::open(cfg.agent.state_dir + "/frugal.db");
  if (!db) {
    err = {1, db.message()};
    return nullptr;
  }
  rt->db_ = std::make_unique<store::database>(std::move(db.value()));
  auto hist = session::history::open(*rt->db_);
  if (!hist) {
    err = {1, hist.message()};
    return nullptr;
  }
  rt->history_ = std::make_unique<session::history>(std::move(hist.value()));
  auto gov = budget::governor::open(*rt->db_, cfg.budget);
  if (!gov) {
    err = {gov.message().find("timezone") != std::string::npos ? 2 : 1, gov.message()};
    return nullptr;
  }
  rt->governor_ = std::make_unique<budget::governor>(std::move(gov.value()));
  if (auto s = rt->governor_->recover_orphans(); !s) {
    err = {1, s.message()};
    return nullptr;
  }
  rt->http_ = std::make_unique<http::client>(&rt->loop_);
  rt->tools_http_ = std::make_unique<http::client>(&rt->loop_);
  for (const auto& [name, p] : cfg.providers)
    rt->providers_[name] = llm::make_provider(provider_config_of(p), *rt->http_);
  rt->caps_ = tools::probe();
  if (uv_idle_init(&rt->loop_, rt->sweeper_.get()) == 0) {
    rt->sweeper_.mark_initialized();
    rt->sweeper_->data = rt.get();
  }
  return rt;
}

runtime::~runtime() {
  cancel_all();
  turns_.clear();
  providers_.clear();
  retired_providers_.clear();
  tools_http_.reset();
  http_.reset();
  sweeper_.close();
  if (loop_ready_) {
    // Let libuv finish closing handles, then close the loop.
    uv_run(&loop_, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop_) != 0) LOG_WARN("runtime", "event loop closed with handles open");
  }
}

llm::provider& runtime::provider_for(const std::string& model_name) {
  return *providers_.at(cfg_.models.at(model_name).provider);
}

const budget::price& runtime::price_of(const std::string& model_name) const {
  return prices_.at(model_name);
}

void runtime::handle(turn_request req, turn_done done) {
  sweep();
  turns_.push_back(std::make_unique<turn>(*this, std::move(req), std::move(done)));
  turn* t = turns_.back().get();
  if (sweeper_.initialized())
    uv_idle_start(sweeper_.get(), [](uv_idle_t* h) {
      if (h->data) static_cast<runtime*>(h->data)->sweep();
    });
  t->start();
}

size_t runtime::turns_in_flight() const {
  size_t n = 0;
  for (const auto& t : turns_) n += t->finished() ? 0 : 1;
  return n;
}

void runtime::cancel_all() {
  for (auto& t : turns_)
    if (!t->finished()) t->cancel("shutting down");
}

void runtime::sweep() {
  turns_.remove_if([](const std::unique_ptr<turn>& t) { return t->finished(); });
  if (turns_.empty()) {
    retired_providers_.clear();
    if (sweeper_.initialized()) uv_idle_stop(sweeper_.get());
  }
}

status runtime::reload(config::file next) {
  std::map<std::string, budget::price> prices;
  if (auto s = policies::validate_identity_lists(next); !s) return s;
  if (auto s = price_models(next, prices); !s) return s;
  if (auto s = governor_->reconfigure(next.budget); !s) return s;
  std::map<std::string, std::unique_ptr<llm::provider>> providers;
  for (const auto& [name, p] : next.providers)
    providers[name] = llm::make_provider(provider_config_of(p), *http_);
  // A call in flight holds a pointer to its provider: retire the old ones instead of
  // destroying them; sweep() frees them once no turn is left.
  for (auto& [name, p] : providers_) retired_providers_.push_back(std::move(p));
  providers_ = std::move(providers);
  prices_ = std::move(prices);
  cfg_ = std::move(next);
  log::level lvl;
  if (log::parse_level(cfg_.agent.log_level, lvl)) log::set_level(lvl);
  return status::success();
}

}  // namespace frugal::agent
