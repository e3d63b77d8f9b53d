// http::client against a real uv loop and a local Python server (http_test_server.py):
// bodies, headers, Retry-After, size cap, timeouts, refused connections, streaming,
// cancel, public_only, concurrency and teardown with transfers in flight.
#include "core/http/http_client.h"

#include <netinet/in.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include "core/http/transfer.h"
#include "tests/core/http/test_support.h"

using namespace frugal;
using frugal::testing::run_until;
using frugal::testing::server_process;
using frugal::testing::test_loop;

namespace {

const std::string server_script = FRUGAL_SOURCE_DIR "/tests/core/http/http_test_server.py";

http::request get(const std::string& url) {
  http::request r;
  r.method = "GET";
  r.url = url;
  return r;
}

http::response fetch(http::client& c, uv_loop_t* loop, http::request r, uint64_t limit = 5000) {
  std::optional<http::response> out;
  c.start(std::move(r), [&](http::response resp) { out = std::move(resp); });
  REQUIRE(run_until(
      loop, [&] { return out.has_value(); }, limit));
  return std::move(*out);
}

}  // namespace

TEST_CASE("http: GET returns status, body and lower-cased headers") {
  server_process srv(server_script);
  test_loop loop;
  http::client c(loop.get());
  auto r = fetch(c, loop.get(), get(srv.url("/ok")));
  CHECK(r.fail == http::failure::none);
  CHECK(r.status == 200);
  CHECK(r.body == "hello");
  CHECK(r.headers["content-type"] == "text/plain");
  CHECK(r.request_sent);
  CHECK(r.retry_after_ms == -1);
  CHECK(r.error.empty());
  CHECK(c.active() == 0);
}

TEST_CASE("http: POST and PUT send the body and headers, without Expect: 100-continue") {
  server_process srv(server_script);
  test_loop loop;
  http::client c(loop.get());
  http::request r;
  r.url = srv.url("/echo");
  r.body = std::string(5000, 'b') + "{\"a\":1}";
  r.headers = {"Authorization: Bearer sk-test-123", "Content-Type: application/json"};
  auto resp = fetch(c, loop.get(), r);
  CHECK(resp.status == 201);
  CHECK(resp.body == r.body);
  CHECK(resp.headers["x-method"] == "POST");
  CHECK(resp.headers["x-auth"] == "yes");
  CHECK(resp.headers["x-expect"] == "none");
  r.method = "PUT";
  r.body = "put-body";
  resp = fetch(c, loop.get(), r);
  CHECK(resp.headers["x-method"] == "PUT");
  CHECK(resp.body == "put-body");
  r.method = "DELETE";
  r.body.clear();
  resp = fetch(c, loop.get(), r);
  CHECK(resp.headers["x-method"] == "DELETE");
  r.method = "HEAD";
  r.url = srv.url("/ok");
  resp = fetch(c, loop.get(), r);
  CHECK(resp.fail == http::failure::none);
  CHECK(resp.status == 200);
  CHECK(resp.headers["content-length"] == "5");
  CHECK(resp.body.empty());
}

TEST_CASE("http: Retry-After in seconds and as an HTTP date") {
  server_process srv(server_script);
  test_loop loop;
  http::client c(loop.get());
  auto r = fetch(c, loop.get(), get(srv.url("/retry-seconds")));
  CHECK(r.fail == http::failure::none);
  CHECK(r.status == 429);
  CHECK(r.retry_after_ms == 7000);
  CHECK(r.headers["x-custom-header"] == "Some Value");
  CHECK(r.body == "{\"error\":\"slow down\"}");
  r = fetch(c, loop.get(), get(srv.url("/retry-date")));
  CHECK(r.status == 503);
  CHECK(r.retry_after_ms >= 27000);
  CHECK(r.retry_after_ms <= 31000);
}

