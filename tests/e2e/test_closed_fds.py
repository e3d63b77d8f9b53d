"""End to end: frugal started with any of stdin, stdout and stderr closed (`0<&-`, `>&-`,
`2>&-`, as cron or a careless wrapper may start it) still works: `ask` answers into
whichever stream is open, `budget --json` prints, and `run` stops cleanly on SIGTERM.
Before the fix libuv's epoll fd took the lowest free descriptor (0), stdin reads and
answers went to the wrong file, and libuv's teardown aborted (exit 134) after a paid call.
`ask` runs with all 7 combinations, `budget --json` and `run` with fd 0, fd 1 and all
three closed; every process runs at once to keep the script fast."""
import itertools
import os
import signal
import subprocess
import tempfile
import time

from harness import (matrix_section, BINARY, Checks, FakeHomeserver, FakeModel, Workdir, config_text, env_for,
                     wait_until)

TOKEN = "mx-secret-token-0123456789"
ROOM = "!room:localhost"
c = Checks()


def closer(fds):
    def run():
        for fd in fds:
            os.close(fd)
    return run


hs = FakeHomeserver(TOKEN)
with FakeModel() as fake, Workdir() as w:
    hs.call("POST", "/_room", {"room": ROOM, "members": ["@al:localhost"]})
    w.write_config(config_text(fake.url, w.state, extra=matrix_section(hs.url, ROOM, allowed=["@al:localhost"])))
    env = env_for(MATRIX_TOKEN=TOKEN)
    combos = [set(s) for n in (1, 2, 3) for s in itertools.combinations((0, 1, 2), n)]
    jobs = []
    few = [{0}, {1}, {0, 1, 2}]
    runs = [(s, ["ask", "what is the answer"]) for s in combos]
    runs += [(s, ["budget", "--json"]) for s in few] + [(s, ["run"]) for s in few]
    for closed, cmd in runs:
        if True:
            out = tempfile.NamedTemporaryFile(dir=w.dir, delete=False)
            err = tempfile.NamedTemporaryFile(dir=w.dir, delete=False)
            p = subprocess.Popen([BINARY, "--config", w.config, *cmd], stdin=subprocess.DEVNULL,
                                 stdout=out, stderr=err, env=env,
                                 preexec_fn=closer(sorted(closed)))
            jobs.append((closed, cmd, p, out.name, err.name))
    def catches_sigterm(pid):
        """True once the process has a SIGTERM handler (the daemon's loop is set up)."""
        try:
            for line in open("/proc/%d/status" % pid):
                if line.startswith("SigCgt:"):
                    return bool(int(line.split()[1], 16) & (1 << (signal.SIGTERM - 1)))
        except OSError:
            pass
        return False

    # The daemons: wait until they handle SIGTERM and have run a moment, then stop them.
    for closed, cmd, p, _, _ in jobs:
        if cmd == ["run"]:
            wait_until(lambda: p.poll() is not None or catches_sigterm(p.pid), 60)
            time.sleep(1)
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
    bad = []
    for closed, cmd, p, out, err in jobs:
        try:
            code = p.wait(60)
        except subprocess.TimeoutExpired:
            p.kill()
            code = p.wait()
        stdout, stderr = open(out).read(), open(err).read()
        what = "%s with fd %s closed" % (" ".join(cmd), ",".join(map(str, sorted(closed))))
        ok = code == 0
        if cmd[0] == "ask" and 1 not in closed:
            ok = ok and "echo: what is the answer" in stdout
        if cmd[0] == "budget" and 1 not in closed:
            ok = ok and '"cap_usd"' in stdout
        if cmd[0] == "run" and 2 not in closed:
            ok = ok and "stopped" in stderr
        if not ok:
            bad.append((what, code, stdout[-200:], stderr[-300:]))
    print("     %d runs, %d wrong" % (len(jobs), len(bad)))
    c.check(not bad, "ask, budget --json and run work with any of fds 0-2 closed", bad[:4])
hs.stop()
c.done()
