// audit: one row per tool call in the "audit" table: when, realm, sender, tool, the
// arguments (redacted through log::redact, capped at 2 KB), the verdict with its reason,
// the exit status and the duration. Allowed calls are written when they start and completed
// when they finish, so a call that never finishes still leaves a row; a call the tool itself
// refused is completed as "denied".
// It is a log, not a policy: it never decides anything.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/realm.h"
#include "core/result.h"
#include "core/store/database.h"

namespace frugal::tools {

struct audit_entry {
  int64_t at_ms = 0;                                   // unix milliseconds; 0 = now
  core::realm_kind realm = core::realm_kind::public_;  // stored as its name
  std::string sender;
  std::string tool;
  std::string arguments;  // raw model arguments; redacted and capped when stored
  bool allowed = false;
  std::string reason;        // why it was denied (or "" when allowed)
  int exit_status = -1;      // -1 = not finished (or never ran)
  int64_t duration_ms = -1;  // -1 = not finished
};

namespace audit {

inline constexpr size_t max_argument_bytes = 2048;

status migrate(store::database& db);
// Writes a complete row (a denial, or a call already finished).
status record(store::database& db, const audit_entry& e);
// Writes the row of a call that starts now; returns its id for finish().
result<int64_t> begin(store::database& db, const audit_entry& e);
// Completes the row `id`. A non-null `refusal` (the tool refused the call by its own rule)
// makes the row's verdict "denied" with that reason: a row holds the call's final verdict.
status finish(store::database& db, int64_t id, int exit_status, int64_t duration_ms,
              const std::string* refusal = nullptr);
// Retention: deletes the rows written before `before_ms` (unix milliseconds); returns how
// many. Rows of calls still running are younger than any sensible retention.
result<int64_t> prune(store::database& db, int64_t before_ms);
// The newest `limit` rows, newest first (for doctor and tests).
result<std::vector<audit_entry>> recent(store::database& db, size_t limit);

}  // namespace audit
}  // namespace frugal::tools
