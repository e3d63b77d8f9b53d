// The spinner is one character redrawn with a backspace every 100 ms; it is erased before
// the first piece of text, so a terminal transcript holds only the answer.
#include "agent/cli/stream_printer.h"

#include <cstdio>

namespace frugal::cli {

stream_printer::stream_printer(uv_loop_t* loop) {
  if (uv_timer_init(loop, timer_.get()) != 0) return;
  timer_.mark_initialized();
  timer_->data = this;
  spinning_ = true;
  spin();
  uv_timer_start(
      timer_.get(),
      [](uv_timer_t* t) noexcept {
        if (t->data) static_cast<stream_printer*>(t->data)->spin();
      },
      100, 100);
}

stream_printer::~stream_printer() {
  erase_spinner();
}

void stream_printer::spin() {
  if (!spinning_) return;
  static const char frames[] = {'|', '/', '-', '\\'};
  if (frame_ > 0) std::fputc('\b', stdout);
  std::fputc(frames[frame_++ % 4], stdout);
  std::fflush(stdout);
}

void stream_printer::erase_spinner() {
  if (timer_.initialized()) uv_timer_stop(timer_.get());
  if (!spinning_) return;
  spinning_ = false;
  std::fputs("\b \b", stdout);
  std::fflush(stdout);
}

void stream_printer::piece(std::string_view text) {
  erase_spinner();
  shown_.append(text);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

void stream_printer::finish(const std::string& answer) {
  erase_spinner();
  if (shown_.empty()) {
    std::fwrite(answer.data(), 1, answer.size(), stdout);
  } else if (answer.compare(0, shown_.size(), shown_) == 0) {
    std::fwrite(answer.data() + shown_.size(), 1, answer.size() - shown_.size(), stdout);
  } else if (!answer.empty()) {
    std::fputc('\n', stdout);
    std::fwrite(answer.data(), 1, answer.size(), stdout);
  }
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

void stream_printer::stop() {
  erase_spinner();
  if (!shown_.empty()) std::fputc('\n', stdout);
  std::fflush(stdout);
}

}  // namespace frugal::cli
