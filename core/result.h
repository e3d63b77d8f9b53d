// result<T>: a value or an error message with context. Errors are values in this code
// base; exceptions are used only inside the config loader and never cross a C callback.
// Not a general-purpose expected<>: just what the layers need.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace frugal {

struct error {
  std::string message;
  // True when a rule refused the operation (a path that leaves the workspace, a program or
  // address not allowed), as opposed to something that failed; see refuse().
  bool refused = false;
};

inline std::string to_text(std::string_view v) {
  return std::string(v);
}
inline std::string to_text(const std::string& v) {
  return v;
}
inline std::string to_text(const char* v) {
  return v ? v : "(null)";
}
inline std::string to_text(char v) {
  return std::string(1, v);
}
template <class N>
requires std::is_arithmetic_v<N> std::string to_text(N v) {
  return std::to_string(v);
}

// fail("ledger: reserve ", n, " µ$: ", sqlite3_errmsg(db)) builds an error from pieces.
template <class... Parts>
error fail(Parts&&... parts) {
  std::string s;
  ((s += to_text(std::forward<Parts>(parts))), ...);
  return error{std::move(s)};
}

// refuse("shell: \"", name, "\" is not on this realm's allowlist"): an error that is a rule's
// refusal (error::refused), built like fail().
template <class... Parts>
error refuse(Parts&&... parts) {
  error e = fail(std::forward<Parts>(parts)...);
  e.refused = true;
  return e;
}

template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : v_(std::move(value)) {}
  result(error e) : v_(std::move(e)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& value() const& { return std::get<0>(v_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const error& err() const { return std::get<1>(v_); }
  const std::string& message() const { return err().message; }

 private:
  std::variant<T, error> v_;
};

// status: success or an error, for operations that return nothing.
class [[nodiscard]] status {
 public:
  status() = default;
  status(error e) : e_(std::move(e)) {}
  static status success() { return {}; }
  bool ok() const { return !e_; }
  explicit operator bool() const { return ok(); }
  const error& err() const { return *e_; }
  const std::string& message() const { return e_->message; }

 private:
  std::optional<error> e_;
};

}  // namespace frugal
