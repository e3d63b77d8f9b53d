// Fuzzes the config loader (core/config/config.h): the input is written to a temporary
// file and loaded with a fake environment. load() must return an error naming the file or
// a configuration whose cross-references hold (tiers name known models, models known
// providers, both realms present); any exception escaping load() is a crash. It does not
// check prices against the built-in table (the caller does that).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/config/config.h"
#include "core/log.h"
#include "tests/fuzz/fuzz_support.h"

using namespace frugal;

namespace {

// Every variable is set except EMPTY_SECRET, so both secret paths are reachable.
std::string fake_env(const std::string& name) {
  return name == "EMPTY_SECRET" ? "" : "fuzz-secret-value";
}

const std::string& temp_path() {
  static const std::string path = [] {
    char tmpl[] = "/tmp/frugal-config-fuzz-XXXXXX";
    int fd = ::mkstemp(tmpl);
    if (fd < 0) std::abort();
    ::close(fd);
    return std::string(tmpl);
  }();
  return path;
}

void check_file(const config::file& f) {
  for (frugal::core::realm_kind r : frugal::core::every_realm) FUZZ_CHECK(f.realms.count(r));
  FUZZ_CHECK(!f.tiers.empty());
  for (const auto& [name, t] : f.tiers) {
    FUZZ_CHECK(!t.models.empty());
    for (const std::string& m : t.models) FUZZ_CHECK(f.models.count(m));
  }
  for (const auto& [name, m] : f.models) FUZZ_CHECK(f.providers.count(m.provider));
  for (const auto& [name, r] : f.realms)
    for (const std::string& t : r.tiers) FUZZ_CHECK(f.tiers.count(t));
  FUZZ_CHECK(!f.agent.state_dir.empty());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  log::set_level(log::level::off);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = temp_path();
  FILE* out = std::fopen(path.c_str(), "wb");
  if (!out) std::abort();
  if (size && std::fwrite(data, 1, size, out) != size) std::abort();
  std::fclose(out);

  auto loaded = config::load(path, fake_env);
  ::unlink(path.c_str());  // recreated by the next input; none is left behind
  if (loaded.ok())
    check_file(*loaded);
  else
    FUZZ_CHECK(loaded.message().starts_with(path + ":"));
  return 0;
}
