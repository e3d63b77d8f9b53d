"""End to end: the built binary under `frugal run` with two IRC networks on a real ngircd
(plain and TLS with the test's own CA) and the fake model. A user joins #test and
addresses each bot: the answer arrives; a long answer arrives split with every line
accepted by ngircd (it drops a client sending a line over 512 bytes); an answer with an
embedded "\\r\\nQUIT :bye" stays text and the bot stays; chatter is not answered; SIGTERM
makes the bots QUIT and the daemon exit 0. A missing ngircd fails the test."""
import time

from harness import Checks, FakeModel, Workdir, config_text, env_for, start_frugal, stop_frugal
from irc_servers import irc_user as user, ngircd_server

c = Checks()


with ngircd_server() as irc, FakeModel() as fake, Workdir() as w:
    w.write_config(config_text(fake.url, w.state, extra=f"""
[transports.irc.plain]
server = "127.0.0.1"
port = {irc.port}
tls = false
nick = "frugalbot"
channels = ["#test"]

[transports.irc.secure]
server = "localhost"
port = {irc.tls_port}
tls = true
ca_file = "{irc.cert}"
nick = "frugaltls"
channels = ["#test"]

[realms.public]
allowed = ["*"]
"""))
    alice = user(irc.port, "alice")
    c.check(alice.wait(lambda: alice.has(" 001 "), 10), "the user client registers on ngircd")
    alice.send("JOIN #test")
    p = start_frugal(w.config, "run", env=env_for())
    joined = lambda bot: any(l.startswith(f":{bot}!") and " JOIN " in l for l in alice.lines)
    up = alice.wait(lambda: joined("frugalbot") and joined("frugaltls") or p.poll() is not None, 30)
    c.check(up and p.poll() is None, "both bots (plain and TLS) join #test",
            p.stderr.read()[-2000:] if p.poll() is not None else alice.lines[-5:])

    # A question addressed to the plain bot gets the model's answer in the channel.
    fake.script({"content": "four"})
    mark = len(alice.lines)
    alice.send("PRIVMSG #test :frugalbot: what is 2+2?")
    c.check(alice.wait(lambda: any("four" in t for t in alice.said("frugalbot", "#test", mark)),
                       30), "the plain bot answers in the channel", alice.lines[mark:])

    # The TLS bot, in private.
    fake.script({"content": "secure hello"})
    mark = len(alice.lines)
    alice.send("PRIVMSG frugaltls :hello over TLS")
    c.check(alice.wait(lambda: any("secure hello" in t for t in alice.said("frugaltls", "alice", mark)),
                       30), "the TLS bot answers a private message", alice.lines[mark:])

    # A long answer arrives split into lines ngircd accepts.
    words = " ".join("word%d" % i for i in range(400))
    fake.script({"content": words})
    mark = len(alice.lines)
    alice.send("PRIVMSG #test :frugalbot: say a lot")
    c.check(alice.wait(lambda: any("word" in t and "truncated" in t or "word399" in t
                                   for t in alice.said("frugalbot", "#test", mark)), 40),
            "the long answer arrives", alice.lines[mark:][-3:])
    got = alice.said("frugalbot", "#test", mark)
    relayed = [l for l in alice.lines[mark:] if l.startswith(":frugalbot!")]
    c.check(len(got) >= 3, "the long answer is split over several lines", len(got))
    c.check(all(len(l.encode()) + 2 <= 512 for l in relayed),
            "every relayed line fits in 512 bytes", max(len(l.encode()) for l in relayed or [""]))
    text = " ".join(got)
    c.check(all(w in text.split() for w in ["word0", "word1", "word100"]),
            "words arrive whole and in order", text[:300])

    # Embedded protocol in the model's answer stays text.
    fake.script({"content": "fine\r\nQUIT :bye\n\x01ACTION dies\x01"})
    mark = len(alice.lines)
    alice.send("PRIVMSG #test :frugalbot: try to quit")
    c.check(alice.wait(lambda: any("QUIT :bye" in t for t in alice.said("frugalbot", "#test", mark)),
                       30), "\"QUIT :bye\" arrives as text", alice.lines[mark:])
    time.sleep(0.5)
    alice.pump()
    c.check(not any(l.startswith(":frugalbot!") and " QUIT " in l for l in alice.lines),
            "the bot did not quit")
    c.check(not any("\x01" in t for t in alice.said("frugalbot", "#test", mark)),
            "no CTCP byte reached the channel")

    # Chatter that does not address a bot is not sent to the model.
    calls = len(fake.requests())
    alice.send("PRIVMSG #test :just chatting here")
    time.sleep(1.5)
    c.check(len(fake.requests()) == calls, "unaddressed chatter is not answered")

    fake.script({"content": "still here"})
    mark = len(alice.lines)
    alice.send("PRIVMSG #test :frugalbot, are you still there?")
    c.check(alice.wait(lambda: any("still here" in t for t in alice.said("frugalbot", "#test", mark)),
                       30), "the bot still answers after all that")

    c.check(p.poll() is None, "the daemon is still running")
    mark = len(alice.lines)
    code, err = stop_frugal(p)
    c.check(code == 0, "SIGTERM stops the daemon cleanly", (code, err[-1500:]))
    c.check(alice.wait(lambda: alice.has(" QUIT ", mark) and
                       sum(1 for l in alice.lines[mark:] if " QUIT " in l) >= 2, 10),
            "both bots say QUIT on the way out", alice.lines[mark:])
c.done()
