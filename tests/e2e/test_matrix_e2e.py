"""End to end: `frugal run` with one Matrix account against the fake homeserver
(tests/fakes/fake_homeserver.py) and the fake model. A message that mentions the bot gets
one formatted answer; a restart does not answer it again; a send whose first PUT is
dropped after the server stored the event still makes exactly one event; the access token
never appears in the output."""
import json
import time

from harness import (Checks, FakeHomeserver, FakeModel, Workdir, config_text, env_for,
                     start_frugal, stop_frugal, wait_until)

TOKEN = "mx-secret-token-0123456789"
ROOM = "!room:localhost"
c = Checks()


def long_polling(hs, since_index):
    """True once a /sync that waits (since=, timeout not 0) came after request #since_index."""
    for r in hs.requests()[since_index:]:
        path = r["path"]
        if path.startswith("/_matrix/client/v3/sync") and "since=" in path and \
                "timeout=0" not in path:
            return True
    return False


def start(w, hs):
    """Starts the daemon and waits until it long-polls (caught up with the homeserver)."""
    before = len(hs.requests())
    p = start_frugal(w.config, "run", env=env_for(MATRIX_TOKEN=TOKEN))
    ok = wait_until(lambda: long_polling(hs, before) or p.poll() is not None, 30)
    return p, ok and p.poll() is None


hs = FakeHomeserver(TOKEN)
with FakeModel() as fake, Workdir() as w:
    hs.call("POST", "/_room", {"room": ROOM, "members": ["@al:localhost", "@carol:localhost"]})
    w.write_config(config_text(fake.url, w.state, extra=f"""
[transports.matrix.main]
homeserver = "{hs.url}"
access_token_env = "MATRIX_TOKEN"
rooms = ["{ROOM}"]
allowed = ["@al:localhost"]
respond_to = "mention"
"""))

    p, up = start(w, hs)
    c.check(up, "frugal run joins the room and long-polls /sync")
    c.check(ROOM in hs.call("GET", "/_state")["joined"], "the configured room was joined")

    fake.script({"content": "**pong** from the model"})
    hs.call("POST", "/_inject", {"room": ROOM, "sender": "@al:localhost", "body": "bot: ping"})
    c.check(wait_until(lambda: len(hs.sent()) >= 1, 30), "a message that mentions the bot is answered")
    sent = hs.sent()
    if sent:
        c.check(sent[0]["room"] == ROOM and sent[0]["content"].get("body") ==
                "**pong** from the model", "the answer goes to the room as sent by the model",
                sent[0])
        c.check(sent[0]["content"].get("formatted_body") ==
                "<p><strong>pong</strong> from the model</p>",
                "the Markdown is sent as formatted_body HTML", sent[0])
    asked = json.dumps(fake.requests())
    c.check("ping" in asked and "bot: ping" not in asked,
            "the model sees the text without the addressing prefix", asked[:500])
    hs.call("POST", "/_inject", {"room": ROOM, "sender": "@carol:localhost",
                                 "body": "just talking among ourselves"})
    time.sleep(1.5)
    c.check(len(fake.requests()) == 1, "room chatter without a mention is not answered",
            len(fake.requests()))

    code, err = stop_frugal(p)
    c.check(code == 0, "SIGTERM stops the daemon cleanly", (code, err[-1500:]))
    c.check(TOKEN not in err, "the access token never appears in the log")

    # Restart on the same state folder: the answered message is not answered again.
    model_calls = len(fake.requests())
    p, up = start(w, hs)
    c.check(up, "the restarted daemon catches up and long-polls")
    time.sleep(2)
    c.check(len(hs.sent()) == 1 and len(fake.requests()) == model_calls,
            "a restart does not answer the same message twice",
            (len(hs.sent()), len(fake.requests())))

    # A reply whose first PUT is stored by the server but the connection drops.
    fake.script({"content": "second answer"})
    hs.call("POST", "/_fault", {"kind": "drop", "count": 1, "method": "PUT"})
    hs.call("POST", "/_inject", {"room": ROOM, "sender": "@al:localhost",
                                 "body": "bot: again please"})
    puts = lambda: [r for r in hs.requests() if r["method"] == "PUT"]
    c.check(wait_until(lambda: len(puts()) >= 3, 30), "the dropped send is retried")
    time.sleep(1)
    sent = hs.sent()
    c.check(len(sent) == 2 and sent[-1]["content"].get("body") == "second answer",
            "a retried send after a dropped connection makes one event, not two",
            [s["content"].get("body") for s in sent])
    last = puts()[-2:]
    c.check(len(last) == 2 and last[0]["path"] == last[1]["path"],
            "the retry reused the transaction id", last)
    c.check(p.poll() is None, "the daemon is still running")
    code, err = stop_frugal(p)
    c.check(code == 0 and TOKEN not in err, "second run stops cleanly without leaking the token",
            (code, err[-1500:]))
hs.stop()
c.done()
