// The parent's half of the namespace layer: the mount plan, the id maps and the probe.
// The plan is plain data (paths and flags) so the child can follow it with raw syscalls
// only. The child opens every bind source before it mounts the staging tmpfs over /tmp,
// so a source under /tmp (a test's workspace) is not hidden by it.
#include "tools/sandbox_ns.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "tools/system_paths.h"

namespace frugal::tools::ns {
namespace {

// Mount flags the kernel locks on a mount copied into a less privileged mount namespace:
// a read-only remount of a bind must repeat them or it fails with EPERM.
unsigned long locked_flags(int fd) {
  struct statvfs sv {};
  if (::fstatvfs(fd, &sv) != 0) return 0;
  unsigned long f = 0;
  if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
  if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
  if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
  return f;
}

class planner {
 public:
  explicit planner(root_plan& p) : p_(p) {
    // Steps point into strings: reserve so no reallocation moves them.
    p_.strings.reserve(256);
  }

  const char* keep(std::string s) {
    if (p_.strings.size() == p_.strings.capacity()) return nullptr;
    p_.strings.push_back(std::move(s));
    return p_.strings.back().c_str();
  }

  // mkdir steps for every ancestor of `path` (absolute, inside the sandbox) not yet made.
  status ancestors(const std::string& path) {
    for (size_t i = path.find('/', 1); i != std::string::npos; i = path.find('/', i + 1))
      if (auto s = dir(path.substr(0, i)); !s) return s;
    return status::success();
  }

  status dir(const std::string& inside) {
    if (!made_.insert(inside).second) return status::success();
    return add({mount_step::kind::dir, staged(inside), nullptr, false, 0});
  }

  // Binds host `path` at `inside` (default: the same path) inside; a missing path is
  // skipped. A symlink among the top-level folders (/bin -> usr/bin on merged-/usr
  // systems) stays a symlink; any other link is resolved and its target bound there.
  status bind(const char* path, bool writable, bool required = false,
              const char* inside = nullptr) {
    if (!inside) inside = path;
    struct stat lst {};
    if (::lstat(path, &lst) != 0) {
      if (!required && (errno == ENOENT || errno == ENOTDIR)) return status::success();
      return fail("sandbox: stat ", path, ": ", std::strerror(errno));
    }
    if (auto s = ancestors(inside); !s) return s;
    if (S_ISLNK(lst.st_mode) && std::strchr(path + 1, '/') == nullptr) {
      char target[PATH_MAX];
      ssize_t n = ::readlink(path, target, sizeof target - 1);
      if (n < 0) return fail("sandbox: readlink ", path, ": ", std::strerror(errno));
      target[n] = '\0';
      made_.insert(inside);
      return add({mount_step::kind::symlink, staged(inside), keep(target), false, 0});
    }
    unique_fd fd(::open(path, O_PATH | O_CLOEXEC));  // follows a link to its target
    if (!fd) {
      if (!required && (errno == ENOENT || errno == ENOTDIR)) return status::success();
      return fail("sandbox: open ", path, ": ", std::strerror(errno));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
      return fail("sandbox: stat ", path, ": ", std::strerror(errno));
    made_.insert(inside);
    // The child opens `path` itself: a mount of this (the daemon's) namespace cannot be
    // bound into another one.
    mount_step step{S_ISDIR(st.st_mode) ? mount_step::kind::bind_dir : mount_step::kind::bind_file,
                    staged(inside), keep(path), writable, locked_flags(fd.get())};
    return add(step);
  }

 private:
  const char* staged(const std::string& inside) { return keep(std::string("/tmp") + inside); }

  status add(mount_step s) {
    if (!s.path || (s.what != mount_step::kind::dir && !s.source) ||
        p_.steps.size() >= max_mount_steps)
      return fail("sandbox: mount plan too long");
    p_.steps.push_back(s);
    return status::success();
  }

  root_plan& p_;
  std::set<std::string> made_;
};

}  // namespace

unsigned long clone_flags(bool network) {
  unsigned long f = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS;
  if (!network) f |= CLONE_NEWNET;
  return f;
}

result<root_plan> plan_root(const std::string& workspace) {
  root_plan plan;
  planner p(plan);
  for (const char* t : system_paths::read_only_trees)
    if (auto s = p.bind(t, false); !s) return s.err();
  for (const char* f : system_paths::read_only_files)
    if (auto s = p.bind(f, false); !s) return s.err();
  for (const char* d : system_paths::devices)
    if (auto s = p.bind(d, true); !s) return s.err();
  if (auto s = p.bind(system_paths::dev_null, true, true); !s) return s.err();
  if (auto s = p.bind(workspace.c_str(), true, true, workspace_inside); !s) return s.err();
  return plan;
}

status write_id_maps(pid_t pid, uint32_t uid, uint32_t gid) {
  auto put = [pid](const char* file, const std::string& text) -> status {
    std::string path = "/proc/" + std::to_string(pid) + "/" + file;
    unique_fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd || ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
      return fail("sandbox: write ", path, ": ", std::strerror(errno));
    return status::success();
  };
  // Without CAP_SETGID only a setgroups-denied namespace may get a gid map.
  if (::geteuid() != 0)
    if (auto s = put("setgroups", "deny"); !s) return s;
  if (auto s = put("uid_map", std::to_string(uid) + " " + std::to_string(uid) + " 1\n"); !s)
    return s;
  return put("gid_map", std::to_string(gid) + " " + std::to_string(gid) + " 1\n");
}

std::string probe() {
  int gate[2];
  if (::pipe2(gate, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
  unique_fd gate_r(gate[0]), gate_w(gate[1]);
  long pid = ::syscall(SYS_clone, clone_flags(false) | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  if (pid == 0) {  // wait for the maps, then try what the child's root needs first
    ::close(gate[1]);
    char b;
    if (::read(gate[0], &b, 1) != 1) ::_exit(2);
    // Ubuntu 24.04's AppArmor lets an unconfined program create the namespace but strips
    // its capabilities there: mounting is what fails.
    ::_exit(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 ? 0 : 3);
  }
  if (pid < 0) {
    std::string why = std::string("clone: ") + std::strerror(errno);
    if (errno == EPERM || errno == ENOSPC || errno == EINVAL)
      why +=
          " (unprivileged user namespaces disabled: sysctl kernel.unprivileged_userns_clone "
          "or user.max_user_namespaces, or AppArmor's restriction on Ubuntu 24.04)";
    return why;
  }
  uint32_t uid = ::geteuid() == 0 ? 65534 : ::geteuid();
  uint32_t gid = ::geteuid() == 0 ? 65534 : ::getegid();
  status maps = write_id_maps(static_cast<pid_t>(pid), uid, gid);
  if (maps) (void)!::write(gate_w.get(), "1", 1);
  gate_w.reset();
  int ws = 0;
  ::waitpid(static_cast<pid_t>(pid), &ws, 0);
  if (!maps) return maps.message();
  if (WIFEXITED(ws) && WEXITSTATUS(ws) == 3)
    return "mount in a new user namespace: not permitted (on Ubuntu 24.04 install the AppArmor "
           "profile from deploy/apparmor/frugal, or run as root)";
  if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) return "the namespace probe child failed";
  return "";
}

}  // namespace frugal::tools::ns
