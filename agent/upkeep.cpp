// The daemon's housekeeping: retention, compaction and giving memory back. Retention runs
// in a few short transactions on the loop thread: at 300 turns a day a day's rows are a few
// hundred, so a daily prune is a few milliseconds.
#include "agent/upkeep.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "core/log.h"
#include "tools/audit.h"

namespace frugal::agent {
namespace {

// How many freed pages one upkeep gives back (4 MiB of 1 KiB pages): a big first prune
// finishes over a few days instead of holding the write lock for long.
constexpr int64_t k_vacuum_pages = 4096;

int64_t now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

}  // namespace

result<upkeep_report> daily_upkeep(runtime& rt) {
  const auto& a = rt.cfg().agent;
  upkeep_report rep;
  status first = status::success();
  auto note = [&](status s) {
    if (!s && first) first = std::move(s);
  };
  if (auto n = rt.governor().prune_calls(a.ledger_retention_days); n)
    rep.ledger_rows = *n;
  else
    note(n.err());
  if (a.audit_retention_days > 0) {
    if (auto n = tools::audit::prune(rt.db(), now_ms() - a.audit_retention_days * 86'400'000); n)
      rep.audit_rows = *n;
    else
      note(n.err());
  }
  note(rt.db().compact(k_vacuum_pages));
  if (!first) return fail("upkeep: ", first.message());
  return rep;
}

bool trim_schedule::postpone(uint64_t now_ms) {
  if (!armed_) {
    armed_ = true;
    first_armed_ms_ = now_ms;
    return true;
  }
  return now_ms - first_armed_ms_ < k_max_wait_ms;
}

void give_back_memory(runtime& rt) {
  rt.db().release_memory();
  malloc_trim(0);
  give_back_stack();
}

void give_back_stack() {
  if (::gettid() != ::getpid()) return;
  // The lowest address of the main thread's stack mapping, from /proc/self/maps.
  uintptr_t lowest = 0;
  if (FILE* f = std::fopen("/proc/self/maps", "re")) {
    char line[512];
    while (std::fgets(line, sizeof line, f)) {
      if (std::strstr(line, "[stack]")) {
        lowest = std::strtoull(line, nullptr, 16);
        break;
      }
    }
    std::fclose(f);
  }
  const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  volatile char here = 0;
  const uintptr_t end = (reinterpret_cast<uintptr_t>(&here) - 16 * 1024) & ~(page - 1);
  if (lowest == 0 || end <= lowest) return;
  ::madvise(reinterpret_cast<void*>(lowest), end - lowest, MADV_DONTNEED);
}

void limit_threads_and_arenas() {
  mallopt(M_ARENA_MAX, 1);
  ::setenv("UV_THREADPOOL_SIZE", "2", 0);  // libuv reads it when the pool first starts
}

}  // namespace frugal::agent
