// http_get: loopback, link-local (cloud metadata) and names resolving to them are refused
// at connect time (http::client public_only), with a live loopback server proving that no
// connection was made; each redirect hop is re-checked (scheme, host allowlist, hop count).
#include "tools/http_get.h"

#include <uv.h>

#include <catch2/catch.hpp>
#include <map>
#include <memory>

#include "core/config/config.h"
#include "core/http/http_client.h"
#include "tests/tools/tools_fixture.h"
#include "tools/all_tools.h"

using frugal::core::realm_kind;

using namespace frugal;
using namespace frugal::tools;
using namespace frugal::tools::test;

namespace {

// A one-response-per-connection HTTP server on 127.0.0.1 with canned answers per path.
class canned_server {
 public:
  explicit canned_server(uv_loop_t* loop) {
    uv_tcp_init(loop, &tcp_);
    tcp_.data = this;
    sockaddr_in addr{};
    uv_ip4_addr("127.0.0.1", 0, &addr);
    REQUIRE(uv_tcp_bind(&tcp_, reinterpret_cast<const sockaddr*>(&addr), 0) == 0);
    REQUIRE(uv_listen(reinterpret_cast<uv_stream_t*>(&tcp_), 8, on_connection) == 0);
    sockaddr_in bound{};
    int len = sizeof bound;
    uv_tcp_getsockname(&tcp_, reinterpret_cast<sockaddr*>(&bound), &len);
    port = ntohs(bound.sin_port);
  }
  void close() { uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), nullptr); }

  int port = 0;
  int connections = 0;
  std::map<std::string, std::string> answers;  // path → full response

 private:
  struct conn {
    uv_tcp_t tcp;
    canned_server* server;
    std::string in;
    std::string out;
    uv_write_t write;
    char buf[4096];
  };

  static void on_connection(uv_stream_t* s, int status) {
    if (status != 0) return;
    auto* self = static_cast<canned_server*>(s->data);
    ++self->connections;
    auto* c = new conn{};
    c->server = self;
    uv_tcp_init(s->loop, &c->tcp);
    c->tcp.data = c;
    uv_accept(s, reinterpret_cast<uv_stream_t*>(&c->tcp));
    uv_read_start(
        reinterpret_cast<uv_stream_t*>(&c->tcp),
        [](uv_handle_t* h, size_t, uv_buf_t* b) {
          auto* c = static_cast<conn*>(h->data);
          *b = uv_buf_init(c->buf, sizeof c->buf);
        },
        on_read);
  }

  static void close_conn(conn* c) {
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp),
             [](uv_handle_t* h) { delete static_cast<conn*>(h->data); });
  }

  static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* b) {
    auto* c = static_cast<conn*>(s->data);
    if (n < 0) return close_conn(c);
    c->in.append(b->base, static_cast<size_t>(n));
    if (c->in.find("\r\n\r\n") == std::string::npos) return;
    uv_read_stop(s);
    size_t sp = c->in.find(' ');
    std::string path = c->in.substr(sp + 1, c->in.find(' ', sp + 1) - sp - 1);
    auto it = c->server->answers.find(path);
    c->out = it != c->server->answers.end()
                 ? it->second
                 : "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    uv_buf_t wb = uv_buf_init(c->out.data(), static_cast<unsigned>(c->out.size()));
    c->write.data = c;
    uv_write(&c->write, s, &wb, 1,
             [](uv_write_t* w, int) { close_conn(static_cast<conn*>(w->data)); });
  }

  uv_tcp_t tcp_;
};

std::string redirect(const std::string& location) {
  return "HTTP/1.1 302 Found\r\nLocation: " + location +
         "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
}

struct harness {
  uv_loop_t loop;
  std::unique_ptr<http::client> client;
  std::unique_ptr<canned_server> server;
  harness() {
    REQUIRE(uv_loop_init(&loop) == 0);
    client = std::make_unique<http::client>(&loop);
    server = std::make_unique<canned_server>(&loop);
  }
  ~harness() {
    client.reset();
    server->close();
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(server->port); }

