// shell: runs one program from the realm's allowlist with an argv the model supplies,
// inside the sandbox (namespaces, Landlock, seccomp, rlimits; workspace the only writable
// tree, no network, 10 s). Arguments go to execve untouched, so "$(...)", ";" and globs are
// plain text. Shells and interpreters are refused even when listed; programs that launch
// others (find -exec, sort --compress-program, env, ...) only where the realm opts in. An
// allowed program can still do anything its options allow: the kernel sandbox is the line.
#include <signal.h>
#include <stdlib.h>

#include <climits>
#include <cstdlib>
#include <memory>

#include "core/config/config.h"
#include "core/log.h"
#include "core/utf8.h"
#include "tools/all_tools.h"
#include "tools/launchers.h"
#include "tools/sandbox.h"
#include "tools/tool_args.h"
#include "tools/workspace_quota.h"

namespace frugal::tools {
namespace {

constexpr size_t max_args = 64;
constexpr size_t max_arg_bytes = 4096;

// Shells and interpreters: each turns one allowed name into "run any code", so they are
// refused even when listed and even with shell_launchers. Programs that launch others
// through options are tools/launchers.h's job.
const char* const refused_names[] = {
    "sh",  "bash",  "dash",    "zsh",    "ksh",  "mksh",    "pdksh",     "csh",    "tcsh",   "fish",
    "ash", "rbash", "node",    "nodejs", "deno", "bun",     "tclsh",     "wish",   "guile",  "ruby",
    "irb", "erl",   "escript", "julia",  "R",    "Rscript", "osascript", "jshell", "busybox"};
// Prefixes for versioned interpreters (python3.11, perl5.36, php8.2, lua5.4, pypy3, ...).
const char* const refused_prefixes[] = {"python", "pypy", "perl", "php",    "lua",  "ruby",
                                        "tcl",    "node", "java", "jshell", "pwsh", "gdb"};

bool refused(const std::string& name) {
  for (const char* n : refused_names)
    if (name == n) return true;
  for (const char* p : refused_prefixes)
    if (name.rfind(p, 0) == 0) return true;
  return false;
}

bool bare_name(const std::string& p) {
  if (p.empty() || p.size() > 64 || p[0] == '.' || p[0] == '-') return false;
  for (char c : p) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.' || c == '+';
    if (!ok) return false;
  }
  return true;
}

std::string base_name(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Checks the program and returns its absolute path and its resolved name, or why it is
// refused.
result<std::pair<std::string, std::string>> allowed_program(const context& ctx,
                                                            const std::string& program) {
  if (!bare_name(program))
    return refuse("shell: \"", program, "\" must be a bare program name (no path, no spaces)");
  if (refused(program))
    return refuse("shell: \"", program, "\" is a shell, interpreter or launcher; refused");
  bool listed = false;
  if (ctx.realm_cfg)
    for (const auto& a : ctx.realm_cfg->shell_allow)
      if (a == program) listed = true;
  if (!listed) return refuse("shell: \"", program, "\" is not on this realm's allowlist");
  auto path = resolve_program(program);
  if (!path) return fail("shell: \"", program, "\" is not installed");
  // A listed name may be a link to an interpreter (awk → mawk, python3 → python3.11).
  std::unique_ptr<char, decltype(&::free)> real(::realpath(path->c_str(), nullptr), ::free);
  if (!real || refused(base_name(real.get())))
    return refuse("shell: \"", program, "\" resolves to a shell or interpreter; refused");
  return std::pair{path.value(), base_name(real.get())};
}

std::string report(const spawn_result& r) {
  std::string text;
  if (r.timed_out)
    text = "killed: time limit (10 s) reached\n";
  else if (r.signal)
    text = log::cat("killed by signal ", r.signal, "\n");
  else
    text = log::cat("exit code ", r.exit_code, "\n");
  if (!r.stdout_text.empty()) text += "--- stdout ---\n" + utf8::repair(r.stdout_text) + "\n";
  if (!r.stderr_text.empty()) text += "--- stderr ---\n" + utf8::repair(r.stderr_text) + "\n";
  if (r.output_truncated) text += "[output truncated at 64 KB per stream]\n";
  return text;
}

void exec(const context& ctx, std::string_view args_json, done_fn done) {
  auto args = tool_args::parse(args_json);
  if (!args) return done(tool_error(args.message()));
  std::string program;
  std::vector<std::string> argv;
  if (auto s = args->get_string("program", program, true); !s) return done(tool_error(s.message()));
  if (auto s = args->get_string_array("args", argv, false, max_args); !s)
    return done(tool_error(s.message()));
  for (const auto& a : argv)
    if (a.size() > max_arg_bytes || a.find('\0') != std::string::npos)
      return done(tool_error(
          log::cat("shell: arguments must be under ", max_arg_bytes, " bytes and free of NUL")));
  auto path = allowed_program(ctx, program);
  if (!path) return done(tool_error(path.err()));
  if (!ctx.realm_cfg || !ctx.realm_cfg->shell_launchers) {
    auto screened = launchers::screen(program, path->second, argv);
    if (!screened) return done(tool_error(screened.err()));
    argv = std::move(screened.value());
  }

  spawn_spec spec;
  spec.argv.push_back(path->first);
  spec.argv.insert(spec.argv.end(), argv.begin(), argv.end());
  spec.workspace = ctx.workspace;
  spec.network = false;
  spec.timeout_ms = 10'000;
  spec.fail_closed = ctx.realm != core::realm_kind::private_;
  if (ctx.caps) {
    spec.max_landlock_abi = ctx.caps->max_landlock_abi;
    spec.use_namespaces = ctx.caps->namespaces_wanted;
    spec.max_children = ctx.caps->max_children;
    spec.max_children_per_group = ctx.caps->max_children_per_realm;
  }
  spec.group = core::realm_name(ctx.realm);
  // Disk: a file may grow only into what is left of the quota, and the sandbox kills the
  // child once the workspace as a whole passes it.
  if (ctx.realm_cfg && ctx.realm_cfg->workspace_quota_mb > 0) {
    const int64_t quota = quota::bytes(ctx.realm_cfg->workspace_quota_mb);
    auto used = quota::usage(ctx.workspace, quota);
    if (!used) return done(tool_error("shell: " + used.message()));
    const int64_t left = *used < quota ? quota - *used : 0;
    if (left < spec.file_size_bytes) spec.file_size_bytes = left;
    spec.workspace_quota_bytes = quota;
  }
  status s = spawn(ctx.loop, spec, [done, quota = spec.workspace_quota_bytes](spawn_result r) {
    output out = tool_ok(report(r));
    if (r.quota_exceeded || r.signal == SIGXFSZ)
      out.text += log::cat("[stopped: the workspace may hold at most ", quota / (1024 * 1024),
                           " MB; remove files to make room]\n");
    out.is_error = r.timed_out || r.signal != 0 || r.exit_code != 0;
    out.exit_status = r.signal ? 128 + r.signal : r.exit_code;
    done(std::move(out));
  });
  if (!s) done(tool_error(s.err(), "shell: "));
}

const descriptor k_shell{
    "shell",
    "Run one allowed program with arguments in your workspace (no shell: no pipes, "
    "redirections or globs; no network; 10 s limit).",
    R"({"type":"object","properties":{"program":{"type":"string",)"
    R"("description":"bare program name from the allowlist"},)"
    R"("args":{"type":"array","items":{"type":"string"}}},)"
    R"("required":["program"]})",
    realm_both,
    false,
    true,
    exec};

}  // namespace

const descriptor& shell_tool() {
  return k_shell;
}

}  // namespace frugal::tools
