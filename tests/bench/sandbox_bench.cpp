// sandbox_bench: what a sandboxed child costs. Median milliseconds to start /bin/true and
// reap it, four ways, interleaved in the same run: a bare fork+execve+waitpid, spawn() with
// the kernel layers off (pipes, pidfd, loop, rlimits, uid drop), spawn() with Landlock and
// seccomp but no namespaces (the sandbox before issue 13), and spawn() fully sandboxed
// (namespaces, private root, init, Landlock, seccomp). Prints one line per measure; it
// asserts nothing, and a Debug/ASan build makes fork itself slower.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tools/sandbox.h"

namespace {

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point start) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double plain_fork_exec() {
  auto start = clock_type::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
    char* envp[] = {nullptr};
    ::execve("/bin/true", argv, envp);
    ::_exit(127);
  }
  int ws = 0;
  ::waitpid(pid, &ws, 0);
  return ms_since(start);
}

double via_spawn(const std::string& workspace, bool sandboxed, bool namespaces) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  frugal::tools::spawn_spec spec;
  spec.argv = {"/bin/true"};
  spec.workspace = workspace;
  spec.use_landlock = sandboxed;
  spec.use_seccomp = sandboxed;
  spec.use_namespaces = namespaces;
  bool ok = false;
  auto start = clock_type::now();
  auto s = frugal::tools::spawn(&loop, spec,
                                [&](frugal::tools::spawn_result r) { ok = r.exit_code == 0; });
  if (!s) {
    std::fprintf(stderr, "spawn failed: %s\n", s.message().c_str());
    std::exit(1);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  double ms = ms_since(start);
  uv_loop_close(&loop);
  if (!ok) {
    std::fprintf(stderr, "/bin/true did not exit 0\n");
    std::exit(1);
  }
  return ms;
}

}  // namespace

int main() {
  char tmpl[] = "/tmp/frugal-sandbox-bench-XXXXXX";
  if (!::mkdtemp(tmpl)) return 1;
  ::chmod(tmpl, 0777);
  const std::string ws = tmpl;
  const int runs = 60;
  std::vector<double> plain, bare_spawn, no_namespaces, sandboxed;
  for (int i = 0; i < runs; ++i) {
    plain.push_back(plain_fork_exec());
    bare_spawn.push_back(via_spawn(ws, false, false));
    no_namespaces.push_back(via_spawn(ws, true, false));
    sandboxed.push_back(via_spawn(ws, true, true));
  }
  auto caps = frugal::tools::probe();
  std::printf("sandbox_bench: landlock ABI %d, seccomp %s, %d runs each\n", caps.landlock_abi,
              caps.seccomp ? "yes" : "no", runs);
  std::printf("fork+execve+waitpid /bin/true        median %.2f ms\n", median(plain));
  std::printf("spawn() without Landlock/seccomp     median %.2f ms\n", median(bare_spawn));
  std::printf("spawn() Landlock+seccomp, no ns      median %.2f ms\n", median(no_namespaces));
  std::printf("spawn() fully sandboxed (namespaces) median %.2f ms\n", median(sandboxed));
  ::rmdir(tmpl);
  return 0;
}