  output tool(const std::string& url, const config::realm* realm = nullptr) {
    context ctx;
    ctx.loop = &loop;
    ctx.realm = realm_kind::public_;
    ctx.http = client.get();
    ctx.realm_cfg = realm;
    return wait(
        [&](done_fn d) { http_get_tool().exec(ctx, R"({"url":")" + url + "\"}", std::move(d)); });
  }
  output fetch(const std::string& url, std::vector<std::string> hosts) {
    return wait(
        [&](done_fn d) { http_fetch(*client, url, std::move(hosts), false, std::move(d)); });
  }
  template <class F>
  output wait(F start) {
    output out;
    bool reported = false;
    start([&](output o) {
      out = std::move(o);
      reported = true;
    });
    while (!reported && uv_run(&loop, UV_RUN_ONCE)) {
    }
    REQUIRE(reported);
    return out;
  }
};

}  // namespace

TEST_CASE("http_get refuses loopback, link-local and private targets before connecting",
          "[tools][http_get][canary]") {
  harness h;
  h.server->answers["/secret"] =
      std::string("HTTP/1.1 200 OK\r\nContent-Length: 28\r\nConnection: close\r\n\r\n") + canary;
  const std::string port = std::to_string(h.server->port);
  for (const std::string& url :
       {h.base() + "/secret", "http://localhost:" + port + "/secret",
        "http://[::1]:" + port + "/secret", "http://[::ffff:127.0.0.1]:" + port + "/secret",
        "http://2130706433:" + port + "/secret",
        std::string("http://169.254.169.254/latest/meta-data/"), std::string("http://10.0.0.1:9/"),
        std::string("http://192.168.1.1:9/")}) {
    auto o = h.tool(url);
    INFO(url << " → " << o.text);
    CHECK(o.is_error);
    CHECK(o.text.find(canary) == std::string::npos);
  }
  CHECK(h.server->connections == 0);  // refused by policy, not by a closed port
  auto o = h.tool(h.base() + "/secret");
  CHECK(o.text.find("address not allowed") != std::string::npos);
  CHECK(o.refused == tools::refusal::tool);  // the audit row says "denied"
}

TEST_CASE("http_get accepts only http(s) URLs without credentials", "[tools][http_get]") {
  harness h;
  for (const char* url : {"file:///etc/passwd", "ftp://example.org/x", "gopher://example.org/",
                          "http://user:pw@example.org/", "not a url", "javascript:alert(1)"}) {
    auto o = h.tool(url);
    INFO(url << " → " << o.text);
    CHECK(o.is_error);
  }
  config::realm realm;
  realm.http_hosts = {"example.org"};
  auto o = h.tool("https://evil.example.net/", &realm);
  CHECK(o.is_error);
  CHECK(o.text.find("not on this realm's host allowlist") != std::string::npos);
  CHECK(o.refused == tools::refusal::tool);
}

TEST_CASE("every redirect hop is checked again", "[tools][http_get]") {
  harness h;
  const std::string port = std::to_string(h.server->port);
  h.server->answers["/final"] =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
      "Connection: close\r\n\r\nhello";
  h.server->answers["/relative"] = redirect("/final");
  h.server->answers["/to-localhost"] = redirect("http://localhost:" + port + "/final");
  h.server->answers["/to-file"] = redirect("file:///etc/passwd");
  h.server->answers["/loop"] = redirect("/loop");

  auto ok = h.fetch(h.base() + "/relative", {"127.0.0.1"});
  CHECK_FALSE(ok.is_error);
  CHECK(ok.text == "HTTP 200 from " + h.base() + "/final (text/plain), 5 bytes\n\nhello");

  auto host = h.fetch(h.base() + "/to-localhost", {"127.0.0.1"});
  CHECK(host.is_error);
  CHECK(host.text.find("redirect to localhost") != std::string::npos);

  auto scheme = h.fetch(h.base() + "/to-file", {});
  CHECK(scheme.is_error);
  CHECK(scheme.text.find("only http and https") != std::string::npos);

  auto loop = h.fetch(h.base() + "/loop", {});
  CHECK(loop.is_error);
  CHECK(loop.text.find("too many redirects") != std::string::npos);
}
