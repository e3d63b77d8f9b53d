// memory_store: the per-realm long-term memory, an sqlite table with an FTS5 index. Every
// query names its realm, so rows never cross realms, and ids are numbered per realm, so
// no realm learns how many memories another holds; user text reaches FTS5 only as quoted
// terms, so no query text can raise an SQL or FTS syntax error. Used by the memory_* tools
// and by whoever loads memories into a turn's context (with that turn's realm).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/realm.h"
#include "core/result.h"
#include "core/store/database.h"

namespace frugal::tools::memory {

inline constexpr size_t max_text_bytes = 4096;
inline constexpr int64_t max_rows_per_realm = 2000;

struct memory_row {
  int64_t id = 0;          // the realm's own number (1, 2, 3, ... never reused), not the rowid
  int64_t created_at = 0;  // unix seconds
  std::string text;
};

// Creates or upgrades the "memory" area's tables. Idempotent and cheap after the first call.
status migrate(store::database& db);

// Stores `text` (1..max_text_bytes bytes) for `realm`; returns its id, the realm's next
// number. Refuses when the realm already holds max_rows_per_realm memories.
result<int64_t> remember(store::database& db, core::realm_kind realm, std::string_view text);

// The best `limit` matches of `query` among `realm`'s memories, best first. A query with no
// words matches nothing.
result<std::vector<memory_row>> recall(store::database& db, core::realm_kind realm,
                                       std::string_view query, size_t limit = 5);

// Deletes memory `id` of `realm`; false when `realm` has no such memory.
result<bool> forget(store::database& db, core::realm_kind realm, int64_t id);

// The FTS5 expression for free text: each word (letters, digits, any non-ASCII byte) as a
// quoted string, at most 16, joined by OR. "" when there is no word.
std::string fts_query(std::string_view text);

}  // namespace frugal::tools::memory
