#!/usr/bin/env python3
"""footprint.py: what frugal costs the machine it lives on, as medians of several runs.
With --old BINARY every figure is measured for both binaries in the same run (timed runs
interleaved, ratios taken pair by pair), since a shared machine's speed drifts.

  size          the binary's size on disk (the release build is stripped), its sections,
                and the biggest symbols and namespaces from BINARY.symbols (`nm -S
                --size-sort`, written by the release build before it strips) or from
                the binary itself when it is not stripped; the symbols summed per source
                folder (each namespace belongs to the folder declaring most of its files;
                a lambda to the function holding it) and per namespace
  ask vs curl   `frugal ask` from fork to the first byte of its model request, and its
                whole wall time, against a minimal model endpoint inside this script (an
                in-process socket server answering one canned OpenAI reply at once, so the
                fake's own latency is near zero and the time is frugal's); `curl` sends the
                same request (the bytes frugal sent) in the same rounds, and the ask/curl
                wall and CPU (user + system) ratios are taken per round; then, for each, the dynamic loader's part
                (libraries initialised, symbol relocations, loader cycles before main:
                LD_DEBUG=libs,statistics)
  peak RSS      of that `frugal ask`
  per turn CPU  user + system CPU of `frugal chat` over TURNS piped lines, minus a 1-line
                run (start-up), divided by TURNS - 1: the agent's own work per turn
                (routing, governor reserve + settle, history, HTTP, JSON), not the model's
  disk per turn bytes written to the sqlite WAL (and to the database file by checkpoints)
                and fsyncs, per turn of `frugal chat` over WAL_TURNS lines (strace -y)
  idle daemon   `frugal run` with one TLS IRC connection (real ngircd) and one Matrix
                account long-polling the fake homeserver: RSS and private memory
                (Private_Clean + Private_Dirty from /proc/PID/smaps_rollup), private
                dirty alone (and by mapping: heap, anonymous, main stack, each shared
                library's relocated data, other), and open fds after IDLE seconds;
                context switches (all threads, voluntary + involuntary, and voluntary alone) per idle minute
                over the last two thirds; then, once the first upkeep (60 s after start:
                retention and compaction, a one-off) is done, write/fsync calls on the
                database files per idle minute (strace attached for IDLE_IO_S seconds).
                RSS counts shared libraries (libcrypto, libcurl, libc) that other
                processes share; private memory is what this process alone costs.
  parsers       IRC lines/s and SSE MB/s from the parse_bench program, if built

usage: python3 tests/bench/footprint.py [--binary build-release/frugal] [--old OLD_BINARY]
         [--parse-bench build-bench/tests/parse_bench] [--runs 9] [--turns 1000]
         [--wal-turns 200] [--idle-s 60] [--idle-runs 3] [--idle-io-s 30] [--idle-only]
"""
import argparse
import glob
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time

import daemon_probe  # beside this script

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
ap.add_argument("--binary", default="build-release/frugal")
ap.add_argument("--old", help="a second binary (the one before a change) measured alongside")
ap.add_argument("--parse-bench", default="build-bench/tests/parse_bench")
ap.add_argument("--runs", type=int, default=9)
ap.add_argument("--turns", type=int, default=1000)
ap.add_argument("--wal-turns", type=int, default=200)
ap.add_argument("--idle-s", type=float, default=60)
ap.add_argument("--idle-runs", type=int, default=3, help="idle daemons measured (0: none)")
ap.add_argument("--idle-io-s", type=float, default=30,
                help="seconds of strace on the idle daemon counting database writes")
ap.add_argument("--idle-only", action="store_true",
                help="measure the idle daemon only (no size, ask, CPU, disk or parser rows)")
args = ap.parse_args()

binary = daemon_probe.use_binary(args.binary, "footprint")
old = os.path.abspath(args.old) if args.old else None
if old and not os.access(old, os.X_OK):
    sys.exit("footprint: no binary at " + old)
