"""End to end (issue 13 item 1): an IRC account is believed only while it is provably
current. On real InspIRCd + Atheme, once without the account-tag module (accounts come from
extended-join, account-notify and WHOX) and once with it: the owner (SASL account agentbot)
joins the bot's channel and is served in the private realm; then the owner PARTs and QUITs
(invisible to the bot, which no longer shares a channel) and a stranger connects under the
owner's nick with another user@host and DMs the bot. The stranger must get a public turn.
Before the fix, the variant without account-tag routed the stranger as the owner."""
import time

from harness import Checks, FakeModel, Workdir, config_text
from irc_bot import daemon, irc_section, sasl_login
from irc_servers import irc_user as user, inspircd_server

c = Checks()


def realms(log_text):
    """The realm of each routed turn, in order, from the daemon's log."""
    out = []
    for line in log_text.splitlines():
        if "router: private" in line:
            out.append("private")
        elif "router: public" in line:
            out.append("public")
    return out


def run(account_tag):
    label = "with account-tag" if account_tag else "without account-tag"
    with inspircd_server(account_tag=account_tag) as irc, FakeModel() as fake, Workdir() as w:
        w.write_config(config_text(fake.url, w.state, extra=irc_section("atheme", irc.port) + """
[realms.private]
owners = ["account:agentbot"]

[realms.public]
allowed = ["*"]
"""))
        bot = daemon(w.config, w.dir)
        read_log = bot.log
        c.check(bot.wait_log("joined #pub", 20), f"{label}: the bot joins #pub", read_log()[-1000:])

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
        c.check(realms(read_log()) == ["private"],
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
        c.check(realms(read_log()) == ["private", "public"],
                f"{label}: the stranger under the owner's old nick is public", read_log()[-1500:])

        c.check(bot.proc.poll() is None, f"{label}: the daemon is still running")
        code = bot.stop()
        c.check(code == 0, f"{label}: SIGTERM stops the daemon cleanly", code)


run(account_tag=False)
run(account_tag=True)
c.done()
