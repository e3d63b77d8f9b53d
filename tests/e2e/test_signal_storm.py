"""End to end: a storm of SIGTERM/SIGINT never kills `frugal run` before it has closed the
ledger. With a model call hanging, the first SIGTERM starts the drain, the second cuts it
short (the call is cancelled and its reservation charged in full), and the dozens that
follow during teardown are ignored: exit 0, "stopped" logged, nothing left reserved.
Before: a signal arriving after the drain (signal handles closed) killed the process
with exit 143 and "stopped" was never logged."""
import signal
import time

from harness import (matrix_section, Checks, FakeHomeserver, FakeModel, Workdir, budget_json, config_text,
                     env_for, start_frugal, wait_until)

TOKEN = "mx-secret-token-0123456789"
ROOM = "!room:localhost"
c = Checks()

hs = FakeHomeserver(TOKEN)
with FakeModel() as fake, Workdir() as w:
    hs.call("POST", "/_room", {"room": ROOM, "members": ["@al:localhost"]})
    w.write_config(config_text(fake.url, w.state, extra=matrix_section(
        hs.url, ROOM, owners=["@al:localhost"], respond_to="all")))
    for label, storm in (("a second SIGTERM during the drain", [signal.SIGTERM] * 2),
                         ("a storm of 40 SIGTERM/SIGINT", [signal.SIGTERM, signal.SIGINT] * 20)):
        fake.reset()
        fake.script({"fault": "hang"})
        seen = len(hs.requests())
        p = start_frugal(w.config, "run", env=env_for(MATRIX_TOKEN=TOKEN))
        up = wait_until(lambda: any("/sync" in q["path"] and "since=" in q["path"]
                                    for q in hs.requests()[seen:]), 30)
        hs.call("POST", "/_inject", {"room": ROOM, "sender": "@al:localhost", "body": "hang"})
        called = wait_until(lambda: len(fake.requests()) >= 1, 20)
        c.check(up and called, label + ": the daemon is up and a model call hangs")
        t0 = time.time()
        for n, sig in enumerate(storm):
            if p.poll() is not None:
                break
            p.send_signal(sig)
            time.sleep(0.3 if n == 0 else 0.002)
        try:
            _, err = p.communicate(timeout=30)
        except Exception:
            p.kill()
            _, err = p.communicate()
        took = time.time() - t0
        print("     %s: exit %s after %.1f s" % (label, p.returncode, took))
        c.check(p.returncode == 0 and "daemon: stopped" in err,
                label + ": exit 0 and \"stopped\" logged", (p.returncode, err[-600:]))
        c.check(took < 10, label + ": the drain (20 s) is cut short", took)
        b = budget_json(w.config)
        c.check(b["reserved_usd"] == 0 and b["spent_usd"] > 0,
                label + ": the cancelled call's reservation is charged, nothing left open", b)
hs.stop()
c.done()