import harness  # noqa: E402
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
        self.last_request = None  # (head, body) of the latest complete request
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
                    self.last_request = (head, rest[:length])
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


def binaries():
    """(label, path) of the binaries measured: the new one first."""
    return [("new", binary), ("old", old)] if old else [("", binary)]


def show(label, text):
    print("%-22s %s" % (label, text))


def size_report(path):
    size = os.path.getsize(path)
    out = subprocess.run(["size", "-A", "-d", path], capture_output=True, text=True).stdout
    sections = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith(".") and parts[1].isdigit():
            sections[parts[0]] = int(parts[1])
    text = sum(v for k, v in sections.items() if k in (".text", ".rodata", ".eh_frame",
                                                         ".eh_frame_hdr", ".gcc_except_table"))
    return size, sections, text


def symbol_sizes(path):
    """[(size, type, demangled name)] from PATH.symbols, or from `nm` on PATH itself. Symbols
    at one address (functions the linker folded into one, and their aliases) count once."""
    lines = []
    if os.path.exists(path + ".symbols"):
        with open(path + ".symbols") as f:
            lines = f.read().splitlines()
    else:
        r = subprocess.run(["nm", "-S", "--size-sort", "-C", "--radix=d", path],
                           capture_output=True, text=True)
        lines = r.stdout.splitlines()
    syms, seen = [], set()
    for line in lines:
        parts = line.split(None, 3)
        if len(parts) == 4 and parts[1].isdigit() and parts[0] not in seen:
            seen.add(parts[0])
            syms.append((int(parts[1]), parts[2], parts[3]))
    return syms


def group_of(name):
    """frugal::irc, std, simdjson, toml, ... for a demangled symbol; "(C)" for plain C. A
    lambda's code (std::function's handler of it included) belongs to the function that
    holds the lambda."""
    if "{lambda" in name:
        owners = re.findall(r"frugal::(\w+)::", name.split("{lambda")[0])
        if owners:
            return "frugal::" + owners[-1]
    m = re.search(r"([A-Za-z_]\w*)::(?:(\w+)::)?", name.split("(")[0])
    if not m:
        return "(C / static)"
    if m.group(1) == "frugal" and m.group(2):
        return "frugal::" + m.group(2)
    if m.group(1) in ("__gnu_cxx", "__cxx11", "std"):
        return "std"
    return m.group(1)


ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
LAYER_FOLDERS = ("core", "policies", "budget", "llm", "tools", "transports", "agent")
THIRD_PARTY = {"std": "(libstdc++ templates)", "CLI": "(CLI11)", "simdjson": "(simdjson)",
               "toml": "(toml++)", "(C / static)": "(C / static)"}


def namespace_folders():
    """{"frugal::irc": "transports/irc", ...}: the source folder (two levels under agent/ and
    transports/, where the layers and protocols split; one elsewhere) whose files declare
    each namespace, or their top-level folder when several do (frugal::agent: "agent")."""
    counts = {}
    for top in LAYER_FOLDERS:
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            rel = os.path.relpath(dirpath, ROOT).split(os.sep)
            folder = "/".join(rel[:2] if top in ("agent", "transports") else rel[:1])
            for name in files:
                if not name.endswith((".cpp", ".h")):
                    continue
                with open(os.path.join(dirpath, name), errors="replace") as f:
                    text = f.read()
                for ns in set(re.findall(r"namespace (frugal(?:::\w+)?)", text)):
                    per = counts.setdefault(ns, {})
                    per[folder] = per.get(folder, 0) + 1
    out = {}
    for ns, per in counts.items():
        tops = {folder.split("/")[0] for folder in per}
        out[ns] = next(iter(per)) if len(per) == 1 else max(per.items(), key=lambda kv: kv[1])[0] \
            if len(tops) > 1 else tops.pop()
    return out


