// result<T>: a value or an error message with context. Errors are values in this code
// base; exceptions are used only inside the config loader and never cross a C callback.
// Not a general-purpose expected<>: just what the layers need.
#pragma once
#include <initializer_list>
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

// text_part: one piece of a message built by fail(), refuse() or log::cat(): a string (held
// as a view, so it must outlive the call, as a temporary argument does), a character or a
// number (written as std::to_string writes it). join_text() is the one out-of-line function
// that appends the pieces, so each call site only stores its pieces on the stack instead
// of instantiating a concatenation for its own argument list (that cost ~70 KB of code).
class text_part {
 public:
  text_part(const char* v) : kind_(kind::view), view_(v ? v : "(null)") {}
  template <class S>
  requires std::is_convertible_v<const S&, std::string_view> text_part(const S& v)
      : kind_(kind::view), view_(v) {}
  text_part(char v) : kind_(kind::character), char_(v) {}
  template <class N>
  requires std::is_integral_v<N> && std::is_signed_v<N> text_part(N v)
      : kind_(kind::signed_int), signed_(v) {}
  template <class N>
  requires std::is_integral_v<N> && std::is_unsigned_v<N> text_part(N v)
      : kind_(kind::unsigned_int), unsigned_(v) {}
  template <class N>
  requires std::is_floating_point_v<N> text_part(N v) : kind_(kind::floating), double_(v) {}

  // Appends this piece to out (a null const char* as "(null)").
  void append_to(std::string& out) const;

 private:
  enum class kind : unsigned char { view, character, signed_int, unsigned_int, floating };
  kind kind_;
  union {
    std::string_view view_;
    char char_;
    long long signed_;
    unsigned long long unsigned_;
    double double_;
  };
};

// The pieces appended in order.
std::string join_text(std::initializer_list<text_part> parts);

// fail("ledger: reserve ", n, " µ$: ", sqlite3_errmsg(db)) builds an error from pieces.
template <class... Parts>
error fail(const Parts&... parts) {
  return error{join_text({text_part(parts)...})};
}

// refuse("shell: \"", name, "\" is not on this realm's allowlist"): an error that is a rule's
// refusal (error::refused), built like fail().
template <class... Parts>
error refuse(const Parts&... parts) {
  return error{join_text({text_part(parts)...}), true};
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
