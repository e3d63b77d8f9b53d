// Ledger seal storage. The seal file is rewritten through a temporary file and rename(2)
// so a reader never sees half of it; several processes may write it in any order, which
// can only leave it behind the ledger (they write what they read after their commit).
#include "budget/ledger_seal.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "budget/prices.h"
#include "core/log.h"

namespace frugal::budget {
namespace {

using store::statement;

constexpr std::string_view k_identity_v1 = R"sql(
CREATE TABLE IF NOT EXISTS ledger_identity(
  one INTEGER PRIMARY KEY CHECK(one = 1),
  id TEXT NOT NULL,
  created_at INTEGER NOT NULL);
)sql";

std::string random_id() {
  unsigned char bytes[16];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  // Without entropy (never on Linux ≥ 3.17) the time and pid still tell ledgers apart.
  if (got < sizeof bytes) {
    int64_t t = ::time(nullptr) ^ (static_cast<int64_t>(::getpid()) << 32);
    std::memcpy(bytes, &t, sizeof t);
  }
  static const char hex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id += hex[b >> 4];
    id += hex[b & 15];
  }
  return id;
}

std::string describe(const seal_record& r) {
  return r.day.empty() ? std::string("no spend")
                       : format_usd(r.spent) + " spent on " + r.day + ", last row #" +
                             std::to_string(r.last_row);
}

}  // namespace

result<seal_record> read_seal(const std::string& path) {
  seal_record r;
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return r;
    return fail("ledger seal ", path, ": ", std::strerror(errno));
  }
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    char* end = nullptr;
    if (key == "id") {
      r.id = value;
    } else if (key == "day") {
      r.day = value;
    } else if (key == "last_row" || key == "spent_micro") {
      long long v = std::strtoll(value.c_str(), &end, 10);
      if (end == value.c_str() || *end != '\0' || v < 0) continue;
      (key == "last_row" ? r.last_row : r.spent) = v;
    }
  }
  return r;
}

result<ledger_seal> ledger_seal::open(store::database& db, std::string seal_path) {
  ledger_seal s(db, std::move(seal_path));
  if (s.path_.empty()) return s;
  if (auto m = db.migrate("ledger_identity", {k_identity_v1}); !m)
    return fail("ledger seal: ", m.message());
  auto sealed = read_seal(s.path_);
  if (!sealed) return sealed.err();
  auto id = s.stored_id();
  if (!id) return id.err();
  if (sealed->id.empty()) {
    if (std::ifstream(s.path_))
      LOG_WARN("budget", "ledger seal ", s.path_, " has no id: rewritten");
    if (auto a = s.accept(); !a) return a.err();
    return s;
  }
  s.last_ = *sealed;
  const std::string fix =
      "; paid calls are refused until you check it and run `frugal budget "
      "--accept-new-ledger`";
  const std::string where =
      "the spend ledger " + db.path() + " is not the one sealed in " + s.path_ + " (";
  if (id->empty()) {
    s.problem_ = where + "it has no ledger id: it was deleted or emptied; the seal recorded " +
                 describe(*sealed) + ")" + fix;
    return s;
  }
  if (*id != sealed->id) {
    s.problem_ = where + "its id is " + *id + ", the seal's " + sealed->id + ")" + fix;
    return s;
  }
  auto cur = s.current(sealed->day);
  if (!cur) return cur.err();
  if (cur->last_row < sealed->last_row || cur->spent < sealed->spent) {
    s.problem_ = where + "it is an older copy: it holds " + describe(*cur) +
                 ", the seal recorded " + describe(*sealed) + ")" + fix;
  }
  return s;
}

result<std::string> ledger_seal::stored_id() {
  auto q = statement::prepare(db_->get(), "SELECT id FROM ledger_identity WHERE one=1");
  if (!q) return q.err();
  int rc = q->step();
  if (rc == SQLITE_ROW) return q->text_at(0);
  if (rc == SQLITE_DONE) return std::string();
  return fail("ledger seal: read id: ", sqlite3_errmsg(db_->get()));
}

