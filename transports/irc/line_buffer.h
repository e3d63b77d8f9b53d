// line_buffer: reassembles IRC lines from a byte stream split arbitrarily across reads.
// A line ends at LF (an optional CR before it is removed; a bare LF is accepted). A line
// longer than the cap is dropped whole (counted), never delivered truncated, so a half
// command is never acted on. It does not parse; see message.h.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace frugal::irc {

class line_buffer {
 public:
  // 8191 bytes of tags plus a 512-byte message, as IRCv3 message-tags allows.
  static constexpr size_t default_cap = 8191 + 512;

  explicit line_buffer(size_t cap = default_cap) : cap_(cap) {}

  // Appends `data` and returns the lines it completed, without their CR LF. Empty lines
  // are skipped.
  std::vector<std::string> feed(std::string_view data);

  // Lines dropped for being longer than the cap, since construction.
  size_t dropped() const { return dropped_; }
  // Forgets a partial line (new connection).
  void clear();

 private:
  size_t cap_;
  std::string pending_;
  bool discarding_ = false;  // inside an over-long line: skip to the next LF
  size_t dropped_ = 0;
};

}  // namespace frugal::irc
