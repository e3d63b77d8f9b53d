// The spend ledger: one sqlite row per model call (reserved → settled | released |
// orphan_settled) plus a small per-day table (stopped, warned). Reservations are inserted
// in a BEGIN IMMEDIATE transaction that first re-reads the day's totals, so processes
// sharing the file serialise on the write lock and cannot both take the last dollar.
// It holds no caps and makes no decision: the governor passes a decide function.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "budget/process_identity.h"
#include "core/realm.h"
#include "core/result.h"
#include "core/store/database.h"

namespace frugal::budget {

// What a call is for; written to the row and used to pick the scopes it counts against.
struct call_info {
  core::realm_kind realm = core::realm_kind::public_;  // stored as its name
  std::string sender;     // identity within the realm ("account:alice", "@bob:x.org")
  std::string transport;  // "irc.libera", "matrix.home", "stdin"
  std::string tier;
  std::string model;  // config model name
  std::string route_reason;
};

// Money counted against a scope on one day: settled actuals and open reservations.
struct scope_total {
  int64_t settled = 0;
  int64_t outstanding = 0;
  int64_t total() const { return settled + outstanding; }
};

struct day_totals {
  scope_total agent;   // the whole agent
  scope_total realm;   // the call's realm
  scope_total sender;  // the call's (realm, sender)
  int64_t month = 0;   // settled + outstanding over the day's month (when asked for)
  bool stopped = false;
};

// Tokens of calls: `in` counts every input token (cached reads and cache writes included).
struct token_counts {
  int64_t in = 0, out = 0, cached = 0, cache_write = 0;
};

// A closed reservation, as the governor needs it afterwards.
struct closed_row {
  std::string day;
  int64_t reserved = 0;
  int64_t actual = 0;
  bool exceeded() const { return actual > reserved; }
};

struct breakdown_row {
  std::string key;  // a tier, model or realm name
  int64_t settled = 0, outstanding = 0, calls = 0;
};

struct day_row {
  std::string day;
  int64_t settled = 0, outstanding = 0, calls = 0;
  bool stopped = false;
  token_counts tokens;  // summed over the day's calls (out is not filled)
};

class ledger {
 public:
  // Applies the "ledger" migrations (idempotent, so processes may race at first start).
  // `db` must outlive the ledger. `self` is written on every reservation.
  static result<ledger> open(store::database& db, process_identity self);

  // Inside BEGIN IMMEDIATE: reads the totals of `day` for the agent, info.realm and
  // (info.realm, info.sender) — and of the month when `with_month` — then calls `decide`.
  // Reservations of the two days before `day` that are still open count as outstanding
  // on `day` too (they will settle on it: see settle).
  // decide returns the amount to reserve (≥ 0: a 'reserved' row is inserted and its id
  // returned) or a negative number (nothing is written; returns 0). decide must not
  // touch the database.
  result<int64_t> reserve(const std::string& day, int64_t now, const call_info& info,
                          bool with_month, const std::function<int64_t(const day_totals&)>& decide);

  // Closes an open reservation. settle records `actual`; when it exceeds the reservation
  // the day is marked stopped with `stop_reason`, in the same transaction. A settle or
  // charge_full on a later `settle_day` than the reservation's (a call in flight at
  // midnight) moves the row to settle_day: a call counts on the day it ends. release
  // records 0; charge_full records the reserved amount (and `tokens`, the usage seen, if
  // any). An id that is not an open reservation is an error (nothing changes).
  result<closed_row> settle(int64_t id, int64_t actual, token_counts tokens,
                            std::string_view outcome, std::string_view stop_reason, int64_t now,
                            const std::string& settle_day = "");
  result<closed_row> release(int64_t id, std::string_view outcome, int64_t now);
  result<closed_row> charge_full(int64_t id, std::string_view outcome, int64_t now,
                                 token_counts tokens = {}, const std::string& settle_day = "");

  // Settles at their full amount the open reservations of processes `alive` says are gone
  // (never this ledger's own). Returns how many rows it closed.
  result<int64_t> recover_orphans(const liveness_fn& alive, int64_t now);

  // Retention: deletes the closed rows of days before `before_day` ("YYYY-MM-DD") in one
  // transaction, adding their number of calls and input/cached/written tokens to
  // ledger_days (pruned_*). The daily sums (what the caps and `history` read) are kept;
  // open reservations are never pruned.
  // Returns how many rows it deleted.
  result<int64_t> prune(const std::string& before_day);

  // Read-only views (no transaction beyond sqlite's implicit one).
  result<day_totals> totals(const std::string& day, const call_info& info, bool with_month);
  result<std::string> stop_reason(const std::string& day);
  // Marks the day warned; true only for the first caller (across processes).
  result<bool> mark_warned(const std::string& day);
  // Per `column` ("tier" | "model" | "realm") for one day, largest spend first.
  result<std::vector<breakdown_row>> breakdown(const std::string& day, std::string_view column);
  // Tokens of the day's calls, summed.
  result<token_counts> day_tokens(const std::string& day);
  // The last `n` days that have spent or reserved anything, newest first (pruned days
  // included: their totals come from the daily sums, their tokens from ledger_days).
  result<std::vector<day_row>> history(int64_t n);

  const process_identity& self() const { return self_; }
  // True when the last reserve / settle / release / charge_full failed only because another
  // connection held the write lock past the busy timeout: nothing changed, retry later.
  bool last_busy() const { return busy_; }
  // The database file, for messages about storage faults.
  const std::string& path() const { return db_->path(); }

 private:
  ledger(store::database& db, process_identity self) : db_(&db), self_(std::move(self)) {}
  result<closed_row> close(int64_t id, std::string_view state, int64_t actual, token_counts tokens,
                           std::string_view outcome, std::string_view stop_reason, int64_t now,
                           bool full, const std::string& settle_day);
  // The statements on the reserve/settle path, prepared once per ledger and reset after
  // every use (an un-reset SELECT would pin an old read snapshot).
  enum slot {
    s_totals,
    s_carry,
    s_month,
    s_insert,
    s_select,
    s_update,
    s_sums,
    s_begin,
    s_commit,
    s_rollback,
    s_count
  };
  result<store::statement*> cached(slot s, std::string_view sql);
  // BEGIN IMMEDIATE … COMMIT (ROLLBACK when body fails) with cached statements: the same
  // as database::immediate without parsing three statements per call.
  template <class F>
  status immediate(F&& body);
  // Adds to the running sums of (day, realm, sender); inside the caller's transaction.
  status add_sums(const std::string& day, core::realm_kind realm, const std::string& sender,
                  int64_t settled, int64_t outstanding);

  store::database* db_;
  process_identity self_;
  bool busy_ = false;
  std::array<std::unique_ptr<store::statement>, s_count> cache_;
};

}  // namespace frugal::budget
