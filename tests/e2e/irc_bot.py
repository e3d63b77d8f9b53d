"""irc_bot.py: the shared steps of the IRC end-to-end scripts that run `frugal run` against
the servers of irc_servers.py: a [transports.irc.NAME] section for a local server, the
daemon started with its log in a file, waiting on that log, and a raw user's SASL login
as the test account agentbot (s3cretpw). Servers and raw users live in irc_servers.py."""
import os
import subprocess
import time

from harness import BINARY, _procs, env_for


def irc_section(name, port, nick="frugalbot", channels=("#pub",), extra=""):
    """A plain-TCP [transports.irc.NAME] section for 127.0.0.1:port; `extra` adds lines."""
    chans = ", ".join('"%s"' % c for c in channels)
    return f"""
[transports.irc.{name}]
server = "127.0.0.1"
port = {port}
tls = false
nick = "{nick}"
channels = [{chans}]
{extra}
"""


class daemon:
    """`frugal run` on `config` with its stderr (--log-level info) in DIR/frugal.log."""

    def __init__(self, config, folder, env=None):
        self.log_path = os.path.join(folder, "frugal.log")
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen([BINARY, "--config", config, "--log-level", "info", "run"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=self._log, env=env or env_for())
        _procs.append(self.proc)

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def wait_log(self, needle, timeout=20.0):
        """True once `needle` is in the log; False after `timeout` s or if the daemon died."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if needle in self.log():
                return True
            if self.proc.poll() is not None:
                return needle in self.log()
            time.sleep(0.1)
        return False

    def count(self, needle):
        return self.log().count(needle)

    def stop(self):
        """SIGTERM, as systemd stops the service; returns the exit status."""
        from harness import stop_frugal
        code, _ = stop_frugal(self.proc)
        self._log.close()
        return code


def sasl_login(u):
    """Logs a raw user (made with cap_first=True) in as agentbot with SASL PLAIN."""
    u.send("CAP REQ :sasl")
    u.send("AUTHENTICATE PLAIN")
    u.wait(lambda: u.has("AUTHENTICATE +") or u.has("AUTHENTICATE :+"), 10)
    u.send("AUTHENTICATE YWdlbnRib3QAYWdlbnRib3QAczNjcmV0cHc=")  # agentbot\0agentbot\0s3cretpw
    ok = u.wait(lambda: u.has(" 903 "), 10)
    u.send("CAP END")
    return ok and u.wait(lambda: u.has(" 001 "), 10)
