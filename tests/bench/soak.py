#!/usr/bin/env python3
"""soak.py: the daemon under steady traffic for a long time. Starts `frugal run` (the given
binary, normally the release build) with one IRC connection over TLS to a real ngircd and
one Matrix account on the fake homeserver, the fake model answering every turn. A client
user on IRC and a user on Matrix each address the bot every INTERVAL ms; the bot answers
both. Every SAMPLE seconds it reads the daemon's RSS and private dirty memory
(/proc/PID/smaps_rollup), open file descriptors, CPU time, the size of its sqlite files on
disk (database + WAL) and the database's logical size (pages in use), prints a row, and at the end prints the growth per hour of each
(least-squares slope over the samples after the first quarter or the first minute,
whichever is longer: that is warm-up), and RSS and private dirty 5 s after the last answer
(once the daemon has given back what the traffic left).

Figures, not a timed test; it fails only if the daemon dies, stops answering (under 95 %
of the messages answered), or does not stop cleanly on SIGTERM.

usage: python3 tests/bench/soak.py [--binary build-release/frugal] [--duration 2m]
                                   [--interval-ms 2000] [--matrix-interval-ms N]
                                   [--sample-s 5] [--csv FILE]
  --duration accepts seconds or a unit: 90, 2m, 6h. CI runs the 2-minute default; a
  6-hour soak is `python3 tests/bench/soak.py --duration 6h --sample-s 60 --csv soak.csv`.
  A heavy one (20 Matrix turns a second, to fill sqlite's page cache in minutes):
  `python3 tests/bench/soak.py --duration 10m --matrix-interval-ms 50`.
"""
import argparse
import glob
import os
import sqlite3
import subprocess
import sys
import time

import daemon_probe  # beside this script

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
ap.add_argument("--binary", default="build-release/frugal")
ap.add_argument("--duration", default="2m")
ap.add_argument("--interval-ms", type=int, default=2000)
ap.add_argument("--matrix-interval-ms", type=int,
                help="Matrix's own interval (default: --interval-ms); IRC replies are "
                     "flood-limited to about one line a second, Matrix's are not")
ap.add_argument("--sample-s", type=float, default=5)
ap.add_argument("--csv", help="also write every sample to this file")
args = ap.parse_args()


def seconds_of(text):
    units = {"s": 1, "m": 60, "h": 3600}
    if text[-1] in units:
        return float(text[:-1]) * units[text[-1]]
    return float(text)


duration = seconds_of(args.duration)
binary = daemon_probe.use_binary(args.binary, "soak")
from harness import (FakeHomeserver, FakeModel, Workdir, _procs, config_text, env_for,  # noqa: E402
                     stop_frugal, wait_until)
import irc_servers  # noqa: E402

TOKEN = "soak-token-0123456789"
ROOM = "!soak:localhost"
BOT = "soakbot"


def proc_sample(pid, state_dir):
    """RSS and private dirty KiB, open fds, CPU seconds of `pid`; bytes of the sqlite files
    on disk (database + WAL, checkpointed at 1,000 pages and cut back to 1 MiB) and the
    database's logical size."""
    mem = daemon_probe.smaps(pid)
    files = glob.glob(os.path.join(state_dir, "*.db")) + \
        glob.glob(os.path.join(state_dir, "*.db-wal"))
    disk = sum(os.path.getsize(p) for p in files)
    return {"rss": mem.get("Rss", 0), "dirty": mem.get("Private_Dirty", 0),
            "fds": daemon_probe.open_fds(pid), "cpu": daemon_probe.cpu_seconds(pid),
            "disk": disk, "db": logical_size(state_dir)}


def logical_size(state_dir):
    """Bytes of the database as sqlite sees it (page_count × page_size, WAL included),
    read through a read-only connection beside the daemon's."""
    total = 0
    for path in glob.glob(os.path.join(state_dir, "*.db")):
        try:
            con = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=5)
            pages = con.execute("PRAGMA page_count").fetchone()[0]
            size = con.execute("PRAGMA page_size").fetchone()[0]
            con.close()
            total += pages * size
        except sqlite3.Error:
            pass
    return total


