"""End to end: `frugal run` with three IRC networks on a real InspIRCd + Atheme: SASL PLAIN
(agentbot / s3cretpw from the environment, require_sasl), SASL EXTERNAL over TLS with the
shared client certificate, and PLAIN with a wrong password and require_sasl. The first two
log in (WHOIS shows the account); the third QUITs without registering while the daemon and
the other two keep running. The owner, logged in as agentbot, is served in the private
realm; someone merely using the nick "agentbot" is not. Passwords never reach the log.
A missing inspircd or atheme-services fails the test."""
import os
import signal
import subprocess
import time

from harness import BINARY, Checks, FakeModel, Workdir, config_text, env_for, _procs
from irc_bot import sasl_login
from irc_servers import irc_user as user, inspircd_server

c = Checks()
GOOD_PW = "s3cretpw"
BAD_PW = "not-the-password"


def whois_account(u, nick):
    mark = len(u.lines)
    u.send("WHOIS " + nick)
    u.wait(lambda: u.has(" 318 ", mark), 10)
    for l in u.lines[mark:]:
        parts = l.split()
        if len(parts) >= 5 and parts[1] == "330":
            return parts[4]
    return None


with inspircd_server() as irc, FakeModel() as fake, Workdir() as w:
    w.write_config(config_text(fake.url, w.state, extra=f"""
[transports.irc.atheme]
server = "127.0.0.1"
port = {irc.port}
tls = false
nick = "frugalbot"
channels = ["#test"]
sasl = "plain"
sasl_user = "agentbot"
sasl_password_env = "IRC_SASL_PASSWORD"
require_sasl = true

[transports.irc.ext]
server = "localhost"
port = {irc.tls_port}
tls = true
ca_file = "{irc.cert}"
nick = "frugalext"
sasl = "external"
client_cert = "{irc.client_cert}"
client_key = "{irc.client_key}"
require_sasl = true

[transports.irc.wrong]
server = "127.0.0.1"
port = {irc.port}
tls = false
nick = "frugalwrong"
sasl = "plain"
sasl_user = "agentbot"
sasl_password_env = "IRC_BAD_PASSWORD"
require_sasl = true

[realms.private]
owners = ["account:agentbot"]

[realms.public]
allowed = ["*"]
"""))
    log_path = os.path.join(w.dir, "frugal.log")
    log = open(log_path, "w")
    p = subprocess.Popen([BINARY, "--config", w.config, "run"], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=log,
                         env=env_for(IRC_SASL_PASSWORD=GOOD_PW, IRC_BAD_PASSWORD=BAD_PW))
    _procs.append(p)
    read_log = lambda: open(log_path, errors="replace").read()

    watcher = user(irc.port, "watcher")
    c.check(watcher.wait(lambda: watcher.has(" 001 "), 10), "a watcher registers")
    deadline = time.time() + 30
    accounts = {}
    while time.time() < deadline and p.poll() is None:
        accounts = {n: whois_account(watcher, n) for n in ("frugalbot", "frugalext")}
        if all(a == "agentbot" for a in accounts.values()):
            break
        time.sleep(0.3)
    c.check(accounts.get("frugalbot") == "agentbot", "SASL PLAIN: the bot is logged in as agentbot",
            accounts)
    c.check(accounts.get("frugalext") == "agentbot",
            "SASL EXTERNAL with the client certificate: logged in as agentbot", accounts)
    c.check(watcher.wait(lambda: "SASL authentication failed (904)" in read_log(), 20),
            "the wrong password is refused with 904", read_log()[-1500:])
    mark = len(watcher.lines)
    watcher.send("WHOIS frugalwrong")
    watcher.wait(lambda: watcher.has(" 318 ", mark), 10)
    c.check(watcher.has(" 401 ", mark), "with require_sasl the bot quit instead of registering")

    # The owner logs in as agentbot and joins after the bot: served in the private realm.
    owner = user(irc.port, "owner", cap_first=True)
    c.check(sasl_login(owner), "the owner logs in with SASL")
    owner.send("JOIN #test")
    owner.wait(lambda: owner.has(" 366 "), 10)
    # (A direct message: in the channel an owner is answered as the public self, issue 18.)
    fake.script({"content": "hello owner"})
    mark = len(owner.lines)
    owner.send("PRIVMSG frugalbot :who am I?")
    c.check(owner.wait(lambda: any("hello owner" in t for t in owner.said("frugalbot", "owner", mark)),
                       30), "the owner gets an answer", owner.lines[mark:])
    c.check(any("router: private" in l and "agentbot" in l for l in read_log().splitlines()),
            "the owner's turn ran in the private realm (recognised by account)",
            read_log()[-1500:])

    # Someone using the nick "agentbot" without logging in is not the owner.
    stranger = user(irc.port, "agentbot")
    c.check(stranger.wait(lambda: stranger.has(" 001 "), 10), "a stranger takes the nick agentbot")
    stranger.send("JOIN #test")
    stranger.wait(lambda: stranger.has(" 366 "), 10)
    private_before = read_log().count("router: private")
    fake.script({"content": "hello stranger"})
    mark = len(stranger.lines)
    stranger.send("PRIVMSG #test :frugalbot: am I the owner?")
    stranger.wait(lambda: any("hello stranger" in t
                              for t in stranger.said("frugalbot", "#test", mark)), 20)
    time.sleep(0.5)
    c.check(read_log().count("router: private") == private_before,
            "the nick alone does not make anyone the owner", read_log()[-1500:])

    c.check(p.poll() is None, "the daemon is still running")
    p.send_signal(signal.SIGTERM)
    try:
        code = p.wait(20)
    except subprocess.TimeoutExpired:
        p.kill()
        code = p.wait()
    log.close()
    text = read_log()
    c.check(code == 0, "SIGTERM stops the daemon cleanly", (code, text[-1500:]))
    c.check(GOOD_PW not in text and BAD_PW not in text, "no SASL password in the log")
c.done()
