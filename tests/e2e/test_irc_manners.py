"""End to end (issue 14 item 7), on a real ngircd (no MONITOR, so the ISON path):
1. holder sits on the nick frugalbot: the bot registers as frugalbot_ and joins #kick,
   where alice (first in, so an operator) kicks it: it rejoins after rejoin_delay_ms.
2. holder quits: within nick_check_ms the bot's ISON finds the nick free and takes it.
3. alice bans frugalbot!*@* and kicks again: the rejoin (twice the delay) meets 474, the
   log says it gives up, and no further JOIN is tried.
Before the fix the kicked bot never came back and stayed frugalbot_ for good."""
import time

from harness import Checks, FakeModel, Workdir, config_text
from irc_bot import daemon, irc_section
from irc_servers import irc_user as user, ngircd_server

c = Checks()

with ngircd_server() as irc, FakeModel() as fake, Workdir() as w:
    w.write_config(config_text(fake.url, w.state, extra=irc_section(
        "ng", irc.port, channels=("#kick",), extra="""alt_nicks = ["frugalbot_"]
rejoin_delay_ms = 500
rejoin_max_ms = 8000
nick_check_ms = 1000
""") + '\n[realms.public]\nallowed = ["*"]\n'))
    alice = user(irc.port, "alice")
    holder = user(irc.port, "frugalbot", user="h")
    c.check(alice.wait(lambda: alice.has(" 001 "), 10) and holder.wait(lambda: holder.has(" 001 "), 10),
            "alice and the holder of the nick frugalbot register")
    alice.send("JOIN #kick")
    c.check(alice.wait(lambda: alice.has(" 366 "), 10), "alice opens #kick (and is its operator)")

    bot = daemon(w.config, w.dir)
    joins = lambda nick, start=0: sum(1 for l in alice.lines[start:]
                                      if l.startswith(f":{nick}!") and " JOIN " in l)
    c.check(alice.wait(lambda: joins("frugalbot_") == 1, 20), "the bot joins #kick as frugalbot_",
            bot.log()[-1500:])
    c.check("watching for frugalbot to become free (ISON)" in bot.log(),
            "ngircd has no MONITOR: the bot will poll with ISON", bot.log()[-1500:])

    # 1. Kicked: back after the delay.
    mark = len(alice.lines)
    t0 = time.time()
    alice.send("KICK #kick frugalbot_ :out you go")
    c.check(alice.wait(lambda: joins("frugalbot_", mark) == 1, 10), "kicked, the bot rejoins #kick",
            (alice.lines[mark:], bot.log()[-1500:]))
    c.check(time.time() - t0 >= 0.45, "not before rejoin_delay_ms", time.time() - t0)
    c.check("kicked from #kick by alice (out you go); rejoining in 500 ms" in bot.log(),
            "the log says who kicked and when it rejoins", bot.log()[-1500:])

    # 2. The nick frees: taken back by the ISON check.
    mark = len(alice.lines)
    holder.send("QUIT :bye")
    took = lambda: any(l.startswith(":frugalbot_!") and " NICK " in l and "frugalbot" in l.split()[-1]
                       for l in alice.lines[mark:])
    c.check(alice.wait(took, 10), "the holder quits: the bot takes the nick frugalbot back",
            (alice.lines[mark:], bot.log()[-1500:]))
    c.check("frugalbot is free (ISON); taking it back" in bot.log(), "the log says how",
            bot.log()[-1500:])

    # 3. Banned, then kicked: one rejoin attempt meets 474, then nothing more.
    mark = len(alice.lines)
    alice.send("MODE #kick +b frugalbot!*@*")
    alice.send("KICK #kick frugalbot :and stay out")
    c.check(bot.wait_log("(474); giving up rejoining it until the next connection", 15),
            "banned: the rejoin meets 474 and the bot gives up with a log line", bot.log()[-1500:])
    c.check("rejoining in 1000 ms" in bot.log(), "the second kick doubled the delay",
            bot.log()[-1500:])
    tries = bot.count("rejoining #kick")
    time.sleep(3)
    c.check(bot.count("rejoining #kick") == tries == 2, "no JOIN is tried after the refusal",
            bot.log()[-1500:])
    alice.pump()
    c.check(joins("frugalbot", mark) == 0, "the bot stayed out of #kick")

    c.check(bot.proc.poll() is None, "the daemon is still running")
    c.check(bot.stop() == 0, "SIGTERM stops the daemon cleanly")
c.done()