def print_size():
    for label, path in binaries():
        size, sections, text = size_report(path)
        show("size " + label, "%d bytes (%.1f KiB) stripped; code + read-only data + unwind "
             "%d, .data + .data.rel.ro %d, .bss %d" % (
                 size, size / 1024, text,
                 sections.get(".data", 0) + sections.get(".data.rel.ro", 0),
                 sections.get(".bss", 0)))
        show("  sections " + label, ", ".join(
            "%s %d" % (k, sections[k]) for k in (".text", ".rodata", ".eh_frame",
                                                 ".gcc_except_table", ".eh_frame_hdr")
            if k in sections))
    syms = [s for s in symbol_sizes(binary) if s[1].lower() in "tdrvw"]  # .bss costs no disk
    if not syms:
        show("size breakdown", "(no symbols: build with the release preset, which keeps "
             "%s.symbols)" % binary)
        return
    groups = {}
    for size, _, name in syms:
        groups[group_of(name)] = groups.get(group_of(name), 0) + size
    total = sum(groups.values())
    folders_of = namespace_folders()
    folders = {}
    for group, size in groups.items():
        # A class directly in namespace frugal (frugal::json_writer) has its namespace's folder.
        folder = folders_of.get(group) or THIRD_PARTY.get(group) or folders_of.get(
            "frugal" if group.startswith("frugal::") else "", "(other: %s)" % group)
        folders[folder] = folders.get(folder, 0) + size
    show("size by folder", "%d bytes of symbols (unwind tables and padding not included): " %
         total + ", ".join("%s %d" % kv for kv in sorted(folders.items(), key=lambda kv: -kv[1])))
    top = sorted(groups.items(), key=lambda kv: -kv[1])[:16]
    show("size by namespace", "%d symbols: " % len(syms) + ", ".join("%s %d" % kv for kv in top))
    for size, kind, name in sorted(syms, key=lambda s: -s[0])[:16]:
        show("  biggest symbol", "%7d %s %s" % (size, kind, name[:100]))


def curl_argv(model, body_path):
    """curl sending the request frugal sent last (method POST, its path, JSON body and
    any Authorization header) to the same endpoint."""
    head, body = model.last_request
    with open(body_path, "wb") as f:
        f.write(body)
    lines = head.decode("latin-1").split("\r\n")
    path = lines[0].split()[1]
    argv = ["curl", "-sS", "-o", "/dev/null", "--data-binary", "@" + body_path,
            "-H", "Content-Type: application/json"]
    for line in lines[1:]:
        if line.lower().startswith("authorization:"):
            argv += ["-H", line]
    return argv + [model.url + path]


LOADER_LINE = re.compile(r"^\s*\d+:\s*(calling init: |total startup time in dynamic loader: "
                         r"(\d+) cycles|number of relocations: (\d+)$)")


def loader_stats(argv, env):
    """The dynamic loader's share of a start (LD_DEBUG=libs,statistics, median of 5 runs):
    libraries initialised, symbol relocations, and the loader's cycles before main."""
    libs, relocs, cycles = [], [], []
    for _ in range(5):
        r = subprocess.run(argv, env=dict(env, LD_DEBUG="libs,statistics"),
                           stdin=subprocess.DEVNULL, capture_output=True, text=True)
        n = 0
        for line in r.stderr.splitlines():
            m = LOADER_LINE.match(line)
            if not m:
                continue
            if m.group(2):
                cycles.append(int(m.group(2)))
            elif m.group(3):
                relocs.append(int(m.group(3)))
            else:
                n += 1
        libs.append(n)
    med = statistics.median
    if not cycles:
        return "(no LD_DEBUG statistics from the loader)"
    return "%d libraries initialised, %d symbol relocations, %.1f M cycles in the loader " \
        "before main (LD_DEBUG=statistics, median of 5)" % (med(libs), med(relocs),
                                                           med(cycles) / 1e6)


