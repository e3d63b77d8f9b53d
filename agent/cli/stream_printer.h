// stream_printer: shows one turn's answer on a terminal as it arrives: a small spinner on
// stdout until the first piece of text, then each piece as it comes, and at the end
// whatever of the final answer was not shown yet. For `chat` and for `ask` when stdout is
// a terminal; piped output gets the whole answer at once from the caller instead.
#pragma once
#include <uv.h>

#include <string>
#include <string_view>

#include "core/uv_handle.h"

namespace frugal::cli {

class stream_printer {
 public:
  // Starts the spinner on `loop` (it turns while the loop runs the turn).
  explicit stream_printer(uv_loop_t* loop);
  ~stream_printer();
  stream_printer(const stream_printer&) = delete;
  stream_printer& operator=(const stream_printer&) = delete;

  // A piece of answer text (turn_request::on_text).
  void piece(std::string_view text);
  // The turn ended with `answer` (empty when there is nothing to print, e.g. cancelled):
  // prints what was not streamed and a newline, or the whole answer on a line of its own
  // when the streamed text was not its beginning (a failed call's partial text, a tool
  // step's). Stops the spinner.
  void finish(const std::string& answer);
  // Stops the spinner and ends a streamed line; nothing else.
  void stop();

 private:
  void spin();
  void erase_spinner();
  uv_owned<uv_timer_t> timer_;
  bool spinning_ = false;
  int frame_ = 0;
  std::string shown_;
};

}  // namespace frugal::cli
