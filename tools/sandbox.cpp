// spawn(): prepares the plan in the parent (program path, argv/env arrays, Landlock ruleset,
// seccomp program, pipes), forks, and watches the child on the loop: two uv_pipe readers
// with a cap, a pidfd poll for the exit, a kill timer and a short drain timer. The whole
// process group is killed when the leader exits or the timer fires, so nothing it started
// outlives it. The daemon itself is never confined.
#include "tools/sandbox.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <set>

#include "core/log.h"
#include "core/uv_handle.h"
#include "tools/landlock.h"
#include "tools/sandbox_child.h"
#include "tools/sandbox_ns.h"
#include "tools/seccomp_filter.h"
#include "tools/unique_fd.h"
#include "tools/workspace_quota.h"

namespace frugal::tools {
namespace {

#ifndef SYS_pidfd_open
constexpr long SYS_pidfd_open = 434;
#endif
constexpr uint64_t drain_ms = 500;

class child_watch;
std::set<child_watch*>& active() {
  static std::set<child_watch*> set;
  return set;
}

// One running child. Deletes itself after reporting.
class child_watch {
 public:
  struct stream {
    uv_owned<uv_pipe_t> pipe;
    std::string* text = nullptr;
    child_watch* owner = nullptr;
    bool open = false;
    char buf[16 * 1024];
  };

  child_watch(uv_loop_t* loop, pid_t pid, int pidfd, const spawn_spec& spec, unique_fd status,
              spawn_fn done)
      : loop_(loop),
        pid_(pid),
        pidfd_(pidfd),
        status_(std::move(status)),
        cap_(spec.max_output_bytes),
        group_(spec.group),
        workspace_(spec.workspace),
        quota_(spec.workspace_quota_bytes),
        done_(std::move(done)) {
    start_ns_ = uv_hrtime();
    out_.text = &result_.stdout_text;
    err_.text = &result_.stderr_text;
    active().insert(this);
  }
  ~child_watch() { active().erase(this); }

  // Starts the handles; on failure the child is killed and reaped synchronously.
  status start(unique_fd out_fd, unique_fd err_fd, int64_t timeout_ms, int64_t quota_poll_ms) {
    if (auto s = start_stream(out_, std::move(out_fd)); !s) return abort_start(s);
    if (auto s = start_stream(err_, std::move(err_fd)); !s) return abort_start(s);
    if (int rc = uv_poll_init(loop_, exit_poll_.get(), pidfd_.get()); rc != 0)
      return abort_start(fail("sandbox: watch pidfd: ", uv_strerror(rc)));
    exit_poll_.mark_initialized();
    exit_poll_->data = this;
    uv_poll_start(exit_poll_.get(), UV_READABLE, [](uv_poll_t* h, int, int) {
      if (auto* self = static_cast<child_watch*>(h->data)) self->on_exit();
    });
    uv_timer_init(loop_, timer_.get());
    timer_.mark_initialized();
    timer_->data = this;
    uv_timer_start(
        timer_.get(),
        [](uv_timer_t* h) {
          if (auto* self = static_cast<child_watch*>(h->data)) self->on_timeout();
        },
        static_cast<uint64_t>(timeout_ms > 0 ? timeout_ms : 1), 0);
    if (quota_ > 0) {
      uv_timer_init(loop_, quota_timer_.get());
      quota_timer_.mark_initialized();
      quota_timer_->data = this;
      uv_timer_start(
          quota_timer_.get(),
          [](uv_timer_t* h) {
            if (auto* self = static_cast<child_watch*>(h->data)) self->on_quota_poll();
          },
          static_cast<uint64_t>(quota_poll_ms), static_cast<uint64_t>(quota_poll_ms));
    }
    return status::success();
  }

  const std::string& group() const { return group_; }

  void kill_group() const {
    ::kill(-pid_, SIGKILL);  // fails with ESRCH before setsid ran; then the leader alone:
    ::kill(pid_, SIGKILL);
  }

