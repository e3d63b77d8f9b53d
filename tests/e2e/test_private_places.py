"""End to end (issue 18 item 1): a private answer never goes where others can read. On real
InspIRCd + Atheme, the owner (nick alice, SASL account agentbot) asks in #pub "summarise my
notes" while bob sits in #pub; the model recalls memory, reads the notes file and repeats
whatever its tools returned. Private memory and the private workspace hold a canary. bob
must not see it: in a channel the owner is answered as the public self (public memory,
workspace, history and tools). The same question in a direct message still reaches the
private notes. Before the fix, bob read "Your notes say: ... CANARY-...".
Matrix rooms are judged by their members: tests/e2e/test_matrix_places.py."""
import os
import time

from harness import (EVERY_TOOL_ON_BOTH_TIERS, Checks, FakeModel, Workdir, config_text,
                     frugal)
from irc_bot import daemon, irc_section, sasl_login
from irc_servers import irc_user as user, inspircd_server

CANARY = "CANARY-18a1-5be0c3"
c = Checks()


def tool_step(*calls):
    return {"tool_calls": [{"name": n, "arguments": a} for n, a in calls]}


SUMMARISE = [tool_step(("memory_recall", {"query": "notes"}), ("read_file", {"path": "notes.txt"})),
             {"content": "Your notes say: ", "echo_tools": True}]

with inspircd_server() as irc, FakeModel() as fake, Workdir() as w:
    os.chmod(w.dir, 0o711)  # as root, sandboxed programs run as nobody and need a way in
    w.write_config(config_text(fake.url, w.state, tiers=EVERY_TOOL_ON_BOTH_TIERS,
                               extra=irc_section("atheme", irc.port) + """
[realms.private]
owners = ["account:agentbot"]

[realms.public]
allowed = ["*"]
tools = ["clock", "memory_recall", "read_file"]
rate_per_minute = 0
"""))
    # The owner's private store: a memory and a notes file, both holding the canary.
    fake.script(tool_step(("memory_remember", {"text": "my notes: " + CANARY})), {"content": "ok"},
                tool_step(("write_file", {"path": "notes.txt", "content": CANARY + "\n"})),
                {"content": "ok"})
    r1 = frugal(w.config, "ask", "remember my notes")
    r2 = frugal(w.config, "ask", "write my notes")
    c.check(r1.returncode == 0 and r2.returncode == 0, "the owner fills the private store",
            (r1.stderr[-300:], r2.stderr[-300:]))

    bot = daemon(w.config, w.dir)
    read_log = bot.log
    c.check(bot.wait_log("joined #pub", 20), "the bot joins #pub", read_log()[-1000:])

    alice = user(irc.port, "alice", cap_first=True, user="a")
    c.check(sasl_login(alice), "alice logs in as agentbot (an owner)")
    bob = user(irc.port, "bob")
    c.check(bob.wait(lambda: bob.has(" 001 "), 10), "bob registers")
    for u in (alice, bob):
        u.send("JOIN #pub")
        u.wait(lambda: u.has(" 366 "), 10)
    time.sleep(0.5)

    fake.reset()
    fake.script(*SUMMARISE)
    mark = len(bob.lines)
    alice.send("PRIVMSG #pub :frugalbot: summarise my notes")
    got = bob.wait(lambda: any("Your notes say" in t for t in bob.said("frugalbot", "#pub", mark)),
                   30)
    seen = " ".join(bob.lines[mark:])
    c.check(got, "the channel gets an answer", bob.lines[mark:])
    c.check(CANARY not in seen, "bob in #pub does not see the owner's private notes",
            bob.said("frugalbot", "#pub", mark))
    sent = str([q["body"] for q in fake.requests()])
    c.check(CANARY not in sent, "no private-store content entered the channel turn at all",
            sent[-600:])
    c.check("public self" in read_log(), "the log says why the owner got the public realm",
            read_log()[-1500:])

    # Ordinary owner use: the same question in a direct message reaches the private notes.
    fake.reset()
    fake.script(*SUMMARISE)
    mark = len(alice.lines)
    alice.send("PRIVMSG frugalbot :summarise my notes")
    c.check(alice.wait(lambda: any(CANARY in t for t in alice.said("frugalbot", "alice", mark)), 30),
            "in a direct message the owner gets the private notes", alice.lines[mark:])
    c.check(not bob.wait(lambda: bob.has(CANARY), 1), "bob never saw the canary")

    c.check(bot.proc.poll() is None, "the daemon is still running")
    code = bot.stop()
    c.check(code == 0, "SIGTERM stops the daemon cleanly", code)
c.done()
