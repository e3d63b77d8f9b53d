// Ledger storage. Totals are summed from the day's rows on every reservation (an index on
// day keeps that to the day's few hundred rows) instead of a running counter that a crash
// between two writes could leave wrong. The row is the truth; nothing else is cached.
#include "budget/ledger.h"

namespace frugal::budget {
namespace {

using store::statement;

// Step 1 of the "ledger" area. IF NOT EXISTS: a daemon and a cron job may both migrate a
// fresh file at once (database::migrate reads the version outside its transaction).
constexpr std::string_view k_schema_v1 = R"sql(
CREATE TABLE IF NOT EXISTS ledger(
  id INTEGER PRIMARY KEY,
  day TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  settled_at INTEGER,
  pid INTEGER NOT NULL,
  proc_start TEXT NOT NULL,
  realm TEXT NOT NULL,
  sender TEXT NOT NULL,
  transport TEXT NOT NULL,
  tier TEXT NOT NULL,
  model TEXT NOT NULL,
  route_reason TEXT NOT NULL DEFAULT '',
  tokens_in INTEGER NOT NULL DEFAULT 0,
  tokens_out INTEGER NOT NULL DEFAULT 0,
  tokens_cached INTEGER NOT NULL DEFAULT 0,
  reserved_micro INTEGER NOT NULL CHECK(reserved_micro >= 0),
  actual_micro INTEGER NOT NULL DEFAULT 0 CHECK(actual_micro >= 0),
  state TEXT NOT NULL CHECK(state IN ('reserved','settled','released','orphan_settled')),
  outcome TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS ledger_by_day ON ledger(day, realm, sender);
CREATE INDEX IF NOT EXISTS ledger_open ON ledger(pid, proc_start) WHERE state = 'reserved';
CREATE TABLE IF NOT EXISTS ledger_days(
  day TEXT PRIMARY KEY,
  stopped INTEGER NOT NULL DEFAULT 0,
  stop_reason TEXT NOT NULL DEFAULT '',
  warned INTEGER NOT NULL DEFAULT 0);
)sql";

// Step 2: running sums per (day, realm, sender), changed in the same transaction as the
// rows, so a reservation reads a few sum rows instead of every call of the day. Rebuilt
// from the rows when the step runs (twice is harmless).
constexpr std::string_view k_schema_v2 = R"sql(
CREATE TABLE IF NOT EXISTS ledger_sums(
  day TEXT NOT NULL,
  realm TEXT NOT NULL,
  sender TEXT NOT NULL,
  settled INTEGER NOT NULL DEFAULT 0,
  outstanding INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(day, realm, sender)) WITHOUT ROWID;
DELETE FROM ledger_sums;
INSERT INTO ledger_sums(day, realm, sender, settled, outstanding)
  SELECT day, realm, sender,
    SUM(CASE WHEN state IN ('settled','orphan_settled') THEN actual_micro ELSE 0 END),
    SUM(CASE WHEN state = 'reserved' THEN reserved_micro ELSE 0 END)
  FROM ledger GROUP BY day, realm, sender;
)sql";

// Step 3: per-call rows older than the retention are pruned (ledger::prune); the day keeps
// its money in ledger_sums and the number of calls it had in pruned_calls.
constexpr std::string_view k_schema_v3 =
    "ALTER TABLE ledger_days ADD COLUMN pruned_calls INTEGER NOT NULL DEFAULT 0;";

// Step 4: prompt-cache writes per call (tokens_cached holds the reads), so a day's cached
// share can be shown next to its spend; pruning keeps the day's input, cached and written
// token counts beside pruned_calls.
constexpr std::string_view k_schema_v4 = R"sql(
ALTER TABLE ledger ADD COLUMN tokens_cache_write INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ledger_days ADD COLUMN pruned_tokens_in INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ledger_days ADD COLUMN pruned_tokens_cached INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ledger_days ADD COLUMN pruned_tokens_cache_write INTEGER NOT NULL DEFAULT 0;
)sql";

