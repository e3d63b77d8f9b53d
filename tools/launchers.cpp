// The launcher table. Long options are matched the way getopt_long matches them (any
// prefix of the name, with or without "=value"), short ones inside any option cluster,
// and scanning stops at "--" for getopt-style commands. Where a rule is unsure it refuses:
// a false refusal costs the model one retry, a miss costs a shell.
#include "tools/launchers.h"

#include <cstring>

namespace frugal::tools::launchers {
namespace {

// Programs whose job is to run another program or a script that can (editors and pagers
// with `!`, build tools, version control with hooks and aliases, remote shells).
const char* const whole_programs[] = {"env",
                                      "xargs",
                                      "nice",
                                      "nohup",
                                      "timeout",
                                      "prlimit",
                                      "setsid",
                                      "stdbuf",
                                      "fakeroot",
                                      "chroot",
                                      "flock",
                                      "chrt",
                                      "taskset",
                                      "ionice",
                                      "watch",
                                      "time",
                                      "parallel",
                                      "script",
                                      "expect",
                                      "unbuffer",
                                      "strace",
                                      "ltrace",
                                      "gdb",
                                      "valgrind",
                                      "make",
                                      "gmake",
                                      "cmake",
                                      "ctest",
                                      "cpack",
                                      "ninja",
                                      "meson",
                                      "scons",
                                      "ssh",
                                      "scp",
                                      "sftp",
                                      "rsync",
                                      "git",
                                      "hg",
                                      "svn",
                                      "less",
                                      "more",
                                      "most",
                                      "pg",
                                      "man",
                                      "pager",
                                      "vi",
                                      "vim",
                                      "view",
                                      "ex",
                                      "rvim",
                                      "rview",
                                      "vimdiff",
                                      "nvim",
                                      "ed",
                                      "red",
                                      "emacs",
                                      "nano",
                                      "pico",
                                      "mutt",
                                      "awk",
                                      "gawk",
                                      "mawk",
                                      "nawk",
                                      "busybox",
                                      "m4",
                                      "dc",
                                      "patch",
                                      "run-parts",
                                      "systemd-run",
                                      "start-stop-daemon",
                                      "unshare",
                                      "nsenter",
                                      "setpriv",
                                      "runuser",
                                      "su",
                                      "sudo",
                                      "doas",
                                      "crontab",
                                      "at",
                                      "batch",
                                      "dbus-send",
                                      "xdg-open",
                                      "sensible-editor",
                                      "sensible-pager",
                                      "editor",
                                      "cpio",
                                      "dpkg",
                                      "apt",
                                      "apt-get",
                                      "pip",
                                      "pip3",
                                      "npm"};
// Versioned or variant names (vim.basic, vim.tiny, fakeroot-sysv, gawk-5, ...).
const char* const whole_prefixes[] = {"vim.", "vi.", "fakeroot", "gawk", "nvim", "emacs"};

struct option_rule {
  const char* program;
  const char* long_opts[8];      // without "--"; single-dash long options (find) are below
  const char* short_opts;        // letters that launch, inside any "-xyz" cluster
  const char* words[6];          // exact arguments (find -exec)
  const char* clusters[2];       // multi-letter short options (zip -TT)
  const char* disable;           // an option added in front that turns launching off
  bool getopt = true;            // "--" ends the options
  bool old_style_first = false;  // tar: a first argument without "-" is a cluster
};

const option_rule option_rules[] = {
    {"sort", {"compress-program"}, "", {}, {}, nullptr},
    {"split", {"filter"}, "", {}, {}, nullptr},
    {"tar",
     {"checkpoint-action", "to-command", "use-compress-program", "rsh-command", "info-script",
      "new-volume-script", "rmt-command"},
     "IF",
     {},
     {},
     "--force-local",  // "host:file" archives would run rsh/ssh
     true,
     true},
    {"sed", {}, "", {}, {}, "--sandbox"},  // GNU sed: rejects the e, r and w commands
    {"zip", {"unzip-command"}, "", {}, {"TT"}, nullptr},
    {"find", {}, "", {"-exec", "-execdir", "-ok", "-okdir"}, {}, nullptr, false},
    {"sdiff", {"diff-program"}, "", {}, {}, nullptr},
    {"diff3", {"diff-program"}, "", {}, {}, nullptr},
    {"wget", {"use-askpass"}, "", {}, {}, nullptr},
};

bool whole_program(const std::string& name) {
  for (const char* n : whole_programs)
    if (name == n) return true;
  for (const char* p : whole_prefixes)
    if (name.rfind(p, 0) == 0) return true;
  return false;
}

const option_rule* rule_for(const std::string& name) {
  for (const auto& r : option_rules)
    if (name == r.program) return &r;
  return nullptr;
}

// The launching option `arg` is or contains ("--filter", "-I", "-exec"), or "".
std::string launching(const option_rule& r, const std::string& arg, bool first) {
  for (const char* w : r.words)
    if (w && arg == w) return w;
  if (arg.rfind("--", 0) == 0 && arg.size() > 2) {
    std::string name =
        arg.substr(2, arg.find('=') == std::string::npos ? std::string::npos : arg.find('=') - 2);
    for (const char* o : r.long_opts)
      if (o && !name.empty() && std::strncmp(o, name.c_str(), name.size()) == 0)
        return std::string("--") + o;
    return "";
  }
  bool cluster = (arg.size() > 1 && arg[0] == '-') || (first && r.old_style_first && !arg.empty());
  if (!cluster) return "";
  for (const char* c : r.clusters)
    if (c && arg.find(c) != std::string::npos) return std::string("-") + c;
  for (const char* c = r.short_opts; *c; ++c)
    if (arg.find(*c, arg[0] == '-' ? 1 : 0) != std::string::npos) return std::string("-") + *c;
  return "";
}

result<std::vector<std::string>> check_options(const option_rule& r, const std::string& name,
                                               const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (r.getopt && args[i] == "--") break;
    if (std::string opt = launching(r, args[i], i == 0); !opt.empty())
      return refuse("shell: \"", name, " ", args[i], "\" can launch programs (", opt,
                    "); refused: this realm does not allow launchers (shell_launchers)");
  }
  std::vector<std::string> out;
  if (r.disable) out.emplace_back(r.disable);
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

}  // namespace

result<std::vector<std::string>> screen(const std::string& listed, const std::string& resolved,
                                        const std::vector<std::string>& args) {
  for (const std::string* name : {&listed, &resolved}) {
    if (whole_program(*name))
      return refuse("shell: \"", listed, "\"", *name != listed ? " (" + *name + ")" : "",
                    " launches other programs; refused: this realm does not allow launchers "
                    "(shell_launchers)");
  }
  const option_rule* r = rule_for(resolved);
  if (!r) r = rule_for(listed);
  if (!r) return args;
  return check_options(*r, listed, args);
}

}  // namespace frugal::tools::launchers
