// Thin entry point: everything lives in the layer libraries (agent/cli/cli.h is the top).
#include <sys/stat.h>

#include "agent/cli/cli.h"

int main(int argc, char** argv) {
  // Before anything is opened: every file frugal creates is 0600 and every folder 0700
  // (the database and its -wal/-shm, the seal, init's config, tool children's files). What
  // must be reachable by others is set explicitly (a root daemon's workspaces, runtime.cpp).
  ::umask(077);
  return frugal::cli::main(argc, argv);
}
