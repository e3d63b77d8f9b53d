"""End to end: Matrix delivery is at-least-once without duplicates. A message arrives,
its model call is in flight, and the daemon is killed (-9): the sync token has already
moved past the message. After the restart the message is answered (it was kept as
pending before the token advanced), exactly once, and a further restart answers nothing
again. Before: the message was lost."""
import signal

from harness import (matrix_section, Checks, FakeHomeserver, FakeModel, Workdir, config_text, env_for,
                     start_frugal, stop_frugal, wait_until)

TOKEN = "mx-secret-token-0123456789"
ROOM = "!room:localhost"
c = Checks()


def start(w, hs):
    seen = len(hs.requests())
    p = start_frugal(w.config, "run", env=env_for(MATRIX_TOKEN=TOKEN))
    up = wait_until(lambda: p.poll() is not None or any(
        "/sync" in q["path"] and "since=" in q["path"] and "timeout=0" not in q["path"]
        for q in hs.requests()[seen:]), 30)
    return p, up and p.poll() is None


hs = FakeHomeserver(TOKEN)
with FakeModel() as fake, Workdir() as w:
    hs.call("POST", "/_room", {"room": ROOM, "members": ["@al:localhost"]})
    w.write_config(config_text(fake.url, w.state, extra=matrix_section(
        hs.url, ROOM, owners=["@al:localhost"], respond_to="all")))
    p, up = start(w, hs)
    c.check(up, "the daemon starts and long-polls")
    fake.script({"match": "important", "fault": "hang"})
    hs.call("POST", "/_inject", {"room": ROOM, "sender": "@al:localhost",
                                 "body": "an important question"})
    c.check(wait_until(lambda: len(fake.requests()) >= 1, 20), "the model call is in flight")
    # Let the daemon long-poll again: its token is now past the message.
    n = len(hs.requests())
    wait_until(lambda: any("/sync" in q["path"] for q in hs.requests()[n:]), 5)
    p.send_signal(signal.SIGKILL)
    p.wait(10)
    c.check(not hs.sent(), "nothing was answered before the kill", hs.sent())

    fake.reset()
    fake.script({"match": "important", "content": "the answer, after all"})
    p, up = start(w, hs)
    c.check(up, "the daemon restarts")
    answered = wait_until(lambda: len(hs.sent()) >= 1, 30)
    bodies = [e["content"].get("body") for e in hs.sent()]
    c.check(answered and bodies == ["the answer, after all"],
            "the message received before the kill is answered after the restart", bodies)
    code, err = stop_frugal(p)
    c.check(code == 0, "the daemon stops cleanly", (code, (err or "")[-300:]))

    p, up = start(w, hs)
    wait_until(lambda: len(hs.sent()) > 1, 3)
    code, err = stop_frugal(p)
    bodies = [e["content"].get("body") for e in hs.sent()]
    c.check(len(bodies) == 1 and len(fake.requests()) == 1,
            "a further restart answers nothing twice", (bodies, len(fake.requests())))
hs.stop()
c.done()
