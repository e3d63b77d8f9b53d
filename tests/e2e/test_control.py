"""End to end: the daemon's control socket (issue 16 item 7). With no daemon, `say` and
`status` exit 1 with one line. With `frugal run` on a real ngircd and the fake homeserver:
the socket is 0600; `frugal say irc.plain:#ops …` (arguments or stdin) reaches a client
listening in #ops, split into lines; `say matrix.main:!room:server` and
`say matrix.main:#alias:server` reach the room; `status --json` names uptime, each
transport (connected, nick/user id, channels/rooms, last error), turns today and in
flight, spend and cap; `status --prometheus` is valid text exposition format; as root, a
peer of another uid is refused by SO_PEERCRED even with the socket opened up to 0666."""
import json
import os
import re
import stat
import subprocess

from harness import (BINARY, Checks, FakeHomeserver, FakeModel, Workdir, config_text, env_for,
                     frugal, start_frugal, stop_frugal, wait_until)
from irc_servers import irc_user as user, ngircd_server

TOKEN = "mx-control-token-0123456789"
ROOM = "!ops:localhost"
c = Checks()

hs = FakeHomeserver(TOKEN)
with ngircd_server() as irc, FakeModel() as fake, Workdir() as w:
    hs.call("POST", "/_room", {"room": ROOM, "members": ["@al:localhost"],
                               "alias": "#ops:localhost"})
    w.write_config(config_text(fake.url, w.state, extra=f"""
[transports.irc.plain]
server = "127.0.0.1"
port = {irc.port}
tls = false
nick = "frugalbot"
channels = ["#ops"]

[transports.matrix.main]
homeserver = "{hs.url}"
access_token_env = "MATRIX_TOKEN"
rooms = ["{ROOM}"]
allowed = ["@al:localhost"]

[realms.public]
allowed = ["*"]
"""))
    env = env_for(MATRIX_TOKEN=TOKEN)

    # ---- no daemon ------------------------------------------------------------------------
    for args in (("say", "irc.plain:#ops", "hello"), ("status",), ("status", "--json")):
        r = frugal(w.config, *args, env=env)
        c.check(r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and
                "no daemon is running" in r.stderr and not r.stdout,
                "no daemon: `%s` exits 1 with one line" % " ".join(args), (r.returncode, r.stderr))
    r = frugal(w.config, "say", "libera:#ops", "hi", env=env)
    c.check(r.returncode == 2 and "irc.NAME:#channel" in r.stderr,
            "say with a malformed target: exit 2 showing the target shapes", r.stderr)

    # ---- a running daemon -----------------------------------------------------------------
    alice = user(irc.port, "alice")
    c.check(alice.wait(lambda: alice.has(" 001 "), 10), "the listening client registers")
    alice.send("JOIN #ops")
    p = start_frugal(w.config, "run", env=env)
    sock = os.path.join(w.state, "control.sock")
    up = alice.wait(lambda: any(l.startswith(":frugalbot!") and " JOIN " in l
                                for l in alice.lines) or p.poll() is not None, 30)
    c.check(up and p.poll() is None, "the bot joins #ops", alice.lines[-5:])
    synced = wait_until(lambda: any("since=" in q["path"] for q in hs.requests()), 30)
    c.check(synced, "the Matrix account syncs")
    c.check(os.path.exists(sock) and stat.S_ISSOCK(os.stat(sock).st_mode) and
            stat.S_IMODE(os.stat(sock).st_mode) == 0o600,
            "the control socket is in the state folder, mode 0600",
            oct(os.stat(sock).st_mode) if os.path.exists(sock) else "missing")

    mark = len(alice.lines)
    r = frugal(w.config, "say", "irc.plain:#ops", "backup", "finished", "ok", env=env)
    c.check(r.returncode == 0 and not r.stdout, "say from arguments exits 0, prints nothing",
            (r.returncode, r.stderr))
    c.check(alice.wait(lambda: "backup finished ok" in alice.said("frugalbot", "#ops", mark), 15),
            "the channel sees the words as one line", alice.lines[mark:])
    mark = len(alice.lines)
    r = frugal(w.config, "say", "irc.plain:#ops", stdin="line one\nline two\n", env=env)
    c.check(r.returncode == 0, "say from stdin exits 0", r.stderr)
    c.check(alice.wait(lambda: alice.said("frugalbot", "#ops", mark) == ["line one", "line two"],
                       15), "stdin's lines arrive as lines, in order", alice.lines[mark:])
    mark = len(alice.lines)
    r = frugal(w.config, "say", "irc.plain:alice", "just you", env=env)
    c.check(r.returncode == 0 and alice.wait(
        lambda: "just you" in alice.said("frugalbot", "alice", mark), 15),
        "say to a nick arrives as a private message", alice.lines[mark:])

    before = len(hs.sent())
    r = frugal(w.config, "say", "matrix.main:" + ROOM, "**deploy** done", env=env)
    c.check(r.returncode == 0 and wait_until(lambda: len(hs.sent()) > before, 15),
            "say to a Matrix room id is sent", (r.returncode, r.stderr))
    sent = hs.sent()[before:]
    c.check(sent and sent[0]["room"] == ROOM and sent[0]["content"]["body"] == "**deploy** done",
            "the room gets the text", sent)
    before = len(hs.sent())
    r = frugal(w.config, "say", "matrix.main:#ops:localhost", "via the alias", env=env)
    c.check(r.returncode == 0 and wait_until(lambda: len(hs.sent()) > before, 15),
            "say to a room alias is sent", (r.returncode, r.stderr))
    sent = hs.sent()[before:]
    c.check(sent and sent[0]["room"] == ROOM and sent[0]["content"]["body"] == "via the alias",
            "the alias is looked up in the room directory and the room gets the text", sent)
    c.check(any("/directory/room/%23ops%3Alocalhost" in q["path"] or
                "/directory/room/%23ops:localhost" in q["path"] for q in hs.requests()),
            "the alias was looked up with GET /directory/room/{alias}")

    r = frugal(w.config, "say", "irc.nope:#ops", "x", env=env)
    c.check(r.returncode == 2 and "no transport irc.nope" in r.stderr and "irc.plain" in r.stderr,
            "say to a transport the daemon does not have: exit 2 naming the ones it has", r.stderr)

    # One turn, so turns_today counts something.
    fake.script({"content": "pong"})
    mark = len(alice.lines)
    alice.send("PRIVMSG #ops :frugalbot: ping")
    c.check(alice.wait(lambda: "pong" in alice.said("frugalbot", "#ops", mark), 30),
            "the bot answers a question (a turn)")

    r = frugal(w.config, "status", "--json", env=env)
    try:
        st = json.loads(r.stdout)
    except ValueError:
        st = {}
    c.check(r.returncode == 0 and st, "status --json prints one JSON object", (r.stdout, r.stderr))
    ts = {t.get("name"): t for t in st.get("transports", [])}
    c.check(isinstance(st.get("uptime_s"), int) and st["uptime_s"] >= 0 and
            st.get("turns_today") == 1 and st.get("turns_in_flight") == 0 and
            st.get("cap_usd") == 2 and st.get("spent_usd", -1) > 0 and "reserved_usd" in st,
            "status: uptime_s, turns today and in flight, spent_usd and the cap", st)
    c.check(ts.get("irc.plain", {}).get("connected") is True and
            ts["irc.plain"].get("nick") == "frugalbot" and
            ts["irc.plain"].get("channels") == ["#ops"] and
            "last_error" in ts["irc.plain"],
            "status: the IRC transport, connected, its nick and channels", ts.get("irc.plain"))
    c.check(ts.get("matrix.main", {}).get("connected") is True and
            ts["matrix.main"].get("user_id") == "@bot:localhost" and
            ts["matrix.main"].get("rooms") == [ROOM],
            "status: the Matrix transport, connected, its user id and rooms", ts.get("matrix.main"))

    r = frugal(w.config, "status", "--prometheus", env=env)
    lines = r.stdout.splitlines()
    sample = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"'
                        r'(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? '
                        r'-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$')
    bad = [l for l in lines if not l.startswith("# ") and not sample.match(l)]
    typed = {l.split()[2] for l in lines if l.startswith("# TYPE ")}
    named = {re.split(r"[{ ]", l)[0] for l in lines if not l.startswith("#")}
    c.check(r.returncode == 0 and lines and not bad and named <= typed,
            "status --prometheus: every sample line is valid and has a TYPE", bad or r.stderr)
    c.check('frugal_transport_connected{transport="irc.plain"} 1' in lines and
            "frugal_turns_today 1" in lines and "frugal_cap_usd 2.00" in lines,
            "status --prometheus: the same figures", r.stdout)
    r = frugal(w.config, "status", env=env)
    c.check(r.returncode == 0 and "irc.plain  connected as frugalbot in #ops" in r.stdout,
            "status (text) shows each transport on a line", r.stdout)

    # ---- another uid ----------------------------------------------------------------------
    if os.geteuid() == 0:
        for d in (w.dir, w.state):
            os.chmod(d, 0o711)
        os.chmod(w.config, 0o644)
        nobody = dict(user=65534, group=65534, extra_groups=[])
        r = subprocess.run([BINARY, "--config", w.config, "status"], capture_output=True,
                           text=True, timeout=30, env=env, **nobody)
        c.check(r.returncode == 1 and "Permission denied" in r.stderr,
                "another uid: the 0600 socket cannot even be opened", r.stderr)
        os.chmod(sock, 0o666)  # a mistake (or a bind mount) that exposes the socket
        r = subprocess.run([BINARY, "--config", w.config, "say", "irc.plain:#ops", "pwned"],
                           capture_output=True, text=True, timeout=30, env=env, **nobody)
        c.check(r.returncode == 1 and "refused: uid 65534" in r.stderr,
                "another uid with the socket opened up: refused by SO_PEERCRED", r.stderr)
        mark = len(alice.lines)
        alice.wait(lambda: False, 2)
        c.check("pwned" not in " ".join(alice.said("frugalbot", "#ops", mark)),
                "nothing the refused peer sent reaches the channel")
        os.chmod(sock, 0o600)
    else:
        print("skip another uid: needs root to run a child as nobody")

    code, err = stop_frugal(p)
    c.check(code == 0 and not os.path.exists(sock), "SIGTERM: exit 0, the socket file removed",
            (code, (err or "")[-600:]))
    r = frugal(w.config, "status", env=env)
    c.check(r.returncode == 1 and "no daemon is running" in r.stderr,
            "after the daemon stopped: status exits 1", r.stderr)
    alice.send("QUIT")

hs.stop()
c.done()
