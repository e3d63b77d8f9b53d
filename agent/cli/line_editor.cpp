// libedit in its wide-character API. Characters are read by our own function, which waits
// on stdin and on a self-pipe written by the SIGINT handler, so Ctrl-C at the prompt ends
// the read at once (libedit retries a read interrupted by a signal). Input bytes are
// decoded from UTF-8 here and the line encoded back to UTF-8, whatever the locale.
#include "agent/cli/line_editor.h"

#include <fcntl.h>
#include <histedit.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>

namespace frugal::cli {
namespace {

int g_wake[2] = {-1, -1};  // the self-pipe: the SIGINT handler writes, the reader drains
std::atomic<bool> g_interrupted{false};

extern "C" void on_sigint(int) {
  g_interrupted = true;
  int saved = errno;
  if (g_wake[1] >= 0) (void)!::write(g_wake[1], "i", 1);
  errno = saved;
}

const char* prompt_text = "";
const char* prompt_fn(EditLine*) {
  return prompt_text;
}

// One byte from stdin, or -1 when SIGINT came first (or on error), 0 at end of file.
int next_byte(unsigned char& b) {
  for (;;) {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {g_wake[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR && !g_interrupted) continue;
      if (errno != EINTR) return -1;
    }
    if (g_interrupted) {
      char drain[16];
      while (::read(g_wake[0], drain, sizeof drain) > 0) {
      }
      errno = EINTR;
      return -1;
    }
    ssize_t n = ::read(STDIN_FILENO, &b, 1);
    if (n == 1) return 1;
    if (n == 0) return 0;
    if (errno != EINTR && errno != EAGAIN) return -1;
  }
}

// libedit's read function: one character, decoded from UTF-8 (an invalid sequence reads
// as U+FFFD).
int read_char(EditLine*, wchar_t* out) {
  unsigned char b = 0;
  int rc = next_byte(b);
  if (rc <= 0) return rc;
  int more = b < 0x80 ? 0 : (b >> 5) == 0x6 ? 1 : (b >> 4) == 0xe ? 2 : (b >> 3) == 0x1e ? 3 : -1;
  if (more < 0) {
    *out = 0xfffd;
    return 1;
  }
  uint32_t cp = more == 0 ? b : b & (0x3f >> more);
  for (int i = 0; i < more; ++i) {
    unsigned char c = 0;
    rc = next_byte(c);
    if (rc <= 0) return rc;
    if ((c & 0xc0) != 0x80) {
      *out = 0xfffd;
      return 1;
    }
    cp = (cp << 6) | (c & 0x3f);
  }
  *out = static_cast<wchar_t>(cp);
  return 1;
}

std::string to_utf8(const wchar_t* w, int len) {
  std::string s;
  for (int i = 0; i < len; ++i) {
    auto c = static_cast<uint32_t>(w[i]);
    if (c < 0x80) {
      s += static_cast<char>(c);
    } else if (c < 0x800) {
      s += static_cast<char>(0xc0 | (c >> 6));
      s += static_cast<char>(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      s += static_cast<char>(0xe0 | (c >> 12));
      s += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
      s += static_cast<char>(0x80 | (c & 0x3f));
    } else {
      s += static_cast<char>(0xf0 | (c >> 18));
      s += static_cast<char>(0x80 | ((c >> 12) & 0x3f));
      s += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
      s += static_cast<char>(0x80 | (c & 0x3f));
    }
  }
  return s;
}

}  // namespace

struct line_editor::impl {
  std::string path;
  EditLine* el = nullptr;
  History* hist = nullptr;

  void save() {
    // Created 0600 (and made so if it existed wider): the lines may be private.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return;
    ::fchmod(fd, 0600);
    FILE* f = ::fdopen(fd, "w");
    if (!f) {
      ::close(fd);
      return;
    }
    HistEvent ev;
    ::history(hist, &ev, H_SAVE_FP, f);
    std::fclose(f);
  }
};

line_editor::line_editor(std::string history_path) : p_(std::make_unique<impl>()) {
  p_->path = std::move(history_path);
  if (g_wake[0] < 0 && ::pipe2(g_wake, O_CLOEXEC | O_NONBLOCK) != 0) g_wake[0] = g_wake[1] = -1;
  p_->hist = ::history_init();
  HistEvent ev;
  ::history(p_->hist, &ev, H_SETSIZE, 1000);
  ::history(p_->hist, &ev, H_SETUNIQUE, 1);
  ::history(p_->hist, &ev, H_LOAD, p_->path.c_str());
  p_->el = ::el_init("frugal", stdin, stdout, stderr);
  ::el_set(p_->el, EL_EDITOR, "emacs");
  ::el_set(p_->el, EL_SIGNAL, 0);
  ::el_set(p_->el, EL_PROMPT, prompt_fn);
  ::el_set(p_->el, EL_HIST, ::history, p_->hist);
  ::el_set(p_->el, EL_GETCFN, read_char);
  ::el_source(p_->el, nullptr);  // the user's ~/.editrc, if any
}

line_editor::~line_editor() {
  if (p_->el) ::el_end(p_->el);
  if (p_->hist) ::history_end(p_->hist);
}

line_editor::outcome line_editor::read(const std::string& prompt, std::string& out) {
  prompt_text = prompt.c_str();
  struct sigaction sa {
  }, old{};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: poll() returns at once
  ::sigaction(SIGINT, &sa, &old);
  g_interrupted = false;
  int count = 0;
  const wchar_t* w = ::el_wgets(p_->el, &count);
  ::sigaction(SIGINT, &old, nullptr);
  if (g_interrupted) return outcome::interrupted;
  if (!w || count <= 0) return outcome::eof;
  int len = count;
  while (len > 0 && (w[len - 1] == L'\n' || w[len - 1] == L'\r')) --len;
  out = to_utf8(w, len);
  if (out.find_first_not_of(" \t") != std::string::npos) {
    HistEvent ev;
    ::history(p_->hist, &ev, H_ENTER, out.c_str());
    p_->save();
  }
  return outcome::line;
}

}  // namespace frugal::cli
