"""End to end: a lost ledger does not reset the day. After paid asks, the database is
deleted, emptied to 0 bytes, or replaced by an older copy of itself: each time `frugal ask`
must refuse to make a paid call (exit 1, the message says what happened and how to accept
the new ledger) instead of starting the day again at $0. Putting the real ledger back
works again, and `frugal budget --accept-new-ledger` takes a new one on purpose."""
import os
import shutil
import sqlite3

from harness import Checks, FakeModel, Workdir, config_text, frugal

c = Checks()


def db_files(state):
    return [os.path.join(state, "frugal.db" + s) for s in ("", "-wal", "-shm")]


def move_db(state, dest):
    os.makedirs(dest, exist_ok=True)
    for f in db_files(state):
        if os.path.exists(f):
            shutil.move(f, os.path.join(dest, os.path.basename(f)))


def snapshot(state, dest):
    src = sqlite3.connect(os.path.join(state, "frugal.db"))
    dst = sqlite3.connect(dest)
    src.backup(dst)
    dst.close()
    src.close()


def refused(label, r, fake, why):
    c.check(r.returncode == 1 and "--accept-new-ledger" in r.stderr and why in r.stderr,
            label + ": the paid ask is refused (exit 1) and says how to accept the ledger",
            (r.returncode, r.stderr[-600:]))
    c.check(not fake.requests(), label + ": no model was called", len(fake.requests()))


with FakeModel() as fake, Workdir() as w:
    w.write_config(config_text(fake.url, w.state, tiers='chat = ["cheap"]\ntools = ["cheap"]'))
    r = frugal(w.config, "ask", "first")
    c.check(r.returncode == 0, "a first paid ask answers", r.stderr[-300:])
    seal = os.path.join(w.state, "ledger.seal")
    c.check(os.path.exists(seal) and (os.stat(seal).st_mode & 0o777) == 0o600,
            "the seal sits beside the database, mode 0600", os.listdir(w.state))
    old = os.path.join(w.dir, "old.db")
    snapshot(w.state, old)
    r = frugal(w.config, "ask", "second")
    c.check(r.returncode == 0, "a second paid ask answers", r.stderr[-300:])

    # Deleted.
    kept = os.path.join(w.dir, "kept")
    move_db(w.state, kept)
    fake.reset()
    refused("deleted ledger", frugal(w.config, "ask", "after delete"), fake, "deleted or emptied")
    # The real ledger put back is accepted without any command.
    for f in db_files(w.state):
        if os.path.exists(f):
            os.unlink(f)
    move_db(kept, w.state)
    r = frugal(w.config, "ask", "with the real ledger back")
    c.check(r.returncode == 0, "the real ledger put back works again", r.stderr[-400:])

    # An older copy restored.
    for f in db_files(w.state):
        if os.path.exists(f):
            os.unlink(f)
    shutil.copy(old, os.path.join(w.state, "frugal.db"))
    fake.reset()
    refused("older copy", frugal(w.config, "ask", "after restore"), fake, "older copy")

    # Emptied to 0 bytes.
    for f in db_files(w.state):
        if os.path.exists(f):
            os.unlink(f)
    open(os.path.join(w.state, "frugal.db"), "w").close()
    fake.reset()
    refused("0-byte ledger", frugal(w.config, "ask", "after truncate"), fake, "deleted or emptied")

    r = frugal(w.config, "budget", "--accept-new-ledger")
    c.check(r.returncode == 0 and "accepted" in r.stderr,
            "frugal budget --accept-new-ledger takes the new ledger", (r.returncode, r.stderr))
    r = frugal(w.config, "ask", "after accepting")
    c.check(r.returncode == 0 and len(fake.requests()) == 1,
            "after accepting, paid asks work again", (r.returncode, r.stderr[-400:]))

c.done()
