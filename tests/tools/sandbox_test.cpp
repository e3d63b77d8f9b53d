// The sandbox against real children: the kernel (Landlock, seccomp, rlimits) must stop
// what the public realm must never do, the canary must never show up in a child's output,
// and the test process itself must come through every runaway child unharmed.
#include "tools/sandbox.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
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
  // The namespace probe (a cloned child) waits for its first reader; copies share it.
  CHECK_FALSE(c.namespaces.asked());
  sandbox_caps copy = c;
  CHECK(copy.namespaces.error().empty());
  CHECK(c.namespaces.asked());
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

  // The workspace is /workspace inside the namespaces: neither the environment nor the
  // working folder names the host path (before: HOME=/tmp/frugal-tools-XXXXXX/public).
  auto env = run_child(in(t.pub, {"env"}));
  CHECK(env.exit_code == 0);
  CHECK(env.stdout_text == "PATH=/usr/local/bin:/usr/bin:/bin\nHOME=/workspace\nLANG=C.UTF-8\n");
  CHECK(no_canary(env));
  CHECK(env.stdout_text.find(t.root) == std::string::npos);

  auto pwd = run_child(in(t.pub, {"pwd", "-P"}));
  CHECK(pwd.stdout_text == "/workspace\n");
  auto made = run_child(in(t.pub, {"touch", "/workspace/made-by-path"}));
  CHECK(made.exit_code == 0);
  CHECK(::access((t.pub + "/made-by-path").c_str(), F_OK) == 0);

  // Without the namespace layer the child works in the host path, and HOME follows it.
  auto bare = in(t.pub, {"env"});
  bare.use_namespaces = false;
  CHECK(run_child(bare).stdout_text ==
        "PATH=/usr/local/bin:/usr/bin:/bin\nHOME=" + t.pub + "\nLANG=C.UTF-8\n");
  if (::geteuid() == 0) {
    auto id = run_child(in(t.pub, {"id", "-u"}));
    CHECK(id.stdout_text == "65534\n");  // root never reaches a child
  }
}

