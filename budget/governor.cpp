// Governor policy: which caps apply to a call, shrinking max_tokens to fit, the refusal
// text, and what to do after a call. All comparisons are on int64 micro-dollars; doubles
// appear only when reading the config and in fraction_left (routing, never the cap).
#include "budget/governor.h"

#include <algorithm>
#include <cmath>

#include "budget/cost.h"
#include "core/log.h"

namespace frugal::budget {
namespace {

__extension__ typedef __int128 i128;

int64_t share_of(int64_t amount, int64_t ppm) {
  return static_cast<int64_t>(static_cast<i128>(amount) * ppm / 1'000'000);
}

bool valid_fraction(double f) {
  return std::isfinite(f) && f >= 0 && f <= 1;
}
bool valid_amount(double usd) {
  return std::isfinite(usd) && usd >= 0;
}

// The scope that leaves the least room for a call.
struct tightest {
  const char* what = "daily budget";
  int64_t cap = 0;
  int64_t left = 0;
};

tightest tightest_scope(const limits& l, const call_info& info, const day_totals& t) {
  tightest best{"daily budget", l.daily, l.daily - t.agent.total()};
  auto consider = [&](const char* what, int64_t cap, int64_t used) {
    if (cap - used < best.left) best = {what, cap, cap - used};
  };
  if (info.realm == core::realm_kind::public_) {
    consider("the public share of today's budget", l.public_realm, t.realm.total());
    if (l.per_sender > 0) consider("your daily budget", l.per_sender, t.sender.total());
  }
  if (l.monthly > 0) consider("monthly budget", l.monthly, t.month);
  return best;
}

std::string next_month(const std::string& day) {
  int y = std::stoi(day.substr(0, 4)), m = std::stoi(day.substr(5, 2));
  if (++m > 12) m = 1, ++y;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-01", y, m);
  return buf;
}

}  // namespace

result<limits> limits_from(const config::budget_section& c) {
  if (!valid_amount(c.daily_usd)) return fail("budget.daily_usd: must be a number ≥ 0");
  if (!valid_fraction(c.public_share)) return fail("budget.public_share: must be between 0 and 1");
  if (!valid_amount(c.per_sender_usd)) return fail("budget.per_sender_usd: must be a number ≥ 0");
  if (!valid_fraction(c.warn_at)) return fail("budget.warn_at: must be between 0 and 1");
  if (!valid_amount(c.monthly_usd)) return fail("budget.monthly_usd: must be a number ≥ 0");
  if (c.min_output_tokens < 1) return fail("budget.min_output_tokens: must be at least 1");
  if (c.per_message_overhead_tokens < 0)
    return fail("budget.per_message_overhead_tokens: must be ≥ 0");
  limits l;
  l.daily = usd_cap_to_micro(c.daily_usd);
  l.public_realm = share_of(l.daily, fraction_to_ppm(c.public_share));
  l.per_sender = usd_cap_to_micro(c.per_sender_usd);
  l.monthly = usd_cap_to_micro(c.monthly_usd);
  l.warn = share_of(l.daily, fraction_to_ppm(c.warn_at));
  l.min_output_tokens = c.min_output_tokens;
  l.overhead_per_message = c.per_message_overhead_tokens;
  return l;
}

status governor::check(const config::budget_section& cfg) {
  auto caps = limits_from(cfg);
  if (!caps) return caps.err();
  auto z = tz::zone::load(cfg.timezone);
  if (!z) return z.err();
  return status::success();
}

result<governor> governor::open(store::database& db, const config::budget_section& cfg,
                                governor_options opts) {
  auto caps = limits_from(cfg);
  if (!caps) return caps.err();
  auto z = tz::zone::load(cfg.timezone);
  if (!z) return z.err();
  auto l = ledger::open(db, opts.self ? *opts.self : process_identity::current());
  if (!l) return l.err();
  std::string seal_path;
  if (db.path() != ":memory:") {
    size_t slash = db.path().rfind('/');
    seal_path = (slash == std::string::npos ? std::string(".") : db.path().substr(0, slash)) +
                "/ledger.seal";
  }
  auto s = ledger_seal::open(db, seal_path);
  if (!s) return s.err();
  if (!s->problem().empty()) LOG_ERROR("budget", s->problem());
  return governor(std::move(l.value()), std::move(s.value()), *caps, std::move(z.value()),
                  std::move(opts));
}

status governor::reconfigure(const config::budget_section& cfg) {
  auto caps = limits_from(cfg);
  if (!caps) return caps.err();
  auto z = tz::zone::load(cfg.timezone);
  if (!z) return z.err();
  limits_ = *caps;
  zone_ = std::move(z.value());
  return status::success();
}

std::string governor::reset_text(int64_t t) const {
  const int64_t r = zone_.next_reset(t);
  return "resets at " + zone_.local_hhmm(r) + " " + zone_.name() + " (in " +
         tz::format_duration(r - t) + ")";
}

verdict governor::reserve(const call_info& info, const price& p, int64_t input_bytes,
                          int64_t messages, int64_t max_tokens) {
  return evaluate(info, p, input_bytes, messages, max_tokens, true);
}

verdict governor::quote(const call_info& info, const price& p, int64_t input_bytes,
                        int64_t messages, int64_t max_tokens) {
  return evaluate(info, p, input_bytes, messages, max_tokens, false);
}

// One decision for reserve (commit: inside the ledger's write transaction) and quote
// (a read of the same totals, nothing written).
verdict governor::evaluate(const call_info& info, const price& p, int64_t input_bytes,
                           int64_t messages, int64_t max_tokens, bool commit) {
  const int64_t t = now();
  const std::string day = zone_.day_key(t);
  const bool paid = !p.free();
  const int64_t overhead = limits_.overhead_per_message;
  const int64_t in_cost = input_worst_case_micro(p, input_bytes, messages, overhead);
  const int64_t full = worst_case_micro(p, input_bytes, messages, overhead, max_tokens);
  const int64_t floor_tokens = std::max<int64_t>(1, limits_.min_output_tokens);
  verdict v;
  if (paid && !seal_.problem().empty())
    return {verdict_kind::error, 0, 0, 0, "the spend ledger was replaced, so no paid call was made",
            seal_.problem()};
  tightest scope;
  auto decide = [&](const day_totals& totals) -> int64_t {
    if (!paid) {
      v = {verdict_kind::allow, 0, 0, max_tokens, ""};
      return 0;
    }
    if (totals.stopped) {
      v.kind = verdict_kind::stopped;
      return -1;
    }
    scope = tightest_scope(limits_, info, totals);
    if (full <= scope.left) {
      v = {verdict_kind::allow, 0, full, max_tokens, ""};
      return full;
    }
    const int64_t room = scope.left - in_cost;
    const int64_t fit = room >= 0 ? std::min(max_tokens_within(p, room), max_tokens - 1) : -1;
    if (fit >= floor_tokens) {
      const int64_t amount = worst_case_micro(p, input_bytes, messages, overhead, fit);
      v = {verdict_kind::shrunk, 0, amount, fit, ""};  // amount ≤ in_cost + room = left
      return amount;
    }
    v.kind = verdict_kind::refuse;
    return -1;
  };
  const bool with_month = paid && limits_.monthly > 0;
  result<int64_t> id = int64_t{0};
  if (commit) {
    id = ledger_.reserve(day, t, info, with_month, decide);
    if (!id && ledger_.last_busy()) {
      LOG_INFO("budget", "ledger busy: reservation for ", info.model, " retried later");
      return {verdict_kind::busy, 0, 0, 0, "the spend ledger is busy", ""};
    }
  } else if (auto totals = ledger_.totals(day, info, with_month)) {
    decide(*totals);
  } else {
    id = fail(totals.message());
  }
  if (!id) {
    LOG_ERROR("budget", id.message(), " (", ledger_.path(), ")");
    return {verdict_kind::error,
            0,
            0,
            0,
            "the spend ledger is unavailable, so no paid call was made",
            "storage fault in the spend ledger " + ledger_.path() + ": " + id.message() +
                "; no paid call was made"};
  }
  if (v.allowed()) {
    if (!commit) return v;
    v.reservation_id = *id;
    open_[*id] = {p, info.model, v.reserved_micro};
    if (paid) seal_.note(day);
    return v;
  }
  if (v.kind == verdict_kind::stopped) {
    v.reason = "paid calls are stopped for today (a provider charged more than was reserved); " +
               reset_text(t);
    return v;
  }
  const int64_t need =
      worst_case_micro(p, input_bytes, messages, overhead, std::min(max_tokens, floor_tokens));
  std::string when = scope.what == std::string_view("monthly budget")
                         ? "resets on " + next_month(day) + " " + zone_.name()
                         : reset_text(t);
  v.reason = std::string(scope.what) + " reached: " + format_usd(std::max<int64_t>(0, scope.left)) +
             " left of " + format_usd(scope.cap) + " (this request needs at least " +
             format_usd(need) + "); " + when;
  return v;
}

status governor::settle(int64_t id, const usage& u) {
  auto it = open_.find(id);
  if (it == open_.end()) return fail("budget: settle #", id, ": not an open reservation here");
  if (!u.present) return charge_full(id, "no usage reported");
  const open_call call = it->second;
  const int64_t actual = actual_micro(call.p, u);
  if (!u.doubt.empty() && actual <= call.reserved) {
    LOG_WARN("budget", "model ", call.model, ": ", u.doubt, "; charging the reservation of ",
             format_usd(call.reserved), " in full");
    return charge_full(id, "usage in doubt: " + u.doubt, u);
  }
  open_.erase(it);
  const std::string stop = "model " + call.model + " charged " + format_usd(actual) +
                           ", above its reservation of " + format_usd(call.reserved);
  return close({close_kind::settle,
                id,
                actual,
                {u.input_tokens, u.output_tokens, u.cached_input_tokens, u.cache_write_tokens},
                "ok",
                stop,
                now()});
}

status governor::release(int64_t id, std::string_view why) {
  if (open_.erase(id) == 0) return fail("budget: release #", id, ": not an open reservation here");
  return close({close_kind::release,
                id,
                0,
                {},
                why.empty() ? "released" : "released: " + std::string(why),
                "",
                now()});
}

status governor::charge_full(int64_t id, std::string_view why, const usage& seen) {
  if (open_.erase(id) == 0) return fail("budget: charge #", id, ": not an open reservation here");
  return close(
      {close_kind::full,
       id,
       0,
       {seen.input_tokens, seen.output_tokens, seen.cached_input_tokens, seen.cache_write_tokens},
       why.empty() ? "charged in full" : "charged in full: " + std::string(why),
       "",
       now()});
}

status governor::close(pending_close c) {
  // A call counts on the day it ends (README, budget): one in flight at midnight moves to
  // the new day, whose reservations already counted it as outstanding.
  const std::string day = zone_.day_key(c.at);
  auto row = c.kind == close_kind::settle
                 ? ledger_.settle(c.id, c.actual, c.tokens, c.outcome, c.stop_reason, c.at, day)
             : c.kind == close_kind::release
                 ? ledger_.release(c.id, c.outcome, c.at)
                 : ledger_.charge_full(c.id, c.outcome, c.at, c.tokens, day);
  if (!row) {
    if (!ledger_.last_busy()) return row.err();
    // Another process holds the write lock: the row stays open (it still counts against
    // the cap) and is closed by flush_pending; a crash first leaves an orphan, charged in
    // full at the next start.
    LOG_INFO("budget", "ledger busy: closing reservation #", c.id, " later");
    pending_.push_back(std::move(c));
    return status::success();
  }
  if (c.kind == close_kind::settle && row->exceeded())
    LOG_ERROR("budget", c.stop_reason, "; paid calls stopped for ", row->day, " (", zone_.name(),
              ")");
  if (c.kind != close_kind::release) {
    seal_.note(row->day);
    check_warning(row->day);
  }
  return status::success();
}

status governor::flush_pending() {
  std::vector<pending_close> todo;
  todo.swap(pending_);
  status first;
  for (auto& c : todo)
    if (auto s = close(std::move(c)); !s && first) first = s;
  return first;
}

status governor::recover_orphans() {
  const int64_t t = now();
  auto n = ledger_.recover_orphans(opts_.alive ? opts_.alive : liveness_fn(process_alive), t);
  if (!n && ledger_.last_busy()) {
    // Orphans still count against the cap while open; the next start settles them.
    LOG_INFO("budget", "ledger busy: orphaned reservations are settled at a later start");
    return status::success();
  }
  if (!n) return n.err();
  if (*n > 0)
    LOG_WARN("budget", "settled ", *n, " reservation(s) left by ended processes at full value");
  check_warning(zone_.day_key(t));
  return status::success();
}

void governor::check_warning(const std::string& day) {
  if (limits_.warn <= 0 || warned_day_ == day) return;
  auto t = ledger_.totals(day, {}, false);
  if (!t || t->agent.settled < limits_.warn) return;
  warned_day_ = day;
  auto first = ledger_.mark_warned(day);
  if (!first || !*first) return;
  std::string line = "spent " + format_usd(t->agent.settled) + " of the " +
                     format_usd(limits_.daily) + " daily budget on " + day + " (warning at " +
                     format_usd(limits_.warn) + ")";
  LOG_WARN("budget", line);
  warning_ = std::move(line);
}

std::optional<std::string> governor::take_warning() {
  return std::exchange(warning_, std::nullopt);
}

double governor::fraction_left(core::realm_kind realm, const std::string& sender) {
  call_info info;
  info.realm = realm;
  info.sender = sender;
  auto t = ledger_.totals(zone_.day_key(now()), info, limits_.monthly > 0);
  if (!t || t->stopped || limits_.daily <= 0) return 0;
  double least = 1;
  auto consider = [&](int64_t cap, int64_t used) {
    double f = cap > 0 ? static_cast<double>(cap - used) / static_cast<double>(cap) : 0;
    least = std::min(least, std::clamp(f, 0.0, 1.0));
  };
  consider(limits_.daily, t->agent.total());
  if (realm == core::realm_kind::public_) {
    consider(limits_.public_realm, t->realm.total());
    if (limits_.per_sender > 0) consider(limits_.per_sender, t->sender.total());
  }
  if (limits_.monthly > 0) consider(limits_.monthly, t->month);
  return least;
}

result<summary> governor::today() {
  summary s;
  s.now = now();
  s.day = zone_.day_key(s.now);
  s.timezone = zone_.name();
  s.resets_at = zone_.next_reset(s.now);
  s.resets_at_local = zone_.local_iso(s.resets_at);
  auto t = ledger_.totals(s.day, {}, true);
  if (!t) return t.err();
  s.cap = limits_.daily;
  s.spent = t->agent.settled;
  s.reserved = t->agent.outstanding;
  s.remaining = std::max<int64_t>(0, s.cap - t->agent.total());
  s.public_cap = limits_.public_realm;
  s.per_sender_cap = limits_.per_sender;
  s.monthly_cap = limits_.monthly;
  s.month_total = t->month;
  s.stopped = t->stopped;
  if (s.stopped) {
    auto why = ledger_.stop_reason(s.day);
    if (!why) return why.err();
    s.stop_reason = *why;
  }
  for (auto [col, out] : {std::pair{"tier", &s.by_tier}, std::pair{"model", &s.by_model},
                          std::pair{"realm", &s.by_realm}}) {
    auto rows = ledger_.breakdown(s.day, col);
    if (!rows) return rows.err();
    *out = std::move(rows.value());
  }
  auto tokens = ledger_.day_tokens(s.day);
  if (!tokens) return tokens.err();
  s.tokens = *tokens;
  return s;
}

result<std::vector<day_row>> governor::history(int64_t days) {
  return ledger_.history(days);
}

result<int64_t> governor::prune_calls(int64_t keep_days) {
  if (keep_days <= 0) return int64_t{0};
  const int64_t t_now = now();
  // The local date keep_days before today: keep_days × 86,400 s back, then moved by hours
  // onto that date (a DST change makes some days 23 or 25 hours long).
  const int64_t today_days = zone_.local_days(t_now);
  int64_t t = t_now - keep_days * 86400;
  while (zone_.local_days(t) > today_days - keep_days) t -= 3600;
  while (zone_.local_days(t) < today_days - keep_days) t += 3600;
  return ledger_.prune(zone_.day_key(t));
}

}  // namespace frugal::budget
