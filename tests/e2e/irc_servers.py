"""Real IRC servers for tests: ngircd (plain + TLS) and InspIRCd + Atheme (SASL) on free
127.0.0.1 ports in a temp dir, from the templates in tests/fixtures/irc-servers.
Used as a module (context managers) by tests/e2e/test_irc_*.py and as a helper process by
the Catch2 live tests: `irc_servers.py ngircd|inspircd --info FILE [--port N --tls-port N]`
writes key=value lines to FILE once the server accepts, then runs until SIGTERM.
irc_user is a raw-socket IRC client for the e2e scripts.
A missing server binary is an error with a clear message, never a silent skip.
"""
import argparse
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

_HERE = os.path.dirname(os.path.abspath(__file__))


def templates_dir():
    """The server configurations this repository carries (tests/fixtures/irc-servers)."""
    d = os.path.normpath(os.path.join(_HERE, "..", "fixtures", "irc-servers"))
    if not os.path.isdir(d):
        raise RuntimeError(f"irc test server templates not found at {d}")
    return d


def require_binary(name):
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin")
    if not path:
        raise RuntimeError(
            f"{name} not found on PATH: install it (apt-get install ngircd inspircd "
            "atheme-services); these tests never skip")
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent():
    # The servers must not outlive the helper (PR_SET_PDEATHSIG = 1).
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)
    except OSError:
        pass
    try:
        os.setpgrp()
    except OSError:
        pass