// What a row costs the day: actual once closed, the reservation while open.
#define SETTLED "CASE WHEN state IN ('settled','orphan_settled') THEN actual_micro ELSE 0 END"
#define OPEN "CASE WHEN state = 'reserved' THEN reserved_micro ELSE 0 END"

// Resets a cached statement when the scope ends, whatever path leaves it.
struct reset_on_exit {
  statement& st;
  ~reset_on_exit() { st.reset(); }
};

status step_error(sqlite3* db, std::string_view what) {
  return fail("ledger: ", what, ": ", sqlite3_errmsg(db));
}

}  // namespace

result<ledger> ledger::open(store::database& db, process_identity self) {
  if (auto s = db.migrate("ledger", {k_schema_v1, k_schema_v2, k_schema_v3, k_schema_v4}); !s)
    return fail("ledger: ", s.message());
  return ledger(db, std::move(self));
}

template <class F>
status ledger::immediate(F&& body) {
  auto run = [&](slot sl, std::string_view sql) -> status {
    auto st = cached(sl, sql);
    if (!st) return st.err();
    reset_on_exit guard{**st};
    int rc = (*st)->step();
    if (rc == SQLITE_BUSY) busy_ = true;
    if (rc != SQLITE_DONE) return step_error(db_->get(), sql);
    return status::success();
  };
  busy_ = false;
  if (auto b = run(s_begin, "BEGIN IMMEDIATE"); !b) return b;
  status r = body();
  if (r) r = run(s_commit, "COMMIT");
  if (!r) (void)run(s_rollback, "ROLLBACK");
  return r;
}

result<statement*> ledger::cached(slot s, std::string_view sql) {
  if (!cache_[s]) {
    auto st = statement::prepare(db_->get(), sql);
    if (!st) return st.err();
    cache_[s] = std::make_unique<statement>(std::move(st.value()));
  }
  return cache_[s].get();
}

status ledger::add_sums(const std::string& day, core::realm_kind realm, const std::string& sender,
                        int64_t settled, int64_t outstanding) {
  auto q = cached(s_sums,
                  "INSERT INTO ledger_sums(day, realm, sender, settled, outstanding)"
                  " VALUES(?,?,?,?,?) ON CONFLICT(day, realm, sender) DO UPDATE SET"
                  " settled = settled + excluded.settled,"
                  " outstanding = outstanding + excluded.outstanding");
  if (!q) return q.err();
  statement& st = **q;
  reset_on_exit guard{st};
  st.bind(1, day)
      .bind(2, core::realm_name(realm))
      .bind(3, sender)
      .bind(4, settled)
      .bind(5, outstanding);
  if (st.step() != SQLITE_DONE) return step_error(db_->get(), "update sums");
  return status::success();
}

result<day_totals> ledger::totals(const std::string& day, const call_info& info, bool with_month) {
  sqlite3* db = db_->get();
  auto q = cached(s_totals,
                  "SELECT COALESCE(SUM(settled),0), COALESCE(SUM(outstanding),0),"
                  " COALESCE(SUM(CASE WHEN realm=?2 THEN settled END),0),"
                  " COALESCE(SUM(CASE WHEN realm=?2 THEN outstanding END),0),"
                  " COALESCE(SUM(CASE WHEN realm=?2 AND sender=?3 THEN settled END),0),"
                  " COALESCE(SUM(CASE WHEN realm=?2 AND sender=?3 THEN outstanding END),0),"
                  " (SELECT stopped FROM ledger_days WHERE day=?1)"
                  " FROM ledger_sums WHERE day=?1");
  if (!q) return q.err();
  statement& st = **q;
  reset_on_exit guard{st};
  st.bind(1, day).bind(2, core::realm_name(info.realm)).bind(3, info.sender);
  if (st.step() != SQLITE_ROW) return step_error(db, "read totals").err();
  day_totals t;
  t.agent = {st.int_at(0), st.int_at(1)};
  t.realm = {st.int_at(2), st.int_at(3)};
  t.sender = {st.int_at(4), st.int_at(5)};
  t.stopped = !st.is_null(6) && st.int_at(6) != 0;
  {
    // Calls reserved before midnight and still in flight settle on `day` (see settle).
    auto c = cached(s_carry,
                    "SELECT COALESCE(SUM(outstanding),0),"
                    " COALESCE(SUM(CASE WHEN realm=?2 THEN outstanding END),0),"
                    " COALESCE(SUM(CASE WHEN realm=?2 AND sender=?3 THEN outstanding END),0)"
                    " FROM ledger_sums WHERE day < ?1 AND day >= date(?1, '-2 days')"
                    " AND outstanding != 0");
    if (!c) return c.err();
    statement& cs = **c;
    reset_on_exit carry_guard{cs};
    cs.bind(1, day).bind(2, core::realm_name(info.realm)).bind(3, info.sender);
    if (cs.step() != SQLITE_ROW) return step_error(db, "read open calls of earlier days").err();
    t.agent.outstanding += cs.int_at(0);
    t.realm.outstanding += cs.int_at(1);
    t.sender.outstanding += cs.int_at(2);
  }
  if (with_month) {
    auto m = cached(s_month,
                    "SELECT COALESCE(SUM(settled + outstanding),0) FROM ledger_sums"
                    " WHERE day BETWEEN ?1 || '-00' AND ?1 || '-99'");
    if (!m) return m.err();
    statement& ms = **m;
    reset_on_exit month_guard{ms};
    ms.bind(1, std::string_view(day).substr(0, 7));
    if (ms.step() != SQLITE_ROW) return step_error(db, "read month total").err();
    t.month = ms.int_at(0);
  }
  return t;
}

