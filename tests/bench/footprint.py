#!/usr/bin/env python3
"""footprint.py: what frugal costs the machine it lives on, as medians of several runs.

  size          the binary's size on disk (the release build is stripped)
  cold start    `frugal ask` from fork to the first byte of its model request, and its
                whole wall time, against a minimal model endpoint inside this script (an
                in-process socket server answering one canned OpenAI reply at once, so the
                fake's own latency is near zero and the time is frugal's)
  peak RSS      of that `frugal ask`
  per turn CPU  user + system CPU of `frugal chat` over TURNS piped lines, minus a 1-line
                run (start-up), divided by TURNS - 1: the agent's own work per turn
                (routing, governor reserve + settle, history, HTTP, JSON), not the model's
  idle daemon   `frugal run` with one TLS IRC connection (real ngircd) and one Matrix
                account long-polling the fake homeserver: RSS and private memory
                (Private_Clean + Private_Dirty from /proc/PID/smaps_rollup) and open fds
                after IDLE seconds. RSS counts shared libraries (libcrypto, libcurl, libc)
                that other processes share; private memory is what this process alone costs.
  parsers       IRC lines/s and SSE MB/s from the parse_bench program, if built

usage: python3 tests/bench/footprint.py [--binary build-release/frugal]
         [--parse-bench build-bench/tests/parse_bench] [--runs 9] [--turns 1000]
         [--idle-s 60] [--idle-runs 3]
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

import daemon_probe  # beside this script

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
ap.add_argument("--binary", default="build-release/frugal")
ap.add_argument("--parse-bench", default="build-bench/tests/parse_bench")
ap.add_argument("--runs", type=int, default=9)
ap.add_argument("--turns", type=int, default=1000)
ap.add_argument("--idle-s", type=float, default=60)
ap.add_argument("--idle-runs", type=int, default=3)
args = ap.parse_args()

binary = daemon_probe.use_binary(args.binary, "footprint")
from harness import (FakeHomeserver, FakeModel, Workdir, config_text, env_for,  # noqa: E402
                     start_frugal, stop_frugal)
import irc_servers  # noqa: E402

REPLY = json.dumps({
    "id": "chatcmpl-bench", "object": "chat.completion", "created": 0, "model": "fake-cheap",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"},
                 "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 100, "completion_tokens": 2, "total_tokens": 102}}).encode()


class InstantModel:
    """An OpenAI-compatible endpoint that answers every POST at once with REPLY over
    keep-alive connections, and notes the monotonic time of each request's first byte."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = "http://127.0.0.1:%d" % self.sock.getsockname()[1]
        self.first_bytes = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            conn, _ = self.sock.accept()
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        buf = b""
        with conn:
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                if not buf:
                    self.first_bytes.append(time.monotonic_ns())
                buf += chunk
                while b"\r\n\r\n" in buf:
                    head, rest = buf.split(b"\r\n\r\n", 1)
                    length = 0
                    for line in head.split(b"\r\n")[1:]:
                        name, _, value = line.partition(b":")
                        if name.strip().lower() == b"content-length":
                            length = int(value.strip())
                    if len(rest) < length:
                        break
                    buf = rest[length:]
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: %d\r\n\r\n" % len(REPLY) + REPLY)
                    if buf:
                        self.first_bytes.append(time.monotonic_ns())


def run_child(argv, env, stdin_bytes=None):
    """Runs argv; returns (start ns, end ns, rusage, exit status)."""
    t0 = time.monotonic_ns()
    p = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin_bytes is not None else
                         subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=env)
    if stdin_bytes is not None:
        p.stdin.write(stdin_bytes)
        p.stdin.close()
    _, status, usage = os.wait4(p.pid, 0)
    return t0, time.monotonic_ns(), usage, status