def ask_vs_curl(model, w, env):
    """Rounds of: each binary's `frugal ask`, then curl with the same request."""
    runs = {label: {"first": [], "wall": [], "rss": [], "ratio": [], "cpu": [], "cpu_ratio": []}
            for label, _ in binaries()}
    curl_walls, curl_cpus = [], []
    for _, path in binaries():  # creates the database; not counted
        run_child([path, "--config", w.config, "--log-level", "warn", "ask", "warm up"], env)
    curl = curl_argv(model, os.path.join(w.dir, "request.json"))
    run_child(curl, env)
    for _ in range(args.runs):
        walls = {}
        for label, path in binaries():
            before = len(model.first_bytes)
            t0, t1, usage, status = run_child(
                [path, "--config", w.config, "--log-level", "warn", "ask", "ping"], env)
            if status != 0 or len(model.first_bytes) <= before:
                sys.exit("footprint: frugal ask (%s) failed (status %d)" % (path, status))
            runs[label]["first"].append((model.first_bytes[before] - t0) / 1000)
            walls[label] = (t1 - t0) / 1e6
            runs[label]["wall"].append(walls[label])
            runs[label]["rss"].append(usage.ru_maxrss)
            runs[label]["cpu"].append((usage.ru_utime + usage.ru_stime) * 1000)
        t0, t1, cusage, status = run_child(curl, env)
        if status != 0:
            sys.exit("footprint: curl failed (status %d)" % status)
        c = (t1 - t0) / 1e6
        curl_walls.append(c)
        ccpu = (cusage.ru_utime + cusage.ru_stime) * 1000
        curl_cpus.append(ccpu)
        for label in walls:
            runs[label]["ratio"].append(walls[label] / c)
            runs[label]["cpu_ratio"].append(runs[label]["cpu"][-1] / ccpu)
    med = statistics.median
    for label, r in runs.items():
        show("ask " + label, "%.0f µs to the first request byte; %.1f ms wall; peak RSS %d "
             "KiB; %.2f× curl's wall (median of %d paired rounds)" % (
                 med(r["first"]), med(r["wall"]), med(r["rss"]), med(r["ratio"]), args.runs))
        # User + system CPU: what the process itself costs, less sensitive than wall time to
        # a shared machine's load.
        show("  cpu ask " + label, "%.1f ms user+system; %.2f× curl's CPU (median of %d paired "
             "rounds)" % (med(r["cpu"]), med(r["cpu_ratio"]), args.runs))
    show("curl", "%.1f ms wall, %.1f ms user+system for the same request (median of %d)" % (
        med(curl_walls), med(curl_cpus), args.runs))
    for label, path in binaries():
        show("  loader " + ("ask " + label).strip(), loader_stats(
            [path, "--config", w.config, "--log-level", "warn", "ask", "ping"], env))
    show("  loader curl", loader_stats(curl, env))
    if old:
        pairs = [a / b for a, b in zip(runs["new"]["wall"], runs["old"]["wall"])]
        show("ask new/old", "wall ratio %.2f (median of %d pairs, min %.2f, max %.2f)" % (
            med(pairs), len(pairs), min(pairs), max(pairs)))
        pairs = [a / b for a, b in zip(runs["new"]["cpu"], runs["old"]["cpu"])]
        show("ask new/old", "CPU ratio %.2f (median of %d pairs, min %.2f, max %.2f)" % (
            med(pairs), len(pairs), min(pairs), max(pairs)))


def turn_cpu(path, w, env):
    base = [path, "--config", w.config, "--log-level", "warn", "chat"]
    cpu = lambda u: u.ru_utime + u.ru_stime
    one = [cpu(run_child(base, env, b"hello\n")[2]) for _ in range(3)]
    lines = b"".join(b"message %d about nothing much\n" % i for i in range(args.turns))
    t0, t1, usage, status = run_child(base, env, lines)
    if status != 0:
        sys.exit("footprint: frugal chat failed (status %d)" % status)
    per_turn = (cpu(usage) - statistics.median(one)) / (args.turns - 1)
    return per_turn * 1000, (t1 - t0) / 1e9


WRITE = re.compile(r'^\d+\s+(pwrite64|write|fsync|fdatasync)\(\d+<([^>]*)>.*=\s*(\d+)')