 private:
  status start_stream(stream& s, unique_fd fd) {
    if (int rc = uv_pipe_init(loop_, s.pipe.get(), 0); rc != 0)
      return fail("sandbox: pipe init: ", uv_strerror(rc));
    s.pipe.mark_initialized();
    if (int rc = uv_pipe_open(s.pipe.get(), fd.get()); rc != 0)
      return fail("sandbox: pipe open: ", uv_strerror(rc));
    fd.release();  // the pipe handle owns it now
    s.pipe->data = &s;
    s.open = true;
    s.owner = this;
    int rc = uv_read_start(
        reinterpret_cast<uv_stream_t*>(s.pipe.get()),
        [](uv_handle_t* h, size_t, uv_buf_t* b) {
          auto* st = static_cast<stream*>(h->data);
          *b = uv_buf_init(st->buf, sizeof st->buf);
        },
        [](uv_stream_t* h, ssize_t n, const uv_buf_t* b) {
          auto* st = static_cast<stream*>(h->data);
          if (!st) return;
          st->owner->on_read(*st, n, b->base);
        });
    if (rc != 0) return fail("sandbox: read start: ", uv_strerror(rc));
    return status::success();
  }

  status abort_start(status s) {
    kill_group();
    int ws = 0;
    ::waitpid(pid_, &ws, 0);
    return s;
  }

  void on_read(stream& s, ssize_t n, const char* data) {
    if (n > 0) {
      size_t room = cap_ > s.text->size() ? cap_ - s.text->size() : 0;
      size_t take = static_cast<size_t>(n) < room ? static_cast<size_t>(n) : room;
      s.text->append(data, take);
      if (take < static_cast<size_t>(n)) result_.output_truncated = true;
      return;
    }
    if (n == 0) return;  // EAGAIN
    s.open = false;      // EOF or error: this stream is done
    s.pipe.close();
    maybe_finish();
  }

  void on_exit() {
    if (exited_) return;
    exited_ = true;
    exit_poll_.close();
    if (quota_ > 0) uv_timer_stop(quota_timer_.get());
    kill_group();  // the leader is a zombie until reaped, so its group id is not reused
    int ws = 0;
    if (::waitpid(pid_, &ws, 0) == pid_) {
      // The init wrote the program's status before it exited; without it (killed by the
      // timer or the quota) the init's own status stands.
      int program_ws = 0;
      if (status_ && ::read(status_.get(), &program_ws, sizeof program_ws) == sizeof program_ws)
        ws = program_ws;
      if (WIFEXITED(ws)) result_.exit_code = WEXITSTATUS(ws);
      if (WIFSIGNALED(ws)) result_.signal = WTERMSIG(ws);
    }
    result_.duration_ms = static_cast<int64_t>((uv_hrtime() - start_ns_) / 1'000'000);
    // Give the pipes a moment to drain; a descendant that escaped could hold them forever.
    uv_timer_stop(timer_.get());
    uv_timer_start(
        timer_.get(),
        [](uv_timer_t* h) {
          if (auto* self = static_cast<child_watch*>(h->data)) self->finish();
        },
        drain_ms, 0);
    maybe_finish();
  }

  void on_quota_poll() {
    auto used = quota::usage(workspace_, quota_);
    if (exited_ || !used || *used <= quota_) return;
    result_.quota_exceeded = true;
    LOG_WARN("sandbox", "child ", pid_, " filled its workspace past ", quota_,
             " bytes; killing its process group");
    uv_timer_stop(quota_timer_.get());
    kill_group();
  }

  void on_timeout() {
    result_.timed_out = true;
    LOG_WARN("sandbox", "child ", pid_, " passed its time limit; killing its process group");
    kill_group();
  }

  void maybe_finish() {
    if (exited_ && !out_.open && !err_.open) finish();
  }

  void finish() {
    spawn_fn done = std::move(done_);
    spawn_result r = std::move(result_);
    delete this;  // closes the handles; their memory goes in the close callbacks
    done(std::move(r));
  }

  uv_loop_t* loop_;
  pid_t pid_;
  unique_fd pidfd_;
  unique_fd status_;  // namespaces: the init's report of the program's wait status
  size_t cap_;
  std::string group_;
  std::string workspace_;
  int64_t quota_;
  spawn_fn done_;
  uint64_t start_ns_ = 0;
  bool exited_ = false;
  spawn_result result_;
  stream out_, err_;
  uv_owned<uv_poll_t> exit_poll_;
  uv_owned<uv_timer_t> timer_;
  uv_owned<uv_timer_t> quota_timer_;
};

// Moves `fd` to a number >= 3 (close-on-exec) so the child's dup2 onto 0-2 can't clobber it.
result<unique_fd> high_fd(int fd) {
  unique_fd orig(fd);
  if (fd >= 3) return orig;
  int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (moved < 0) return fail("sandbox: fcntl: ", std::strerror(errno));
  return unique_fd(moved);
}

result<std::pair<unique_fd, unique_fd>> make_pipe() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return fail("sandbox: pipe: ", std::strerror(errno));
  unique_fd r(p[0]), w(p[1]);
  auto hr = high_fd(r.release());
  if (!hr) return hr.err();
  auto hw = high_fd(w.release());
  if (!hw) return hw.err();
  return std::pair{std::move(hr.value()), std::move(hw.value())};
}

}  // namespace

