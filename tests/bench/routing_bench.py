"""routing_bench.py: what routing saves. A scripted workload of 200 turns (about 70 %
conversation, 30 % tool work) runs twice against the fake model with realistic token
counts: once routed (chat tier = a Haiku-priced model, tools tier = a Sonnet-priced one)
and once with every turn forced onto the tools tier. Prints the dollars each run spent
(from `frugal budget --json`, i.e. the ledger) and the router's per-turn decision mix.
usage: python3 tests/bench/routing_bench.py [BINARY] [TURNS]"""
import json
import os
import random
import subprocess
import sys

binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build-release/frugal")
os.environ["FRUGAL_BINARY"] = binary  # harness.budget_json runs this binary too
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from harness import FakeModel, Workdir, budget_json, config_text, env_for  # noqa: E402

turns = int(sys.argv[2]) if len(sys.argv) > 2 else 200
rng = random.Random(7)
chatty = ["hi there!", "thanks, that helps", "what's the capital of Peru?",
          "explain what a mutex is in two sentences", "good morning", "how are you today?",
          "what does TLS stand for?", "tell me a short joke", "is 97 prime?"]
worky = ["fetch https://example.org/status and summarise it",
         "run df and check whether the disk is filling up",
         "read the notes file and list the open items, then write a summary",
         "search the logs for errors and then count them",
         "```\nfor i in range(3): print(i)\n```\nwhat does this print and why?"]
workload = [(rng.random() < 0.3) for _ in range(turns)]

PRICES = """
[models.haiku]
provider = "fake"
model = "claude-haiku-4-5"
max_output_tokens = 1024

[models.sonnet]
provider = "fake"
model = "claude-sonnet-4-6"
max_output_tokens = 2048
"""


def run(forced):
    with FakeModel() as fake, Workdir() as w:
        w.write_config(config_text(fake.url, w.state, daily_usd=100.0, models=PRICES,
                                   tiers='chat = ["haiku"]\ntools = ["sonnet"]',
                                   agent_extra="history_messages = 0"))
        env = env_for(ASAN_OPTIONS="detect_leaks=0")
        tiers = {}
        for i, tool_turn in enumerate(workload):
            text = rng.choice(worky if tool_turn else chatty)
            if tool_turn:
                fake.script({"tool_calls": [{"name": "clock", "arguments": {}}],
                             "usage": {"input": 1800, "output": 120}},
                            {"content": "done: " + text[:20], "usage": {"input": 2100, "output": 350}})
            else:
                fake.script({"content": "sure.", "usage": {"input": 700, "output": 90}})
            args = [binary, "--config", w.config, "--log-level", "error", "ask"]
            if forced:
                args += ["--tier", "tools"]
            r = subprocess.run(args + [text], capture_output=True, text=True, env=env)
            if r.returncode != 0:
                print("turn %d failed: %s" % (i, r.stderr.strip()[:200]))
        for q in fake.requests():
            m = q["body"]["model"]
            tiers[m] = tiers.get(m, 0) + 1
        return budget_json(w.config)["spent_usd"], tiers


routed, mix_r = run(False)
forced, mix_f = run(True)
print("turns                     %d (%d tool turns)" % (turns, sum(workload)))
print("routed: spent             $%.4f  calls by model %s" % (routed, json.dumps(mix_r)))
print("all on tools tier: spent  $%.4f  calls by model %s" % (forced, json.dumps(mix_f)))
if forced > 0:
    print("routing saves             %.0f %%" % (100 * (1 - routed / forced)))