TEST_CASE("Landlock, not file permissions, keeps a child out of the private workspace",
          "[tools][sandbox][canary]") {
  tree t;
  // The namespace layer would hide these paths altogether; this test proves Landlock alone.
  auto bare = [&](std::vector<std::string> argv) {
    auto s = in(t.pub, std::move(argv));
    s.use_namespaces = false;
    return s;
  };
  auto r = run_child(bare({"cat", "../private/secret.txt"}));
  CHECK(r.exit_code != 0);
  CHECK(r.stderr_text.find("Permission denied") != std::string::npos);
  CHECK(no_canary(r));

  for (const std::string& target : {t.outside, std::string("/etc/passwd"),
                                    std::string("/proc/self/environ"), t.priv + "/secret.txt"}) {
    auto x = run_child(bare({"cat", target}));
    INFO(target << ": " << x.stderr_text);
    CHECK(x.exit_code != 0);
    CHECK(x.stderr_text.find("Permission denied") != std::string::npos);
    CHECK(no_canary(x));
  }

  // The control: the same read without Landlock succeeds, so it was the kernel rule above.
  auto control = bare({"cat", "../private/secret.txt"});
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

namespace {

// The uid a sandboxed child runs as outside its namespace: 65534 when the tests run as root
// (CI), else the test's own uid. Files and processes owned by this uid are what a child
// could reach without the namespace layer: the daemon's state dir, database and pid.
uid_t child_uid() {
  return ::geteuid() == 0 ? 65534 : ::geteuid();
}

// A process of the child's uid outside the sandbox, standing in for the daemon.
struct victim {
  pid_t pid = -1;
  victim() {
    pid = ::fork();
    if (pid == 0) {
      if (::geteuid() == 0 &&
          (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0))
        ::_exit(1);
      for (;;) ::pause();
    }
    ::usleep(50'000);  // let it switch uid before anyone signals it
  }
  bool alive() const {
    int ws = 0;
    return ::waitpid(pid, &ws, WNOHANG) == 0;
  }
  ~victim() {
    ::kill(pid, SIGKILL);
    int ws = 0;
    ::waitpid(pid, &ws, 0);
  }
};

struct attack_result {
  mode_t state_mode, db_mode;
  std::string db_text;
  time_t db_mtime;
  bool victim_alive;
};

// Runs the attacks of issue 13 item 3 against a "state dir" owned by the child's uid
// outside the workspace, with the given Landlock cap and namespace layer.
attack_result attack(int abi_cap, bool namespaces, bool kill_all) {
  tree t;
  const std::string state = t.root + "/state";
  const std::string db = state + "/frugal.db";
  REQUIRE(::mkdir(state.c_str(), 0700) == 0);
  write_text(db, "ledger rows\n", 0600);
  REQUIRE(::chown(state.c_str(), child_uid(), child_uid()) == 0);
  REQUIRE(::chown(db.c_str(), child_uid(), child_uid()) == 0);
  REQUIRE(::chmod(t.root.c_str(), 0711) == 0);
  victim v;
  auto run = [&](std::vector<std::string> argv) {
    auto s = in(t.pub, std::move(argv));
    s.max_landlock_abi = abi_cap;
    s.use_namespaces = namespaces;
    auto r = run_child(s);
    INFO(r.stderr_text);
    CHECK(r.stderr_text.find("sandbox:") == std::string::npos);  // setup itself succeeded
  };
  run({"chmod", "0644", db});
  run({"touch", "-d", "2001-01-01", db});
  // truncate(2) on a path, the call Landlock handles only from ABI 3.
  run({"python3", "-c", "import os, sys; os.truncate(sys.argv[1], 0)", db});
  run({"chmod", "0", state});
  run({"kill", "-9", std::to_string(v.pid)});
  if (kill_all) run({"kill", "-9", "-1"});
  ::usleep(50'000);
  attack_result a{};
  struct stat st {};
  ::stat(state.c_str(), &st);
  a.state_mode = st.st_mode & 07777;
  ::chmod(state.c_str(), 0700);
  ::stat(db.c_str(), &st);
  a.db_mode = st.st_mode & 07777;
  a.db_mtime = st.st_mtime;
  a.db_text = read_text(db);
  a.victim_alive = v.alive();
  return a;
}

}  // namespace

TEST_CASE("namespaces: a child changes no metadata and signals nothing outside its sandbox",
          "[tools][sandbox][namespaces]") {
  for (int cap : {2, 4, 0}) {
    INFO("Landlock ABI cap " << cap);
    auto a = attack(cap, true, true);
    CHECK(a.state_mode == 0700);  // `chmod 0 STATE_DIR` locked the owner out before
    CHECK(a.db_mode == 0600);     // `chmod 0644` made the database world-readable before
    CHECK(a.db_mtime > 1'000'000'000 + 365 * 86400);
    CHECK(a.db_text == "ledger rows\n");  // truncated at ABI 2 before
    CHECK(a.victim_alive);                // killed at ABI 2 and 4 before
  }
  // The control: the same attacks at ABI 2 without the namespace layer (the old sandbox)
  // all land, so it is the namespaces above that stop them. (No bare `kill -9 -1`: it would
  // kill every process of the child's uid on this machine.)
  auto bare = attack(2, false, false);
  CHECK(bare.state_mode == 0);
  CHECK(bare.db_mode == 0644);
  CHECK(bare.db_text.empty());
  CHECK_FALSE(bare.victim_alive);
}

TEST_CASE("namespaces: a child sees only its workspace and the system folders",
          "[tools][sandbox][namespaces]") {
  tree t;
  auto ls = run_child(in(t.pub, {"ls", "-a", t.root}));  // the workspace's parent
  INFO(ls.stderr_text);
  CHECK(ls.stdout_text.find("private") == std::string::npos);
  CHECK(ls.stdout_text.find("outside.txt") == std::string::npos);
  // Even with Landlock off, nothing outside the bound trees exists for the child.
  auto spec = in(t.pub, {"cat", t.outside});
  spec.use_landlock = false;
  auto r = run_child(spec);
  CHECK(r.exit_code != 0);
  CHECK(r.stderr_text.find("No such file") != std::string::npos);
  CHECK(no_canary(r));
  auto pid = run_child(in(t.pub, {"sh", "-c", "echo $$"}));
  // Its own PID namespace: pid 1 is the sandbox's init, the program is pid 2.
  CHECK(pid.stdout_text == "2\n");
  auto id = run_child(in(t.pub, {"id", "-u"}));
  CHECK(id.stdout_text == std::to_string(child_uid()) + "\n");
  auto w = run_child(in(t.pub, {"touch", "/usr/planted"}));
  CHECK(w.exit_code != 0);
}

TEST_CASE("spawn refuses children past the total and per-realm caps", "[tools][sandbox][caps]") {
  tree t;
  uv_loop_t loop;
  uv_loop_init(&loop);
  int reported = 0;
  auto sleeper = [&](const std::string& group) {
    auto s = in(t.pub, {"sleep", "30"});
    s.group = group;
    s.max_children = 3;
    s.max_children_per_group = 2;
    return spawn(&loop, s, [&](spawn_result) { ++reported; });
  };
  CHECK(sleeper("public"));
  CHECK(sleeper("public"));
  auto third = sleeper("public");  // per realm
  REQUIRE_FALSE(third);
  CHECK(third.message().find("public realm are already running (the cap is 2)") !=
        std::string::npos);
  CHECK(sleeper("private"));
  auto fourth = sleeper("private");  // in total
  REQUIRE_FALSE(fourth);
  CHECK(fourth.message().find("already running (the cap is 3)") != std::string::npos);
  CHECK(active_children() == 3);
  kill_all_children();
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(reported == 3);
  CHECK(active_children() == 0);
  CHECK(sleeper("public"));  // room again
  kill_all_children();
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
}
