"""routing_bench.py: what routing, one-shot asks, per-tier tool sets and prompt caching
save on a scripted 200-turn day, billed honestly. The fake model bills input from the bytes
it received (~4 bytes a token), prompt caching by each API's documented rules, and output
from what it sends; the dollars are the ledger's (`frugal budget --json`).

The day (fixed seed): a channel conversation on `frugal chat` (history kept: small talk,
knowledge and code questions, a few tool tasks), cron `ask`s piping logs of a few KB, and
`ask` tool tasks of varied difficulty. The fake plays both models: the cheap (chat tier)
one answers what it can; on an easy or medium tool task it calls the one tool the task
needs only if its request offers it (the fake's `if_absent`), else it calls `escalate`; on
a hard (multi-step) task it escalates. The capable (tools tier) one does every tool task in
1-3 tool steps. With the default `[router] tool_turns = "cheap_first"` a tools-labelled
turn starts on the chat tier when it holds tools (`--tool-turns tools_tier`: the old way).
The day runs twice: routed, and with every turn forced onto the tools tier (`--tier tools`).

Prints dollars routed vs all-tools, request bytes per turn (median, p95), the cached share
of input tokens, calls per model, and the floor: what the routed day would cost if every
input token the cheap model read were free (the capable model's calls as billed plus the
cheap model's output), the least any prompt trimming or caching could reach.
usage: python3 tests/bench/routing_bench.py [BINARY] [--kind anthropic|openai] [--turns N]
       [--breakdown] [--tool-turns cheap_first|tools_tier] [--only routed|tools]"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys

ap = argparse.ArgumentParser()
ap.add_argument("binary", nargs="?", default="build-release/frugal")
ap.add_argument("--kind", choices=("anthropic", "openai"), default="anthropic")
ap.add_argument("--turns", type=int, default=200)
ap.add_argument("--only", choices=("routed", "tools"), default=None)
ap.add_argument("--breakdown", action="store_true",
                help="also print where the dollars go: per turn class and model, input "
                     "(uncached), cache read, cache write, output (list prices, from /_billed)")
ap.add_argument("--tool-turns", choices=("cheap_first", "tools_tier"), default=None,
                help="[router] tool_turns for the routed run (default: the binary's own)")
args = ap.parse_args()
binary = os.path.abspath(args.binary)
os.environ["FRUGAL_BINARY"] = binary
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from harness import FakeModel, Workdir, budget_json, env_for  # noqa: E402

CHEAP, CAPABLE = (("claude-haiku-4-5", "claude-sonnet-4-6") if args.kind == "anthropic"
                  else ("gpt-5-mini", "gpt-5"))

SMALL_TALK = ["hi all", "morning!", "lol nice", "thanks, that helps", "how are you today?",
              "brb coffee", "haha fair enough", "good night folks", "tell me a short joke",
              "anyone around?", "congrats on the release!", "that's wild"]
KNOWLEDGE = ["what's the capital of Peru?", "explain what a mutex is in two sentences",
             "what does TLS stand for?", "is 97 prime?", "why is the sky blue?",
             "what's the difference between TCP and UDP?", "who wrote The Left Hand of Darkness?",
             "how does a B-tree differ from a binary search tree?",
             "Explain this code: ```cpp\nstd::unique_ptr<int> p = std::make_unique<int>(3);\n```",
             "what is a closure in JavaScript?", "what does `git rebase -i` do?",
             "wie spät ist es in Tokio, ungefähr, im Vergleich zu Berlin?",
             "¿qué es un puntero en C?", "quelle est la différence entre un thread et un processus ?"]
# (text, difficulty): easy = one clock call, medium = one workspace or memory tool, hard =
# several steps ending in a write. CALLS: the tool calls each task takes, in order.
TASKS = [("what time is it in Tokyo right now?", "easy"),
         ("what's the date today in UTC?", "easy"),
         ("list the files in the workspace", "medium"),
         ("read notes.txt and tell me the open items", "medium"),
         ("what did I ask you to remember about the backup?", "medium"),
         ("remember that the backup runs at 02:00", "medium"),
         ("read notes.txt, list the workspace, then write a summary to summary.txt", "hard"),
         ("check what's in the workspace and write a todo file from notes.txt", "hard"),
         ("look up what I told you about the deploy and write it down in deploy.txt", "hard")]
READ, LIST = ("read_file", {"path": "notes.txt"}), ("list_dir", {"path": "."})
CALLS = {TASKS[0][0]: [("clock", {"zone": "Asia/Tokyo"})],
         TASKS[1][0]: [("clock", {})],
         TASKS[2][0]: [LIST],
         TASKS[3][0]: [READ],
         TASKS[4][0]: [("memory_recall", {"query": "backup"})],
         TASKS[5][0]: [("memory_remember", {"text": "the backup runs at 02:00"})],
         TASKS[6][0]: [READ, LIST, ("write_file", {"path": "summary.txt",
                                                    "content": "open: rotate logs, renew cert"})],
         TASKS[7][0]: [LIST, READ, ("write_file", {"path": "todo.txt",
                                                    "content": "- rotate logs\n- renew cert"})],
         TASKS[8][0]: [("memory_recall", {"query": "deploy"}),
                       ("write_file", {"path": "deploy.txt", "content": "deploy notes"})]}

rng = random.Random(7)


def words(n):
    pool = ("the service restarted cleanly after the update and the disk has room; "
            "nothing else needs attention today, though the log rotation ran late").split()
    return " ".join(rng.choice(pool) for _ in range(n))


def make_day(n):
    day = []
    n_cron = max(2, n // 20)
    n_tasks = n // 5
    n_chan = n - n_cron - n_tasks
    for _ in range(n_chan):
        r = rng.random()
        if r < 0.55:
            day.append(("chan", "talk", rng.choice(SMALL_TALK), rng.randint(15, 40)))
        elif r < 0.88:
            day.append(("chan", "know", rng.choice(KNOWLEDGE), rng.randint(60, 160)))
        else:
            t, d = rng.choice(TASKS)
            day.append(("chan", d, t, rng.randint(30, 80)))
    for _ in range(n_cron):
        log = "\n".join("Dec  1 0%d:%02d host kernel: %s" % (rng.randint(0, 9), rng.randint(0, 59),
                                                           words(8))
                        for _ in range(rng.randint(30, 90)))
        day.append(("cron", "know", "summarise tonight's log:\n" + log, rng.randint(80, 160)))
    for _ in range(n_tasks):
        t, d = rng.choice(TASKS)
        day.append(("ask", d, t, rng.randint(30, 80)))
    # Channel turns keep their order; asks are spread through the day.
    chan = [t for t in day if t[0] == "chan"]
    rest = [t for t in day if t[0] != "chan"]
    out = list(chan)
    for t in rest:
        out.insert(rng.randint(0, len(out)), t)
    return out


def script_turn(fake, kind, difficulty, text, out_words):
    """Steps for both models; the one the router picks consumes its own. The cheap model
    calls only tools its request offers (if_absent): without the task's tool it escalates,
    and without escalate it answers as best it can."""
    answer = {"content": words(out_words)}
    m = (text if kind != "chan" else text.replace("\n", " "))[:40]
    if kind == "cron" or difficulty in ("talk", "know"):
        fake.script(dict(answer, model=CHEAP, match=m), dict(answer, model=CAPABLE, match=m))
        return
    calls = CALLS[text]
    cap = [{"tool_calls": [{"name": n, "arguments": a}], "model": CAPABLE, "match": m}
           for n, a in calls]
    fake.script(*cap, dict(answer, model=CAPABLE, match=m))
    escalate = {"tool_calls": [{"name": "escalate", "arguments": {"reason": "needs tools"}}],
                "if_absent": answer}
    if difficulty == "hard":
        fake.script(dict(escalate, model=CHEAP, match=m))
    else:
        fake.script({"tool_calls": [{"name": calls[0][0], "arguments": calls[0][1]}],
                     "model": CHEAP, "match": m, "if_absent": escalate},
                    dict(answer, model=CHEAP, match=m))


def config(fake, w):
    base = fake.url + ("/v1" if args.kind == "openai" else "")
    router = ('\n[router]\ntool_turns = "%s"\n' % args.tool_turns) if args.tool_turns else ""
    return f"""
