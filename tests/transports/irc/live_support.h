// Test support for the live IRC tests: starts real servers through
// tests/e2e/irc_servers.py (or the hostile fake) as a child process, a raw-socket "user"
// client, and a loop runner that drives the uv loop and the clients until a condition
// holds. Header-only; used by the IRC loop tests in this folder (irc_live_test.cpp,
// irc_hostile_test.cpp, transport_lifetime_test.cpp).
#pragma once
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "transports/transport.h"

namespace irc_live {

inline std::string source_dir() {
  return FRUGAL_SOURCE_DIR;
}

inline std::string temp_path(const std::string& stem) {
  static int counter = 0;
  return "/tmp/frugal-irc-test-" + std::to_string(getpid()) + "-" + std::to_string(++counter) +
         "-" + stem;
}

// A child process (python3 helper) that writes key=value lines to an info file when ready.
class helper_process {
 public:
  helper_process(std::vector<std::string> argv, const std::string& info_file, int timeout_s = 40)
      : info_(info_file) {
    unlink(info_.c_str());
    unlink((info_ + ".error").c_str());
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execvp(args[0], args.data());
      _exit(127);
    }
    REQUIRE(pid_ > 0);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream err(info_ + ".error");
      if (err) {
        std::string msg((std::istreambuf_iterator<char>(err)), {});
        FAIL("server helper failed: " << msg);
      }
      std::ifstream in(info_);
      if (in) {
        for (std::string line; std::getline(in, line);) {
          auto eq = line.find('=');
          if (eq != std::string::npos) info[line.substr(0, eq)] = line.substr(eq + 1);
        }
        return;
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        FAIL("server helper exited before it was ready (status " << status << ")");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
    FAIL("server helper was not ready within " << timeout_s << " s");
  }
  ~helper_process() { stop(); }

  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 200; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    unlink(info_.c_str());
  }

  int port(const std::string& key) const { return std::stoi(info.at(key)); }
  std::map<std::string, std::string> info;

 private:
  std::string info_;
  pid_t pid_ = -1;
};

// Starts `irc_servers.py KIND`, optionally on given ports (to restart on the same ones).
inline std::unique_ptr<helper_process> start_server(const std::string& kind, int port = 0,
                                                    int tls_port = 0) {
  std::vector<std::string> argv = {"python3", source_dir() + "/tests/e2e/irc_servers.py", kind,
                                   "--info", temp_path(kind + ".info")};
  if (port) argv.insert(argv.end(), {"--port", std::to_string(port)});
  if (tls_port) argv.insert(argv.end(), {"--tls-port", std::to_string(tls_port)});
  std::string info = argv[4];
  return std::make_unique<helper_process>(argv, info);
}

// A plain-TCP IRC user driven from the test thread: non-blocking, answers PING, keeps
// every line it receives.
class raw_client {
 public:
  explicit raw_client(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    fcntl(fd_, F_SETFL, O_NONBLOCK);
  }
  ~raw_client() {
    if (fd_ >= 0) close(fd_);
  }

  void send(const std::string& line) {
    std::string data = line + "\r\n";
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n > 0)
        off += static_cast<size_t>(n);
      else if (n < 0 && errno != EAGAIN)
        FAIL("raw client send failed");
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  // Reads whatever is available; returns false once the server closed the connection.
  bool pump() {
    char buf[8192];
    for (;;) {
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n > 0) {
        pending_.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n == 0) closed_ = true;
      break;
    }
    size_t pos;
    while ((pos = pending_.find("\r\n")) != std::string::npos) {
      std::string line = pending_.substr(0, pos);
      pending_.erase(0, pos + 2);
      if (line.rfind("PING ", 0) == 0) send("PONG " + line.substr(5));
      lines.push_back(line);
    }
    return !closed_;
  }

  // Index of the first line at or after `from` containing `needle`, or -1.
  int find(const std::string& needle, size_t from = 0) const {
    for (size_t i = from; i < lines.size(); ++i)
      if (lines[i].find(needle) != std::string::npos) return static_cast<int>(i);
    return -1;
  }
  bool has(const std::string& needle, size_t from = 0) const { return find(needle, from) >= 0; }
  bool closed() const { return closed_; }

  std::vector<std::string> lines;

 private:
  int fd_ = -1;
  std::string pending_;
  bool closed_ = false;
};

// Drives `loop` and the clients until `done()` or the timeout; returns done().
inline bool run_until(uv_loop_t* loop, const std::function<bool()>& done, int timeout_ms,
                      std::vector<raw_client*> clients = {}) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    uv_run(loop, UV_RUN_NOWAIT);
    for (auto* c : clients) c->pump();
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  uv_run(loop, UV_RUN_NOWAIT);
  return done();
}

// Drives only the clients, not the loop (so the transport's timers and sockets stand
// still), until `done()` or the timeout; returns done(). Lets a user act before the bot.
inline bool pump_until(const std::function<bool()>& done, int timeout_ms,
                       std::vector<raw_client*> clients) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    for (auto* c : clients) c->pump();
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return done();
}

// Registers a raw client as `nick` (plain, no SASL) and waits for 001.
inline void register_client(uv_loop_t* loop, raw_client& c, const std::string& nick) {
  c.send("NICK " + nick);
  c.send("USER " + nick + " 0 * :" + nick);
  REQUIRE(run_until(loop, [&] { return c.has(" 001 "); }, 10000, {&c}));
}

// What a transport reported through its callbacks.
struct recorder {
  std::vector<frugal::transports::inbound> messages;
  std::vector<std::pair<frugal::transports::state, std::string>> states;

  frugal::transports::transport::message_fn on_message() {
    return [this](frugal::transports::inbound in) { messages.push_back(std::move(in)); };
  }
  frugal::transports::transport::state_fn on_state() {
    return [this](frugal::transports::state s, const std::string& d) { states.emplace_back(s, d); };
  }
  int count(frugal::transports::state s) const {
    int n = 0;
    for (auto& [st, d] : states) n += st == s;
    return n;
  }
  std::string details() const {
    std::string out;
    for (auto& [st, d] : states) out += std::to_string(static_cast<int>(st)) + ":" + d + "\n";
    return out;
  }
};

// A loop that must be drained of closing handles at the end of a test, so LSan sees no leak.
struct test_loop {
  uv_loop_t loop{};
  test_loop() { uv_loop_init(&loop); }
  ~test_loop() {
    for (int i = 0; i < 200 && uv_loop_alive(&loop); ++i) {
      uv_run(&loop, UV_RUN_NOWAIT);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    uv_walk(
        &loop,
        [](uv_handle_t* h, void*) {
          if (!uv_is_closing(h)) uv_close(h, nullptr);
        },
        nullptr);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
  }
  uv_loop_t* get() { return &loop; }
};

}  // namespace irc_live
