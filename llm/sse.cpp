// Server-Sent Events parsing. A \r ends its line at once; a \n right after it (even in the
// next chunk) is then skipped, which yields the same events as waiting for that \n would.
// Costs: one pass over the bytes, copies only into the line and data buffers.
#include "llm/sse.h"

namespace frugal::llm::sse {
namespace {
constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";
}

status parser::feed(std::string_view chunk, std::vector<event>& out) {
  if (failed_) return fail("sse: stream already failed (buffer cap exceeded)");
  if (at_start_) {
    size_t take = 0;
    bool mismatch = false;
    while (take < chunk.size() && bom_.size() < utf8_bom.size()) {
      bom_ += chunk[take++];
      if (bom_.back() != utf8_bom[bom_.size() - 1]) {
        mismatch = true;
        break;
      }
    }
    if (!mismatch && bom_.size() < utf8_bom.size()) return status::success();
    at_start_ = false;
    std::string held = std::move(bom_);
    bom_.clear();
    chunk.remove_prefix(take);
    if (mismatch) consume(held, out);
  }
  consume(chunk, out);
  if (failed_) return fail("sse: more than ", max_, " bytes buffered without an event");
  return status::success();
}

void parser::consume(std::string_view bytes, std::vector<event>& out) {
  size_t i = 0;
  while (i < bytes.size() && !failed_) {
    if (skip_lf_) {
      skip_lf_ = false;
      if (bytes[i] == '\n') {
        ++i;
        continue;
      }
    }
    size_t end = bytes.find_first_of("\r\n", i);
    size_t stop = end == std::string_view::npos ? bytes.size() : end;
    line_.append(bytes.substr(i, stop - i));
    i = stop;
    if (i < bytes.size()) {
      skip_lf_ = bytes[i] == '\r';
      ++i;
      process_line(out);
    }
    if (line_.size() + data_.size() + type_.size() > max_) failed_ = true;
  }
}

void parser::process_line(std::vector<event>& out) {
  std::string_view line = line_;
  if (line.empty()) {
    if (!data_.empty()) {
      data_.pop_back();  // the \n after the last data line
      event ev;
      if (!type_.empty()) ev.type = std::move(type_);
      ev.data = std::move(data_);
      ev.id = last_id_;
      out.push_back(std::move(ev));
    }
    data_.clear();
    type_.clear();
    return;
  }
  if (line.front() != ':') {  // lines starting with ':' are comments
    size_t colon = line.find(':');
    std::string_view field = line.substr(0, colon);
    std::string_view value;
    if (colon != std::string_view::npos) {
      value = line.substr(colon + 1);
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    }
    if (field == "event") {
      type_.assign(value);
    } else if (field == "data") {
      data_.append(value);
      data_ += '\n';
    } else if (field == "id") {
      if (value.find('\0') == std::string_view::npos) last_id_.assign(value);
    }
    // "retry" and unknown fields are ignored: this client never reconnects a stream.
  }
  line_.clear();
}

}  // namespace frugal::llm::sse
