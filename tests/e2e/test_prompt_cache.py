"""End to end: prompt caching. Three turns of one `ask --session` conversation (three
processes, as a cron job runs them) against the fake with --prompt-cache, which bills
cached tokens only for what each API really caches. OpenAI-style: each request starts
with the bytes of the one before (system, tools in the same order, history oldest first,
nothing volatile up front), so the fake's automatic cache hits. Anthropic: cache_control
marks the system prompt and the stable history, the ledger records cache writes and
reads, and `budget --json` / `--history --json` show the cached share and its price."""
import json

from harness import Checks, FakeModel, Workdir, config_text, frugal

c = Checks()
# About 1,500 tokens: above the 1,024-token minimum of both APIs for these model names.
SYSTEM = "You are a test agent. " + "Answer plainly and keep to the facts you know. " * 130
TURNS = ["first question about disks", "second question about memory", "third about logs"]


def dumps(o):
    return json.dumps(o, separators=(",", ":"), ensure_ascii=False)


def run(kind):
    with FakeModel("--prompt-cache") as fake, Workdir() as w:
        cfg = config_text(fake.url, w.state, kind=kind)
        cfg = cfg.replace('system_prompt = "You are a test agent."',
                          'system_prompt = "%s"' % SYSTEM)
        cfg = cfg.replace('output_usd_per_mtok = 5.0',
                          'output_usd_per_mtok = 5.0\ncached_input_usd_per_mtok = 0.25'
                          if kind == "openai" else 'output_usd_per_mtok = 5.0')
        w.write_config(cfg)
        for i, t in enumerate(TURNS):
            fake.script({"content": "answer %d" % i})
            r = frugal(w.config, "ask", "--session", "nightly", "--tier", "chat", t)
            c.check(r.returncode == 0, "%s: turn %d answers" % (kind, i), r.stderr[-300:])
        bodies = [q["body"] for q in fake.requests()]
        billed = fake.call("GET", "/_billed")
        return bodies, billed, w, frugal(w.config, "budget", "--json"), \
            frugal(w.config, "budget", "--history", "2", "--json")


def spent_micro(billed, price_in, price_cached, price_write, price_out):
    # Prices are µ$ per Mtok; the governor rounds each call up to a whole micro-dollar.
    total = 0
    for b in billed:
        plain = b["input"] - b["cached"] - b["cache_write"] if b["api"] == "openai" else b["input"]
        n = (plain * price_in + b["cached"] * price_cached + b["cache_write"] * price_write +
             b["output"] * price_out)
        total += -(-n // 1_000_000)
    return total


# ---- OpenAI-style: a byte-stable prefix, automatic caching ----
bodies, billed, w, today, hist = run("openai")
c.check(len(bodies) == 3, "openai: one request per turn", len(bodies))
if len(bodies) == 3:
    for i in (1, 2):
        old, new = bodies[i - 1], bodies[i]
        c.check(new["messages"][0]["role"] == "system" and
                new["messages"][0] == old["messages"][0],
                "openai: turn %d starts with the same system message" % i)
        c.check(dumps(new.get("tools")) == dumps(old.get("tools")),
                "openai: turn %d offers the same tools in the same order" % i,
                [t["function"]["name"] for t in new.get("tools") or []])
        n = len(old["messages"])
        c.check(dumps(new["messages"][:n]) == dumps(old["messages"]),
                "openai: turn %d's messages begin with the whole request before it" % i,
                (dumps(old["messages"])[-200:], dumps(new["messages"][:n])[-200:]))
        c.check(new["messages"][n]["role"] == "assistant" and
                new["messages"][-1]["content"] == TURNS[i],
                "openai: history oldest first, the new question last",
                [m["role"] for m in new["messages"]])
    c.check(all(not b.get("cache_control") for b in bodies), "openai: no Anthropic markers")
c.check([b["cached"] > 0 for b in billed] == [False, True, True],
        "openai: the fake's automatic cache hits on turns 2 and 3", billed)
j = json.loads(today.stdout or "{}")
c.check(j.get("cached_input_tokens") == sum(b["cached"] for b in billed) and
        j.get("input_tokens") == sum(b["input"] for b in billed),
        "openai: the ledger records the cached input tokens", (j.get("input_tokens"),
                                                              j.get("cached_input_tokens"), billed))
share = j.get("cached_share_percent", 0)
c.check(share > 20, "openai: budget --json shows the cached share", share)
c.check(j.get("spent_micro") == spent_micro(billed, 1_000_000, 250_000, 1_000_000, 5_000_000),
        "openai: cached tokens are billed at the cached-input price",
        (j.get("spent_micro"), spent_micro(billed, 1_000_000, 250_000, 1_000_000, 5_000_000)))
h = json.loads(hist.stdout or "{}").get("days", [{}])
c.check(h and h[0].get("cached_share_percent") == share,
        "openai: budget --history --json shows the day's cached share", hist.stdout[:300])

# ---- Anthropic: cache_control breakpoints, writes and reads in the ledger ----
bodies, billed, w, today, hist = run("anthropic")
marker = '"cache_control":{"type":"ephemeral"}'
c.check(len(bodies) == 3, "anthropic: one request per turn", len(bodies))
if len(bodies) == 3:
    c.check(all(isinstance(b.get("system"), list) and "cache_control" in b["system"][-1]
                for b in bodies), "anthropic: the system prompt carries a breakpoint",
            [dumps(b.get("system"))[:80] for b in bodies])
    c.check(all(dumps(b).count(marker) <= 4 for b in bodies), "anthropic: at most 4 breakpoints")
    last_q = [dumps(b["messages"][-1]) for b in bodies]
    c.check(all(marker not in q for q in last_q),
            "anthropic: the new question (changing every turn) is never marked", last_q)
c.check(billed and billed[0]["cache_write"] > 0 and all(b["cached"] > 0 for b in billed[1:]),
        "anthropic: turn 1 writes the cache, turns 2 and 3 read it", billed)
j = json.loads(today.stdout or "{}")
c.check(j.get("cache_write_tokens") == sum(b["cache_write"] for b in billed) and
        j.get("cached_input_tokens") == sum(b["cached"] for b in billed) and
        j.get("cache_write_tokens", 0) > 0,
        "anthropic: the ledger records cache writes and reads",
        (j.get("cache_write_tokens"), j.get("cached_input_tokens"), billed))
# Anthropic: writes 1.25 x input, reads 0.1 x input (no cached price configured).
expect = spent_micro(billed, 1_000_000, 100_000, 1_250_000, 5_000_000)
c.check(j.get("spent_micro") == expect, "anthropic: writes at 1.25x, reads at 0.1x of input",
        (j.get("spent_micro"), expect))
c.check(j.get("cached_share_percent", 0) > 20, "anthropic: budget --json shows the cached share",
        j.get("cached_share_percent"))

c.done()