def disk_per_turn(path, w, env):
    """(WAL bytes, database-file bytes, fsyncs) per turn of `frugal chat`, from strace."""
    trace = os.path.join(w.dir, "strace.out")
    lines = b"".join(b"disk %d about nothing much\n" % i for i in range(args.wal_turns))
    argv = ["strace", "-f", "-y", "-qq", "-e", "trace=pwrite64,write,fsync,fdatasync",
            "-o", trace, path, "--config", w.config, "--log-level", "warn", "chat"]
    _, _, _, status = run_child(argv, env, lines)
    if status != 0:
        sys.exit("footprint: strace frugal chat failed (status %d)" % status)
    wal = dbf = syncs = 0
    with open(trace) as f:
        for line in f:
            m = WRITE.match(line)
            if not m or not m.group(2).startswith(w.state):
                continue
            if m.group(1) in ("fsync", "fdatasync"):
                syncs += 1
            elif m.group(2).endswith("-wal"):
                wal += int(m.group(3))
            elif not m.group(2).endswith("-shm"):
                dbf += int(m.group(3))
    n = args.wal_turns
    return wal / n, dbf / n, syncs / n


def task_switches(pid):
    """(voluntary + involuntary, voluntary) context switches of every thread of `pid` now."""
    total = voluntary = 0
    for status in glob.glob("/proc/%d/task/*/status" % pid):
        try:
            with open(status) as f:
                for line in f:
                    if "ctxt_switches:" in line:
                        total += int(line.split()[1])
                        if line.startswith("voluntary"):
                            voluntary += int(line.split()[1])
        except OSError:
            pass  # the thread ended between listing and reading
    return total, voluntary


UPKEEP_FIRST_S = 60  # agent/daemon.cpp: daemon::k_upkeep_first_ms


def idle_db_writes(pid, state_dir, seconds):
    """Write and fsync calls on the state folder's files (database, WAL) per minute, from
    strace attached for `seconds` after the switches were counted (ptrace adds its own)."""
    if not shutil.which("strace"):
        return float("nan")
    trace = os.path.join(os.path.dirname(state_dir), "idle-io.trace")
    st = subprocess.Popen(["strace", "-f", "-y", "-qq", "-e",
                           "trace=pwrite64,write,fsync,fdatasync", "-p", str(pid), "-o", trace])
    time.sleep(seconds)
    st.terminate()
    st.wait()
    n = 0
    with open(trace) as f:
        for line in f:
            m = WRITE.match(line)
            if m and m.group(2).startswith(state_dir):
                n += 1
    return n / seconds * 60


def idle_once(path):
    token = "bench-token-0123456789"
    harness.BINARY = path
    with FakeModel() as fake, Workdir() as w, irc_servers.ngircd_server() as irc, \
            FakeHomeserver(token) as hs:
        extra = daemon_probe.transports_toml(irc, hs, "benchbot", "#test", "!room:localhost",
                                             "BENCH_MX_TOKEN")
        w.write_config(config_text(fake.url, w.state, extra=extra))
        p = start_frugal(w.config, "--log-level", "warn", "run",
                         env=env_for(BENCH_MX_TOKEN=token, ASAN_OPTIONS="detect_leaks=0"))
        t_start = time.time()
        marks = []
        for at in (args.idle_s / 3, args.idle_s):
            while time.time() < t_start + at:
                time.sleep(min(1.0, max(0.0, t_start + at - time.time())))
                if p.poll() is not None:
                    sys.exit("footprint: the daemon exited early: " + p.stderr.read()[-2000:])
            marks.append((time.time(), task_switches(p.pid)))
        mem = daemon_probe.smaps(p.pid)
        minutes = (marks[1][0] - marks[0][0]) / 60
        per_min = (marks[1][1][0] - marks[0][1][0]) / minutes
        voluntary = (marks[1][1][1] - marks[0][1][1]) / minutes
        # The daemon's first upkeep (retention and compaction) runs 60 s after start: a
        # one-off, not idle traffic, so the database writes are counted after it.
        while time.time() < t_start + UPKEEP_FIRST_S + 10:
            time.sleep(0.5)
        writes = idle_db_writes(p.pid, w.state, args.idle_io_s)
        sample = (mem.get("Rss", 0), mem.get("Private_Clean", 0) + mem.get("Private_Dirty", 0),
                  mem.get("Private_Dirty", 0), daemon_probe.open_fds(p.pid), per_min, voluntary,
                  writes, daemon_probe.private_dirty_by_kind(p.pid))
        stop_frugal(p)
        return sample


