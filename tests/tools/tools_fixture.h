// Test fixture for the tools area: a temporary tree with a "public" and a "private"
// workspace and a canary secret planted in the private one and in the environment, plus
// helpers that run spawn() or a tool on a private libuv loop until it reports.
// Folders are world-writable so a child that dropped from root to nobody can use them;
// the private canary is world-readable, so only the sandbox stands between it and a child.
#pragma once
#include <uv.h>

#include <string>

#include "tools/sandbox.h"
#include "tools/tool.h"

namespace frugal::tools::test {

inline constexpr const char* canary = "CANARY-7f3a9c2e-owner-secret";

struct tree {
  tree();
  ~tree();
  tree(const tree&) = delete;
  tree& operator=(const tree&) = delete;
  std::string root;     // /tmp/frugal-tools-XXXXXX
  std::string pub;      // root/public   (a workspace)
  std::string priv;     // root/private  (a workspace; holds secret.txt with the canary)
  std::string outside;  // root/outside.txt (canary; outside both workspaces)
};

// Writes `text` to `path` (creating or replacing) with `mode`.
void write_text(const std::string& path, const std::string& text, unsigned mode = 0644);
std::string read_text(const std::string& path);

// Runs spawn() on a fresh loop until the child is reported. Fails the test if spawn refuses.
spawn_result run_child(const spawn_spec& spec);
// Runs spawn() and returns its refusal message ("" when it started).
std::string spawn_refusal(const spawn_spec& spec);

// Runs one tool on a fresh loop and returns its output.
output run_tool_sync(const descriptor& d, context ctx, const std::string& args_json);

}  // namespace frugal::tools::test
