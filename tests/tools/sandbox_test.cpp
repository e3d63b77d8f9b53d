// The sandbox against real children: the kernel (Landlock, seccomp, rlimits) must stop
// what the public realm must never do, the canary must never show up in a child's output,
// and the test process itself must come through every runaway child unharmed.
#include "tools/sandbox.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/tools/tools_fixture.h"

using namespace frugal::tools;
using namespace frugal::tools::test;

namespace {

spawn_spec in(const std::string& workspace, std::vector<std::string> argv) {
  spawn_spec s;
  s.workspace = workspace;
  s.argv = std::move(argv);
  s.timeout_ms = 5000;
  return s;
}

bool no_canary(const spawn_result& r) {
  return r.stdout_text.find(canary) == std::string::npos &&
         r.stderr_text.find(canary) == std::string::npos;
}

// True when some live process has `marker` in its command line.
bool process_with_marker(const std::string& marker) {
  DIR* d = ::opendir("/proc");
  bool found = false;
  while (dirent* e = d ? ::readdir(d) : nullptr) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::ifstream in(std::string("/proc/") + e->d_name + "/cmdline", std::ios::binary);
    std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmd.find(marker) != std::string::npos) found = true;
  }
  if (d) ::closedir(d);
  return found;
}

}  // namespace

TEST_CASE("probe finds the kernel's sandbox features", "[tools][sandbox]") {
  sandbox_caps c = probe();
  CHECK(c.notes.find("landlock") != std::string::npos);
  CHECK(c.notes.find("seccomp") != std::string::npos);
  // The machines this project runs its tests on have both; a kernel without them would
  // make every test below meaningless, so say so loudly.
  REQUIRE(sandbox_complete(&c));
  CHECK(c.landlock_abi >= 1);
}

TEST_CASE("a child runs with argv only, an empty environment and the workspace as cwd",
          "[tools][sandbox]") {
  tree t;
  auto r = run_child(in(t.pub, {"echo", "hello", "$(id)", "; ls"}));
  CHECK(r.exit_code == 0);
  CHECK(r.stdout_text == "hello $(id) ; ls\n");  // no shell ever saw the arguments

  auto env = run_child(in(t.pub, {"env"}));
  CHECK(env.exit_code == 0);
  CHECK(env.stdout_text == "PATH=/usr/local/bin:/usr/bin:/bin\nHOME=" + t.pub + "\nLANG=C.UTF-8\n");
  CHECK(no_canary(env));

  auto pwd = run_child(in(t.pub, {"pwd"}));
  CHECK(pwd.stdout_text == t.pub + "\n");
  if (::geteuid() == 0) {
    auto id = run_child(in(t.pub, {"id", "-u"}));
    CHECK(id.stdout_text == "65534\n");  // root never reaches a child
  }
}

TEST_CASE("Landlock, not file permissions, keeps a child out of the private workspace",
          "[tools][sandbox][canary]") {
  tree t;
  auto r = run_child(in(t.pub, {"cat", "../private/secret.txt"}));
  CHECK(r.exit_code != 0);
  CHECK(r.stderr_text.find("Permission denied") != std::string::npos);
  CHECK(no_canary(r));

  for (const std::string& target : {t.outside, std::string("/etc/passwd"),
                                    std::string("/proc/self/environ"), t.priv + "/secret.txt"}) {
    auto x = run_child(in(t.pub, {"cat", target}));
    INFO(target << ": " << x.stderr_text);
    CHECK(x.exit_code != 0);
    CHECK(x.stderr_text.find("Permission denied") != std::string::npos);
    CHECK(no_canary(x));
  }

  // The control: the same read without Landlock succeeds, so it was the kernel rule above.
  auto control = in(t.pub, {"cat", "../private/secret.txt"});
  control.use_landlock = false;
  auto c = run_child(control);
  CHECK(c.exit_code == 0);
  CHECK(c.stdout_text.find(canary) != std::string::npos);
}

TEST_CASE("a child writes its workspace and nothing else", "[tools][sandbox]") {
  tree t;
  auto ok = run_child(in(t.pub, {"touch", "made-here"}));
  CHECK(ok.exit_code == 0);
  CHECK(::access((t.pub + "/made-here").c_str(), F_OK) == 0);

  auto bad = run_child(in(t.pub, {"cp", "/dev/null", "../private/planted"}));
  CHECK(bad.exit_code != 0);
  CHECK(::access((t.priv + "/planted").c_str(), F_OK) != 0);
  auto tmp = run_child(in(t.pub, {"touch", t.root + "/planted"}));
  CHECK(tmp.exit_code != 0);
  CHECK(::access((t.root + "/planted").c_str(), F_OK) != 0);
}

TEST_CASE("seccomp refuses sockets unless the spec has network", "[tools][sandbox]") {
  tree t;
  const char* script =
      "import socket\n"
      "for fam in (socket.AF_INET, socket.AF_UNIX, socket.AF_NETLINK, socket.AF_PACKET):\n"
      "    try:\n"
      "        socket.socket(fam, socket.SOCK_DGRAM).close()\n"
      "        print('opened', end=' ')\n"
      "    except OSError as e:\n"
      "        print(e.errno, end=' ')\n"
      "socket.socketpair()\n"
      "print('pair ok')\n";
  auto closed = run_child(in(t.pub, {"python3", "-c", script}));
  INFO(closed.stderr_text);
  CHECK(closed.stdout_text == "13 13 13 13 pair ok\n");  // EACCES for every family

  auto spec = in(t.pub, {"python3", "-c", script});
  spec.network = true;
  auto open = run_child(spec);
  INFO(open.stderr_text);
  CHECK(open.stdout_text == "opened opened 13 13 pair ok\n");
}