def main():
    print("binary                 %s%s" % (binary, "  (old: %s)" % old if old else ""))
    if not args.idle_only:
        measure_all_but_idle()
    if args.idle_runs > 0:  # --idle-runs 0 skips the idle minute
        measure_idle()
    if not args.idle_only:
        print_parsers()
    return 0


def measure_all_but_idle():
    print_size()

    model = InstantModel()
    env = env_for(ASAN_OPTIONS="detect_leaks=0")
    with Workdir() as w:
        w.write_config(config_text(model.url, w.state, daily_usd=1000.0))
        ask_vs_curl(model, w, env)
        for label, path in binaries():
            per_turn_ms, chat_s = turn_cpu(path, w, env)
            show("per-turn CPU " + label, "%.3f ms user+system over %d turns of frugal chat "
                 "(%.1f s wall, instant model)" % (per_turn_ms, args.turns, chat_s))
        for label, path in binaries():
            if not shutil.which("strace"):
                show("disk per turn", "(no strace)")
                break
            with Workdir() as dw:
                dw.write_config(config_text(model.url, dw.state, daily_usd=1000.0))
                run_child([path, "--config", dw.config, "ask", "warm up"], env)
                wal, dbf, syncs = disk_per_turn(path, dw, env)
                db_size = sum(os.path.getsize(f) for f in glob.glob(dw.state + "/*"))
            show("disk per turn " + label, "%.0f bytes to the WAL, %.0f to the database file "
                 "(checkpoints), %.1f fsyncs; files %d bytes after %d turns" % (
                     wal, dbf, syncs, db_size, args.wal_turns))



def measure_idle():
    idles = {label: [] for label, _ in binaries()}
    for _ in range(args.idle_runs):
        for label, path in binaries():
            idles[label].append(idle_once(path))
    med = statistics.median
    for label, runs in idles.items():
        show("idle daemon " + label, "after %.0f s with IRC (TLS) + Matrix: RSS %d KiB, private "
             "%d KiB (dirty %d KiB), %d fds, %.1f context switches per idle minute (%.1f "
             "voluntary), %.1f database writes per idle minute after the first upkeep (median of %d)" % (
                 args.idle_s, med(i[0] for i in runs), med(i[1] for i in runs),
                 med(i[2] for i in runs), med(i[3] for i in runs), med(i[4] for i in runs),
                 med(i[5] for i in runs), med(i[6] for i in runs), args.idle_runs))
        kinds = {k: med(i[7].get(k, 0) for i in runs) for k in runs[0][7]}
        libs = sorted(((k[4:], v) for k, v in kinds.items() if k.startswith("lib:")),
                      key=lambda kv: -kv[1])
        show("  private dirty " + label, "by mapping, KiB: heap %d, anonymous %d (thread "
             "stacks, arenas, libraries' .bss), main stack %d, shared libraries' data %d "
             "(%s), other %d (frugal's data, the sqlite -shm)" % (
                 kinds["heap"], kinds["anon"], kinds["stack"], kinds["libs"],
                 ", ".join("%s %d" % kv for kv in libs[:6]), kinds["other"]))


def print_parsers():
    if os.access(args.parse_bench, os.X_OK):
        out = subprocess.run([args.parse_bench], capture_output=True, text=True).stdout
        for line in out.splitlines():
            print("parser: " + line)
    else:
        print("parsers                (no %s: build it with tests/bench/run.sh)" % args.parse_bench)


if __name__ == "__main__":
    sys.exit(main())
