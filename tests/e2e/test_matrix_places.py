"""End to end (issue 18 item 1, Matrix): a room is judged by its members, not by its
"direct" flag. The owner @alice and the bot alone in a room (invited as a direct chat): the
owner's "summarise my notes" reaches the private notes. Then @bob joins the same room: the
same question is answered as the owner's public self and the canary stays out of the room;
after bob leaves, the room is private again. Against the fake homeserver and fake model.
Before the fix, the answer with the canary went to the room while bob was in it."""
import os

from harness import (EVERY_TOOL_ON_BOTH_TIERS, Checks, FakeHomeserver, FakeModel, Workdir, config_text, env_for, frugal,
                     start_frugal, stop_frugal, wait_until)

TOKEN = "mx-secret-token-places"
ROOM = "!dm:localhost"
ALICE, BOB = "@alice:localhost", "@bob:localhost"
CANARY = "CANARY-18m-77d1e0"
c = Checks()


def tool_step(*calls):
    return {"tool_calls": [{"name": n, "arguments": a} for n, a in calls]}


SUMMARISE = [tool_step(("memory_recall", {"query": "notes"}), ("read_file", {"path": "notes.txt"})),
             {"content": "Your notes say: ", "echo_tools": True}]


def long_polling(hs, since_index):
    for r in hs.requests()[since_index:]:
        path = r["path"]
        if path.startswith("/_matrix/client/v3/sync") and "since=" in path and \
                "timeout=0" not in path:
            return True
    return False


def ask(hs, fake, text):
    """alice asks in the room; returns the bot's answer body ('' when none came)."""
    fake.reset()
    fake.script(*SUMMARISE)
    before = len(hs.sent())
    hs.call("POST", "/_inject", {"room": ROOM, "sender": ALICE, "body": text})
    wait_until(lambda: len(hs.sent()) > before, 30)
    sent = hs.sent()[before:]
    return sent[0]["content"].get("body", "") if sent else ""


hs = FakeHomeserver(TOKEN)
with FakeModel() as fake, Workdir() as w:
    os.chmod(w.dir, 0o711)  # as root, sandboxed programs run as nobody and need a way in
    w.write_config(config_text(fake.url, w.state, tiers=EVERY_TOOL_ON_BOTH_TIERS,
                               extra=f"""
[transports.matrix.main]
homeserver = "{hs.url}"
access_token_env = "MATRIX_TOKEN"
owners = ["{ALICE}"]
allowed = ["{BOB}"]

[realms.public]
tools = ["clock", "memory_recall", "read_file"]
rate_per_minute = 0
"""))
    fake.script(tool_step(("memory_remember", {"text": "my notes: " + CANARY})), {"content": "ok"},
                tool_step(("write_file", {"path": "notes.txt", "content": CANARY + "\n"})),
                {"content": "ok"})
    r1 = frugal(w.config, "ask", "remember my notes", env=env_for(MATRIX_TOKEN=TOKEN))
    r2 = frugal(w.config, "ask", "write my notes", env=env_for(MATRIX_TOKEN=TOKEN))
    c.check(r1.returncode == 0 and r2.returncode == 0, "the owner fills the private store",
            (r1.stderr[-300:], r2.stderr[-300:]))

    before = len(hs.requests())
    p = start_frugal(w.config, "run", env=env_for(MATRIX_TOKEN=TOKEN))
    c.check(wait_until(lambda: long_polling(hs, before) or p.poll() is not None, 30)
            and p.poll() is None, "frugal run long-polls /sync")
    hs.call("POST", "/_invite", {"room": ROOM, "inviter": ALICE, "is_direct": True})
    c.check(wait_until(lambda: ROOM in hs.call("GET", "/_state")["joined"], 20),
            "the bot joins alice's direct chat")

    body = ask(hs, fake, "summarise my notes")
    c.check(CANARY in body, "alone with the bot, the owner gets the private notes", body)

    hs.call("POST", "/_room", {"room": ROOM, "members": [BOB]})
    body = ask(hs, fake, "bot: summarise my notes")
    c.check(body.startswith("Your notes say"), "with bob in the room there is still an answer",
            body)
    c.check(CANARY not in body, "with bob in the room the private notes stay out of it", body)
    asked = str([q["body"] for q in fake.requests()])
    c.check(CANARY not in asked, "no private-store content entered that turn", asked[-400:])

    hs.call("POST", "/_leave", {"room": ROOM, "user": BOB})
    body = ask(hs, fake, "summarise my notes")
    c.check(CANARY in body, "after bob left, the room is private again", body)

    code, err = stop_frugal(p)
    c.check(code == 0, "SIGTERM stops the daemon cleanly", (code, (err or "")[-1500:]))
hs.stop()
c.done()
