"""End to end: a public sender with a fully obedient model attacks the daemon's own files
and processes from inside the sandbox (issue 13 items 3-6). frugal runs as an
unprivileged user the way the systemd unit runs it (nobody when the tests run as root),
so the tool child and the daemon share a uid: only the sandbox stands between them. With
the Landlock ABI capped at 2 (Debian 12) and 4 (Ubuntu 24.04) and uncapped, the child
must not chmod the state dir or the database, truncate the database, or kill a process of
the daemon's uid; one response with 500 shell calls must not start 500 processes; and
`split -b16M /dev/zero` must stay within the workspace quota."""
import json
import os
import sqlite3
import stat
import subprocess

from harness import BINARY, Checks, FakeModel, Workdir, config_text, env_for

c = Checks()
ROOT = os.geteuid() == 0
UID = 65534 if ROOT else os.geteuid()
GID = 65534 if ROOT else os.getegid()


def run_as_daemon_user(config, *args, env):
    kw = {"user": UID, "group": GID, "extra_groups": []} if ROOT else {}
    return subprocess.run([BINARY, "--config", config, *args], capture_output=True, text=True,
                          timeout=120, env=env, **kw)


def shell(program, *args):
    return {"name": "shell", "arguments": {"program": program, "args": list(args)}}


def step(*calls):
    return {"tool_calls": list(calls)}


with FakeModel() as fake, Workdir() as w:
    os.chmod(w.dir, 0o755)
    pub_ws = os.path.join(w.dir, "ws-public")
    priv_ws = os.path.join(w.dir, "ws-private")
    for d in (w.state, pub_ws, priv_ws):
        os.makedirs(d, exist_ok=True)
        os.chown(d, UID, GID)
    os.chmod(w.state, 0o700)
    db = os.path.join(w.state, "frugal.db")
    env = env_for(HOME=w.dir)

    def configure(cap, extra_sandbox=""):
        w.write_config(config_text(fake.url, w.state, kind="openai",
                                   tiers='chat = ["cheap"]\ntools = ["cheap"]', extra=f"""
[sandbox]
max_landlock_abi = {cap}
max_children_per_realm = 8
max_children = 8
{extra_sandbox}

[realms.private]
owners = ["stdin"]
workspace = "{priv_ws}"

[realms.public]
allowed = ["*!*@*"]
workspace = "{pub_ws}"
tools = ["shell", "write_file"]
shell_allow = ["sed", "chmod", "touch", "kill", "split", "du"]
shell_launchers = true      # sed's `e` runs sh: the kernel sandbox must hold regardless
workspace_quota_mb = 4
rate_per_minute = 0

# The public sender below speaks as irc.test (`--as` names a configured transport); the
# daemon is never started, so nothing connects to this server.
[transports.irc.test]
server = "127.0.0.1"
port = 6667
tls = false
"""))
        os.chmod(w.config, 0o644)

    def ask_public(text):
        return run_as_daemon_user(w.config, "ask", "--as", "irc.test:mallory!m@evil.example",
                                  text, env=env)

    # The daemon's files exist first (an owner's ask creates the database).
    configure(0)
    fake.script({"content": "hello"})
    r = run_as_daemon_user(w.config, "ask", "hello", env=env)
    c.check(r.returncode == 0 and os.path.exists(db), "the owner's ask creates the database",
            r.stderr[-400:])

    for cap in (2, 4, 0):
        configure(cap)
        before = os.stat(db)
        stand_in = subprocess.Popen(["sleep", "300"], **({"user": UID, "group": GID}
                                                         if ROOT else {}))
        fake.reset()
        fake.script(
            step(shell("chmod", "0644", db)),
            step(shell("touch", "-d", "2001-01-01", db)),
            step(shell("sed", "-n", f"1e chmod 0 {w.state}", "/etc/ld.so.conf")),
            step(shell("sed", "-n",
                       f"1e python3 -c 'import os; os.truncate(\"{db}\", 0)'",
                       "/etc/ld.so.conf")),
            step(shell("kill", "-9", str(stand_in.pid))),
            step(shell("kill", "-9", "-1")),
            {"content": "done"})
        r = ask_public("attack the daemon")
        st_state, st_db = os.stat(w.state), os.stat(db)
        alive = stand_in.poll() is None
        stand_in.kill()
        stand_in.wait()
        tool_msgs = [m.get("content", "") for q in fake.requests()[1:]
                     for m in q["body"].get("messages", [])[-1:] if m.get("role") == "tool"]
        label = f"Landlock ABI cap {cap or 'none'}"
        c.check(r.returncode == 0, f"{label}: the ask survives `kill -9 -1` from its tool",
                (r.returncode, r.stderr[-400:]))
        c.check(stat.S_IMODE(st_state.st_mode) == 0o700,
                f"{label}: `sed e chmod 0 STATE_DIR` does not lock the owner out",
                oct(st_state.st_mode))
        c.check(stat.S_IMODE(st_db.st_mode) == stat.S_IMODE(before.st_mode) and
                st_db.st_mtime >= before.st_mtime - 1,
                f"{label}: chmod 0644 / touch -d on the database change nothing",
                (oct(st_db.st_mode), st_db.st_mtime))
        c.check(st_db.st_size >= before.st_size > 0,
                f"{label}: the database is not truncated", (before.st_size, st_db.st_size))
        c.check(alive, f"{label}: a process of the daemon's uid survives kill -9", "")
        # Each ran (no refusal) and found nothing of the daemon's: the paths do not exist in
        # the child's root and the pid is not in its PID namespace.
        c.check(len(tool_msgs) == 6 and all("No such" in m for m in tool_msgs[:5]),
                f"{label}: each attack ran in the sandbox and reached nothing",
                json.dumps(tool_msgs)[:800])
        os.chmod(w.state, 0o700)

    # Item 6: one response with 500 shell calls starts at most max_calls_per_step children.
    configure(0, "max_calls_per_step = 8")
    con = sqlite3.connect(db)
    last_row = con.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0]
    con.close()
    fake.reset()
    fake.script(step(*[shell("touch", f"f{i}") for i in range(500)]), {"content": "done"})
    r = ask_public("touch 500 files")
    reqs = fake.requests()
    results = [m for m in reqs[-1]["body"].get("messages", []) if m.get("role") == "tool"] \
        if len(reqs) >= 2 else []
    not_run = sum("not run: at most 8 tool calls" in m.get("content", "") for m in results)
    made = len([f for f in os.listdir(pub_ws) if f.startswith("f")])
    con = sqlite3.connect(db)
    audited = con.execute("SELECT count(*) FROM audit WHERE tool='shell' AND verdict='allowed' "
                          "AND id > ?", (last_row,)).fetchone()[0]
    con.close()
    c.check(r.returncode == 0 and len(results) == 500 and not_run == 492 and made <= 8 and
            audited <= 8, "500 shell calls in one response: 8 run, 492 get an error result",
            (r.returncode, len(results), not_run, made, audited, r.stderr[-300:]))

    # Item 5: split -b16M /dev/zero stays within the 4 MB quota.
    fake.reset()
    fake.script(step(shell("split", "-b16M", "/dev/zero", "z-")), {"content": "done"})
    r = ask_public("fill the disk")
    used = sum(os.stat(os.path.join(pub_ws, f)).st_blocks * 512 for f in os.listdir(pub_ws))
    c.check(r.returncode == 0 and used <= 4 << 20,
            "split -b16M /dev/zero stays within the workspace quota", (used, r.stderr[-300:]))

c.done()
