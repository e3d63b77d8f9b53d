"""End to end: every file frugal creates is 0600 and every folder 0700 (issue 13 item 10),
whatever umask it was started with (022 here, as a login shell or cron gives it). Covers
the config `init` writes and its folder, the state folder, frugal.db and its -wal and
-shm (before: 0644 as root; the WAL holds private chat text), ledger.seal, the memory,
history and audit rows' file, the running daemon's files (control.sock), the workspaces
and what tools write in them. As root the workspaces belong to the sandbox user (nobody) and the state folder
stays 0700 (before: 0711): the owner's shell still reads what write_file wrote, with and
without the namespace layer. A state folder left 0711 and a -wal left 0644 by an older
version are narrowed at the next start."""
import os
import stat

from harness import (EVERY_TOOL_ON_BOTH_TIERS, Checks, FakeModel, Workdir, config_text, env_for, frugal, start_frugal,
                     stop_frugal, wait_until)

c = Checks()
ROOT = os.geteuid() == 0
os.umask(0o022)


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def tree_modes(top):
    """(path, mode, is_dir) for top and everything below it, symlinks left out."""
    out = [(top, mode(top), True)]
    for root, dirs, files in os.walk(top):
        for d in dirs:
            p = os.path.join(root, d)
            if not os.path.islink(p):
                out.append((p, mode(p), True))
        for f in files:
            p = os.path.join(root, f)
            if not os.path.islink(p):
                out.append((p, mode(p), False))
    return out


def tool_step(*calls):
    return {"tool_calls": [{"name": n, "arguments": a} for n, a in calls]}


