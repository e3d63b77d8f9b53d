// line_editor: the terminal line input of `frugal chat`, on libedit: cursor keys, Ctrl-A/E,
// word erase and history recall edit the line before it is sent (the model never sees
// escape bytes), and the history persists in a file made 0600. SIGINT at the prompt ends
// the read with `interrupted` (libedit's own signal handling is off). Only for a terminal
// on stdin; piped input is read plainly by the caller. libedit is loaded at run time, on
// the first open(), so that no other command pays for it.
#pragma once
#include <memory>
#include <string>

#include "core/result.h"

namespace frugal::cli {

class line_editor {
 public:
  enum class outcome { line, eof, interrupted };

  // Loads libedit.so.2 (once per process) and sets up the terminal. `history_path` is
  // loaded now (if it exists) and rewritten, mode 0600, after each line. Fails, saying why,
  // when libedit is not installed or lacks a function: the caller then reads plain lines.
  static result<std::unique_ptr<line_editor>> open(std::string history_path);
  ~line_editor();
  line_editor(const line_editor&) = delete;
  line_editor& operator=(const line_editor&) = delete;

  // Shows `prompt`, returns the edited line (UTF-8, without the newline) in `out`.
  outcome read(const std::string& prompt, std::string& out);

 private:
  line_editor();
  struct impl;
  std::unique_ptr<impl> p_;
};

}  // namespace frugal::cli
