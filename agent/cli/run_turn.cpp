// Blocking wrapper over one asynchronous turn, with signal handling on the same loop.
#include "agent/cli/run_turn.h"

#include <csignal>
#include <optional>

#include "agent/cli/cli.h"
#include "core/log.h"

namespace frugal::cli {

namespace {

struct signal_target {
  agent::runtime* rt;
  int seen = 0;
};

}  // namespace

agent::turn_result run_turn(agent::runtime& rt, agent::turn_request req, int* signal_seen) {
  std::optional<agent::turn_result> result;
  uv_owned<uv_signal_t> sigint, sigterm;
  signal_target target{&rt};
  auto on_signal = [](uv_signal_t* h, int signum) {
    if (!h->data) return;
    auto* t = static_cast<signal_target*>(h->data);
    LOG_INFO("cli", "signal ", signum, ": stopping");
    if (t->seen == 0) t->seen = signum;
    t->rt->cancel_all();
  };
  for (auto* s : {&sigint, &sigterm}) {
    if (uv_signal_init(rt.loop(), s->get()) == 0) {
      s->mark_initialized();
      (*s)->data = &target;
    }
  }
  if (sigint.initialized()) uv_signal_start(sigint.get(), on_signal, SIGINT);
  if (sigterm.initialized()) uv_signal_start(sigterm.get(), on_signal, SIGTERM);

  rt.handle(std::move(req), [&result](agent::turn_result r) { result = std::move(r); });
  while (!result || rt.turns_in_flight() > 0) {
    if (uv_run(rt.loop(), UV_RUN_ONCE) == 0 && !result) {
      LOG_ERROR("cli", "the event loop ran dry before the turn finished");
      result = agent::turn_result{agent::turn_status::internal, "internal error"};
    }
    if (result && rt.turns_in_flight() == 0) break;
  }
  if (signal_seen && target.seen) *signal_seen = target.seen;
  return *result;
}

int exit_code_for(const agent::turn_result& r) {
  switch (r.status) {
    case agent::turn_status::answered:
      return exit_ok;
    case agent::turn_status::refused_budget:
      return exit_budget;
    case agent::turn_status::unreachable:
      return exit_unreachable;
    case agent::turn_status::denied:
    case agent::turn_status::misconfigured:
      return exit_usage;
    case agent::turn_status::internal:
      return exit_internal;
  }
  return exit_internal;
}

}  // namespace frugal::cli
