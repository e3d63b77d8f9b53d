// Loop-test harness for the Matrix transport: starts tests/fakes/fake_homeserver.py on a
// free 127.0.0.1 port (stopped in the destructor), talks to its control endpoints with
// blocking libcurl calls between loop runs, and runs a real uv loop with the real
// http::client until a condition holds. Header-only; used by the *_test.cpp files here.
#pragma once
#include <curl/curl.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/config/config.h"
#include "core/log.h"
#include "core/http/http_client.h"
#include "core/store/database.h"
#include "transports/matrix/transport.h"

namespace matrix_test {

inline size_t collect(char* p, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(p, size * n);
  return size * n;
}

class homeserver_process {
 public:
  explicit homeserver_process(const std::string& token = "T0") {
    char dir[] = "/tmp/frugal-mx-XXXXXX";
    dir_ = mkdtemp(dir);
    std::string port_file = dir_ + "/port";
    std::string script = std::string(FRUGAL_SOURCE_DIR) + "/tests/fakes/fake_homeserver.py";
    pid_ = fork();
    if (pid_ == 0) {
      execlp("python3", "python3", script.c_str(), "--port", "0", "--port-file", port_file.c_str(),
             "--token", token.c_str(), "--user", "@bot:localhost", static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 300 && port_ == 0; ++i) {
      std::ifstream in(port_file);
      if (!(in >> port_)) port_ = 0;
      if (port_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (port_ == 0) throw std::runtime_error("fake homeserver did not start");
  }
  ~homeserver_process() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);  // it keeps nothing worth a graceful shutdown
      int st = 0;
      waitpid(pid_, &st, 0);
    }
    std::remove((dir_ + "/port").c_str());
    rmdir(dir_.c_str());
  }
  homeserver_process(const homeserver_process&) = delete;
  homeserver_process& operator=(const homeserver_process&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Blocking call; returns the body. `auth` adds the bot's token (to act as the bot).
  std::string request(const char* method, const std::string& path, const std::string& body = "",
                      const std::string& token = "") const {
    CURL* c = curl_easy_init();
    std::string out;
    curl_slist* headers = nullptr;
    if (!token.empty())
      headers = curl_slist_append(headers, ("Authorization: Bearer " + token).c_str());
    headers = curl_slist_append(headers, "Content-Type: application/json");
    std::string u = url() + path;
    curl_easy_setopt(c, CURLOPT_URL, u.c_str());
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    if (std::string(method) != "GET") curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_perform(c);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    return out;
  }
  std::string post(const std::string& path, const std::string& body) const {
    return request("POST", path, body);
  }
  std::string get(const std::string& path) const { return request("GET", path); }

  // Injects a message; returns its event id.
  std::string inject(const std::string& room, const std::string& sender, const std::string& body,
                     const std::string& extra = "") const {
    std::string reply = post("/_inject", "{\"room\":\"" + room + "\",\"sender\":\"" + sender +
                                             "\",\"body\":\"" + body + "\"" + extra + "}");
    return field(reply, "event_id");
  }

  struct sent_event {
    std::string room, txn_id, msgtype, body, format, formatted_body;
  };
  std::vector<sent_event> sent() const {
    std::vector<sent_event> out;
    simdjson::dom::parser p;
    simdjson::dom::array arr;
    std::string json = get("/_sent");
    if (p.parse(json).get(arr)) return out;
    for (simdjson::dom::element e : arr) {
      sent_event s;
      s.room = str(e["room"]);
      s.txn_id = str(e["txn_id"]);
      s.msgtype = str(e["content"]["msgtype"]);
      s.body = str(e["content"]["body"]);
      s.format = str(e["content"]["format"]);
      s.formatted_body = str(e["content"]["formatted_body"]);
      out.push_back(s);
    }
    return out;
  }

  struct request_row {
    std::string method, path, auth;
    double t = 0;
  };
  std::vector<request_row> requests() const {
    std::vector<request_row> out;
    simdjson::dom::parser p;
    simdjson::dom::array arr;
    std::string json = get("/_requests");
    if (p.parse(json).get(arr)) return out;
    for (simdjson::dom::element e : arr) {
      request_row r;
      r.method = str(e["method"]);
      r.path = str(e["path"]);
      r.auth = str(e["auth"]);
      double t = 0;
      if (!e["t"].get(t)) r.t = t;
      out.push_back(r);
    }
    return out;
  }
  std::vector<request_row> requests_to(const std::string& method, const std::string& prefix) const {
    std::vector<request_row> out;
    for (auto& r : requests())
      if (r.method == method && r.path.rfind(prefix, 0) == 0) out.push_back(r);
    return out;
  }

  // A string list from GET /_state ("joined", "left", "invites").
  std::vector<std::string> state_list(const char* key) const {
    std::vector<std::string> out;
    simdjson::dom::parser p;
    simdjson::dom::array arr;
    std::string json = get("/_state");
    if (p.parse(json)[key].get(arr)) return out;
    for (simdjson::dom::element e : arr) out.push_back(str(e));
    return out;
  }

  static std::string field(const std::string& json, const char* key) {
    simdjson::dom::parser p;
    std::string_view v;
    if (p.parse(json)[key].get(v)) return {};
    return std::string(v);
  }

 private:
  static std::string str(simdjson::simdjson_result<simdjson::dom::element> e) {
    std::string_view v;
    if (e.get(v)) return {};
    return std::string(v);
  }
  static std::string str(simdjson::dom::element e) {
    std::string_view v;
    if (e.get(v)) return {};
    return std::string(v);
  }
  std::string dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// One fake homeserver per test binary (starting Python costs about half a second on a
// loaded machine), reset to an empty world at the start of each test that uses it.
inline homeserver_process& fresh_homeserver() {
  static homeserver_process hs;
  hs.post("/_reset", "{}");
  return hs;
}

// A uv loop with the real http client; runs until a predicate holds.
class loop_env {
 public:
  loop_env() {
    uv_loop_init(&loop);
    uv_timer_init(&loop, &tick_);
    http = std::make_unique<frugal::http::client>(&loop);
  }
  ~loop_env() {
    http.reset();
    uv_close(reinterpret_cast<uv_handle_t*>(&tick_), nullptr);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
  }
  loop_env(const loop_env&) = delete;
  loop_env& operator=(const loop_env&) = delete;

  bool run_until(const std::function<bool()>& done, int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    uv_timer_start(
        &tick_, [](uv_timer_t*) {}, 10, 10);
    bool ok = done();
    while (!ok && std::chrono::steady_clock::now() < deadline) {
      uv_run(&loop, UV_RUN_ONCE);
      ok = done();
    }
    uv_timer_stop(&tick_);
    return ok;
  }
  void run_for(int ms) {
    run_until([] { return false; }, ms);
  }

  uv_loop_t loop;
  std::unique_ptr<frugal::http::client> http;

 private:
  uv_timer_t tick_;
};

// Records what a transport reports.
struct recorder {
  std::vector<frugal::transports::inbound> messages;
  std::vector<std::pair<frugal::transports::state, std::string>> states;

  frugal::transports::transport::message_fn on_message() {
    return [this](frugal::transports::inbound in) { messages.push_back(std::move(in)); };
  }
  frugal::transports::transport::state_fn on_state() {
    return [this](frugal::transports::state s, const std::string& d) { states.push_back({s, d}); };
  }
  bool has_state(frugal::transports::state s) const {
    for (auto& st : states)
      if (st.first == s) return true;
    return false;
  }
};

// Captures log lines for assertions (the sink is a plain function pointer).
inline std::vector<std::string>& captured_logs() {
  static std::vector<std::string> lines;
  return lines;
}
struct log_capture {
  log_capture() {
    captured_logs().clear();
    frugal::log::set_sink(
        [](frugal::log::level, std::string_view line) { captured_logs().emplace_back(line); });
  }
  ~log_capture() { frugal::log::set_sink(nullptr); }
};

inline frugal::config::matrix_account account_config(const homeserver_process& hs) {
  frugal::config::matrix_account c;
  c.name = "main";
  c.homeserver = hs.url();
  c.access_token_env = "FRUGAL_TEST_MATRIX_TOKEN";
  c.access_token = "T0";
  c.user = "@bot:localhost";
  c.owners = {"@owner:localhost"};
  c.allowed = {"@al:localhost"};
  return c;
}

inline frugal::matrix::tuning fast_tuning() {
  frugal::matrix::tuning t;
  t.sync_timeout_ms = 2000;
  t.sync_http_timeout_ms = 6000;
  t.request_timeout_ms = 3000;
  t.send_timeout_ms = 800;
  t.backoff_min_ms = 50;
  t.backoff_max_ms = 400;
  return t;
}

inline std::string temp_db_path() {
  char tmpl[] = "/tmp/frugal-mx-db-XXXXXX";
  int fd = mkstemp(tmpl);
  close(fd);
  return tmpl;
}
inline void remove_db(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}

}  // namespace matrix_test
