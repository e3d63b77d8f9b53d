// The out-of-line half of fail(), refuse() and log::cat(): appending text_parts. Numbers
// are written by std::to_string, as the templates wrote them before they shared this.
// Does not build errors or log lines itself.
#include "core/result.h"

namespace frugal {

void text_part::append_to(std::string& out) const {
  switch (kind_) {
    case kind::view:
      out += view_;
      break;
    case kind::character:
      out += char_;
      break;
    case kind::signed_int:
      out += std::to_string(signed_);
      break;
    case kind::unsigned_int:
      out += std::to_string(unsigned_);
      break;
    case kind::floating:
      out += std::to_string(double_);
      break;
  }
}

std::string join_text(std::initializer_list<text_part> parts) {
  std::string s;
  for (const text_part& p : parts) p.append_to(s);
  return s;
}

}  // namespace frugal
