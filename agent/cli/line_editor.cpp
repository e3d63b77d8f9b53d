// libedit in its wide-character API. Characters are read by our own function, which waits
// on stdin and on a self-pipe written by the SIGINT handler, so Ctrl-C at the prompt ends
// the read at once (libedit retries a read interrupted by a signal). Input bytes are
// decoded from UTF-8 here and the line encoded back to UTF-8, whatever the locale.
// libedit is opened with dlopen when `chat` first needs it, not linked: it and the
// libraries it pulls in (libtinfo, libbsd, libmd) cost every start, `ask` included, about
// 4 ms of dynamic loading for a feature only an interactive `chat` uses.
#include "agent/cli/line_editor.h"

#include <dlfcn.h>
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

// The libedit functions used here, looked up once in libedit.so.2 (Debian's libedit2).
struct libedit {
  decltype(&::history_init) history_init = nullptr;
  decltype(&::history) history = nullptr;
  decltype(&::history_end) history_end = nullptr;
  decltype(&::el_init) el_init = nullptr;
  decltype(&::el_set) el_set = nullptr;
  decltype(&::el_source) el_source = nullptr;
  decltype(&::el_wgets) el_wgets = nullptr;
  decltype(&::el_end) el_end = nullptr;
  std::string error;  // why it could not be loaded; empty once loaded
};

template <class F>
bool find(void* lib, const char* name, F& fn, std::string& error) {
  fn = reinterpret_cast<F>(::dlsym(lib, name));
  if (!fn && error.empty()) error = std::string("libedit.so.2 has no ") + name;
  return fn != nullptr;
}

// Kept loaded for the life of the process (never dlclose'd: libedit keeps terminal state).
const libedit& load_libedit() {
  static const libedit lib = [] {
    libedit l;
    void* h = ::dlopen("libedit.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      const char* why = ::dlerror();
      l.error = why ? why : "libedit.so.2: cannot be opened";
      return l;
    }
    bool ok = find(h, "history_init", l.history_init, l.error) &&
              find(h, "history", l.history, l.error) &&
              find(h, "history_end", l.history_end, l.error) &&
              find(h, "el_init", l.el_init, l.error) && find(h, "el_set", l.el_set, l.error) &&
              find(h, "el_source", l.el_source, l.error) &&
              find(h, "el_wgets", l.el_wgets, l.error) && find(h, "el_end", l.el_end, l.error);
    if (!ok) ::dlclose(h);
    return l;
  }();
  return lib;
}

}  // namespace

struct line_editor::impl {
  const libedit* lib = nullptr;
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
    lib->history(hist, &ev, H_SAVE_FP, f);
    std::fclose(f);
  }
};

result<std::unique_ptr<line_editor>> line_editor::open(std::string history_path) {
  const libedit& lib = load_libedit();
  if (!lib.error.empty()) return fail("no line editing: ", lib.error);
  std::unique_ptr<line_editor> ed(new line_editor());
  impl& p = *ed->p_;
  p.lib = &lib;
  p.path = std::move(history_path);
  if (g_wake[0] < 0 && ::pipe2(g_wake, O_CLOEXEC | O_NONBLOCK) != 0) g_wake[0] = g_wake[1] = -1;
  p.hist = lib.history_init();
  HistEvent ev;
  lib.history(p.hist, &ev, H_SETSIZE, 1000);
  lib.history(p.hist, &ev, H_SETUNIQUE, 1);
  lib.history(p.hist, &ev, H_LOAD, p.path.c_str());
  p.el = lib.el_init("frugal", stdin, stdout, stderr);
  if (!p.el) return fail("no line editing: libedit could not set up the terminal");
  lib.el_set(p.el, EL_EDITOR, "emacs");
  lib.el_set(p.el, EL_SIGNAL, 0);
  lib.el_set(p.el, EL_PROMPT, prompt_fn);
  lib.el_set(p.el, EL_HIST, lib.history, p.hist);
  lib.el_set(p.el, EL_GETCFN, read_char);
  lib.el_source(p.el, nullptr);  // the user's ~/.editrc, if any
  return ed;
}

line_editor::line_editor() : p_(std::make_unique<impl>()) {}

line_editor::~line_editor() {
  if (p_->el) p_->lib->el_end(p_->el);
  if (p_->hist) p_->lib->history_end(p_->hist);
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
  const wchar_t* w = p_->lib->el_wgets(p_->el, &count);
  ::sigaction(SIGINT, &old, nullptr);
  if (g_interrupted) return outcome::interrupted;
  if (!w || count <= 0) return outcome::eof;
  int len = count;
  while (len > 0 && (w[len - 1] == L'\n' || w[len - 1] == L'\r')) --len;
  out = to_utf8(w, len);
  if (out.find_first_not_of(" \t") != std::string::npos) {
    HistEvent ev;
    p_->lib->history(p_->hist, &ev, H_ENTER, out.c_str());
    p_->save();
  }
  return outcome::line;
}

}  // namespace frugal::cli
