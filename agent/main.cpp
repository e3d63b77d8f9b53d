// Thin entry point: everything lives in frugal_lib (agent/cli/cli.h).
#include "agent/cli/cli.h"

int main(int argc, char** argv) { return frugal::cli::main(argc, argv); }
