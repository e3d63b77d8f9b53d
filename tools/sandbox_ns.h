// sandbox_ns: the parent's half of the namespace layer. It plans the child's private root
// (a tmpfs with the system folders bound read-only, a few /etc files and /dev nodes, and
// the workspace bound writable at /workspace), writes the child's uid/gid maps, and
// probes whether this kernel lets us create the namespaces at all. The child half (the
// mounts themselves, pivot_root) is in sandbox_child.cpp; nothing here runs in the child.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "tools/sandbox_child.h"
#include "tools/unique_fd.h"

namespace frugal::tools::ns {

// clone() flags for a tool child: new user, PID, mount, IPC and UTS namespaces, and a new
// network namespace (loopback only, down) unless the tool needs the network.
unsigned long clone_flags(bool network);

// Everything the child's mount steps point at; keep it alive until clone() returned.
// At most max_mount_steps steps.
struct root_plan {
  std::vector<unique_fd> sources;    // O_PATH fds of the bind sources
  std::vector<std::string> strings;  // paths the steps point into (stable: reserved)
  std::vector<mount_step> steps;     // in order
};

// Where the workspace appears inside the child's root: the child's cwd and HOME. A fixed
// name, so nothing the child can read (getcwd, its environment) names the host path and
// with it the state folder.
inline constexpr const char* workspace_inside = "/workspace";

// Builds the plan for a child whose only writable tree is `workspace` (absolute, existing),
// bound at workspace_inside.
result<root_plan> plan_root(const std::string& workspace);

// Writes /proc/PID/{setgroups,uid_map,gid_map} so that inside the child's user namespace
// exactly one id exists: `uid`/`gid` mapped to themselves. A root parent may map any id
// (the child then switches to it); any other parent may only map its own ids, after denying
// setgroups. Returns an error naming the file that could not be written.
status write_id_maps(pid_t pid, uint32_t uid, uint32_t gid);

// Tries once to create the namespaces (a child that exits at once). "" when it worked,
// else the reason (e.g. "clone: Operation not permitted: unprivileged user namespaces are
// disabled (sysctl kernel.unprivileged_userns_clone, or AppArmor on Ubuntu 24.04)").
std::string probe();

}  // namespace frugal::tools::ns