def cold_start(model, w, env):
    base = [binary, "--config", w.config, "--log-level", "warn"]
    run_child(base + ["ask", "warm up"], env)  # creates the database; not counted
    first, walls, rss = [], [], []
    for _ in range(args.runs):
        before = len(model.first_bytes)
        t0, t1, usage, status = run_child(base + ["ask", "ping"], env)
        if status != 0 or len(model.first_bytes) <= before:
            sys.exit("footprint: frugal ask failed (status %d)" % status)
        first.append((model.first_bytes[before] - t0) / 1000)
        walls.append((t1 - t0) / 1e6)
        rss.append(usage.ru_maxrss)
    return statistics.median(first), statistics.median(walls), statistics.median(rss)


def turn_cpu(w, env):
    base = [binary, "--config", w.config, "--log-level", "warn", "chat"]
    cpu = lambda u: u.ru_utime + u.ru_stime
    one = [cpu(run_child(base, env, b"hello\n")[2]) for _ in range(3)]
    lines = b"".join(b"message %d about nothing much\n" % i for i in range(args.turns))
    t0, t1, usage, status = run_child(base, env, lines)
    if status != 0:
        sys.exit("footprint: frugal chat failed (status %d)" % status)
    per_turn = (cpu(usage) - statistics.median(one)) / (args.turns - 1)
    return per_turn * 1000, (t1 - t0) / 1e9


def idle_once():
    token = "bench-token-0123456789"
    with FakeModel() as fake, Workdir() as w, irc_servers.ngircd_server() as irc, \
            FakeHomeserver(token) as hs:
        extra = daemon_probe.transports_toml(irc, hs, "benchbot", "#test", "!room:localhost",
                                             "BENCH_MX_TOKEN")
        w.write_config(config_text(fake.url, w.state, extra=extra))
        p = start_frugal(w.config, "--log-level", "warn", "run",
                         env=env_for(BENCH_MX_TOKEN=token, ASAN_OPTIONS="detect_leaks=0"))
        deadline = time.time() + args.idle_s
        while time.time() < deadline:
            time.sleep(min(1.0, max(0.0, deadline - time.time())))
            if p.poll() is not None:
                sys.exit("footprint: the daemon exited early: " + p.stderr.read()[-2000:])
        mem = daemon_probe.smaps(p.pid)
        sample = (mem.get("Rss", 0), mem.get("Private_Clean", 0) + mem.get("Private_Dirty", 0),
                  daemon_probe.open_fds(p.pid))
        stop_frugal(p)
        return sample


def main():
    size = os.path.getsize(binary)
    print("binary                 %s" % binary)
    print("size                   %d bytes (%.2f MiB)" % (size, size / 1048576))

    model = InstantModel()
    env = env_for(ASAN_OPTIONS="detect_leaks=0")
    with Workdir() as w:
        w.write_config(config_text(model.url, w.state, daily_usd=1000.0))
        first_us, wall_ms, rss = cold_start(model, w, env)
        print("ask cold start         %.0f µs to the first request byte; %.1f ms wall; "
              "peak RSS %d KiB (median of %d)" % (first_us, wall_ms, rss, args.runs))
        per_turn_ms, chat_s = turn_cpu(w, env)
        print("per-turn CPU           %.3f ms user+system over %d turns of frugal chat "
              "(%.1f s wall, instant model)" % (per_turn_ms, args.turns, chat_s))

    idles = [idle_once() for _ in range(args.idle_runs)]
    rss_i = statistics.median(i[0] for i in idles)
    priv_i = statistics.median(i[1] for i in idles)
    fds_i = statistics.median(i[2] for i in idles)
    print("idle daemon            after %.0f s with IRC (TLS) + Matrix: RSS %d KiB, private "
          "%d KiB, %d fds (median of %d)" % (args.idle_s, rss_i, priv_i, fds_i, args.idle_runs))

    if os.access(args.parse_bench, os.X_OK):
        out = subprocess.run([args.parse_bench], capture_output=True, text=True).stdout
        for line in out.splitlines():
            print("parser: " + line)
    else:
        print("parsers                (no %s: build it with tests/bench/run.sh)" % args.parse_bench)
    return 0


if __name__ == "__main__":
    sys.exit(main())