result<seal_record> ledger_seal::current(const std::string& day) {
  // One statement, prepared once per process and kept: an `ask` reads the ledger's state at
  // open and after its reserve and its settle; three statements prepared each time were
  // ~280,000 instructions of sqlite's parser per ask (callgrind), now ~50,000.
  if (!current_q_) {
    auto q = statement::prepare(db_->get(),
                                "SELECT (SELECT id FROM ledger_identity WHERE one=1),"
                                " (SELECT COALESCE(MAX(id),0) FROM ledger),"
                                " (SELECT COALESCE(SUM(settled),0) FROM ledger_sums WHERE day=?)");
    if (!q) return q.err();
    current_q_ = std::move(*q);
  }
  statement& q = *current_q_;
  // Reset on every path: a statement left stepped keeps its read snapshot open, which in
  // WAL mode holds back every checkpoint.
  struct reset_guard {
    statement& st;
    ~reset_guard() { st.reset(); }
  } guard{q};
  q.bind(1, day);
  if (q.step() != SQLITE_ROW)
    return fail("ledger seal: read ledger state: ", sqlite3_errmsg(db_->get()));
  seal_record r;
  r.id = q.is_null(0) ? std::string() : q.text_at(0);
  r.day = day;
  r.last_row = q.int_at(1);
  r.spent = q.int_at(2);
  return r;
}

status ledger_seal::accept() {
  if (path_.empty()) return status::success();
  auto id = stored_id();
  if (!id) return id.err();
  if (id->empty()) {
    auto ins = statement::prepare(
        db_->get(), "INSERT OR IGNORE INTO ledger_identity(one, id, created_at) VALUES(1, ?, ?)");
    if (!ins) return ins.err();
    ins->bind(1, random_id()).bind(2, static_cast<int64_t>(::time(nullptr)));
    if (ins->step() != SQLITE_DONE)
      return fail("ledger seal: store id in ", db_->path(), ": ", sqlite3_errmsg(db_->get()));
  }
  // The day of the newest row (the seal compares that day's spend at the next open).
  std::string day;
  auto q = statement::prepare(db_->get(), "SELECT day FROM ledger ORDER BY id DESC LIMIT 1");
  if (!q) return q.err();
  if (q->step() == SQLITE_ROW) day = q->text_at(0);
  auto cur = current(day);
  if (!cur) return cur.err();
  if (auto w = write(*cur); !w) return w;
  problem_.clear();
  last_ = *cur;
  return status::success();
}

void ledger_seal::note(const std::string& day) {
  if (path_.empty() || !problem_.empty()) return;
  auto cur = current(day);
  if (!cur) {
    LOG_WARN("budget", cur.message());
    return;
  }
  if (cur->id == last_.id && cur->day == last_.day && cur->last_row == last_.last_row &&
      cur->spent == last_.spent)
    return;
  if (auto w = write(*cur); !w) {
    LOG_WARN("budget", w.message());
    return;
  }
  last_ = *cur;
}

status ledger_seal::write(const seal_record& r) {
  const std::string tmp = path_ + ".tmp." + std::to_string(::getpid());
  const std::string text = "# frugal ledger seal: do not edit (see README, budget)\nid=" + r.id +
                           "\nlast_row=" + std::to_string(r.last_row) + "\nday=" + r.day +
                           "\nspent_micro=" + std::to_string(r.spent) + "\n";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return fail("ledger seal ", tmp, ": ", std::strerror(errno));
  ssize_t n = ::write(fd, text.data(), text.size());
  int werr = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size())) {
    ::unlink(tmp.c_str());
    return fail("ledger seal ", tmp, ": ", n < 0 ? std::strerror(werr) : "short write");
  }
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return fail("ledger seal ", path_, ": ", std::strerror(e));
  }
  return status::success();
}

}  // namespace frugal::budget
