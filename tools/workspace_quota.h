// workspace_quota: how much disk a realm's workspace uses, measured by walking it
// (allocated blocks of every file and folder, not apparent sizes, so sparse files cost what
// they occupy). The shell tool and write_file compare this with the realm's quota; the
// sandbox re-measures while a child runs. It never deletes anything.
#pragma once
#include <cstdint>
#include <string>

#include "core/result.h"

namespace frugal::tools::quota {

// Bytes used under `dir` (which must exist). Symlinks are not followed; other file systems
// mounted inside are counted too. Stops early and returns `stop_above` + 1 once the total
// passes `stop_above` (0 = never), so an over-full tree costs no more than a full one.
result<int64_t> usage(const std::string& dir, int64_t stop_above = 0);

// The realm's quota in bytes from `quota_mb` (config; > 0 after loading).
inline int64_t bytes(int64_t quota_mb) {
  return quota_mb * 1024 * 1024;
}

}  // namespace frugal::tools::quota
