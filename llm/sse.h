// An incremental Server-Sent Events parser (WHATWG HTML, "Parsing an event stream").
// Bytes may arrive split anywhere; lines end in \n, \r\n or \r; `event`, `data` (several
// lines joined by \n) and `id` are kept, comments (keep-alives) and `retry` are ignored.
// It does not reconnect, decode JSON, or dispatch a half-received event at end of stream.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace frugal::llm::sse {

struct event {
  std::string type = "message";  // the `event:` field, "message" when absent
  std::string data;              // `data:` lines joined by \n (no trailing \n)
  std::string id;                // last `id:` seen on the stream (it persists)
};

class parser {
 public:
  // max_buffered_bytes caps the partial line plus the data of the event being built.
  explicit parser(size_t max_buffered_bytes = 1 << 20) : max_(max_buffered_bytes) {}

  // Parses `chunk` and appends every event completed by it to `out`. Returns an error
  // once the buffered bytes pass the cap; the parser then stays failed and ignores input.
  status feed(std::string_view chunk, std::vector<event>& out);

  // True when bytes of an event (or of a line) arrived that no blank line dispatched yet:
  // at end of stream this means the stream was cut mid-event (the event is discarded).
  bool has_partial() const { return !line_.empty() || !data_.empty(); }
  bool failed() const { return failed_; }

 private:
  void consume(std::string_view bytes, std::vector<event>& out);
  void process_line(std::vector<event>& out);

  size_t max_;
  std::string line_;      // the current line, without its terminator
  std::string data_;      // data buffer, each line followed by \n
  std::string type_;      // event type buffer
  std::string last_id_;   // last event id buffer
  bool skip_lf_ = false;  // the previous byte was \r: a following \n ends nothing
  bool at_start_ = true;  // a leading UTF-8 BOM is skipped
  std::string bom_;       // the first bytes, held while they may still be a BOM
  bool failed_ = false;
};

}  // namespace frugal::llm::sse
