// upkeep: the daemon's housekeeping. Once a day: prune per-call ledger rows and tool audit
// rows past their retention ([agent] ledger_retention_days, audit_retention_days; daily
// totals stay), give freed pages back to the file system and checkpoint the WAL. After a
// burst of turns (and about once a minute under steady traffic): hand the page cache's
// unused pages and malloc's free memory back to the kernel. It owns no timer (agent/daemon.cpp
// decides when) and never runs a turn.
#pragma once
#include <cstdint>

#include "agent/runtime.h"
#include "core/result.h"

namespace frugal::agent {

struct upkeep_report {
  int64_t ledger_rows = 0;  // per-call ledger rows pruned
  int64_t audit_rows = 0;   // audit rows pruned
};

// Applies both retentions and compacts the database. Each step runs even when an earlier
// one failed; the first failure is returned (the daemon logs it and tries again tomorrow).
result<upkeep_report> daily_upkeep(runtime& rt);

// When the daemon gives memory back: k_quiet_ms after the last reply of a burst or a
// transport's connect (each one postpones it), but traffic that never pauses for that long
// postpones it by at most k_max_wait_ms, so a daemon under steady traffic still gives back
// what it freed about once a minute. Nothing here arms a timer: an idle daemon never wakes.
class trim_schedule {
 public:
  static constexpr uint64_t k_quiet_ms = 2000, k_max_wait_ms = 60'000;
  // A reply or connect at `now_ms`: true when the one-shot timer is to be (re)started for
  // k_quiet_ms; false when it is already running and was first started k_max_wait_ms ago or
  // more (it then fires as it was last started).
  bool postpone(uint64_t now_ms);
  // The timer fired: memory is being given back.
  void fired() { armed_ = false; }

 private:
  bool armed_ = false;
  uint64_t first_armed_ms_ = 0;
};

// Frees what a burst left behind: sqlite's unused cache pages, the free memory at the
// top and inside of malloc's heaps (malloc_trim) and the main thread's unused stack
// (give_back_stack). Cheap enough to call after each burst.
void give_back_memory(runtime& rt);

// On the main thread: gives the kernel back the stack pages more than 16 KiB below the
// caller's frame, which a deep call touched once (start-up: the dynamic loader, OpenSSL's
// configuration, sqlite's migrations) and no live frame uses; a later deep call gets
// fresh zero pages. Does nothing on another thread. Call from a shallow frame.
void give_back_stack();

// Caps glibc's malloc at one arena and libuv's thread pool at two threads (unless
// UV_THREADPOOL_SIZE is set). The daemon's work happens on the loop thread; the pool only
// resolves host names for IRC connects (curl's resolver threads are short-lived), and its
// default four threads, each with a stack, and a second arena cost private memory for
// nothing. Call before any thread starts.
void limit_threads_and_arenas();

}  // namespace frugal::agent
