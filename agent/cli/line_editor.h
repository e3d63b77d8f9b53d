// line_editor: the terminal line input of `frugal chat`, on libedit: cursor keys, Ctrl-A/E,
// word erase and history recall edit the line before it is sent (the model never sees
// escape bytes), and the history persists in a file made 0600. SIGINT at the prompt ends
// the read with `interrupted` (libedit's own signal handling is off). Only for a terminal
// on stdin; piped input is read plainly by the caller.
#pragma once
#include <memory>
#include <string>

namespace frugal::cli {

class line_editor {
 public:
  enum class outcome { line, eof, interrupted };

  // `history_path` is loaded now (if it exists) and rewritten, mode 0600, after each line.
  explicit line_editor(std::string history_path);
  ~line_editor();
  line_editor(const line_editor&) = delete;
  line_editor& operator=(const line_editor&) = delete;

  // Shows `prompt`, returns the edited line (UTF-8, without the newline) in `out`.
  outcome read(const std::string& prompt, std::string& out);

 private:
  struct impl;
  std::unique_ptr<impl> p_;
};

}  // namespace frugal::cli