[agent]
state_dir = "{w.state}"
system_prompt = "You are frugal, a concise and helpful assistant in #ops."
turn_deadline_s = 60

[providers.remote]
kind = "{args.kind}"
base_url = "{base}"
api_key_env = "FAKE_API_KEY"

[models.cheap]
provider = "remote"
model = "{CHEAP}"
max_output_tokens = 1024

[models.capable]
provider = "remote"
model = "{CAPABLE}"
max_output_tokens = 2048

[tiers]
chat = ["cheap"]
tools = ["capable"]

[budget]
daily_usd = 100.0
{router}
[realms.private]
owners = ["stdin"]
"""


def run(forced):
    with FakeModel("--keep-requests", "200", "--prompt-cache") as fake, Workdir() as w:
        w.write_config(config(fake, w))
        os.makedirs(os.path.join(w.state, "workspaces", "private"), exist_ok=True)
        with open(os.path.join(w.state, "workspaces", "private", "notes.txt"), "w") as f:
            f.write("open: rotate logs\nopen: renew cert\ndone: backup test\n" * 5)
        env = env_for(ASAN_OPTIONS="detect_leaks=0")
        tier = ["--tier", "tools"] if forced else []
        chat = subprocess.Popen([binary, "--config", w.config, "--log-level", "error", "chat"] +
                                tier, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, env=env)
        per_turn, calls, cached, inputs, parts = [], {}, 0, 0, {}
        for kind, difficulty, text, out_words in day:
            fake.reset()
            script_turn(fake, kind, difficulty, text, out_words)
            if kind == "chan":
                chat.stdin.write(text.replace("\n", " ") + "\n")
                chat.stdin.flush()
                chat.stdout.readline()
            else:
                subprocess.run([binary, "--config", w.config, "--log-level", "error", "ask"] +
                               tier + [text], capture_output=True, env=env)
            reqs = fake.requests()
            per_turn.append(sum(q.get("bytes", 0) for q in reqs))
            for q in reqs:
                model = (q.get("body") or {}).get("model", "?")
                calls[model] = calls.get(model, 0) + 1
            cls = "cron ask" if kind == "cron" else (
                "chan chat" if difficulty in ("talk", "know") else kind + " " + difficulty)
            for u in fake.call("GET", "/_billed"):
                row = parts.setdefault((cls, u.get("model", "?")), [0, 0, 0, 0, 0])
                row[0] += 1
                for i, k in enumerate(("input", "cached", "cache_write", "output")):
                    row[i + 1] += u.get(k, 0)
                if args.kind == "anthropic":
                    inputs += u.get("input", 0) + u.get("cached", 0) + u.get("cache_write", 0)
                else:
                    inputs += u.get("input", 0)
                cached += u.get("cached", 0)
        chat.stdin.close()
        chat.wait(timeout=60)
        spent = budget_json(w.config)["spent_usd"]
        return {"usd": spent, "bytes": per_turn, "cached": cached / max(1, inputs),
                "calls": calls, "inputs": inputs, "parts": parts}


# $/Mtok (input, cached read, output) as in budget/prices.cpp; Anthropic writes 1.25 × input.
PRICES = {"claude-haiku-4-5": (1.0, 0.1, 5.0), "claude-sonnet-4-6": (3.0, 0.3, 15.0),
          "gpt-5-mini": (0.25, 0.025, 2.0), "gpt-5": (1.25, 0.125, 10.0)}


def dollars(parts):
    """(list-price dollars, the floor) of a run's billed parts. The floor is what the run
    would cost if every input token the cheap model read were free: the capable model's
    calls as billed, plus the cheap model's output. Routing cannot go below it on this
    day without moving tool tasks off the capable model (the chat tier holds read-only
    tools only) or shortening the answers."""
    total = floor = 0
    for (cls, model), (n, inp, rd, wr, out) in parts.items():
        pi, pc, po = PRICES.get(model, (0, 0, 0))
        if args.kind == "openai":  # prompt_tokens includes the cached part
            inp -= rd
        cost = (inp * pi + rd * pc + wr * pi * 1.25 + out * po) / 1e6
        total += cost
        floor += cost if model == CAPABLE else out * po / 1e6
    return total, floor


def print_breakdown(parts):
    print("  %-10s %-18s %5s %10s %10s %10s %9s  %s" % (
        "class", "model", "calls", "in $", "read $", "write $", "out $", "total $"))
    total = 0
    for (cls, model), (n, inp, rd, wr, out) in sorted(parts.items()):
        pi, pc, po = PRICES.get(model, (0, 0, 0))
        if args.kind == "openai":  # prompt_tokens includes the cached part
            inp -= rd
        d = [inp * pi / 1e6, rd * pc / 1e6, wr * pi * 1.25 / 1e6, out * po / 1e6]
        total += sum(d)
        print("  %-10s %-18s %5d %10.4f %10.4f %10.4f %9.4f  %.4f  (tok in %d read %d "
              "write %d out %d)" % (cls, model, n, *d, sum(d), inp, rd, wr, out))
    print("  %-29s %56.4f" % ("sum at list prices", total))


def p95(v):
    s = sorted(v)
    return s[min(len(s) - 1, int(0.95 * len(s)))]


day = make_day(args.turns)
print("%d turns: %d channel, %d cron asks, %d ask tool tasks; %s API (%s / %s)" % (
    len(day), sum(t[0] == "chan" for t in day), sum(t[0] == "cron" for t in day),
    sum(t[0] == "ask" for t in day), args.kind, CHEAP, CAPABLE))
results = {}
for name, forced in (("routed", False), ("all-tools", True)):
    if args.only and args.only != ("routed" if not forced else "tools"):
        continue
    results[name] = r = run(forced)
    print("%-10s $%.4f  bytes/turn median %d p95 %d  input %d tok, cached %.0f %%  calls %s" % (
        name, r["usd"], statistics.median(r["bytes"]), p95(r["bytes"]), r["inputs"],
        100 * r["cached"], json.dumps(r["calls"])))
    if args.breakdown:
        print_breakdown(r["parts"])
if len(results) == 2 and results["all-tools"]["usd"] > 0:
    print("routed / all-tools: %.0f %%" % (100 * results["routed"]["usd"] /
                                           results["all-tools"]["usd"]))
    routed_list, floor = dollars(results["routed"]["parts"])
    tools_list, _ = dollars(results["all-tools"]["parts"])
    print("floor: $%.4f = %.0f %% of all-tools at list prices (routed %.0f %%): the capable "
          "model's calls as billed plus the cheap model's output, every cheap input token "
          "free" % (floor, 100 * floor / tools_list, 100 * routed_list / tools_list))
