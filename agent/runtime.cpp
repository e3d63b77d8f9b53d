// Building and tearing down the runtime. Order matters: the loop first (everything hangs
// off it), then storage, then the objects that use both. Teardown closes every handle and
// runs the loop until libuv has released them.
#include "agent/runtime.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "agent/turn/turn.h"
#include "core/log.h"
#include "policies/realm.h"
#include "tools/tool.h"

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

// A workspace is 0700. As root, sandboxed children run as nobody (tools/sandbox.h), so
// the workspace is handed to nobody; the folders above it stay 0700 and root's: the child
// opens its workspace (namespaces: the bind source; without them: its cwd) while it is
// still root, before it takes nobody's ids, and never reaches it by path afterwards.
void prepare_workspace(const std::string& workspace, uint32_t uid) {
  if (::geteuid() == 0 && ::chown(workspace.c_str(), uid, uid) != 0)
    LOG_WARN("runtime", "cannot hand ", workspace, " to the sandbox user: ", std::strerror(errno));
  (void)::chmod(workspace.c_str(), 0700);
}

}  // namespace

std::unique_ptr<runtime> runtime::create(const std::string& config_path,
                                         const std::string& log_level, startup_error& err) {
  struct stat st {};
  if (::stat(config_path.c_str(), &st) != 0) {
    err = {2, "no config at " + config_path + "; write a starter one with `frugal --config " +
                  config_path + " init`"};
    return nullptr;
  }
  auto loaded = config::load(config_path);
  if (!loaded) {
    err = {2, loaded.message()};
    return nullptr;
  }
  std::unique_ptr<runtime> rt(new runtime());
  if (auto s = policies::validate_identity_lists(*loaded); !s) {
    err = {2, s.message()};
    return nullptr;
  }
  if (auto s = tools::resolve_tool_names(*loaded); !s) {
    err = {2, s.message()};
    return nullptr;
  }
  if (auto s = budget::governor::check(loaded->budget); !s) {  // e.g. an unknown time zone
    err = {2, s.message()};
    return nullptr;
  }
  // The providers need the HTTP client, which needs the loop: both come before anything
  // is created on disk, so that a configuration error (an unpriced model) leaves no trace.
  if (int rc = uv_loop_init(&rt->loop_); rc != 0) {
    err = {1, std::string("event loop: ") + uv_strerror(rc)};
    return nullptr;
  }
  rt->loop_ready_ = true;
  rt->http_ = std::make_unique<http::client>(&rt->loop_);
  auto caps = tools::probe(loaded->sandbox);
  auto snap = make_snapshot(std::move(loaded.value()), caps, rt->provider_maker());
  if (!snap) {
    err = {2, snap.message()};
    return nullptr;
  }
  rt->snap_ = std::move(snap.value());
  const config::file& cfg = rt->snap_->cfg;
  log::level lvl = log::level::info;
  log::parse_level(log_level.empty() ? cfg.agent.log_level : log_level, lvl);
  log::set_level(lvl);

  // The state folder is private (0700), as root too: a sandboxed child needs no way in
  // (prepare_workspace). One left 0711 by an older version is narrowed.
  if (auto s = make_dirs(cfg.agent.state_dir, 0700); !s) {
    err = {1, "state_dir: " + s.message()};
    return nullptr;
  }
  (void)::chmod(cfg.agent.state_dir.c_str(), 0700);
  (void)::chmod((cfg.agent.state_dir + "/workspaces").c_str(), 0700);  // when it exists
  for (const auto& [kind, realm] : cfg.realms) {
    if (auto s = make_dirs(realm.workspace, 0700); !s) {
      err = {1, log::cat("realms.", core::realm_name(kind), ".workspace: ", s.message())};
      return nullptr;
    }
    prepare_workspace(realm.workspace, tools::spawn_spec{}.root_fallback_uid);
  }
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
    err = {1, gov.message()};  // the settings passed check(): the database failed
    return nullptr;
  }
  rt->governor_ = std::make_unique<budget::governor>(std::move(gov.value()));
  // From here on the database is used from the loop: a lock held by another process
  // makes a statement fail after a few ms (retried from a timer), never block the loop.
  rt->db_->set_busy_timeout_ms(store::database::k_loop_busy_ms);
  if (auto s = rt->governor_->recover_orphans(); !s) {
    err = {1, s.message()};
    return nullptr;
  }
  if (uv_prepare_init(&rt->loop_, rt->sweeper_.get()) == 0) {
    rt->sweeper_.mark_initialized();
    rt->sweeper_->data = rt.get();
  }
  return rt;
}