def make_cert(folder):
    """Self-signed cert for localhost and 127.0.0.1, written as cert.pem/key.pem."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
         os.path.join(folder, "key.pem"), "-out", os.path.join(folder, "cert.pem"), "-days",
         "2", "-subj", "/CN=localhost", "-addext",
         "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for f in ("key.pem", "cert.pem"):
        os.chmod(os.path.join(folder, f), 0o644)


def _fill(name, dest, values):
    with open(os.path.join(templates_dir(), name)) as f:
        text = f.read()
    for k, v in values.items():
        text = text.replace(k, str(v))
    with open(dest, "w") as f:
        f.write(text)
    os.chmod(dest, 0o644)


def wait_port(port, proc, timeout=20.0, what="server"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited early with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {timeout} s")


def _stop(proc, timeout=5.0):
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class _server:
    def __init__(self, port=None, tls_port=None):
        self.port = port or free_port()
        self.tls_port = tls_port or free_port()
        self.dir = tempfile.mkdtemp(prefix="frugal-irc-")
        os.chmod(self.dir, 0o777)  # ngircd drops to nobody when started as root
        make_cert(self.dir)
        self.cert = os.path.join(self.dir, "cert.pem")
        self.procs = []

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        for p in reversed(self.procs):
            _stop(p)
        self.procs = []

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def info(self):
        return {"port": self.port, "tls_port": self.tls_port, "cert": self.cert,
                "dir": self.dir}


class ngircd_server(_server):
    """ngircd 26 with plain and TLS listeners and channel #test; no SASL, no throttle."""

    def start(self):
        binary = require_binary("ngircd")
        conf = os.path.join(self.dir, "ngircd.conf")
        _fill("ngircd.conf.in", conf,
              {"@DIR@": self.dir, "@PORT@": self.port, "@TLS_PORT@": self.tls_port})
        log = open(os.path.join(self.dir, "ngircd.log"), "ab")
        p = subprocess.Popen([binary, "-n", "-f", conf], stdout=log, stderr=log,
                             stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        self.procs.append(p)
        wait_port(self.port, p, what="ngircd")
        wait_port(self.tls_port, p, what="ngircd (TLS)")


class inspircd_server(_server):
    """InspIRCd 3 linked to Atheme 7 (account agentbot / s3cretpw, client.crt fingerprint),
    with extended-join, account-notify, MONITOR and WHOX; account_tag=False leaves out the
    account-tag module (as some networks do), so accounts are known only from the others.
    services=False starts InspIRCd alone (no SASL offered, as after a restart before services
    relink); start_services() links Atheme later."""

    def __init__(self, port=None, tls_port=None, account_tag=True, services=True):
        super().__init__(port, tls_port)
        self.account_tag = account_tag
        self.services = services
        self.link_port = free_port()
        self.client_cert = os.path.join(templates_dir(), "client.crt")
        self.client_key = os.path.join(templates_dir(), "client.key")

    def info(self):
        d = super().info()
        d.update(client_cert=self.client_cert, client_key=self.client_key)
        return d

    def start(self):
        inspircd = require_binary("inspircd")
        atheme = require_binary("atheme-services")
        values = {"@DIR@": self.dir, "@PORT@": self.port, "@TLS_PORT@": self.tls_port,
                  "@LINK_PORT@": self.link_port,
                  "@ACCOUNT_TAG_MODULE@":
                      '<module name="ircv3_accounttag">' if self.account_tag else ""}
        _fill("inspircd.conf.in", os.path.join(self.dir, "inspircd.conf"), values)
        _fill("atheme.conf.in", os.path.join(self.dir, "atheme.conf"), values)
        log = open(os.path.join(self.dir, "servers.log"), "ab")

        def no_core():
            import resource
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            _die_with_parent()

        p = subprocess.Popen([inspircd, f"--config={self.dir}/inspircd.conf", "--nofork",
                              "--runasroot"], stdout=log, stderr=log,
                             stdin=subprocess.DEVNULL, preexec_fn=no_core)
        self.procs.append(p)
        wait_port(self.port, p, what="inspircd")
        wait_port(self.tls_port, p, what="inspircd (TLS)")
        if self.services:
            self.start_services()

    def start_services(self):
        """Starts Atheme and waits until NickServ answers (services linked)."""
        atheme = require_binary("atheme-services")
        data = os.path.join(self.dir, "data")
        os.makedirs(data, exist_ok=True)
        shutil.copy(os.path.join(templates_dir(), "services.db"), data)
        log = open(os.path.join(self.dir, "servers.log"), "ab")
        s = subprocess.Popen([atheme, "-n", "-c", f"{self.dir}/atheme.conf", "-D", data, "-l",
                              f"{self.dir}/atheme.log", "-p", f"{self.dir}/atheme.pid"],
                             stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                             preexec_fn=_die_with_parent)
        self.procs.append(s)
        self._wait_services(s)

    def _wait_services(self, proc, timeout=20.0):
        """Polls until NickServ answers, i.e. Atheme has linked."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"atheme-services exited early ({proc.returncode})")
            if self._nickserv_answers():
                return
            time.sleep(0.2)
        raise RuntimeError("Atheme services did not link to InspIRCd in time")

    def _nickserv_answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=3) as s:
                s.sendall(b"NICK probe\r\nUSER probe 0 * :probe\r\n")
                buf = b""
                deadline = time.monotonic() + 3
                asked = False
                while time.monotonic() < deadline:
                    chunk = s.recv(4096)
                    if not chunk:
                        return False
                    buf += chunk
                    for line in buf.split(b"\r\n"):
                        if line.startswith(b"PING "):
                            s.sendall(b"PONG " + line[5:] + b"\r\n")
                    if not asked and b" 001 " in buf:
                        s.sendall(b"PRIVMSG NickServ :HELP\r\n")
                        asked = True
                    if asked and b":NickServ!" in buf:
                        s.sendall(b"QUIT\r\n")
                        return True
                    if asked and b" 401 " in buf:
                        return False
        except OSError:
            return False
        return False


class irc_user:
    """A raw IRC user for e2e tests: plain TCP, answers PING, keeps every line."""

    def __init__(self, port, nick, cap_first=False, user=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.settimeout(0.1)
        self.buf = b""
        self.lines = []
        if cap_first:  # holds registration open for CAP REQ / SASL
            self.send("CAP LS 302")
        self.send(f"NICK {nick}")
        self.send(f"USER {user or nick} 0 * :{nick}")

    def send(self, line):
        self.sock.sendall(line.encode() + b"\r\n")

    def pump(self):
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                self.buf += chunk
        except socket.timeout:
            pass
        while b"\r\n" in self.buf:
            raw, self.buf = self.buf.split(b"\r\n", 1)
            line = raw.decode("utf-8", "replace")
            if line.startswith("PING "):
                self.send("PONG " + line[5:])
            self.lines.append(line)

    def wait(self, cond, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            self.pump()
            if cond():
                return True
        return False

    def has(self, needle, start=0):
        return any(needle in l for l in self.lines[start:])

    def said(self, bot, target, start=0):
        """Texts of PRIVMSGs from `bot` to `target` since line `start`."""
        out = []
        for l in self.lines[start:]:
            if l.startswith(f":{bot}!") and f" PRIVMSG {target} :" in l:
                out.append(l.split(f" PRIVMSG {target} :", 1)[1])
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("kind", choices=["ngircd", "inspircd"])
    ap.add_argument("--info", required=True, help="file to write key=value lines to")
    ap.add_argument("--port", type=int)
    ap.add_argument("--tls-port", type=int)
    args = ap.parse_args()
    _die_with_parent()
    cls = ngircd_server if args.kind == "ngircd" else inspircd_server
    server = cls(args.port, args.tls_port)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    try:
        server.start()
        tmp = args.info + ".tmp"
        with open(tmp, "w") as f:
            for k, v in server.info().items():
                f.write(f"{k}={v}\n")
        os.rename(tmp, args.info)
        while not stop:
            if any(p.poll() is not None for p in server.procs):
                print("irc_servers: a server exited", file=sys.stderr)
                return 1
            time.sleep(0.1)
        return 0
    except RuntimeError as e:
        print(f"irc_servers: {e}", file=sys.stderr)
        with open(args.info + ".error", "w") as f:
            f.write(str(e) + "\n")
        return 1
    finally:
        server.cleanup()


if __name__ == "__main__":
    sys.exit(main())
