"""End to end (issue 14 item 7), on a real InspIRCd started without its services (as after a
restart, before Atheme relinks: no `sasl` in CAP LS) and with MONITOR. One daemon, two
networks:
- "mon": holder sits on the nick frugalbot; the bot registers as frugalbot_ and MONITORs
  the nick; when holder quits, the server's 731 makes the bot take the nick back.
- "sasl": require_sasl with SASL PLAIN as agentbot. The first attempt finds no SASL and
  quits; the retries come after about 2, 4 and 8 s instead of the 60 s penalty, so once
  Atheme links the bot logs in. Before the fix it waited 60 s after the first attempt."""
import time

from harness import Checks, FakeModel, Workdir, config_text, env_for
from irc_bot import daemon, irc_section
from irc_servers import irc_user as user, inspircd_server

c = Checks()

with inspircd_server(services=False) as irc, FakeModel() as fake, Workdir() as w:
    w.write_config(config_text(fake.url, w.state, extra=irc_section(
        "mon", irc.port, channels=("#pub",), extra='alt_nicks = ["frugalbot_"]') + irc_section(
        "sasl", irc.port, nick="saslbot", channels=("#pub",), extra="""sasl = "plain"
sasl_user = "agentbot"
sasl_password_env = "IRC_SASL_PASSWORD"
require_sasl = true
""") + '\n[realms.public]\nallowed = ["*"]\n'))
    holder = user(irc.port, "frugalbot", user="h")
    c.check(holder.wait(lambda: holder.has(" 001 "), 10), "holder takes the nick frugalbot")

    bot = daemon(w.config, w.dir, env=env_for(IRC_SASL_PASSWORD="s3cretpw"))
    c.check(bot.wait_log("irc.mon: registered as frugalbot_", 20), "mon registers as frugalbot_",
            bot.log()[-1500:])
    c.check(bot.wait_log("irc.mon: registered as frugalbot_; watching for frugalbot to become "
                         "free (MONITOR)", 5), "InspIRCd offers MONITOR: the bot watches the nick",
            bot.log()[-1500:])
    c.check(bot.wait_log("irc.sasl: disconnected: SASL PLAIN is not offered by the server", 10),
            "without services, the SASL bot finds no SASL and quits", bot.log()[-1500:])
    t_miss = time.time()
    c.check(bot.wait_log("(SASL missing: services may be relinking; a quick retry)", 5),
            "it plans a quick retry, not the 60 s penalty", bot.log()[-1500:])
    t0 = time.time()
    irc.start_services()
    linked = time.time() - t0
    # The quick retries come about 2, 6 and 14 s after the miss: one of them gets in.
    c.check(bot.wait_log("irc.sasl: registered as saslbot (account agentbot)",
                         max(1.0, t_miss + 20 - time.time())),
            "services link (%.1f s): a quick retry logs in within 20 s of the miss" % linked,
            bot.log()[-2000:])
    c.check("irc.sasl: reconnecting in 60000 ms" not in bot.log(), "the 60 s penalty never applied",
            bot.log()[-2000:])

    # The nick frees: MONITOR says so (731) and the bot takes it.
    holder.send("QUIT :bye")
    c.check(bot.wait_log("irc.mon: frugalbot is free (MONITOR); taking it back", 10),
            "holder quits: the 731 makes the bot claim the nick", bot.log()[-1500:])
    c.check(bot.wait_log("irc.mon: now using the configured nick frugalbot", 10),
            "the server confirms the nick change", bot.log()[-1500:])
    alice = user(irc.port, "alice")
    alice.wait(lambda: alice.has(" 001 "), 10)
    alice.send("ISON frugalbot frugalbot_")
    c.check(alice.wait(lambda: any(" 303 " in l and l.split(":")[-1].split() == ["frugalbot"]
                                   for l in alice.lines), 10),
            "the server agrees: frugalbot is online, frugalbot_ is not", alice.lines[-3:])

    c.check(bot.proc.poll() is None, "the daemon is still running")
    c.check(bot.stop() == 0, "SIGTERM stops the daemon cleanly")
c.done()