void runtime::flush_ledger_later() {
  if (!ledger_retry_.initialized()) {
    if (uv_timer_init(&loop_, ledger_retry_.get()) != 0) return;
    ledger_retry_.mark_initialized();
    ledger_retry_->data = this;
  }
  if (uv_is_active(ledger_retry_.handle())) return;
  uv_timer_start(
      ledger_retry_.get(),
      [](uv_timer_t* h) {
        auto* rt = static_cast<runtime*>(h->data);
        if (!rt) return;
        if (auto s = rt->governor_->flush_pending(); !s) LOG_ERROR("budget", s.message());
        if (!rt->governor_->has_pending()) uv_timer_stop(h);
      },
      20, 20);
}

runtime::~runtime() {
  cancel_all();
  turns_.clear();
  snap_.reset();  // the providers; no turn holds them any more
  if (governor_ && governor_->has_pending()) {
    // Shutting down: waiting for the lock now is better than leaving an orphan row.
    db_->set_busy_timeout_ms(store::database::k_startup_busy_ms);
    if (auto s = governor_->flush_pending(); !s) LOG_ERROR("budget", s.message());
  }
  ledger_retry_.close();
  tools_http_.reset();
  http_.reset();
  sweeper_.close();
  if (loop_ready_) {
    // Let libuv finish closing handles, then close the loop.
    uv_run(&loop_, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop_) != 0) LOG_WARN("runtime", "event loop closed with handles open");
  }
}

provider_factory runtime::provider_maker() {
  return [http = http_.get()](const config::provider& p) {
    return llm::make_provider(provider_config_of(p), *http);
  };
}

http::client& runtime::tools_http() {
  if (!tools_http_) tools_http_ = std::make_unique<http::client>(&loop_);
  return *tools_http_;
}

void runtime::handle(turn_request req, turn_done done) {
  sweep();
  turn_env env;
  env.loop = &loop_;
  env.governor = governor_.get();
  env.history = history_.get();
  env.health = &health_;
  env.rate = &rate_;
  env.tool_db = db_.get();
  env.tool_http = &tools_http();
  env.flush_ledger_later = [this] { flush_ledger_later(); };
  turns_.push_back(std::make_unique<turn>(snap_, env, std::move(req), std::move(done)));
  turn* t = turns_.back().get();
  if (sweeper_.initialized())
    uv_prepare_start(sweeper_.get(), [](uv_prepare_t* h) {
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
  if (turns_.empty() && sweeper_.initialized()) uv_prepare_stop(sweeper_.get());
}

status runtime::reload(config::file next) {
  if (auto s = policies::validate_identity_lists(next); !s) return s;
  if (auto s = tools::resolve_tool_names(next); !s) return s;
  const config::budget_section budget = next.budget;
  // The old snapshot (and its providers) lives on in the turns that hold it.
  // The [sandbox] settings travel in the probe result: probe again (the namespaces are
  // asked anew, on first need, as after a restart).
  auto caps = tools::probe(next.sandbox);
  auto snap = make_snapshot(std::move(next), caps, provider_maker());
  if (!snap) return snap.err();
  if (auto s = governor_->reconfigure(budget); !s) return s;
  snap_ = std::move(snap.value());
  log::level lvl;
  if (log::parse_level(snap_->cfg.agent.log_level, lvl)) log::set_level(lvl);
  return status::success();
}

}  // namespace frugal::agent
