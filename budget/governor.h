// The spend governor: the policy on top of the ledger. Before every model call it reserves
// the worst case against the day's caps (whole agent, public realm, each public sender,
// the month) and answers with a named verdict; after the call it settles, releases or
// charges in full. It never lets settled + outstanding pass a cap, except when a provider
// bills more than the reservation — then it records the truth and stops paid calls for
// the day. It does not choose tiers or models (agent/router does) and is not thread-safe.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "budget/ledger.h"
#include "budget/ledger_seal.h"
#include "budget/prices.h"
#include "budget/usage.h"
#include "core/config/config.h"
#include "core/result.h"
#include "core/store/database.h"
#include "core/time/day.h"

namespace frugal::budget {

// The caps of one day in micro-dollars, derived once from config::budget_section.
struct limits {
  int64_t daily = 0;         // whole agent (daily_usd, rounded down)
  int64_t public_realm = 0;  // floor(daily × public_share)
  int64_t per_sender = 0;    // each public sender (per_sender_usd); 0 = no such cap
  int64_t monthly = 0;       // 0 = no monthly cap
  int64_t warn = 0;          // floor(daily × warn_at); 0 = never warn
  int64_t min_output_tokens = 64;
  int64_t overhead_per_message = 8;
};
// Checks ranges (daily_usd ≥ 0, fractions in 0..1, …); errors name the budget.* key.
result<limits> limits_from(const config::budget_section& cfg);

enum class verdict_kind {
  allow,    // reserved as asked
  shrunk,   // reserved with a smaller max_tokens (the largest that fits, ≥ the floor)
  refuse,   // does not fit even at the floor: route down or tell the user `reason`
  stopped,  // paid calls are stopped for today (a provider charged above a reservation)
  busy,     // another process holds the ledger's write lock: nothing reserved, ask again
            // in a few milliseconds (from a timer: the loop never waits on the lock)
  error,    // the ledger failed; nothing reserved (fails closed); reason is secret-free,
            // detail names the database file and the cause (for the operator only)
};

struct verdict {
  verdict_kind kind = verdict_kind::refuse;
  int64_t reservation_id = 0;  // when allowed: pass to settle / release / charge_full
  int64_t reserved_micro = 0;
  int64_t max_tokens = 0;  // when allowed: the max_tokens to send
  std::string reason;      // when not allowed: one line for the owner and the log, with the
                           // figures; a public sender is told public_refusal instead
  std::string detail;      // kind == error: "ledger /path/frugal.db: <cause>" (operator only)
  bool allowed() const { return kind == verdict_kind::allow || kind == verdict_kind::shrunk; }
};

// What a public sender hears when the budget refuses: no cap, spend, what is left, time
// zone or which cap it was (README, realms: budget detail is for the owner only).
inline constexpr std::string_view public_refusal =
    "Sorry, I have reached my spending limit for now; please try again later.";

struct governor_options {
  tz::clock_fn clock;                    // default: system_now
  liveness_fn alive;                     // default: process_alive
  std::optional<process_identity> self;  // default: process_identity::current()
};

// What `frugal budget` shows. Amounts in micro-dollars.
struct summary {
  std::string day, timezone;
  int64_t now = 0, resets_at = 0;
  std::string resets_at_local;  // ISO 8601 with offset
  int64_t cap = 0, spent = 0, reserved = 0, remaining = 0;
  int64_t public_cap = 0, per_sender_cap = 0, monthly_cap = 0, month_total = 0;
  bool stopped = false;
  std::string stop_reason;
  std::vector<breakdown_row> by_tier, by_model, by_realm;
  token_counts tokens;  // the day's calls: input (cache reads and writes included), output
};

class governor {
 public:
  // Opens the ledger in `db` (which must outlive the governor) with the caps in `cfg`, and
  // its seal (ledger_seal.h) in `ledger.seal` beside a file database. An unknown time zone
  // or a bad amount is an error naming the budget.* key.
  static result<governor> open(store::database& db, const config::budget_section& cfg,
                               governor_options opts = {});
  // The budget settings' own errors, each naming its budget.* key (an amount out of range,
  // an unknown time zone): configuration errors, found before anything is opened. open()
  // fails on them too; any other open() error is the database's.
  static status check(const config::budget_section& cfg);
  // New caps and zone (SIGHUP). Open reservations are kept. On error nothing changes.
  status reconfigure(const config::budget_section& cfg);

