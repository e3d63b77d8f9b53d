// Line reassembly with a hard cap: memory use stays below cap + one read, whatever the
// server sends.
#include "transports/irc/line_buffer.h"

namespace frugal::irc {

std::vector<std::string> line_buffer::feed(std::string_view data) {
  std::vector<std::string> lines;
  while (!data.empty()) {
    size_t lf = data.find('\n');
    std::string_view chunk = data.substr(0, lf);
    if (!discarding_) {
      if (pending_.size() + chunk.size() > cap_ + 1) {  // +1: the CR before LF is allowed
        discarding_ = true;
        pending_.clear();
        ++dropped_;
      } else {
        pending_.append(chunk);
      }
    }
    if (lf == std::string_view::npos) break;
    data.remove_prefix(lf + 1);
    if (discarding_) {
      discarding_ = false;
      continue;
    }
    if (!pending_.empty() && pending_.back() == '\r') pending_.pop_back();
    if (pending_.size() > cap_)
      ++dropped_;
    else if (!pending_.empty())
      lines.push_back(std::move(pending_));
    pending_.clear();
  }
  return lines;
}

void line_buffer::clear() {
  pending_.clear();
  discarding_ = false;
}

}  // namespace frugal::irc