result<int64_t> ledger::reserve(const std::string& day, int64_t now, const call_info& info,
                                bool with_month,
                                const std::function<int64_t(const day_totals&)>& decide) {
  int64_t id = 0;
  status s = immediate([&]() -> status {
    auto t = totals(day, info, with_month);
    if (!t) return t.err();
    const int64_t amount = decide(*t);
    if (amount < 0) return status::success();
    auto ins = cached(s_insert,
                      "INSERT INTO ledger(day, created_at, pid, proc_start, realm, sender,"
                      " transport, tier, model, route_reason, reserved_micro, state)"
                      " VALUES(?,?,?,?,?,?,?,?,?,?,?,'reserved')");
    if (!ins) return ins.err();
    statement& st = **ins;
    reset_on_exit guard{st};
    st.bind(1, day)
        .bind(2, now)
        .bind(3, self_.pid)
        .bind(4, self_.marker)
        .bind(5, core::realm_name(info.realm));
    st.bind(6, info.sender).bind(7, info.transport).bind(8, info.tier).bind(9, info.model);
    st.bind(10, info.route_reason).bind(11, amount);
    if (st.step() != SQLITE_DONE) return step_error(db_->get(), "insert reservation");
    id = sqlite3_last_insert_rowid(db_->get());
    return add_sums(day, info.realm, info.sender, 0, amount);
  });
  if (!s)
    return fail("ledger: reserve for ", info.model, " (", core::realm_name(info.realm),
                "): ", s.message());
  return id;
}

