"""End to end: a long `frugal chat` conversation never sends more history than
`[agent] history_tokens` (estimated as bytes / 4 per message). Older turns are folded into
a summary by the cheapest chat-tier model, a paid call with its own ledger row ("history
summary"), and the summary is sent as a marked earlier-context message; a config still
naming history_messages stops with file:line:key. Prints the figures (request bytes of the
last turn, summary calls and their cost); `--turns 200` for the benchmark's length.
usage: python3 tests/e2e/test_history_budget.py [--turns N]   (default 120: under 30 s)"""
import argparse
import json
import os
import sqlite3

from harness import Checks, FakeModel, Workdir, config_text, frugal

ap = argparse.ArgumentParser()
ap.add_argument("--turns", type=int, default=120)
TURNS = ap.parse_args().turns
c = Checks()
BUDGET = 600
MODELS = """
[models.dear]
provider = "fake"
model = "fake-dear"
input_usd_per_mtok = 5.0
output_usd_per_mtok = 25.0
max_output_tokens = 1000
"""


def text(content):
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in content or [] if isinstance(p, dict))


def history_tokens(body):
    msgs = [m for m in body["messages"] if m["role"] != "system"]
    return sum((len(text(m.get("content")).encode()) + 3) // 4 for m in msgs[:-1])


def is_summary(body):
    return "Summarise" in text(body["messages"][0].get("content"))


with FakeModel() as fake, Workdir() as w:
    w.write_config(config_text(fake.url, w.state, models=MODELS,
                               tiers='chat = ["dear", "cheap"]\ntools = ["big"]',
                               agent_extra="history_tokens = %d" % BUDGET))
    lines = ["line %d: the build on host%d finished and the queue has %d jobs left, all fine"
             % (i, i % 7, i * 3) for i in range(TURNS)]
    r = frugal(w.config, "chat", "--tier", "chat", stdin="\n".join(lines) + "\n", timeout=120)
    c.check(r.returncode == 0, "%d chat lines answered" % TURNS, r.stderr[-500:])
    reqs = [q["body"] for q in fake.requests() if q.get("body") and "messages" in q["body"]]
    chats = [b for b in reqs if not is_summary(b)]
    summaries = [b for b in reqs if is_summary(b)]
    c.check(len(chats) == TURNS, "one request per line", len(chats))
    worst = max(history_tokens(b) for b in chats)
    c.check(worst <= BUDGET, "no request carries more than history_tokens of history",
            (worst, BUDGET))
    c.check(history_tokens(chats[-1]) > BUDGET // 4, "the last turn still carries history",
            history_tokens(chats[-1]))
    c.check(any("Summary of the earlier conversation" in text(m.get("content"))
                for m in chats[-1]["messages"]),
            "the last turn carries the marked summary", json.dumps(chats[-1])[:600])
    c.check(summaries and all(b["model"] == "fake-cheap" for b in summaries),
            "summaries are made by the cheapest chat model",
            [b["model"] for b in summaries][:5])
    c.check(all(b["model"] == "fake-dear" for b in chats), "answers come from the tier's first",
            {b["model"] for b in chats})
    db = sqlite3.connect(os.path.join(w.state, "frugal.db"))
    rows = db.execute("SELECT model, tier, state FROM ledger WHERE route_reason = "
                      "'history summary'").fetchall()
    c.check(len(rows) == len(summaries) and all(r == ("cheap", "chat", "settled") for r in rows),
            "every summary call has its settled ledger row", (len(rows), len(summaries), rows[:3]))
    cost = db.execute("SELECT COALESCE(SUM(actual_micro), 0) FROM ledger WHERE route_reason = "
                      "'history summary'").fetchone()[0]
    db.close()
    last_bytes = len(json.dumps(chats[-1]))
    print("figures: turn %d request body %d bytes, history %d tokens; %d summary calls, $%.6f"
          % (TURNS, last_bytes, history_tokens(chats[-1]), len(summaries), cost / 1e6))

    w.write_config(config_text(fake.url, w.state, agent_extra="history_messages = 20"))
    r = frugal(w.config, "ask", "hello")
    c.check(r.returncode == 2 and "history_messages" in r.stderr and "history_tokens" in r.stderr
            and ":" in r.stderr, "history_messages is refused naming the key and its successor",
            r.stderr)

c.done()
