// lifetime: the one liveness token for callbacks that may outlive, or destroy, their owner.
// The owner keeps a `lifetime` member; a callback (or code about to call out to one)
// captures `watch()` and checks `expired()` before touching the owner again. Guarantee: a
// watcher expires when end() is called or the lifetime is destroyed, never comes back, and
// is itself safe to keep and check after the owner is gone. One thread (the loop's): no locks.
// It does not delay destruction or close handles. uv handles are closed through uv_owned
// (core/uv_handle.h); objects that must not die inside their own callback are kept and
// destroyed later by their owner (agent/runtime's sweep of finished turns, the IRC
// transport's finished connection): that is ownership, not a liveness check.
#pragma once
#include <memory>

namespace frugal {

class lifetime {
 public:
  class watcher {
   public:
    watcher() = default;  // watches nothing: expired
    bool expired() const { return token_.expired(); }

   private:
    friend class lifetime;
    explicit watcher(const std::shared_ptr<const char>& t) : token_(t) {}
    std::weak_ptr<const char> token_;
  };

  lifetime() = default;
  ~lifetime() = default;               // expires every watcher
  lifetime(const lifetime&) = delete;  // a copy would be a second owner of the same token
  lifetime& operator=(const lifetime&) = delete;

  watcher watch() const { return watcher(token_); }
  // Expires every watcher now, e.g. first thing in a destructor whose body still calls out.
  void end() { token_.reset(); }
  bool ended() const { return !token_; }

 private:
  std::shared_ptr<const char> token_ = std::make_shared<const char>(0);
};

}  // namespace frugal
