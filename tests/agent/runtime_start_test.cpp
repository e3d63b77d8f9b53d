// runtime::create: a budget setting the governor cannot use (a time zone file that is not
// a tzfile) is a configuration error, exit 2, found before anything is made on disk.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "agent/runtime.h"

using namespace frugal;

TEST_CASE("runtime: a bad budget time zone is exit 2 and leaves no state folder",
          "[agent][runtime]") {
  char dir[] = "/tmp/frugal-rt-XXXXXX";
  REQUIRE(::mkdtemp(dir));
  const std::string state = std::string(dir) + "/state";
  const std::string path = std::string(dir) + "/frugal.toml";
  std::ofstream(path)
      << "[agent]\nstate_dir = \"" << state
      << "\"\n\n[providers.local]\nkind = \"openai\"\nbase_url = \"http://127.0.0.1:9/v1\"\n"
         "local = true\n\n[models.tiny]\nprovider = \"local\"\nmodel = \"tiny\"\n\n"
         "[tiers]\nchat = [\"tiny\"]\n\n[budget]\ndaily_usd = 1.0\n"
         "timezone = \"zone.tab\"\n";  // exists in zoneinfo, not a tzfile
  agent::startup_error err;
  auto rt = agent::runtime::create(path, "error", err);
  CHECK_FALSE(rt);
  CHECK(err.exit_code == 2);
  CHECK(err.message.rfind("budget.timezone: ", 0) == 0);
  // Before, the governor's error was told apart by searching its text for "timezone",
  // after the state folder, the workspaces and the database had been made.
  CHECK_FALSE(std::filesystem::exists(state));
  std::filesystem::remove_all(dir);
}