result<closed_row> ledger::close(int64_t id, std::string_view state, int64_t actual,
                                 token_counts tokens, std::string_view outcome,
                                 std::string_view stop_reason, int64_t now, bool full,
                                 const std::string& settle_day) {
  closed_row row;
  core::realm_kind realm = core::realm_kind::public_;
  std::string sender, reserved_day;
  status s = immediate([&]() -> status {
    sqlite3* db = db_->get();
    {
      auto q = cached(s_select,
                      "SELECT day, reserved_micro, state, realm, sender FROM ledger WHERE id=?");
      if (!q) return q.err();
      statement& st = **q;
      reset_on_exit guard{st};
      st.bind(1, id);
      if (st.step() != SQLITE_ROW) return fail("no reservation #", id);
      if (st.text_at(2) != "reserved")
        return fail("reservation #", id, " is already ", st.text_at(2));
      row.day = st.text_at(0);
      row.reserved = st.int_at(1);
      reserved_day = row.day;
      auto parsed = core::parse_realm(st.text_at(3));
      if (!parsed) return fail("reservation #", id, ": ", parsed.message());
      realm = *parsed;
      sender = st.text_at(4);
    }
    row.actual = full ? row.reserved : actual < 0 ? 0 : actual;
    // A call in flight at midnight counts on the day it ends (the provider bills it then).
    if (state != "released" && settle_day > row.day) row.day = settle_day;
    {
      auto up = cached(s_update,
                       "UPDATE ledger SET state=?, actual_micro=?, tokens_in=?, tokens_out=?,"
                       " tokens_cached=?, tokens_cache_write=?, outcome=?, settled_at=?, day=?"
                       " WHERE id=? AND state='reserved'");
      if (!up) return up.err();
      statement& st = **up;
      reset_on_exit guard{st};
      st.bind(1, state).bind(2, row.actual).bind(3, tokens.in).bind(4, tokens.out);
      st.bind(5, tokens.cached).bind(6, tokens.cache_write).bind(7, outcome).bind(8, now);
      st.bind(9, row.day).bind(10, id);
      if (st.step() != SQLITE_DONE) return step_error(db, "update reservation");
    }
    const int64_t counted = state == "released" ? 0 : row.actual;
    if (row.day == reserved_day) {
      if (auto r = add_sums(row.day, realm, sender, counted, -row.reserved); !r) return r;
    } else {
      if (auto r = add_sums(reserved_day, realm, sender, 0, -row.reserved); !r) return r;
      if (auto r = add_sums(row.day, realm, sender, counted, 0); !r) return r;
    }
    if (!row.exceeded()) return status::success();
    auto stop = statement::prepare(
        db,
        "INSERT INTO ledger_days(day, stopped, stop_reason) VALUES(?, 1, ?)"
        " ON CONFLICT(day) DO UPDATE SET stopped=1, stop_reason=excluded.stop_reason");
    if (!stop) return stop.err();
    stop->bind(1, row.day).bind(2, stop_reason);
    if (stop->step() != SQLITE_DONE) return step_error(db, "mark day stopped");
    return status::success();
  });
  if (!s)
    return fail("ledger: ", state == "released" ? "release" : "settle", " #", id, ": ",
                s.message());
  return row;
}

result<closed_row> ledger::settle(int64_t id, int64_t actual, token_counts tokens,
                                  std::string_view outcome, std::string_view stop_reason,
                                  int64_t now, const std::string& settle_day) {
  return close(id, "settled", actual, tokens, outcome, stop_reason, now, false, settle_day);
}

result<closed_row> ledger::release(int64_t id, std::string_view outcome, int64_t now) {
  return close(id, "released", 0, {}, outcome, "", now, false, "");
}

result<closed_row> ledger::charge_full(int64_t id, std::string_view outcome, int64_t now,
                                       token_counts tokens, const std::string& settle_day) {
  return close(id, "settled", 0, tokens, outcome, "", now, true, settle_day);
}

