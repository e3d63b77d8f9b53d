"""A scripted hostile IRC server for robustness tests. Each accepted connection plays the
next scenario in a fixed cycle (oversized lines, partial lines across reads, NUL bytes,
invalid UTF-8, a CAP LS that never ends, a PING flood, 433 for every nick, ERROR then
close, random garbage, silence after the welcome) and appends one result line per connection to the --log file:
`N SCENARIO RESULT` (e.g. `3 nul pong-ok`). It is not an IRC server: it never registers
anyone. Usage: hostile_irc.py --port-file F --log L [--port 0]
"""
import argparse
import os
import random
import socket
import socketserver
import sys
import threading
import time

SCENARIOS = ["oversized", "partial", "nul", "utf8", "cap_ls_forever", "ping_flood",
             "nick_in_use", "error_close", "garbage", "silent"]

_lock = threading.Lock()
_counter = [0]
_log_path = [None]


def record(n, name, result):
    with _lock:
        with open(_log_path[0], "a") as f:
            f.write(f"{n} {name} {result}\n")


class conn:
    def __init__(self, sock):
        self.sock = sock
        self.sock.settimeout(0.05)
        self.buf = b""
        self.pending = []
        self.closed = False

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError:
            self.closed = True

    def read_lines(self, seconds):
        """Lines the client sent, returned as soon as there are some or after `seconds`
        (stops early if it closes)."""
        out = []
        end = time.monotonic() + seconds
        while time.monotonic() < end and not self.closed and not out:
            try:
                chunk = self.sock.recv(65536)
                if not chunk:
                    self.closed = True
                self.buf += chunk
            except socket.timeout:
                pass
            except OSError:
                self.closed = True
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                out.append(line.rstrip(b"\r"))
        return out

    def wait_for(self, prefix, seconds):
        """The first line starting with `prefix` within `seconds`; earlier lines are
        consumed, later ones kept for the next call."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            while self.pending:
                line = self.pending.pop(0)
                if line.startswith(prefix):
                    return line
            if self.closed:
                return None
            self.pending += self.read_lines(0.05)
        return None


def sc_oversized(c):
    c.send(b":srv NOTICE * :" + b"A" * 20000 + b"\r\n")
    c.send(b":srv NOTICE * :" + b"B" * 70000)  # no newline for a while
    time.sleep(0.05)
    c.send(b"\r\nPING :after-big\r\n")
    return "pong-ok" if c.wait_for(b"PONG :after-big", 2) else "no-pong"


def sc_partial(c):
    for piece in [b"PI", b"NG", b" :fr", b"ag\r", b"\nPING :second\n"]:
        c.send(piece)
        time.sleep(0.03)
    first = c.wait_for(b"PONG :frag", 2)
    second = c.wait_for(b"PONG :second", 2)
    return "pong-ok" if first and second else "no-pong"


def sc_nul(c):
    c.send(b":srv NOTICE * :\x00\x00\x00\r\n\x00\x00\r\nPING :a\x00b\r\n")
    return "pong-ok" if c.wait_for(b"PONG :a", 2) else "no-pong"


def sc_utf8(c):
    c.send(b":srv CAP * LS :multi-\xff\xfeprefix\r\n:srv 001 \xc3\x28 :\xf0\x28\x8c\x28\r\n"
           b":x!y@z PRIVMSG \xed\xa0\x80 :\xc3\x28 hi \xe2\x82\r\nPING :utf\xff\r\n")
    return "pong-ok" if c.wait_for(b"PONG :utf", 2) else "no-pong"


def sc_cap_ls_forever(c):
    end = time.monotonic() + 8
    i = 0
    while time.monotonic() < end and not c.closed:
        c.send(b":srv CAP * LS * :cap%d multi-prefix\r\n" % i)
        i += 1
        c.read_lines(0.02)
    return "client-closed" if c.closed else "server-gave-up"


def sc_ping_flood(c):
    n = 500
    c.send(b"".join(b"PING :%d\r\n" % i for i in range(n)))
    pongs = 0
    end = time.monotonic() + 3
    while time.monotonic() < end and pongs < n and not c.closed:
        pongs += sum(1 for line in c.read_lines(0.05) if line.startswith(b"PONG"))
    return f"pongs={pongs}"


def sc_nick_in_use(c):
    end = time.monotonic() + 5
    while time.monotonic() < end and not c.closed:
        for line in c.read_lines(0.05):
            if line.startswith(b"NICK "):
                c.send(b":srv 433 * " + line[5:] + b" :Nickname is already in use\r\n")
            if line.startswith(b"QUIT"):
                return "client-quit"
    return "client-closed" if c.closed else "no-quit"


def sc_error_close(c):
    c.read_lines(0.1)
    c.send(b"ERROR :Closing Link: 127.0.0.1 (hostile test)\r\n")
    return "closed"


def sc_garbage(c):
    rnd = random.Random(42)
    data = bytes(rnd.randrange(256) for _ in range(20000))
    c.send(data + b"\r\nPING :alive\r\n")
    return "pong-ok" if c.wait_for(b"PONG :alive", 2) else "no-pong"


def sc_silent(c):
    """Welcomes the client, then never says a word: it must PING, then give up on us."""
    c.send(b":srv 001 frugal :Welcome\r\n")
    pinged = c.wait_for(b"PING", 5)
    end = time.monotonic() + 5
    while time.monotonic() < end and not c.closed:
        c.read_lines(0.05)
    return "ping-then-closed" if pinged and c.closed else "no-keepalive"


class handler(socketserver.BaseRequestHandler):
    def handle(self):
        with _lock:
            n = _counter[0]
            _counter[0] += 1
        name = SCENARIOS[n % len(SCENARIOS)]
        c = conn(self.request)
        try:
            result = globals()["sc_" + name](c)
        except Exception as e:  # a broken pipe is part of the game
            result = "exception-" + type(e).__name__
        record(n, name, result)
        try:
            self.request.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    args = ap.parse_args()
    _log_path[0] = args.log
    open(args.log, "w").close()
    srv = server(("127.0.0.1", args.port), handler)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"port={srv.server_address[1]}\n")
    os.rename(tmp, args.port_file)
    try:
        srv.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sys.exit(main())
