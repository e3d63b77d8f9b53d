"""End to end: SIGHUP reloads the running daemon's config without dropping its IRC
connection, and SIGTERM stops it cleanly. `frugal run` joins #test on a private ngircd;
a watcher client in the channel asks it something before and after each reload. A broken
config on SIGHUP is refused and the old one kept; a good one lowering the cap to $0 makes
the very same connection answer with a budget refusal, and the model is not called.
The watcher sees one JOIN and no QUIT from the bot; the daemon logs one "connected"."""
import os
import signal
import socket
import threading
import time

from harness import (Checks, FakeModel, Workdir, budget_json, config_text, start_frugal)
from irc_servers import ngircd_server

c = Checks()
BOT = "reloadbot"


class watcher:
    """A raw IRC client: registers, joins #test, records every line it receives."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
        self.lines = []
        self.send("NICK watcher")
        self.send("USER watcher 0 * :watcher")
        self.wait(lambda l: " 001 " in l, 10, "registration")
        self.send("JOIN #test")
        self.wait(lambda l: " 366 " in l, 10, "join")

    def send(self, line):
        self.sock.sendall((line + "\r\n").encode())

    def wait(self, pred, timeout, what):
        """Returns the first new line matching pred; raises after timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while b"\r\n" in self.buf:
                raw, self.buf = self.buf.split(b"\r\n", 1)
                line = raw.decode("utf-8", "replace")
                self.lines.append(line)
                if line.startswith("PING"):
                    self.send("PONG" + line[4:])
                if pred(line):
                    return line
            self.sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            if not data:
                break
            self.buf += data
        raise RuntimeError("watcher: timed out waiting for " + what)

    def ask(self, text, timeout=15):
        self.send("PRIVMSG #test :%s: %s" % (BOT, text))
        return self.wait(lambda l: l.startswith(":%s!" % BOT) and " PRIVMSG #test " in l,
                         timeout, "the bot's answer to " + repr(text))

    def close(self):
        try:
            self.send("QUIT :bye")
        except OSError:
            pass
        self.sock.close()


def irc_section(port):
    return f"""
[transports.irc.test]
server = "127.0.0.1"
port = {port}
tls = false
nick = "{BOT}"
channels = ["#test"]
allowed = ["*"]
"""


class stderr_reader:
    """Collects the daemon's stderr lines on a thread."""

    def __init__(self, proc):
        self.lines = []
        self.thread = threading.Thread(target=self._run, args=(proc,), daemon=True)
        self.thread.start()

    def _run(self, proc):
        for line in proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait(self, text, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in l for l in self.lines):
                return True
            time.sleep(0.05)
        return False

    def count(self, text):
        return sum(1 for l in self.lines if text in l)


one_model = 'chat = ["cheap"]\ntools = ["big"]'
with FakeModel() as fake, Workdir() as w, ngircd_server() as irc:
    good = config_text(fake.url, w.state, tiers=one_model, extra=irc_section(irc.port))
    w.write_config(good)
    obs = watcher(irc.port)
    proc = start_frugal(w.config, "run")
    log = stderr_reader(proc)
    try:
        joined = obs.wait(lambda l: l.startswith(":%s!" % BOT) and " JOIN " in l, 20, "bot JOIN")
        c.check(bool(joined), "daemon joined #test")
        reply = obs.ask("hello there")
        c.check("hello there" in reply, "answers before any reload", reply)
        calls = len(fake.requests())
        c.check(budget_json(w.config)["cap_usd"] == 2.0, "frugal budget: cap $2 at start")

        # A broken config is refused; the running one stays in force.
        w.write_config(good.replace("daily_usd = 2.0", "daily_usd = -5"))
        proc.send_signal(signal.SIGHUP)
        c.check(log.wait("reload failed, keeping the running config", 10),
                "SIGHUP with a broken config: refused and logged", log.lines[-5:])
        reply = obs.ask("still there?")
        c.check("still there?" in reply and len(fake.requests()) == calls + 1,
                "still answers through the model with the old config", reply)

        # A good config lowering the cap to $0 applies to the same connection.
        w.write_config(good.replace("daily_usd = 2.0", "daily_usd = 0.0"))
        proc.send_signal(signal.SIGHUP)
        c.check(log.wait("config reloaded", 10), "SIGHUP: \"config reloaded\" logged",
                log.lines[-5:])
        c.check(budget_json(w.config)["cap_usd"] == 0.0, "frugal budget: cap now $0")
        calls = len(fake.requests())
        reply = obs.ask("and now?")
        c.check("spending limit" in reply.lower() and len(fake.requests()) == calls,
                "after reload the daemon refuses on budget without calling the model", reply)

        bot_lines = [l for l in obs.lines if l.startswith(":%s!" % BOT)]
        c.check(sum(" JOIN " in l for l in bot_lines) == 1 and
                not any(" QUIT " in l or " PART " in l for l in bot_lines),
                "the watcher saw one JOIN and no QUIT from the bot", bot_lines)
        c.check(log.count(" connected") == 1 and log.count("disconnected") == 0,
                "the daemon connected once and never disconnected", log.lines)
        c.check(proc.poll() is None, "daemon still running after two reloads")

        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(15)
        except Exception:
            rc = None
        log.thread.join(5)
        c.check(rc == 0 and log.wait("stopped", 1), "SIGTERM: drains and exits 0",
                (rc, log.lines[-5:]))
        quit_seen = any(l.startswith(":%s!" % BOT) and " QUIT " in l for l in obs.lines) or \
            bool(obs.wait(lambda l: l.startswith(":%s!" % BOT) and " QUIT " in l, 5, "QUIT"))
        c.check(quit_seen, "SIGTERM: the bot quits IRC")
    except RuntimeError as e:
        c.check(False, "IRC conversation", str(e) + "\n" + "\n".join(log.lines[-20:]))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        obs.close()

c.done()