  // Reserves the worst case of one call: input_bytes of everything sent (UTF-8), in
  // `messages` messages, plus up to max_tokens of output, at price `p`. A free price is
  // always allowed (a 0 µ$ row is still written). Every allowed verdict must later be
  // closed by exactly one of settle / release / charge_full.
  verdict reserve(const call_info& info, const price& p, int64_t input_bytes, int64_t messages,
                  int64_t max_tokens);
  // What reserve() would answer now, without writing anything (`ask --dry-run`). The
  // verdict's reservation_id is 0; nothing needs closing.
  verdict quote(const call_info& info, const price& p, int64_t input_bytes, int64_t messages,
                int64_t max_tokens);
  // Settles from reported usage (actual_micro). Usage not present → charge_full. Usage
  // with a doubt (missing, partial or implausible final counts) → the reservation in full,
  // the counts seen recorded beside it — unless they already price above it. An actual
  // above the reservation is recorded, logged as an error, and stops paid calls for the
  // rest of that day.
  status settle(int64_t id, const usage& u);
  // The call was certainly not billed (not sent, HTTP error with a body, 429, 5xx).
  status release(int64_t id, std::string_view why = "");
  // The outcome is unknown (timeout, dropped stream): the whole reservation is spent.
  // `seen` (the partial usage, if any) is recorded on the row; it changes no amount.
  status charge_full(int64_t id, std::string_view why = "", const usage& seen = {});
  // settle / release / charge_full that found the ledger locked by another process are
  // kept (the row stays open, counted against the cap) and retried here. The caller runs
  // it from a timer while has_pending(); the first error is returned, busy ones stay.
  bool has_pending() const { return !pending_.empty(); }
  status flush_pending();
  // At start: settles in full the open reservations of processes that no longer run. A
  // ledger locked by another process skips it (success): open rows still count.
  status recover_orphans();

  // Non-empty when the ledger was replaced (deleted, emptied, an older copy restored):
  // every paid reservation is then an error verdict carrying this text as its detail.
  const std::string& ledger_problem() const { return seal_.problem(); }
  // `frugal budget --accept-new-ledger`: takes the database as it is as the ledger.
  status accept_new_ledger() { return seal_.accept(); }

  // Share of today's budget left for (realm, sender): the smallest remaining/cap over the
  // scopes that apply, 0..1. For routing decisions only; the cap check is reserve().
  double fraction_left(core::realm_kind realm, const std::string& sender);
  // The warning line, once, the first time today's settled spend passes warn_at × cap in
  // this process (the log line is written once per day across processes). Then empty.
  std::optional<std::string> take_warning();

  result<summary> today();
  result<std::vector<day_row>> history(int64_t days);
  // Retention: prunes the per-call rows of days more than `keep_days` before today (in the
  // budget's time zone); daily totals and open reservations stay (ledger::prune). 0 keeps
  // everything. Returns the rows deleted.
  result<int64_t> prune_calls(int64_t keep_days);
  const limits& caps() const { return limits_; }
  const tz::zone& time_zone() const { return zone_; }

 private:
  governor(ledger l, ledger_seal s, limits caps, tz::zone z, governor_options o)
      : ledger_(std::move(l)),
        seal_(std::move(s)),
        limits_(caps),
        zone_(std::move(z)),
        opts_(std::move(o)) {}
  std::string reset_text(int64_t now) const;
  verdict evaluate(const call_info& info, const price& p, int64_t input_bytes, int64_t messages,
                   int64_t max_tokens, bool commit);
  void check_warning(const std::string& day);
  int64_t now() const { return opts_.clock ? opts_.clock() : tz::system_now(); }

  enum class close_kind { settle, release, full };
  struct pending_close {
    close_kind kind;
    int64_t id = 0;
    int64_t actual = 0;
    token_counts tokens;
    std::string outcome, stop_reason;
    int64_t at = 0;  // when the call ended
  };
  status close(pending_close c);

  struct open_call {
    price p;
    std::string model;
    int64_t reserved = 0;
  };
  ledger ledger_;
  ledger_seal seal_;
  limits limits_;
  tz::zone zone_;
  governor_options opts_;
  std::map<int64_t, open_call> open_;   // this process's open reservations
  std::vector<pending_close> pending_;  // closes deferred by a busy ledger
  std::optional<std::string> warning_;
  std::string warned_day_;  // the day this process saw the warning line written
};

}  // namespace frugal::budget
