"""End to end: a storage fault is not a budget refusal. With the state folder on a real,
full filesystem (a 4 MiB tmpfs mounted for the test, filled to the last block), `frugal
ask` cannot write its reservation: it must exit 1 naming the database and the cause, call
no model, and never exit 3 (which cron jobs read as "refused, try tomorrow").
Needs CAP_SYS_ADMIN for the mount (CI runs as root); without it the fault is made with
RLIMIT_FSIZE instead, so the write still really fails."""
import os
import resource
import signal
import sqlite3
import subprocess
import tempfile

from harness import BINARY, Checks, FakeModel, Workdir, config_text, env_for, frugal

c = Checks()


def fill(path):
    """Writes `path` until the filesystem refuses a byte."""
    with open(path, "wb", buffering=0) as f:
        chunk = b"\0" * 65536
        try:
            while True:
                f.write(chunk)
        except OSError:
            pass
        try:
            while True:
                f.write(b"\0")
        except OSError:
            pass


with FakeModel() as fake, Workdir() as w:
    mnt = os.path.join(w.dir, "state")
    os.makedirs(mnt)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", mnt],
                             capture_output=True).returncode == 0
    try:
        w.write_config(config_text(fake.url, w.state))
        fake.script({"content": "first answer"})
        r = frugal(w.config, "ask", "prepare the ledger")
        c.check(r.returncode == 0, "the first ask answers and creates the ledger", r.stderr[-400:])
        db_path = os.path.join(w.state, "frugal.db")
        # Keep the -wal and -shm files alive and the WAL empty, so the ask opens and reads
        # the ledger and fails only when it writes its reservation.
        keeper = sqlite3.connect(db_path)
        keeper.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        preexec = None
        if mounted:
            fill(os.path.join(mnt, "filler"))
            how = "a full tmpfs"
        else:
            limit = os.path.getsize(db_path)

            def preexec():
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
            how = "RLIMIT_FSIZE (no mount permission)"
        fake.reset()
        fake.script({"content": "must not be asked"})
        p = subprocess.run([BINARY, "--config", w.config, "ask", "a question on " + how],
                           capture_output=True, text=True, timeout=60, env=env_for(),
                           preexec_fn=preexec)
        keeper.close()
        print("     (%s) exit %d, stderr: %s" % (how, p.returncode, p.stderr.strip()[-300:]))
        c.check(p.returncode == 1, "a storage fault exits 1, not 3 (refused)",
                (p.returncode, p.stderr[-500:]))
        c.check(db_path in p.stderr and ("full" in p.stderr or "disk" in p.stderr),
                "the message names the database file and the cause", p.stderr[-500:])
        c.check(not fake.requests(), "no model was called without a reservation",
                len(fake.requests()))
    finally:
        if mounted:
            subprocess.run(["umount", "-l", mnt])

c.done()
