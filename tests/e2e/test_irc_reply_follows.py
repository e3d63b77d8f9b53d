"""End to end (issue 18 item 3): a private reply follows the person, not the nick. On real
InspIRCd + Atheme the owner alice (SASL account agentbot) DMs the bot; while the (slow)
fake model works, alice becomes alice_away and mallory becomes alice.
1. Both share #pub with the bot: the reply goes to alice_away; mallory gets nothing.
2. Neither shares a channel: the bot cannot follow, asks the server (WHOX), learns that
   "alice" is someone else and holds the reply; when alice_away writes again (logged in as
   agentbot) the held reply goes to her. mallory never sees the canary.
Before the fix the reply went to whoever was called alice: mallory received the canary."""
import time

from harness import Checks, FakeModel, Workdir, config_text
from irc_bot import daemon, irc_section, sasl_login
from irc_servers import irc_user as user, inspircd_server

c = Checks()
CANARY = "CANARY-5e1d07"


def got_canary(u, start=0):
    u.pump()
    return any(CANARY in l and " PRIVMSG " in l for l in u.lines[start:])


def swap(alice, mallory):
    alice.send("NICK alice_away")
    alice.wait(lambda: alice.has("NICK :alice_away") or alice.has("NICK alice_away"), 5)
    mallory.send("NICK alice")
    mallory.wait(lambda: mallory.has("NICK :alice") or mallory.has("NICK alice"), 5)


with inspircd_server() as irc, FakeModel() as fake, Workdir() as w:
    w.write_config(config_text(fake.url, w.state, extra=irc_section("atheme", irc.port) + """
[realms.private]
owners = ["account:agentbot"]

[realms.public]
allowed = ["*"]
"""))
    bot = daemon(w.config, w.dir)
    read_log = bot.log
    c.check(bot.wait_log("joined #pub", 20), "the bot joins #pub", read_log()[-1000:])

    # 1. Everyone in #pub: the bot sees both NICK changes and follows alice.
    alice = user(irc.port, "alice", cap_first=True, user="a")
    c.check(sasl_login(alice), "alice logs in as agentbot")
    mallory = user(irc.port, "mallory", user="m")
    c.check(mallory.wait(lambda: mallory.has(" 001 "), 10), "mallory connects")
    for u in (alice, mallory):
        u.send("JOIN #pub")
        u.wait(lambda: u.has(" 366 "), 10)
    time.sleep(0.5)
    fake.script({"content": "Private answer for the owner: " + CANARY, "delay_ms": 2500})
    alice.send("PRIVMSG frugalbot :summarise my notes")
    time.sleep(0.8)  # the turn is running
    swap(alice, mallory)
    c.check(alice.wait(lambda: got_canary(alice), 15), "shared channel: alice_away gets the reply",
            alice.lines[-5:])
    c.check(alice.said("frugalbot", "alice_away"), "shared channel: sent to the new nick")
    mallory.wait(lambda: False, 1)
    c.check(not got_canary(mallory), "shared channel: mallory (now 'alice') gets nothing",
            mallory.lines[-5:])
    c.check("router: private" in read_log(), "the owner's turn ran in the private realm")

    # 2. Nobody shares a channel: the bot cannot follow, holds, confirms, delivers.
    for u in (alice, mallory):
        u.send("PART #pub")
    mallory.send("NICK mallory")
    mallory.wait(lambda: mallory.has("NICK :mallory") or mallory.has("NICK mallory"), 5)
    mark = len(alice.lines)
    alice.send("NICK alice")
    c.check(alice.wait(lambda: alice.has("NICK :alice", mark) or alice.has("NICK alice", mark), 5),
            "alice takes her nick back")
    mark_a, mark_m = len(alice.lines), len(mallory.lines)
    fake.script({"content": "Private answer for the owner: " + CANARY, "delay_ms": 2500},
                {"content": "ok, here I am"})
    alice.send("PRIVMSG frugalbot :summarise my notes again")
    time.sleep(0.8)
    swap(alice, mallory)
    c.check(any(time.sleep(0.2) or "holding a private reply" in read_log() for _ in range(50)),
            "no shared channel: the reply is held", read_log()[-1500:])
    mallory.wait(lambda: False, 1)
    c.check(not got_canary(mallory, mark_m), "no shared channel: mallory gets nothing",
            mallory.lines[mark_m:])
    c.check(not got_canary(alice, mark_a), "held until alice is confirmed")
    alice.send("PRIVMSG frugalbot :still there?")
    c.check(alice.wait(lambda: got_canary(alice, mark_a), 15),
            "alice writes again as agentbot: the held reply reaches alice_away",
            (alice.lines[mark_a:], read_log()[-1500:]))
    mallory.wait(lambda: False, 1)
    c.check(not got_canary(mallory, mark_m), "mallory never sees the canary")

    c.check(bot.proc.poll() is None, "the daemon is still running")
    code = bot.stop()
    c.check(code == 0, "SIGTERM stops the daemon cleanly", code)
c.done()
