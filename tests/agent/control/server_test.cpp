// agent/control/server: an idle control socket arms no timer (the idle daemon's loop sleeps
// until the network or a signal wakes it); an open connection is swept each second and the
// sweeping stops with the last connection.
#include "agent/control/server.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <uv.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace frugal;

TEST_CASE("control server: no timer while no connection is open", "[control]") {
  char dir[] = "/tmp/frugal-control-XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  std::string path = std::string(dir) + "/control.sock";
  uv_loop_t loop;
  REQUIRE(uv_loop_init(&loop) == 0);
  {
    auto s = control::server::listen(&loop, path, [](const control::request&) {
      return control::reply{true, 0, "ok"};
    });
    REQUIRE(s.ok());
    uv_run(&loop, UV_RUN_NOWAIT);
    // Before: a 1 s repeating sweeper from listen() on, so the loop woke every second.
    CHECK(uv_backend_timeout(&loop) == -1);

    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    for (int i = 0; i < 100 && uv_backend_timeout(&loop) == -1; ++i) {
      uv_run(&loop, UV_RUN_NOWAIT);
      ::usleep(1000);
    }
    int sweeping = uv_backend_timeout(&loop);
    CHECK(sweeping >= 0);
    CHECK(sweeping <= 1000);

    ::close(fd);  // EOF without a request: answered with an error, then dropped
    for (int i = 0; i < 100 && uv_backend_timeout(&loop) != -1; ++i) {
      uv_run(&loop, UV_RUN_NOWAIT);
      ::usleep(1000);
    }
    CHECK(uv_backend_timeout(&loop) == -1);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(uv_loop_close(&loop) == 0);
  ::rmdir(dir);
}
