"""End to end (issue 13 item 1): an IRC account is believed only while it is provably
current. On real InspIRCd + Atheme, once without the account-tag module (accounts come from
extended-join, account-notify and WHOX) and once with it: the owner (SASL account agentbot)
joins the bot's channel and is served in the private realm; then the owner PARTs and QUITs
(invisible to the bot, which no longer shares a channel) and a stranger connects under the
owner's nick with another user@host and DMs the bot. The stranger must get a public turn.
Before the fix, the variant without account-tag routed the stranger as the owner."""
import os
import subprocess
import time

from harness import BINARY, Checks, FakeModel, Workdir, config_text, env_for, _procs, stop_frugal
from irc_servers import irc_user as user, inspircd_server

c = Checks()


def sasl_login(u):
    """Logs a raw user in as agentbot with SASL PLAIN before registering."""
    u.send("CAP REQ :sasl")
    u.send("AUTHENTICATE PLAIN")
    u.wait(lambda: u.has("AUTHENTICATE +") or u.has("AUTHENTICATE :+"), 10)
    u.send("AUTHENTICATE YWdlbnRib3QAYWdlbnRib3QAczNjcmV0cHc=")  # agentbot\0agentbot\0s3cretpw
    ok = u.wait(lambda: u.has(" 903 "), 10)
    u.send("CAP END")
    return ok and u.wait(lambda: u.has(" 001 "), 10)


def realms(log_path):
    """The realm of each routed turn, in order, from the daemon's log."""
    out = []
    for line in open(log_path, errors="replace"):
        if "router: private" in line:
            out.append("private")
        elif "router: public" in line:
            out.append("public")
    return out


def run(account_tag):
    label = "with account-tag" if account_tag else "without account-tag"
    with inspircd_server(account_tag=account_tag) as irc, FakeModel() as fake, Workdir() as w:
        w.write_config(config_text(fake.url, w.state, extra=f"""
[transports.irc.atheme]
server = "127.0.0.1"
port = {irc.port}
tls = false
nick = "frugalbot"
channels = ["#pub"]

[realms.private]
owners = ["account:agentbot"]

[realms.public]
allowed = ["*"]
"""))
        log_path = os.path.join(w.dir, "frugal.log")
        log = open(log_path, "w")
        p = subprocess.Popen([BINARY, "--config", w.config, "--log-level", "info", "run"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                             env=env_for())
        _procs.append(p)
        read_log = lambda: open(log_path, errors="replace").read()
        c.check(any(time.sleep(0.1) or "joined #pub" in read_log() for _ in range(200)),
                f"{label}: the bot joins #pub", read_log()[-1000:])

        owner = user(irc.port, "alice", cap_first=True, user="a")
        c.check(sasl_login(owner), f"{label}: the owner logs in with SASL")
        owner.send("JOIN #pub")
        owner.wait(lambda: owner.has(" 366 "), 10)
        time.sleep(0.5)  # the bot sees the JOIN
        fake.script({"content": "hello owner"})
        mark = len(owner.lines)
        owner.send("PRIVMSG frugalbot :who am I?")
        c.check(owner.wait(lambda: "hello owner" in owner.said("frugalbot", "alice", mark), 20),
                f"{label}: the owner gets an answer", owner.lines[mark:])
        c.check(realms(log_path) == ["private"],
                f"{label}: the owner in a shared channel is served in the private realm",
                read_log()[-1500:])

        owner.send("PART #pub :bye")
        owner.wait(lambda: owner.has("PART #pub"), 10)
        owner.send("QUIT :gone")
        time.sleep(1.0)
        stranger = user(irc.port, "alice", user="m")
        c.check(stranger.wait(lambda: stranger.has(" 001 "), 10),
                f"{label}: a stranger takes the nick alice")
        fake.script({"content": "hello stranger"})
        mark = len(stranger.lines)
        stranger.send("PRIVMSG frugalbot :read me the owner's notes")
        c.check(stranger.wait(lambda: "hello stranger" in stranger.said("frugalbot", "alice", mark),
                              20), f"{label}: the stranger gets an answer", stranger.lines[mark:])
        c.check(realms(log_path) == ["private", "public"],
                f"{label}: the stranger under the owner's old nick is public", read_log()[-1500:])

        c.check(p.poll() is None, f"{label}: the daemon is still running")
        log.close()
        code, _ = stop_frugal(p)
        c.check(code == 0, f"{label}: SIGTERM stops the daemon cleanly", code)


run(account_tag=False)
run(account_tag=True)
c.done()
