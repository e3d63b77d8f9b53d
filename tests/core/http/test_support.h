// Test support for loop tests against a local server: starts a Python server script as a
// child process (it writes its port to a file once listening), stops it in the
// destructor, and runs a uv loop until a condition holds or a deadline passes.
// Header-only; used by the http tests and usable by any area's tests.
#pragma once
#include <arpa/inet.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace frugal::testing {

// A Python server script run as `python3 SCRIPT ARGS... --port-file PATH`.
class server_process {
 public:
  server_process(const std::string& script, std::vector<std::string> args = {}) {
    char tmpl[] = "/tmp/frugal-srv-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    std::string port_file = dir_ + "/port";
    std::vector<std::string> argv_s = {"python3", script};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    argv_s.push_back("--port-file");
    argv_s.push_back(port_file);
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawnp(&pid_, "python3", nullptr, nullptr, argv.data(), environ) != 0)
      throw std::runtime_error("cannot start " + script);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream f(port_file);
      if (f >> port_ && port_ > 0) return;
      int st = 0;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error(script + " exited before listening");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    stop();
    throw std::runtime_error(script + " did not write its port");
  }
  ~server_process() { stop(); }
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int st = 0;
      waitpid(pid_, &st, 0);
      pid_ = -1;
    }
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
      dir_.clear();
    }
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string dir_;
};

// A port on 127.0.0.1 that nothing listens on (bound, then released).
inline int unused_port() {
  uv_loop_t loop;
  uv_loop_init(&loop);
  uv_tcp_t tcp;
  uv_tcp_init(&loop, &tcp);
  sockaddr_in addr{};
  uv_ip4_addr("127.0.0.1", 0, &addr);
  uv_tcp_bind(&tcp, reinterpret_cast<const sockaddr*>(&addr), 0);
  sockaddr_storage bound{};
  int len = sizeof bound;
  uv_tcp_getsockname(&tcp, reinterpret_cast<sockaddr*>(&bound), &len);
  int port = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp), nullptr);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  return port;
}

// Runs `loop` until `done()` is true or `limit_ms` passed; returns done().
inline bool run_until(uv_loop_t* loop, const std::function<bool()>& done, uint64_t limit_ms) {
  uint64_t deadline = uv_now(loop) + limit_ms;
  uv_timer_t tick;
  uv_timer_init(loop, &tick);
  // A periodic tick keeps UV_RUN_ONCE from blocking past the deadline.
  uv_timer_start(
      &tick, [](uv_timer_t*) {}, 10, 10);
  while (!done()) {
    uv_update_time(loop);
    if (uv_now(loop) >= deadline) break;
    uv_run(loop, UV_RUN_ONCE);
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&tick), nullptr);
  uv_run(loop, UV_RUN_NOWAIT);
  return done();
}

// A loop for one test; the destructor drains close callbacks and checks nothing leaked.
struct test_loop {
  uv_loop_t loop;
  test_loop() { uv_loop_init(&loop); }
  ~test_loop() {
    for (int i = 0; i < 50; ++i) uv_run(&loop, UV_RUN_NOWAIT);
    closed_cleanly = uv_loop_close(&loop) == 0;
    if (!closed_cleanly) std::abort();  // a handle outlived its owner
  }
  uv_loop_t* get() { return &loop; }
  bool closed_cleanly = false;
};

}  // namespace frugal::testing
