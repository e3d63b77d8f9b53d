"""End to end: cheap-first tool turns ([router] tool_turns, issue 15). A turn the classifier
labels "tools" starts on the chat tier when that tier holds tools for the realm: the cheap
model does an easy task with its own tools, and calls `escalate` for a hard one (the fake
model calls only tools its request offers: `if_absent`), which re-runs the turn on the
tools tier. `ask --dry-run` names the route; the ledger records both tiers; tool_turns =
"tools_tier" keeps the old way. Before: every tools-labelled turn went straight to the
tools tier (fake-big), cheap model never asked."""
import json
import os
import sqlite3

from harness import Checks, FakeModel, Workdir, config_text, frugal

c = Checks()
EASY = "what time is it in Tokyo right now?"
HARD = "read notes.txt, list the workspace, then write a summary to summary.txt"
ESCALATE = {"tool_calls": [{"name": "escalate", "arguments": {"reason": "needs write_file"}}],
            "if_absent": {"content": "I cannot do that here."}}


def cheap_step(name, args):
    """The cheap model's first move: `name` if its request offers it, else escalate."""
    return {"model": "fake-cheap", "tool_calls": [{"name": name, "arguments": args}],
            "if_absent": ESCALATE}


def tools_of(req):
    return sorted(t["function"]["name"] for t in req["body"].get("tools", []))


def ledger(w):
    db = sqlite3.connect(os.path.join(w.state, "frugal.db"))
    try:
        return db.execute("SELECT tier, model, route_reason, state FROM ledger "
                          "ORDER BY id").fetchall()
    finally:
        db.close()


with FakeModel() as fake, Workdir() as w:
    w.write_config(config_text(fake.url, w.state))
    os.makedirs(os.path.join(w.state, "workspaces", "private"), exist_ok=True)
    with open(os.path.join(w.state, "workspaces", "private", "notes.txt"), "w") as f:
        f.write("open: rotate logs\n")

    r = frugal(w.config, "ask", "--dry-run", EASY)
    route = next((l for l in r.stdout.splitlines() if l.startswith("route: ")), "")
    c.check(r.returncode == 0 and " → tools → chat (cheap-first: " in route and
            "escalate → tools)" in route and "model: cheap (fake-cheap)" in r.stdout,
            "--dry-run: a tools turn is quoted cheap-first on the chat tier", r.stdout)

    # Easy: the cheap model has the clock; it answers with it, never escalating.
    fake.reset()
    fake.script(cheap_step("clock", {"zone": "Asia/Tokyo"}),
                {"model": "fake-cheap", "content": "It is evening in Tokyo."},
                {"model": "fake-big", "content": "the big model was asked"})
    r = frugal(w.config, "ask", EASY)
    reqs = fake.requests()
    models = [q["body"]["model"] for q in reqs]
    c.check(r.returncode == 0 and r.stdout == "It is evening in Tokyo.\n" and
            models == ["fake-cheap", "fake-cheap"],
            "an easy tool task runs on the cheap model with its tools", (models, r.stdout, r.stderr))
    if reqs:
        offered = tools_of(reqs[0])
        c.check("clock" in offered and "escalate" in offered and "write_file" not in offered
                and "shell" not in offered,
                "the cheap model is offered the chat tier's tools and escalate only", offered)
    if len(reqs) == 2:
        c.check("Asia/Tokyo" in json.dumps(reqs[1]["body"]["messages"]),
                "the clock's output goes back to the cheap model")
    rows = ledger(w)
    c.check(len(rows) == 2 and all(t == "chat" and m == "cheap" and "cheap-first" in why and
                                   s == "settled" for t, m, why, s in rows),
            "the ledger rows are the chat tier's, with the cheap-first reason", rows)

    # Hard: write_file is not on the chat tier, so the cheap model escalates; the tools
    # tier does it with the realm's tools (the file is really written).
    fake.reset()
    fake.script(cheap_step("write_file", {"path": "summary.txt", "content": "open: logs"}),
                {"model": "fake-big", "tool_calls": [
                    {"name": "write_file", "arguments": {"path": "summary.txt",
                                                         "content": "open: rotate logs\n"}}]},
                {"model": "fake-big", "content": "Wrote summary.txt."})
    r = frugal(w.config, "ask", HARD)
    reqs = fake.requests()
    models = [q["body"]["model"] for q in reqs]
    first = reqs[0]["body"]["messages"] if reqs else []
    c.check(r.returncode == 0 and r.stdout == "Wrote summary.txt.\n" and
            models == ["fake-cheap", "fake-big", "fake-big"],
            "a hard tool task escalates from the cheap model to the tools tier",
            (models, r.stdout, r.stderr))
    if len(reqs) == 3:
        c.check("write_file" in tools_of(reqs[1]) and "escalate" not in tools_of(reqs[1]),
                "the tools tier gets the realm's tools, and no escalate", tools_of(reqs[1]))
        c.check(len(reqs[1]["body"]["messages"]) == len(first),
                "the tools tier starts from the user's message, not the cheap model's call")
    summary = os.path.join(w.state, "workspaces", "private", "summary.txt")
    c.check(os.path.exists(summary), "the escalated turn's tool ran in the workspace")
    rows = ledger(w)[2:]
    c.check([(t, m) for t, m, _, _ in rows] == [("chat", "cheap"), ("tools", "big"),
                                                 ("tools", "big")] and
            "cheap-first" in rows[0][2] and rows[1][2] == "escalated from chat",
            "the ledger records the cheap call and the escalation", rows)

    # The old way, as a config choice: straight to the tools tier.
    w.write_config(config_text(fake.url, w.state, extra='[router]\ntool_turns = "tools_tier"\n'))
    fake.reset()
    fake.script({"model": "fake-big", "content": "from the tools tier"})
    r = frugal(w.config, "ask", EASY)
    models = [q["body"]["model"] for q in fake.requests()]
    c.check(r.returncode == 0 and models == ["fake-big"],
            'tool_turns = "tools_tier" sends tools turns to the tools tier', (models, r.stderr))

    w.write_config(config_text(fake.url, w.state, extra='[router]\ntool_turns = "cheap"\n'))
    r = frugal(w.config, "ask", EASY)
    c.check(r.returncode == 2 and "router.tool_turns" in r.stderr and "cheap_first" in r.stderr,
            "a wrong tool_turns value is refused naming the key and the choices", r.stderr)

c.done()