TEST_CASE("http: parse_retry_after") {
  const int64_t t = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
  CHECK(http::parse_retry_after("120", t) == 120000);
  CHECK(http::parse_retry_after(" 5 ", t) == 5000);
  CHECK(http::parse_retry_after("0", t) == 0);
  CHECK(http::parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", t - 10) == 10000);
  CHECK(http::parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", t - 3) == 3000);
  CHECK(http::parse_retry_after("Sun Nov  6 08:49:37 1994", t - 2) == 2000);
  CHECK(http::parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", t + 100) == 0);
  CHECK(http::parse_retry_after("", t) == -1);
  CHECK(http::parse_retry_after("soon", t) == -1);
  CHECK(http::parse_retry_after("-5", t) == -1);
  CHECK(http::parse_retry_after("1.5", t) == -1);
  CHECK(http::parse_retry_after("99999999999999999999", t) > 0);
}

TEST_CASE("http: the response size cap fails with too_large") {
  server_process srv(server_script);
  test_loop loop;
  http::client c(loop.get());
  auto r = get(srv.url("/big?n=1000"));
  r.max_response_bytes = 1000;
  auto resp = fetch(c, loop.get(), r);
  CHECK(resp.fail == http::failure::none);
  CHECK(resp.body.size() == 1000);

  r.url = srv.url("/big?n=5000");  // Content-Length says too much
  resp = fetch(c, loop.get(), r);
  CHECK(resp.fail == http::failure::too_large);
  CHECK(resp.error.find("larger than 1000 bytes") != std::string::npos);

  r.url = srv.url("/big-chunked?n=200000");  // no length: the write callback stops it
  r.max_response_bytes = 10000;
  resp = fetch(c, loop.get(), r);
  CHECK(resp.fail == http::failure::too_large);
  CHECK(resp.body.size() <= 10000);
}

TEST_CASE("http: a server that never answers times out after first_byte_timeout_ms") {
  server_process srv(server_script);
  test_loop loop;
  http::client c(loop.get());
  auto r = get(srv.url("/hang"));
  r.first_byte_timeout_ms = 300;
  auto t0 = std::chrono::steady_clock::now();
  auto resp = fetch(c, loop.get(), r);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  CHECK(resp.fail == http::failure::timeout);
  CHECK(resp.request_sent);
  CHECK(ms >= 250);
  CHECK(ms < 2000);
  CHECK(resp.error.find("no data for 300 ms") != std::string::npos);

  // A stream that stalls after its first bytes times out the same way.
  r.url = srv.url("/stall");
  resp = fetch(c, loop.get(), r);
  CHECK(resp.fail == http::failure::timeout);
  CHECK(resp.body == "first");
}

TEST_CASE("http: the silence timeout counts from start(), not the loop's cached time") {
  server_process srv(server_script);
  test_loop loop;
  http::client c(loop.get());
  // Work before the loop runs again (start-up, a long callback) leaves uv_now() behind.
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  auto r = get(srv.url("/hang"));
  r.first_byte_timeout_ms = 1500;
  auto t0 = std::chrono::steady_clock::now();
  auto resp = fetch(c, loop.get(), r);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  CHECK(resp.fail == http::failure::timeout);
  // Before the fix it gave up after about 300 ms (1500 ms minus the 1200 ms behind).
  CHECK(ms >= 1450);
}

TEST_CASE("http: total_timeout_ms bounds a slow but steady stream") {
  server_process srv(server_script);
  test_loop loop;
  http::client c(loop.get());
  auto r = get(srv.url("/stream?n=20&ms=50"));
  r.first_byte_timeout_ms = 300;
  r.total_timeout_ms = 300;
  auto resp = fetch(c, loop.get(), r);
  CHECK(resp.fail == http::failure::timeout);
  CHECK(resp.status == 200);
}

TEST_CASE("http: connection refused is a connect failure with nothing sent") {
  test_loop loop;
  http::client c(loop.get());
  int port = frugal::testing::unused_port();
  auto r = get("http://user:hunter22@127.0.0.1:" + std::to_string(port) + "/x?token=abcdef");
  r.headers = {"Authorization: Bearer sk-very-secret"};
  auto resp = fetch(c, loop.get(), r);
  CHECK(resp.fail == http::failure::connect);
  CHECK_FALSE(resp.request_sent);
  CHECK(resp.status == 0);
  CHECK(resp.error.find("127.0.0.1") != std::string::npos);
  CHECK(resp.error.find("hunter22") == std::string::npos);
  CHECK(resp.error.find("abcdef") == std::string::npos);
  CHECK(resp.error.find("sk-very-secret") == std::string::npos);
}

TEST_CASE("http: safe_url drops credentials, query and fragment") {
  CHECK(http::safe_url("https://u:p@host:8/a/b?k=v#f") == "https://host:8/a/b");
  CHECK(http::safe_url("http://host/p") == "http://host/p");
  CHECK(http::safe_url("http://u@host") == "http://host");
  CHECK(http::safe_url("http://host/a@b") == "http://host/a@b");
}

TEST_CASE("http: on_data receives the body in chunks as it arrives") {
  server_process srv(server_script);
  test_loop loop;
  http::client c(loop.get());
  auto r = get(srv.url("/stream?n=4&ms=60"));
  std::vector<std::string> chunks;
  r.on_data = [&](std::string_view s) { chunks.emplace_back(s); };
  r.keep_body = false;
  auto resp = fetch(c, loop.get(), r);
  CHECK(resp.fail == http::failure::none);
  CHECK(resp.body.empty());
  REQUIRE(chunks.size() >= 2);
  std::string all;
  for (auto& s : chunks) all += s;
  CHECK(all == "part0;part1;part2;part3;");
  CHECK(resp.headers["content-type"] == "text/event-stream");
}

TEST_CASE("http: an on_data callback that throws fails the transfer") {
  server_process srv(server_script);
  test_loop loop;
  http::client c(loop.get());
  auto r = get(srv.url("/stream?n=3&ms=20"));
  r.on_data = [](std::string_view) { throw std::runtime_error("parser exploded"); };
  auto resp = fetch(c, loop.get(), r);
  CHECK(resp.fail == http::failure::other);
  CHECK(resp.error.find("callback failed") != std::string::npos);
  CHECK(fetch(c, loop.get(), get(srv.url("/ok"))).body == "hello");  // the client still works
}

TEST_CASE("http: a dropped connection mid-body is failure::dropped") {
  server_process srv(server_script);
  test_loop loop;
  http::client c(loop.get());
  auto resp = fetch(c, loop.get(), get(srv.url("/drop")));
  CHECK(resp.fail == http::failure::dropped);
  CHECK(resp.body == "only ten..");
}

TEST_CASE("http: cancel completes the transfer with failure::cancelled") {
  server_process srv(server_script);
  test_loop loop;
  http::client c(loop.get());
  std::optional<http::response> out;
  auto id = c.start(get(srv.url("/hang")), [&](http::response r) { out = std::move(r); });
  CHECK(c.active() == 1);
  run_until(
      loop.get(), [] { return false; }, 100);
  CHECK_FALSE(out);
  c.cancel(id);
  REQUIRE(out);
  CHECK(out->fail == http::failure::cancelled);
  CHECK(c.active() == 0);
  c.cancel(id);  // unknown now: ignored
  c.cancel(12345);

  // Cancelling from inside on_data stops the stream at the first chunk.
  out.reset();
  auto r = get(srv.url("/stream?n=4&ms=60"));
  int chunks = 0;
  http::request_id sid = 0;
  r.on_data = [&](std::string_view) {
    ++chunks;
    c.cancel(sid);
  };
  sid = c.start(r, [&](http::response resp) { out = std::move(resp); });
  REQUIRE(run_until(
      loop.get(), [&] { return out.has_value(); }, 3000));
  CHECK(out->fail == http::failure::cancelled);
  CHECK(chunks == 1);
  CHECK(c.active() == 0);
}

TEST_CASE("http: public_only refuses loopback") {
  server_process srv(server_script);
  test_loop loop;
  http::client c(loop.get());
  auto r = get(srv.url("/ok"));
  r.public_only = true;
  auto resp = fetch(c, loop.get(), r);
  CHECK(resp.fail == http::failure::connect);
  CHECK(resp.error.find("address not allowed: 127.0.0.1") != std::string::npos);
  CHECK_FALSE(resp.request_sent);
  r.public_only = false;
  CHECK(fetch(c, loop.get(), r).status == 200);
}

// The provider shape of README's Ollama example: a loopback server that the program
// itself talks to (keep-alive, pooled by curl). A public_only request to the same
// host:port must not ride the pooled connection, directly or through a redirect from a
// server the policy allows. Before CURLOPT_PREREQFUNCTION the second request reused the
// connection, reached /count and came back 200 ("counted").
TEST_CASE("http: public_only holds on a reused connection, directly and after a redirect") {
  server_process provider(server_script);
  server_process outside(server_script);
  test_loop loop;
  http::client c(loop.get());
  // Only `outside` counts as public here (both listen on 127.0.0.1; the port tells them apart).
  const int outside_port = outside.port();
  auto only_outside = [outside_port](const sockaddr* sa) {
    return sa->sa_family == AF_INET &&
           ntohs(reinterpret_cast<const sockaddr_in*>(sa)->sin_port) == outside_port;
  };
  auto counted = [&] { return fetch(c, loop.get(), get(provider.url("/counted"))).body; };

  // The program's own request opens the connection that curl keeps in its pool.
  REQUIRE(fetch(c, loop.get(), get(provider.url("/ok"))).status == 200);

  auto direct = get(provider.url("/count"));
  direct.public_only = true;
  direct.address_allowed = only_outside;
  auto d = fetch(c, loop.get(), direct);
  CHECK(d.fail == http::failure::connect);
  CHECK(d.error.find("address not allowed: 127.0.0.1") != std::string::npos);
  CHECK_FALSE(d.request_sent);
  CHECK(d.body.empty());

  auto hop = get(outside.url("/redirect-to?url=" + provider.url("/count")));
  hop.public_only = true;
  hop.follow_redirects = true;
  hop.address_allowed = only_outside;
  auto h = fetch(c, loop.get(), hop);
  CHECK(h.fail == http::failure::connect);
  CHECK(h.error.find("address not allowed: 127.0.0.1") != std::string::npos);
  CHECK(h.body.empty());

  CHECK(counted() == "0");  // neither request reached the provider's port
  // The allowed server itself still answers on its pooled connection.
  auto ok = get(outside.url("/ok"));
  ok.public_only = true;
  ok.address_allowed = only_outside;
  CHECK(fetch(c, loop.get(), ok).status == 200);
  CHECK(fetch(c, loop.get(), ok).status == 200);
}

TEST_CASE("http: several transfers run concurrently") {
  server_process srv(server_script);
  test_loop loop;
  http::client c(loop.get());
  int finished = 0, together = 0;
  // The server answers only when all 8 requests wait at once: serial transfers would fail.
  for (int i = 0; i < 8; ++i)
    c.start(get(srv.url("/barrier?n=8")), [&](http::response r) {
      ++finished;
      together += r.status == 200 && r.body == "together";
    });
  CHECK(c.active() == 8);
  REQUIRE(run_until(
      loop.get(), [&] { return finished == 8; }, 8000));
  CHECK(together == 8);
  CHECK(c.active() == 0);
}

TEST_CASE("http: destroying the client cancels transfers in flight") {
  server_process srv(server_script);
  test_loop loop;
  auto c = std::make_unique<http::client>(loop.get());
  std::vector<http::failure> seen;
  for (int i = 0; i < 3; ++i)
    c->start(get(srv.url("/hang")), [&](http::response r) { seen.push_back(r.fail); });
  run_until(
      loop.get(), [] { return false; }, 150);
  CHECK(seen.empty());
  c.reset();
  REQUIRE(seen.size() == 3);
  for (auto f : seen) CHECK(f == http::failure::cancelled);
}

TEST_CASE("http: done may start, cancel, or destroy the client") {
  server_process srv(server_script);
  test_loop loop;
  auto c = std::make_unique<http::client>(loop.get());
  std::vector<std::string> log;
  // A chain: the first done starts a second request.
  c->start(get(srv.url("/ok")), [&](http::response r) {
    log.push_back("first " + std::to_string(r.status));
    c->start(get(srv.url("/big?n=3")), [&](http::response r2) { log.push_back(r2.body); });
  });
  REQUIRE(run_until(
      loop.get(), [&] { return log.size() == 2; }, 5000));
  CHECK(log[0] == "first 200");
  CHECK(log[1] == "xxx");

  // done destroys the client while another transfer is in flight.
  log.clear();
  c->start(get(srv.url("/hang")), [&](http::response r) {
    log.push_back(r.fail == http::failure::cancelled ? "hang cancelled" : "hang other");
  });
  c->start(get(srv.url("/ok")), [&](http::response) {
    log.push_back("ok");
    c.reset();
  });
  REQUIRE(run_until(
      loop.get(), [&] { return log.size() == 2; }, 5000));
  CHECK(log[0] == "ok");
  CHECK(log[1] == "hang cancelled");
  CHECK_FALSE(c);
}

TEST_CASE("http: start from inside on_data is deferred until curl returns") {
  server_process srv(server_script);
  test_loop loop;
  http::client c(loop.get());
  auto r = get(srv.url("/stream?n=2&ms=30"));
  std::optional<http::response> inner, outer;
  bool started = false;
  r.on_data = [&](std::string_view) {
    if (started) return;
    started = true;
    c.start(get(srv.url("/ok")), [&](http::response x) { inner = std::move(x); });
  };
  c.start(r, [&](http::response x) { outer = std::move(x); });
  REQUIRE(run_until(
      loop.get(), [&] { return inner && outer; }, 5000));
  CHECK(inner->body == "hello");
  CHECK(outer->body == "part0;part1;");
}

TEST_CASE("http: redirects are followed only when asked, at most 5") {
  server_process srv(server_script);
  test_loop loop;
  http::client c(loop.get());
  auto r = get(srv.url("/redirect"));
  auto resp = fetch(c, loop.get(), r);
  CHECK(resp.status == 302);
  CHECK(resp.headers["location"] == "/ok");
  r.follow_redirects = true;
  resp = fetch(c, loop.get(), r);
  CHECK(resp.status == 200);
  CHECK(resp.body == "hello");
  CHECK(resp.headers.count("location") == 0);
  r.url = srv.url("/redirect-loop");
  resp = fetch(c, loop.get(), r);
  CHECK(resp.fail == http::failure::other);
}

TEST_CASE("http: only http and https, and a bad method fails from the loop") {
  test_loop loop;
  http::client c(loop.get());
  auto resp = fetch(c, loop.get(), get("file:///etc/hostname"));
  CHECK(resp.fail == http::failure::other);
  CHECK(resp.body.empty());
  resp = fetch(c, loop.get(), get("ftp://127.0.0.1:1/x"));
  CHECK(resp.fail == http::failure::other);

  http::request bad = get("http://127.0.0.1:1/");
  bad.method = "GET /x HTTP/1.1\r\nX";
  bool called = false;
  http::response got;
  c.start(bad, [&](http::response r) {
    called = true;
    got = std::move(r);
  });
  CHECK_FALSE(called);  // never from inside start()
  REQUIRE(run_until(
      loop.get(), [&] { return called; }, 1000));
  CHECK(got.fail == http::failure::other);
  CHECK(got.error.find("bad method") != std::string::npos);
}
