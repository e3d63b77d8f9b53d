// Temporary dispatcher while the subcommands are written (replaced in the next commit).
#include "agent/cli/cli.h"

#include <cstdio>

namespace frugal::cli {
int main(int, char**) {
  std::fprintf(stderr, "frugal: under construction\n");
  return exit_internal;
}
}  // namespace frugal::cli