result<int64_t> ledger::recover_orphans(const liveness_fn& alive, int64_t now) {
  sqlite3* db = db_->get();
  // The owners of open reservations that have ended (the partial index ledger_open).
  auto dead_owners = [&](std::vector<process_identity>& dead) -> status {
    auto owners = statement::prepare(
        db, "SELECT DISTINCT pid, proc_start FROM ledger WHERE state='reserved'");
    if (!owners) return owners.err();
    int rc;
    while ((rc = owners->step()) == SQLITE_ROW) {
      process_identity p{owners->int_at(0), owners->text_at(1)};
      if (p.pid == self_.pid && p.marker == self_.marker) continue;
      if (!alive(p.pid, p.marker)) dead.push_back(std::move(p));
    }
    if (rc != SQLITE_DONE) return step_error(db, "find orphans");
    return status::success();
  };
  // Looked for first without a lock (a WAL read): nearly every start finds no orphan, and
  // the write lock it took for nothing made each cron `ask` one more writer in line with
  // the daemon. Found (or that read failed), they are read again under the lock, where
  // another process may have settled them first.
  {
    std::vector<process_identity> dead;
    if (dead_owners(dead) && dead.empty()) return int64_t{0};
  }
  int64_t closed = 0;
  status s = immediate([&]() -> status {
    std::vector<process_identity> dead;
    if (status found = dead_owners(dead); !found) return found;
    // Sums first (they read the rows still open), then the rows.
    auto sums = statement::prepare(
        db,
        "INSERT INTO ledger_sums(day, realm, sender, settled, outstanding)"
        " SELECT day, realm, sender, SUM(reserved_micro), -SUM(reserved_micro) FROM ledger"
        " WHERE state='reserved' AND pid=?1 AND proc_start=?2 GROUP BY day, realm, sender"
        " ON CONFLICT(day, realm, sender) DO UPDATE SET"
        " settled = settled + excluded.settled, outstanding = outstanding + excluded.outstanding");
    if (!sums) return sums.err();
    auto up = statement::prepare(
        db,
        "UPDATE ledger SET state='orphan_settled', actual_micro=reserved_micro,"
        " settled_at=?3, outcome='orphan: process ' || ?1 || ' ended before settling'"
        " WHERE state='reserved' AND pid=?1 AND proc_start=?2");
    if (!up) return up.err();
    for (const auto& p : dead) {
      sums->reset();
      sums->bind(1, p.pid).bind(2, p.marker);
      if (sums->step() != SQLITE_DONE) return step_error(db, "sum orphans");
      up->reset();
      up->bind(1, p.pid).bind(2, p.marker).bind(3, now);
      if (up->step() != SQLITE_DONE) return step_error(db, "settle orphans");
      closed += sqlite3_changes(db);
    }
    return status::success();
  });
  if (!s) return fail("ledger: recover orphans: ", s.message());
  return closed;
}

result<std::string> ledger::stop_reason(const std::string& day) {
  auto q = statement::prepare(db_->get(),
                              "SELECT stop_reason FROM ledger_days WHERE day=? AND stopped=1");
  if (!q) return q.err();
  q->bind(1, day);
  return q->step() == SQLITE_ROW ? q->text_at(0) : std::string();
}

result<bool> ledger::mark_warned(const std::string& day) {
  bool first = false;
  status s = immediate([&]() -> status {
    sqlite3* db = db_->get();
    auto ins = statement::prepare(db, "INSERT OR IGNORE INTO ledger_days(day) VALUES(?)");
    if (!ins) return ins.err();
    ins->bind(1, day);
    if (ins->step() != SQLITE_DONE) return step_error(db, "add day");
    auto up = statement::prepare(db, "UPDATE ledger_days SET warned=1 WHERE day=? AND warned=0");
    if (!up) return up.err();
    up->bind(1, day);
    if (up->step() != SQLITE_DONE) return step_error(db, "mark warned");
    first = sqlite3_changes(db) == 1;
    return status::success();
  });
  if (!s) return fail("ledger: warn flag: ", s.message());
  return first;
}

result<int64_t> ledger::prune(const std::string& before_day) {
  int64_t pruned = 0;
  status s = immediate([&]() -> status {
    sqlite3* db = db_->get();
    // Open reservations stay: they count against their day until settled or recovered.
    auto keep = statement::prepare(
        db,
        "INSERT INTO ledger_days(day, pruned_calls, pruned_tokens_in, pruned_tokens_cached,"
        " pruned_tokens_cache_write)"
        " SELECT day, SUM(state != 'released'), SUM(tokens_in), SUM(tokens_cached),"
        " SUM(tokens_cache_write) FROM ledger"
        " WHERE day < ?1 AND state != 'reserved' GROUP BY day"
        " ON CONFLICT(day) DO UPDATE SET pruned_calls = pruned_calls + excluded.pruned_calls,"
        " pruned_tokens_in = pruned_tokens_in + excluded.pruned_tokens_in,"
        " pruned_tokens_cached = pruned_tokens_cached + excluded.pruned_tokens_cached,"
        " pruned_tokens_cache_write = pruned_tokens_cache_write +"
        " excluded.pruned_tokens_cache_write");
    if (!keep) return keep.err();
    keep->bind(1, before_day);
    if (keep->step() != SQLITE_DONE) return step_error(db, "count pruned calls");
    auto del = statement::prepare(db, "DELETE FROM ledger WHERE day < ?1 AND state != 'reserved'");
    if (!del) return del.err();
    del->bind(1, before_day);
    if (del->step() != SQLITE_DONE) return step_error(db, "delete calls");
    pruned = sqlite3_changes(db);
    return status::success();
  });
  if (!s) return fail("ledger: prune before ", before_day, ": ", s.message());
  return pruned;
}

