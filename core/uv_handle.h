// uv_owned<T>: owns one libuv handle of type T (uv_timer_t, uv_poll_t, uv_tcp_t, ...).
// The handle memory is heap-allocated and freed in the uv_close callback, never in the
// destructor (libuv may still touch it until then). The destructor only starts the close.
// `data` is the caller's; it is cleared on close so late callbacks see nullptr.
#pragma once
#include <uv.h>

namespace frugal {

template <class T>
class uv_owned {
 public:
  uv_owned() : h_(new T{}) {}
  ~uv_owned() { close(); }
  uv_owned(const uv_owned&) = delete;
  uv_owned& operator=(const uv_owned&) = delete;
  uv_owned(uv_owned&& o) noexcept : h_(o.h_), inited_(o.inited_) {
    o.h_ = nullptr;
    o.inited_ = false;
  }

  T* get() const { return h_; }
  T* operator->() const { return h_; }
  uv_handle_t* handle() const { return reinterpret_cast<uv_handle_t*>(h_); }
  // Call after a successful uv_*_init so close() knows libuv owns the handle.
  void mark_initialized() { inited_ = true; }
  bool initialized() const { return inited_; }

  // Starts closing; the memory is freed in the close callback. Safe to call twice.
  void close() {
    if (!h_) return;
    if (inited_) {
      h_->data = nullptr;
      if (!uv_is_closing(handle()))
        uv_close(handle(), [](uv_handle_t* h) { delete reinterpret_cast<T*>(h); });
    } else {
      delete h_;
    }
    h_ = nullptr;
    inited_ = false;
  }

 private:
  T* h_;
  bool inited_ = false;
};

}  // namespace frugal