size_t active_children() {
  return active().size();
}

size_t active_children(const std::string& group) {
  size_t n = 0;
  for (const child_watch* w : active()) n += w->group() == group;
  return n;
}

void kill_all_children() {
  for (child_watch* w : active()) w->kill_group();
}

status spawn(uv_loop_t* loop, const spawn_spec& spec, spawn_fn done) {
  if (spec.argv.empty()) return fail("sandbox: empty argv");
  for (const auto& a : spec.argv)
    if (a.find('\0') != std::string::npos) return fail("sandbox: NUL byte in an argument");
  struct stat st {};
  if (spec.workspace.empty() || spec.workspace[0] != '/' ||
      ::stat(spec.workspace.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return fail("sandbox: workspace \"", spec.workspace, "\" is not an absolute folder");
  auto path = resolve_program(spec.argv[0]);
  if (!path) return path.err();
  if (spec.max_children > 0 && active_children() >= spec.max_children)
    return refuse("sandbox: ", active_children(), " tool children are already running (the cap is ",
                  spec.max_children, "); try again when one has finished");
  if (spec.max_children_per_group > 0 && active_children(spec.group) >= spec.max_children_per_group)
    return refuse("sandbox: ", active_children(spec.group), " tool children of the ", spec.group,
                  " realm are already running (the cap is ", spec.max_children_per_group,
                  "); try again when one has finished");

  unique_fd ruleset;
  if (spec.use_landlock) {
    int abi = landlock::abi_version();
    if (spec.max_landlock_abi > 0 && abi > spec.max_landlock_abi) abi = spec.max_landlock_abi;
    if (abi > 0) {
      auto rs = landlock::build_ruleset(abi, spec.workspace, spec.network);
      if (!rs) return rs.err();
      ruleset = std::move(rs.value());
    } else if (spec.fail_closed) {
      return fail("sandbox: Landlock is missing on this kernel; refusing to run ", spec.argv[0],
                  " unconfined");
    } else {
      LOG_WARN("sandbox", "Landlock missing; running ", spec.argv[0], " without it");
    }
  }
  const sock_fprog* filter = nullptr;
  if (spec.use_seccomp) {
    if (seccomp_filter::available()) {
      auto prog = seccomp_filter::program(spec.network);
      if (!prog) return prog.err();
      filter = prog.value();
    } else if (spec.fail_closed) {
      return fail("sandbox: seccomp is missing on this kernel; refusing to run ", spec.argv[0],
                  " unconfined");
    } else {
      LOG_WARN("sandbox", "seccomp missing; running ", spec.argv[0], " without it");
    }
  }

  ns::root_plan root;
  std::optional<std::pair<unique_fd, unique_fd>> gate;         // the child waits for its id maps
  std::optional<std::pair<unique_fd, unique_fd>> status_pipe;  // the program's wait status
  if (spec.use_namespaces) {
    auto sp = make_pipe();
    if (!sp) return sp.err();
    status_pipe = std::move(sp.value());
    auto planned = ns::plan_root(spec.workspace);
    if (!planned) return planned.err();
    root = std::move(planned.value());
    auto g = make_pipe();
    if (!g) return g.err();
    gate = std::move(g.value());
  }

  auto out = make_pipe();
  if (!out) return out.err();
  auto err = make_pipe();
  if (!err) return err.err();
  auto null_fd = high_fd(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!null_fd || !null_fd.value()) return fail("sandbox: open /dev/null: ", std::strerror(errno));

  // A fixed, minimal environment. With namespaces the workspace is bound at
  // ns::workspace_inside, so neither HOME nor getcwd() names the host path (the state
  // folder); without them the child works in the host path and HOME follows it.
  std::vector<std::string> env = {std::string("PATH=") + fixed_path,
                                  std::string("HOME=") + ns::workspace_inside, "LANG=C.UTF-8"};
  if (!gate) env[1] = "HOME=" + spec.workspace;
  std::vector<char*> argv, envp;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  rlimit nofile{};
  ::getrlimit(RLIMIT_NOFILE, &nofile);
  child_plan plan;
  plan.path = path->c_str();
  plan.argv = argv.data();
  plan.envp = envp.data();
  plan.workspace = gate ? ns::workspace_inside : spec.workspace.c_str();
  plan.limits[0] = {RLIMIT_CPU, static_cast<rlim_t>(spec.cpu_seconds)};
  plan.limits[1] = {RLIMIT_AS, static_cast<rlim_t>(spec.address_space_bytes)};
  plan.limits[2] = {RLIMIT_FSIZE, static_cast<rlim_t>(spec.file_size_bytes)};
  plan.limits[3] = {RLIMIT_NPROC, static_cast<rlim_t>(spec.max_processes)};
  plan.limits[4] = {RLIMIT_NOFILE, static_cast<rlim_t>(spec.max_open_files)};
  plan.limits[5] = {RLIMIT_CORE, 0};
  plan.stdin_fd = null_fd->get();
  plan.stdout_fd = out->second.get();
  plan.stderr_fd = err->second.get();
  plan.max_fd = nofile.rlim_cur == RLIM_INFINITY ? 65536 : static_cast<int>(nofile.rlim_cur);
  plan.ruleset_fd = ruleset ? ruleset.get() : -1;
  plan.filter = filter;
  plan.drop_root = ::geteuid() == 0;
  plan.uid = plan.drop_root ? spec.root_fallback_uid : ::geteuid();
  plan.gid = plan.drop_root ? spec.root_fallback_gid : ::getegid();
  if (gate) {
    plan.namespaces = true;
    plan.sync_fd = gate->first.get();
    plan.sync_close_fd = gate->second.get();
    plan.mounts = root.steps.data();
    plan.mount_count = root.steps.size();
    plan.status_fd = status_pipe->second.get();
  }

  pid_t pid = -1;
  if (gate) {
    // A raw clone() behaves like fork() with new namespaces; the child uses raw syscalls only.
    pid = static_cast<pid_t>(::syscall(SYS_clone, ns::clone_flags(spec.network) | SIGCHLD, nullptr,
                                       nullptr, nullptr, nullptr));
    if (pid < 0 && spec.fail_closed)
      return fail("sandbox: cannot create namespaces (", std::strerror(errno),
                  "); refusing to run ", spec.argv[0], " without them");
    if (pid < 0) {
      LOG_WARN("sandbox", "namespaces unavailable (", std::strerror(errno), "); running ",
               spec.argv[0], " without them");
      plan.namespaces = false;
      gate.reset();
      status_pipe.reset();
      plan.workspace = spec.workspace.c_str();
      env[1] = "HOME=" + spec.workspace;
      envp[1] = env[1].data();
    }
  }
  if (!gate) pid = ::fork();
  if (pid < 0) return fail("sandbox: fork: ", std::strerror(errno));
  if (pid == 0) run_child(plan);
  if (gate) {
    gate->first.reset();
    status maps = ns::write_id_maps(pid, plan.uid, plan.gid);
    if (maps && ::write(gate->second.get(), "1", 1) != 1)
      maps = fail("sandbox: release child: ", std::strerror(errno));
    gate->second.reset();
    if (!maps) {
      ::kill(pid, SIGKILL);
      int ws = 0;
      ::waitpid(pid, &ws, 0);
      return maps;
    }
  }

  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    int e = errno;
    ::kill(pid, SIGKILL);
    int ws = 0;
    ::waitpid(pid, &ws, 0);
    return fail("sandbox: pidfd_open (needs Linux 5.3): ", std::strerror(e));
  }
  out->second.reset();
  err->second.reset();
  unique_fd status_read;
  if (status_pipe) {
    status_pipe->second.reset();
    status_read = std::move(status_pipe->first);
    ::fcntl(status_read.get(), F_SETFL, O_NONBLOCK);
  }
  auto* watch = new child_watch(loop, pid, pidfd, spec, std::move(status_read), std::move(done));
  status s = watch->start(std::move(out->first), std::move(err->first), spec.timeout_ms,
                          spec.quota_poll_ms > 0 ? spec.quota_poll_ms : 20);
  if (!s) delete watch;
  return s;
}

}  // namespace frugal::tools
