// launchers: which allowed programs can start other programs, and through which options.
// A built-in table per command (sort --compress-program, tar --checkpoint-action, sed's
// `e`, find -exec, env, git, vim, ...). In a realm without `shell_launchers = true` the
// shell tool refuses such a program or option, or adds the option that disables it (GNU
// sed --sandbox, tar --force-local). This narrows what a realm can do; it is not the
// boundary: the kernel sandbox confines whatever an allowed program runs.
#pragma once
#include <string>
#include <vector>

#include "core/result.h"

namespace frugal::tools::launchers {

// Checks `args` for the program the realm listed as `listed` and which resolves (after
// following symlinks) to a file named `resolved` (e.g. "view" -> "vim.basic"). Both names
// are looked up. Returns the arguments to run (possibly with a disabling option added in
// front), or why the call is refused.
result<std::vector<std::string>> screen(const std::string& listed, const std::string& resolved,
                                        const std::vector<std::string>& args);

}  // namespace frugal::tools::launchers