TEST_CASE("seccomp refuses new sessions and namespaces", "[tools][sandbox]") {
  tree t;
  auto s = run_child(in(t.pub, {"python3", "-c",
                                "import os, ctypes\n"
                                "try:\n  os.setsid()\nexcept OSError as e:\n  print(e.errno)\n"
                                "libc = ctypes.CDLL(None, use_errno=True)\n"
                                "print(libc.unshare(0x10000000), ctypes.get_errno())\n"}));
  INFO(s.stderr_text);
  CHECK(s.stdout_text == "1\n-1 1\n");  // EPERM for setsid and unshare(CLONE_NEWUSER)
}

TEST_CASE("runaway children are stopped by their limits and the parent is fine",
          "[tools][sandbox][limits]") {
  tree t;
  SECTION("sleeping forever: the kill timer") {
    auto spec = in(t.pub, {"sleep", "1000"});
    spec.timeout_ms = 300;
    auto r = run_child(spec);
    CHECK(r.timed_out);
    CHECK(r.signal == SIGKILL);
    CHECK(r.duration_ms < 3000);
  }
  SECTION("forking endlessly: RLIMIT_NPROC, then the timer kills the whole group") {
    const std::string marker = "frugal-forkbomb-" + std::to_string(::getpid());
    auto spec = in(t.pub, {"python3", "-c",
                           "import os, sys, time\n"
                           "n = 0\n"
                           "while True:\n"
                           "    try:\n"
                           "        if os.fork() == 0: n = 0\n"
                           "        else: n += 1\n"
                           "    except OSError:\n"
                           "        print('fork refused', flush=True)\n"
                           "        time.sleep(600)\n",
                           marker});
    spec.max_processes = 12;
    spec.timeout_ms = 1500;
    auto r = run_child(spec);
    CHECK(r.timed_out);
    CHECK(r.stdout_text.find("fork refused") != std::string::npos);
    CHECK_FALSE(process_with_marker(marker));  // no descendant survived the group kill
  }
  SECTION("allocating without end: RLIMIT_AS") {
    auto spec = in(t.pub, {"python3", "-c", "x = []\nwhile True: x.append(bytearray(4 << 20))\n"});
    spec.address_space_bytes = 64 << 20;
    auto r = run_child(spec);
    CHECK_FALSE(r.timed_out);
    CHECK(r.exit_code == 1);
    CHECK(r.stderr_text.find("MemoryError") != std::string::npos);
  }
  SECTION("writing a huge file: RLIMIT_FSIZE") {
    auto spec = in(t.pub, {"dd", "if=/dev/zero", "of=big", "bs=1M", "count=64"});
    spec.file_size_bytes = 2 << 20;
    auto r = run_child(spec);
    CHECK(r.signal == SIGXFSZ);
    struct stat st {};
    REQUIRE(::stat((t.pub + "/big").c_str(), &st) == 0);
    CHECK(st.st_size <= (2 << 20));
  }
  SECTION("spinning: RLIMIT_CPU") {
    auto spec = in(t.pub, {"python3", "-c", "while True: pass\n"});
    spec.cpu_seconds = 1;
    auto r = run_child(spec);
    CHECK_FALSE(r.timed_out);
    CHECK((r.signal == SIGXCPU || r.signal == SIGKILL));
  }
  SECTION("flooding stdout: the capture cap") {
    auto spec = in(t.pub, {"head", "-c", "300000", "/dev/zero"});
    spec.max_output_bytes = 1000;
    auto r = run_child(spec);
    CHECK(r.exit_code == 0);
    CHECK(r.output_truncated);
    CHECK(r.stdout_text.size() == 1000);
  }
  CHECK(active_children() == 0);
}

TEST_CASE("spawn refuses bad specs before forking", "[tools][sandbox]") {
  tree t;
  CHECK(spawn_refusal(in(t.pub, {})).find("empty argv") != std::string::npos);
  CHECK(spawn_refusal(in(t.pub, {"no-such-program-xyz"})).find("not found") != std::string::npos);
  CHECK(spawn_refusal(in(t.pub, {"bin/ls"})).find("bare name") != std::string::npos);
  CHECK(spawn_refusal(in("relative/ws", {"ls"})).find("absolute folder") != std::string::npos);
  CHECK(spawn_refusal(in(t.pub, {"echo", std::string("a\0b", 3)})).find("NUL") !=
        std::string::npos);
}

TEST_CASE("kill_all_children stops every running child", "[tools][sandbox]") {
  tree t;
  uv_loop_t loop;
  REQUIRE(uv_loop_init(&loop) == 0);
  int reported = 0;
  for (int i = 0; i < 2; ++i) {
    auto spec = in(t.pub, {"sleep", "100"});
    REQUIRE(spawn(&loop, spec, [&](spawn_result r) {
              CHECK(r.signal == SIGKILL);
              ++reported;
            }).ok());
  }
  CHECK(active_children() == 2);
  kill_all_children();
  uv_run(&loop, UV_RUN_DEFAULT);
  REQUIRE(uv_loop_close(&loop) == 0);
  CHECK(reported == 2);
}
