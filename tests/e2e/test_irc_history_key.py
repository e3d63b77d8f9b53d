"""End to end (issue 13 item 8): the history of a direct conversation belongs to the
person, not to the nick. On a real ngircd, bob!b@... tells the bot something in a DM and
leaves; another person connects as bob with another user name and DMs the bot. The model
request for the second bob must not carry the first bob's words, while the first bob,
back under his own mask, still has his. Before the fix both were keyed by the nick "bob"
and the second bob's request held the first bob's message."""
import time

from harness import Checks, FakeModel, Workdir, config_text, env_for, start_frugal, stop_frugal
from irc_servers import irc_user as user, ngircd_server

c = Checks()
SECRET = "my address is 12 Elm Street"


def last_request_text(fake):
    body = fake.requests()[-1]["body"]
    return " ".join(m["content"] if isinstance(m.get("content"), str) else str(m.get("content"))
                    for m in body["messages"])


def dm(u, text, answer, fake):
    fake.script({"content": answer})
    mark = len(u.lines)
    u.send("PRIVMSG frugalbot :" + text)
    return u.wait(lambda: answer in u.said("frugalbot", u.nick, mark), 20)


with ngircd_server() as irc, FakeModel() as fake, Workdir() as w:
    w.write_config(config_text(fake.url, w.state, extra=f"""
[transports.irc.plain]
server = "127.0.0.1"
port = {irc.port}
tls = false
nick = "frugalbot"
channels = ["#test"]

[realms.public]
allowed = ["*"]
rate_per_minute = 0
"""))
    p = start_frugal(w.config, "run", env=env_for())
    first = user(irc.port, "bob", user="bobfirst")
    first.nick = "bob"
    c.check(first.wait(lambda: first.has(" 001 "), 10), "the first bob registers")
    first.send("JOIN #test")  # only to see the bot arrive
    c.check(first.wait(lambda: any(l.startswith(":frugalbot!") and " JOIN " in l
                                   for l in first.lines), 30), "the bot joins #test")
    c.check(dm(first, SECRET, "noted", fake), "the first bob gets an answer", first.lines[-5:])
    first.send("QUIT :bye")
    time.sleep(0.5)

    second = user(irc.port, "bob", user="intruder")
    second.nick = "bob"
    c.check(second.wait(lambda: second.has(" 001 "), 10), "another person takes the nick bob")
    c.check(dm(second, "what is my address?", "no idea", fake), "the second bob gets an answer")
    c.check("Elm Street" not in last_request_text(fake),
            "the second bob's turn does not carry the first bob's history",
            last_request_text(fake)[:600])
    second.send("QUIT :bye")
    time.sleep(0.5)

    back = user(irc.port, "bob", user="bobfirst")
    back.nick = "bob"
    c.check(back.wait(lambda: back.has(" 001 "), 10), "the first bob comes back")
    c.check(dm(back, "what is my address?", "12 Elm", fake), "the first bob gets an answer")
    c.check("Elm Street" in last_request_text(fake),
            "the first bob, under his own mask, still has his history",
            last_request_text(fake)[:600])

    c.check(p.poll() is None, "the daemon is still running")
    code, _ = stop_frugal(p)
    c.check(code == 0, "SIGTERM stops the daemon cleanly", code)
c.done()
