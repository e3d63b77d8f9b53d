"""End to end: another process holding the ledger's write lock never stalls frugal. A
helper process opens frugal.db and keeps a BEGIN IMMEDIATE transaction open:
- held longer than the turn deadline: `ask` gives up at its deadline with exit 1 and a
  message naming the locked ledger (before: each sqlite call waited up to 30 s, the ask
  blocked until the lock went away, far past its deadline);
- held briefly: `ask` retries from a timer and answers once the lock is released;
- the daemon keeps long-polling Matrix /sync while a turn waits for the lock (its loop is
  not blocked: before, the loop sat in sqlite's busy handler for as long as the lock)."""
import os
import subprocess
import sys
import time

from harness import (Checks, FakeHomeserver, FakeModel, Workdir, config_text, env_for, frugal,
                     start_frugal, stop_frugal, wait_until)

TOKEN = "mx-secret-token-0123456789"
ROOM = "!room:localhost"
c = Checks()
ENV = env_for(MATRIX_TOKEN=TOKEN)

HOLDER = r"""
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("ROLLBACK")
"""


def hold_lock(db, seconds):
    p = subprocess.Popen([sys.executable, "-c", HOLDER, db, str(seconds)],
                         stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "locked"
    return p


hs = FakeHomeserver(TOKEN)
with FakeModel() as fake, Workdir() as w:
    hs.call("POST", "/_room", {"room": ROOM, "members": ["@al:localhost"]})
    matrix = f"""
[transports.matrix.main]
homeserver = "{hs.url}"
access_token_env = "MATRIX_TOKEN"
rooms = ["{ROOM}"]
allowed = ["@al:localhost"]
owners = ["@al:localhost"]
respond_to = "all"
"""
    w.write_config(config_text(fake.url, w.state, deadline=5, extra=matrix))
    r = frugal(w.config, "ask", "create the ledger", env=ENV)
    c.check(r.returncode == 0, "a first ask creates the ledger", r.stderr[-300:])
    db = os.path.join(w.state, "frugal.db")

    holder = hold_lock(db, 30)
    t0 = time.time()
    r = frugal(w.config, "ask", "while locked", env=ENV)
    took = time.time() - t0
    holder.kill()
    holder.wait()
    print("     ask under a 30 s lock (killed once the ask returns), 5 s deadline: exit %d after %.1f s" % (r.returncode, took))
    c.check(r.returncode == 1 and "locked" in r.stderr and db in r.stderr,
            "a ledger locked past the deadline: exit 1 naming the locked ledger",
            (r.returncode, r.stderr[-500:]))
    c.check(took < 5 + 10, "the ask ends at its deadline, not when the lock goes away", took)

    w.write_config(config_text(fake.url, w.state, deadline=20, extra=matrix))
    holder = hold_lock(db, 1.5)
    fake.reset()
    r = frugal(w.config, "ask", "after a short lock", env=ENV)
    holder.wait()
    c.check(r.returncode == 0 and len(fake.requests()) == 1,
            "a lock held briefly: the ask waits for it (from a timer) and answers",
            (r.returncode, r.stderr[-400:]))

    # The daemon: a turn waiting for the lock must not stop the loop (Matrix /sync).
    p = start_frugal(w.config, "run", env=ENV)
    c.check(wait_until(lambda: any("/sync" in q["path"] and "since=" in q["path"]
                                   for q in hs.requests()), 30), "the daemon long-polls /sync")
    holder = hold_lock(db, 4)
    hs.call("POST", "/_inject", {"room": ROOM, "sender": "@al:localhost", "body": "hello"})
    time.sleep(0.5)
    before = len([q for q in hs.requests() if "/sync" in q["path"]])
    hs.call("POST", "/_inject", {"room": ROOM, "sender": "@al:localhost", "body": "again"})
    polled = wait_until(lambda: len([q for q in hs.requests() if "/sync" in q["path"]]) > before,
                        3)
    c.check(polled, "while a turn waits for the locked ledger, the daemon still polls /sync")
    holder.wait()
    c.check(wait_until(lambda: len(hs.sent()) >= 1, 20),
            "once the lock is released the waiting turn is answered", hs.sent())
    code, err = stop_frugal(p)
    c.check(code == 0, "the daemon stops cleanly", (code, (err or "")[-400:]))
hs.stop()
c.done()
