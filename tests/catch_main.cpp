// Catch2's main, with SIGPIPE ignored as the frugal binary does (agent/cli/cli.cpp): a
// loop test whose peer hangs up must see EPIPE, not die.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <csignal>

int main(int argc, char* argv[]) {
  std::signal(SIGPIPE, SIG_IGN);
  return Catch::Session().run(argc, argv);
}