with FakeModel() as fake, Workdir() as w:
    home = os.path.join(w.dir, "home")
    os.makedirs(home, 0o700)
    env = env_for(HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"),
                  XDG_STATE_HOME=os.path.join(home, ".local", "state"),
                  XDG_DATA_HOME=os.path.join(home, ".local", "share"))

    # init: the config and the folders it makes.
    etc = os.path.join(w.dir, "etc", "frugal")
    init_cfg = os.path.join(etc, "frugal.toml")
    r = frugal(init_cfg, "init", "--state-dir", w.state, env=env)
    c.check(r.returncode == 0 and os.path.exists(init_cfg), "init writes a config", r.stderr[-300:])
    if r.returncode == 0:
        c.check(mode(init_cfg) == 0o600, "init's config is 0600", oct(mode(init_cfg)))
        c.check(mode(etc) == 0o700 and mode(os.path.dirname(etc)) == 0o700,
                "the folders init made are 0700", (oct(mode(etc)),))
    with open(init_cfg, "w") as f:
        f.write("# replaced\n")
    os.chmod(init_cfg, 0o644)
    r = frugal(init_cfg, "init", "--force", "--state-dir", w.state, env=env)
    c.check(r.returncode == 0 and mode(init_cfg) == 0o600,
            "init --force narrows a 0644 config it replaces", oct(mode(init_cfg)))

    priv_ws = os.path.join(w.state, "workspaces", "private")
    pub_ws = os.path.join(w.state, "workspaces", "public")
    extra_realms = f"""
[realms.private]
owners = ["stdin"]
workspace = "{priv_ws}"
shell_allow = ["cat", "touch", "mkdir"]

[realms.public]
allowed = ["*!*@*"]
workspace = "{pub_ws}"
tools = ["shell", "write_file", "memory_remember"]
shell_allow = ["touch", "cat"]
rate_per_minute = 0

[transports.irc.test]
server = "127.0.0.1"
port = 1
tls = false
"""

    def configure(sandbox=""):
        w.write_config(config_text(fake.url, w.state, kind="openai",
                                   tiers=EVERY_TOOL_ON_BOTH_TIERS,
                                   extra=sandbox + extra_realms))

    configure()
    fake.script(tool_step(("write_file", {"path": "note.txt", "content": "private note\n"}),
                          ("memory_remember", {"text": "a private memory"}),
                          ("shell", {"program": "touch", "args": ["made-by-tool"]}),
                          ("shell", {"program": "mkdir", "args": ["folder-by-tool"]})),
                {"content": "done"},
                tool_step(("shell", {"program": "cat", "args": ["note.txt"]})),
                {"content": "read"})
    r1 = frugal(w.config, "ask", "write things", env=env)
    r2 = frugal(w.config, "ask", "read the note", env=env)
    cat_out = fake.requests()[-1]["body"]["messages"][-1].get("content", "")
    c.check(r1.returncode == 0 and r2.returncode == 0 and "private note" in cat_out,
            "the owner's shell reads what write_file wrote (as root: the child is nobody)",
            (r1.stderr[-300:], r2.stderr[-300:], cat_out[:300]))
    fake.reset()
    fake.script(tool_step(("write_file", {"path": "pub.txt", "content": "x"}),
                          ("shell", {"program": "touch", "args": ["pub-by-tool"]})),
                {"content": "done"})
    r = frugal(w.config, "ask", "--as", "irc.test:mallory!m@evil.example", "write", env=env)
    c.check(r.returncode == 0 and os.path.exists(os.path.join(pub_ws, "pub-by-tool")),
            "a public tool writes its workspace", r.stderr[-300:])

    # The daemon: starts, tries its (closed) IRC port, stops.
    p = start_frugal(w.config, "run", env=env)
    sock = os.path.join(w.state, "control.sock")
    up = wait_until(lambda: os.path.exists(sock), 10)
    c.check(up and mode(sock) == 0o600, "the running daemon's control socket is 0600",
            oct(mode(sock)) if up else "no control.sock")
    running = [(q, oct(m)) for q, m, is_dir in tree_modes(w.state)
               if m != (0o700 if is_dir else 0o600)]
    c.check(not running, "while the daemon runs, its state folder holds only 0600 / 0700",
            running)
    code, err = stop_frugal(p)
    c.check(code == 0, "the daemon starts and stops", (code, (err or "")[-300:]))
    r = frugal(w.config, "budget", env=env)
    c.check(r.returncode == 0, "frugal budget reads the ledger", r.stderr[-300:])

    db = os.path.join(w.state, "frugal.db")
    for name in ("frugal.db", "frugal.db-wal", "frugal.db-shm", "ledger.seal"):
        path = os.path.join(w.state, name)
        c.check(os.path.exists(path) and mode(path) == 0o600, f"{name} is 0600",
                oct(mode(path)) if os.path.exists(path) else "missing")
    wrong = [(p, oct(m)) for top in (w.state, home) if os.path.exists(top)
             for p, m, is_dir in tree_modes(top) if m != (0o700 if is_dir else 0o600)]
    c.check(not wrong, "every file under the state folder and HOME is 0600, every folder 0700",
            wrong)
    if ROOT:
        owners = {p: os.stat(p).st_uid for p in (priv_ws, pub_ws, os.path.join(priv_ws, "note.txt"),
                                                  os.path.join(priv_ws, "made-by-tool"))}
        c.check(all(u == 65534 for u in owners.values()) and os.stat(w.state).st_uid == 0,
                "as root the workspaces and their files are the sandbox user's, the state "
                "folder root's", owners)

    # Without the namespace layer (Landlock only) the root daemon's child still gets in.
    configure("[sandbox]\nnamespaces = false\n")
    fake.reset()
    fake.script(tool_step(("shell", {"program": "cat", "args": ["note.txt"]})), {"content": "ok"})
    r = frugal(w.config, "ask", "read the note", env=env)
    out = fake.requests()[-1]["body"]["messages"][-1].get("content", "")
    c.check(r.returncode == 0 and "private note" in out,
            "without namespaces the owner's shell still reads its workspace", (out[:300],
                                                                               r.stderr[-300:]))

    # An older version's modes are narrowed at the next start.
    configure()
    os.chmod(w.state, 0o711)
    os.chmod(db + "-wal", 0o644)
    os.chmod(db, 0o644)
    fake.reset()
    fake.script({"content": "hello"})
    r = frugal(w.config, "ask", "hello", env=env)
    c.check(r.returncode == 0 and mode(w.state) == 0o700 and mode(db) == 0o600 and
            mode(db + "-wal") == 0o600,
            "a 0711 state folder and a 0644 database and -wal are narrowed at start",
            (oct(mode(w.state)), oct(mode(db)), oct(mode(db + "-wal"))))

c.done()
