// Thin entry point: everything lives in the layer libraries (agent/cli/cli.h is the top).
#include "agent/cli/cli.h"

int main(int argc, char** argv) { return frugal::cli::main(argc, argv); }