result<std::vector<breakdown_row>> ledger::breakdown(const std::string& day,
                                                     std::string_view column) {
  if (column != "tier" && column != "model" && column != "realm")
    return fail("ledger: no breakdown by ", column);
  const std::string c(column);
  auto q = statement::prepare(db_->get(),
                              "SELECT " + c +
                                  " AS k, COALESCE(SUM(" SETTLED
                                  "),0) AS s,"
                                  " COALESCE(SUM(" OPEN
                                  "),0) AS o, SUM(state != 'released')"
                                  " FROM ledger WHERE day=? GROUP BY k ORDER BY s + o DESC, k");
  if (!q) return q.err();
  q->bind(1, day);
  std::vector<breakdown_row> rows;
  while (q->step() == SQLITE_ROW)
    rows.push_back({q->text_at(0), q->int_at(1), q->int_at(2), q->int_at(3)});
  return rows;
}

result<token_counts> ledger::day_tokens(const std::string& day) {
  auto q = statement::prepare(db_->get(),
                              "SELECT COALESCE(SUM(tokens_in),0), COALESCE(SUM(tokens_out),0),"
                              " COALESCE(SUM(tokens_cached),0), COALESCE(SUM(tokens_cache_write),0)"
                              " FROM ledger WHERE day=?");
  if (!q) return q.err();
  q->bind(1, day);
  if (q->step() != SQLITE_ROW) return step_error(db_->get(), "day tokens").err();
  return token_counts{q->int_at(0), q->int_at(1), q->int_at(2), q->int_at(3)};
}

result<std::vector<day_row>> ledger::history(int64_t n) {
  // Money from the daily sums (kept forever); calls and tokens from the rows plus those
  // pruned.
  auto q = statement::prepare(
      db_->get(),
      "SELECT s.day, SUM(s.settled), SUM(s.outstanding),"
      " (SELECT COUNT(*) FROM ledger l WHERE l.day=s.day AND l.state != 'released')"
      "  + COALESCE((SELECT pruned_calls FROM ledger_days d WHERE d.day=s.day),0)"
      " AS calls,"
      " COALESCE((SELECT stopped FROM ledger_days d WHERE d.day=s.day),0),"
      " (SELECT COALESCE(SUM(tokens_in),0) FROM ledger l WHERE l.day=s.day)"
      "  + COALESCE((SELECT pruned_tokens_in FROM ledger_days d WHERE d.day=s.day),0),"
      " (SELECT COALESCE(SUM(tokens_cached),0) FROM ledger l WHERE l.day=s.day)"
      "  + COALESCE((SELECT pruned_tokens_cached FROM ledger_days d WHERE d.day=s.day),0),"
      " (SELECT COALESCE(SUM(tokens_cache_write),0) FROM ledger l WHERE l.day=s.day)"
      "  + COALESCE((SELECT pruned_tokens_cache_write FROM ledger_days d WHERE d.day=s.day),0)"
      " FROM ledger_sums s GROUP BY s.day"
      // A day whose rows all moved to another day (settled after midnight) is not listed.
      " HAVING calls > 0 OR SUM(s.settled) + SUM(s.outstanding) != 0"
      "  OR EXISTS(SELECT 1 FROM ledger l WHERE l.day=s.day)"
      " ORDER BY s.day DESC LIMIT ?");
  if (!q) return q.err();
  q->bind(1, n < 0 ? 0 : n);
  std::vector<day_row> rows;
  while (q->step() == SQLITE_ROW) {
    rows.push_back({q->text_at(0), q->int_at(1), q->int_at(2), q->int_at(3), q->int_at(4) != 0});
    rows.back().tokens = {q->int_at(5), 0, q->int_at(6), q->int_at(7)};
  }
  return rows;
}

}  // namespace frugal::budget
