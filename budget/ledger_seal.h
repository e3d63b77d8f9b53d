// ledger_seal: notices that the spend ledger was replaced — deleted, emptied to 0 bytes, or
// restored from an older copy — which would otherwise reset the day's spend to $0 and let
// paid calls through. The ledger gets a random id (its own table, area "ledger_identity");
// a small file beside the database (`ledger.seal`, 0600) keeps that id, the ledger's last
// row id, and the last known day and settled spend. At open the two are compared. It does
// not defend against someone who edits both on purpose, and makes no decision: the
// governor refuses paid calls while problem() is set.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "core/store/database.h"

namespace frugal::budget {

// What the seal file holds (text lines "key=value").
struct seal_record {
  std::string id;
  int64_t last_row = 0;  // highest ledger row id seen
  std::string day;       // the last day a call was settled or reserved
  int64_t spent = 0;     // that day's settled spend, micro-dollars
};

class ledger_seal {
 public:
  // Seal file `seal_path` for `db` (which must outlive the seal). An in-memory database
  // has no seal (seal_path empty): nothing is checked or written. Cases at open:
  //   no seal file, ledger without id   → a new ledger: id created, seal written
  //   no seal file, ledger with id      → adopted: seal written (first start of this version)
  //   seal file, ledger without id      → problem: the ledger was deleted or emptied
  //   seal file, another id             → problem: another ledger was put in its place
  //   seal file, same id, but the ledger's last row or that day's spend is below the
  //   seal's                            → problem: an older copy was restored
  // An unreadable seal file (no id in it) is treated as absent, with a log line.
  static result<ledger_seal> open(store::database& db, std::string seal_path);

  // Empty when the ledger is the one the seal describes; else one line for the operator.
  const std::string& problem() const { return problem_; }
  // Accepts the database as it is as the ledger: gives it an id if it has none and
  // rewrites the seal from it; clears problem().
  status accept();
  // Brings the seal up to date after a write to the ledger (`day`: the row's day). Does
  // nothing while problem() is set or when nothing changed. A failure is logged: the
  // seal only lags, it never gets ahead of the ledger.
  void note(const std::string& day);

  const std::string& path() const { return path_; }

 private:
  ledger_seal(store::database& db, std::string path) : db_(&db), path_(std::move(path)) {}
  result<std::string> stored_id();
  result<seal_record> current(const std::string& day);
  status write(const seal_record& r);

  store::database* db_;
  std::string path_;
  std::string problem_;
  seal_record last_;  // what this process last wrote or read
  // current()'s query, prepared at its first use (the database outlives the seal).
  std::optional<store::statement> current_q_;
};

// Reads a seal file; a missing file gives an empty id.
result<seal_record> read_seal(const std::string& path);

}  // namespace frugal::budget
