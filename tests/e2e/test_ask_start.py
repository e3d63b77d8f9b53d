"""End to end: a cron `frugal ask` pays at start only for what its turn uses. The sandbox's
namespace probe (a child cloned into new user, PID, mount, IPC and UTS namespaces) runs
when its answer decides something (a public sandboxed tool, `frugal doctor`), not at every
start: `ask hello` clones no namespace child, a private shell call clones only the tool's
own child, and doctor still probes. Counted with strace on clone/clone3. Before: every
start cloned one probe child (ask hello 1, the shell call 2)."""
import os
import re
import shutil
import subprocess
import sys

from harness import BINARY, Checks, FakeModel, Workdir, config_text, env_for

c = Checks()
if not shutil.which("strace"):
    print("skip: no strace")
    sys.exit(0)

NEW_NS = re.compile(r"clone3?\(.*CLONE_NEWUSER")


def traced(w, *args, calls="clone,clone3", pattern=NEW_NS):
    """Runs frugal under strace -f; returns (CompletedProcess, the traced lines matching
    `pattern`: by default, namespace clones)."""
    out = os.path.join(w.dir, "clone.trace")
    r = subprocess.run(["strace", "-f", "-qq", "-e", "trace=" + calls, "-o", out, BINARY,
                        "--config", w.config, *args], capture_output=True, text=True,
                       timeout=60, env=env_for(ASAN_OPTIONS="detect_leaks=0"))  # LSan cannot run under ptrace
    with open(out) as f:
        clones = [line for line in f if pattern.search(line)]
    return r, clones


with FakeModel() as fake, Workdir() as w:
    ws = os.path.join(w.dir, "ws")
    w.write_config(config_text(fake.url, w.state, tiers='chat = ["cheap"]\ntools = ["cheap"]',
                               extra=f"""
[realms.private]
owners = ["stdin"]
workspace = "{ws}"
shell_allow = ["echo"]
"""))
    fake.script({"content": "hello back"})
    r, clones = traced(w, "ask", "hello")
    c.check(r.returncode == 0 and r.stdout == "hello back\n", "ask answers under strace",
            (r.returncode, r.stdout, r.stderr[-500:]))
    c.check(clones == [], "ask hello clones no namespace child", clones)

    fake.script({"tool_calls": [{"name": "shell", "arguments": {"program": "echo",
                                                                  "args": ["from the child"]}}]},
                {"content": "the shell said hi"})
    r, clones = traced(w, "ask", "please run echo in the shell for me")
    tool_msgs = [m for q in fake.requests() for m in q["body"].get("messages", [])
                 if m.get("role") == "tool"]
    c.check(r.returncode == 0 and any("from the child" in str(m.get("content"))
                                      for m in tool_msgs),
            "a private shell call still runs", (r.returncode, r.stderr[-500:], tool_msgs))
    c.check(len(clones) == 1, "it clones only the tool's own child (namespaces kept)", clones)

    fake.script({"content": "thought it over", "delay_ms": 1500})
    r, waits = traced(w, "ask", "think slowly", calls="epoll_wait,epoll_pwait",
                      pattern=re.compile(r"epoll_p?wait\("))
    c.check(r.returncode == 0 and r.stdout == "thought it over\n", "a slow ask answers",
            (r.returncode, r.stdout, r.stderr[-500:]))
    # A few dozen wake-ups at most (the connect, the send, curl's timers); before: ~10,000.
    c.check(len(waits) < 200, "ask sleeps while the model thinks (epoll_wait calls)",
            (len(waits), waits[-3:]))

    r, clones = traced(w, "doctor")
    c.check(re.search(r"sandbox: namespaces.*(user, PID|unavailable)", r.stdout) is not None,
            "doctor reports the namespaces", r.stdout[-800:])
    c.check(len(clones) == 1, "doctor probes the namespaces (one child)", clones)
c.done()