def slope_per_hour(points):
    """Least-squares slope of (seconds, value) points, per hour; 0 with under 2 points."""
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(t for t, _ in points) / n
    my = sum(v for _, v in points) / n
    den = sum((t - mx) ** 2 for t, _ in points)
    if den == 0:
        return 0.0
    return sum((t - mx) * (v - my) for t, v in points) / den * 3600


class IrcClient(irc_servers.irc_user):
    """The IRC side of the traffic: counts the bot's answers and forgets every line, so a
    6-hour run does not grow the benchmark itself."""

    answered = 0
    bot_joined = False

    def take(self):
        self.pump()
        for line in self.lines:
            if line.startswith(":%s!" % BOT) and " PRIVMSG #soak :" in line and \
                    "soak irc" in line:
                self.answered += 1
            elif line.startswith(":%s!" % BOT) and " JOIN " in line:
                self.bot_joined = True
        self.lines.clear()


def main():
    mx_interval = (args.matrix_interval_ms or args.interval_ms) / 1000.0
    with FakeModel("--keep-requests", "50") as fake, Workdir() as w, \
            irc_servers.ngircd_server() as irc, \
            FakeHomeserver(TOKEN, "@%s:localhost" % BOT, "--keep-requests", "50") as hs:
        hs.call("POST", "/_room", {"room": ROOM, "members": ["@soaker:localhost"]})
        user = IrcClient(irc.port, "soaker")
        user.wait(lambda: user.has(" 001 "), 10)
        user.send("JOIN #soak")
        user.wait(lambda: user.has(" JOIN "), 10)
        # The owner is named by full mask (a bare nick is refused): learn the host ngircd
        # shows for this client from its own JOIN.
        own = next(l for l in user.lines if l.startswith(":soaker!") and " JOIN " in l)
        user_host = own.split(" ", 1)[0].split("@", 1)[1]
        user.lines.clear()
        extra = daemon_probe.transports_toml(irc, hs, BOT, "#soak", ROOM, "SOAK_MX_TOKEN") + f"""
[realms.private]
owners = ["soaker!*@{user_host}", "@soaker:localhost"]
"""
        w.write_config(config_text(fake.url, w.state, daily_usd=1000.0, extra=extra))
        # The daemon's log goes to a file: a pipe nobody reads would stall it after 64 KiB.
        log_path = os.path.join(w.dir, "daemon.log")
        p = subprocess.Popen([binary, "--config", w.config, "--log-level", "warn", "run"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=open(log_path, "w"),
                             env=env_for(SOAK_MX_TOKEN=TOKEN, ASAN_OPTIONS="detect_leaks=0"))
        _procs.append(p)
        log_tail = lambda: open(log_path, errors="replace").read()[-2000:]
        def up():
            user.take()
            joined = ROOM in hs.call("GET", "/_state")["joined"]
            return (user.bot_joined and joined) or p.poll() is not None
        if not wait_until(up, 30) or p.poll() is not None:
            print("soak: the daemon did not come up (status %s):" % p.poll(), log_tail())
            return 1

        print("binary %s, %.0f s; a message every %d ms on IRC (TLS, ngircd) and every %d ms "
              "on Matrix (fake homeserver); fake model" % (
                  binary, duration, args.interval_ms, mx_interval * 1000))
        header = "%8s %9s %9s %5s %10s %10s %8s %7s %8s" % (
            "t (s)", "RSS KiB", "dirty KiB", "fds", "disk B", "db B", "CPU s", "sent", "answered")
        print(header)
        csv = open(args.csv, "w") if args.csv else None
        if csv:
            csv.write("t_s,rss_kib,private_dirty_kib,fds,disk_bytes,db_bytes,cpu_s,sent,answered\n")
        samples = []
        sent_irc = sent_mx = 0
        t0 = time.time()
        next_msg = next_mx = t0
        next_sample = t0
        while True:
            now = time.time()
            if now - t0 >= duration:
                break
            if p.poll() is not None:
                print("soak: the daemon exited with status %s:" % p.returncode, log_tail())
                return 1
            if now >= next_msg:
                sent_irc += 1
                user.send("PRIVMSG #soak :%s: soak irc %d" % (BOT, sent_irc))
                next_msg += args.interval_ms / 1000.0
            if now >= next_mx:
                sent_mx += 1
                hs.call("POST", "/_inject", {"room": ROOM, "sender": "@soaker:localhost",
                                             "body": "%s: soak matrix %d" % (BOT, sent_mx)})
                next_mx += mx_interval
            if now >= next_sample:
                user.take()
                s = proc_sample(p.pid, w.state)
                s["t"] = now - t0
                s["sent"] = sent_irc + sent_mx
                s["answered"] = user.answered + hs.call("GET", "/_counts")["sent"]
                samples.append(s)
                row = "%8.0f %9d %9d %5d %10d %10d %8.2f %7d %8d" % (
                    s["t"], s["rss"], s["dirty"], s["fds"], s["disk"], s["db"], s["cpu"],
                    s["sent"], s["answered"])
                print(row, flush=True)
                if csv:
                    csv.write("%.1f,%d,%d,%d,%d,%d,%.2f,%d,%d\n" % (
                        s["t"], s["rss"], s["dirty"], s["fds"], s["disk"], s["db"], s["cpu"],
                        s["sent"], s["answered"]))
                    csv.flush()
                next_sample += args.sample_s
            user.take()
            time.sleep(max(0.0, min(next_msg, next_mx, next_sample) - time.time()))

        # Let the last answers arrive, then stop the daemon as systemd would.
        total = sent_irc + sent_mx
        def all_answered():
            user.take()
            return user.answered + hs.call("GET", "/_counts")["sent"] >= total
        wait_until(all_answered, 15)
        answered = user.answered + hs.call("GET", "/_counts")["sent"]
        last = proc_sample(p.pid, w.state)
        # The traffic is over: the daemon gives memory back 2 s after its last reply.
        time.sleep(5)
        quiet = proc_sample(p.pid, w.state)
        stop_frugal(p)

        # Start-up allocations are freed during the first minute; the slope starts after it.
        warm = [s for s in samples if s["t"] >= max(60.0, duration / 4)] or samples
        print()
        print("turns: %d sent, %d answered (IRC %d, Matrix %d); daemon CPU %.2f ms per turn" % (
            total, answered, user.answered, answered - user.answered,
            1000 * last["cpu"] / max(1, answered)))
        print("growth per hour (slope over t ≥ %.0f s, %d samples):" % (warm[0]["t"], len(warm)))
        for key, label, unit in (("rss", "RSS", "KiB"), ("dirty", "private dirty", "KiB"),
                                 ("fds", "open fds", ""), ("disk", "sqlite files", "bytes"),
                                 ("db", "sqlite data", "bytes")):
            slope = slope_per_hour([(s["t"], s[key]) for s in warm])
            print("  %-14s %+12.1f %-5s/h   (first %d, last %d)" % (
                label, slope, unit, samples[0][key], last[key]))
        print("5 s after the last answer: RSS %d KiB, private dirty %d KiB (under traffic, "
              "last sample: %d, %d)" % (quiet["rss"], quiet["dirty"], last["rss"], last["dirty"]))
        turns_per_hour = answered / max(1.0, duration) * 3600
        print("  at %.0f turns/h; the database grows %.0f bytes per turn (ledger rows; history "
              "is trimmed)" % (turns_per_hour, (last["db"] - samples[0]["db"]) /
                               max(1, answered - samples[0]["answered"])))

        failed = []
        if answered < 0.95 * total:
            failed.append("only %d of %d messages were answered" % (answered, total))
        if p.returncode != 0:
            failed.append("SIGTERM: exit status %s: %s" % (p.returncode, log_tail()))
        for f in failed:
            print("soak: FAILED:", f)
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
