// core/lifetime.h: watchers expire when the owner's lifetime ends (end() or destruction),
// never come back, outlive the owner safely, and let an owner whose callback destroyed it
// stop before touching itself again (ASan watches the last case).
#include "core/lifetime.h"

#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

using frugal::lifetime;

namespace {

// An owner that calls out and then uses its own members, the way the transports and the
// http client do: the callback may destroy it.
class owner {
 public:
  explicit owner(std::vector<std::string>& log) : log_(log) {}
  std::function<void()> on_event;

  void fire_twice() {
    for (int i = 0; i < 2; ++i) {
      lifetime::watcher alive = life_.watch();
      auto fn = on_event;  // a copy: the callback may destroy this object and on_event
      fn();
      if (alive.expired()) return;
      log_.push_back(name_ + " survived event " + std::to_string(i));
    }
  }

 private:
  std::vector<std::string>& log_;
  std::string name_ = "owner";
  lifetime life_;
};

}  // namespace

TEST_CASE("lifetime: a watcher expires when the lifetime is destroyed, and stays expired") {
  lifetime::watcher w;
  CHECK(w.expired());  // a default watcher watches nothing
  {
    lifetime life;
    w = life.watch();
    lifetime::watcher copy = w;
    CHECK_FALSE(w.expired());
    CHECK_FALSE(copy.expired());
    CHECK_FALSE(life.ended());
  }
  CHECK(w.expired());
  lifetime::watcher later = w;  // copying an expired watcher after the owner is gone is safe
  CHECK(later.expired());
}

TEST_CASE("lifetime: end() expires every watcher at once, including later ones") {
  lifetime life;
  std::vector<lifetime::watcher> ws(3, life.watch());
  life.end();
  CHECK(life.ended());
  for (const auto& w : ws) CHECK(w.expired());
  CHECK(life.watch().expired());
  life.end();  // twice is harmless
  CHECK(life.ended());
}

TEST_CASE("lifetime: an owner destroyed by its own callback stops before touching itself") {
  std::vector<std::string> log;
  auto o = std::make_unique<owner>(log);
  o->on_event = [&] { log.push_back("event"); };
  o->fire_twice();
  CHECK(log == std::vector<std::string>{"event", "owner survived event 0", "event",
                                        "owner survived event 1"});

  log.clear();
  o->on_event = [&] {
    log.push_back("event, destroying the owner");
    o.reset();
  };
  o->fire_twice();  // without the check, the owner's freed name_ would be read here
  CHECK_FALSE(o);
  CHECK(log == std::vector<std::string>{"event, destroying the owner"});
}
