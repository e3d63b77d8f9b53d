"""End to end: `frugal ask` and `frugal chat` against the fake model server, both API
kinds, streaming and not, every failure mode ending in a clear message and the documented
exit code (0 answered, 2 config, 3 budget, 4 unreachable), never a crash or a hang."""
import json
import os

from harness import (Checks, FakeModel, Workdir, budget_json, config_text, frugal)

c = Checks()

with FakeModel() as fake, Workdir() as w:
    for kind in ("openai", "anthropic"):
        for stream in (False, True):
            tag = "%s%s" % (kind, " stream" if stream else "")
            w.write_config(config_text(fake.url, w.state, kind=kind, stream=stream))
            fake.reset()
            fake.script({"content": "four, of course", "usage": {"input": 50, "output": 5}})
            r = frugal(w.config, "ask", "what is 2+2?")
            c.check(r.returncode == 0 and r.stdout == "four, of course\n",
                    tag + ": ask from arguments answers", (r.returncode, r.stdout, r.stderr))
            reqs = fake.requests()
            body = reqs[-1]["body"] if reqs else {}
            c.check(body.get("model") == "fake-cheap", tag + ": simple turn goes to chat tier",
                    body)
            c.check(bool(body.get("stream")) == stream, tag + ": stream flag as configured")
            fake.script({"content": "uptime looks fine"})
            r = frugal(w.config, "ask", stdin="summarise: up 3 days, load 0.1\n")
            c.check(r.returncode == 0 and "uptime looks fine" in r.stdout,
                    tag + ": ask from stdin answers", r.stderr)
            sent = json.dumps(fake.requests()[-1]["body"])
            c.check("summarise: up 3 days" in sent, tag + ": stdin text was sent")

    # Per-tier reasoning effort; a simple turn asks for the lowest.
    w.write_config(config_text(fake.url, w.state, tiers='chat = { models = ["cheap"], '
                               'reasoning_effort = "high", temperature = 0.3 }\ntools = ["big"]'))
    fake.reset()
    frugal(w.config, "ask", "hi")
    frugal(w.config, "ask", "please explain why the sky looks blue " * 20)  # long: +1
    bodies = [q["body"] for q in fake.requests()]
    c.check(len(bodies) == 2 and bodies[0].get("reasoning_effort") == "minimal" and
            bodies[1].get("reasoning_effort") == "high" and bodies[0].get("temperature") == 0.3,
            "tier settings are sent; a simple turn skips chain-of-thought",
            [(b.get("reasoning_effort"), b.get("temperature")) for b in bodies])

    # Failure modes, OpenAI non-streaming, one model in the tier.
    w.write_config(config_text(fake.url, w.state, deadline=6,
                               tiers='chat = ["cheap"]\ntools = ["cheap"]'))
    for fault, extra in (("500", {}), ("529", {}), ("429", {"retry_after": 1}),
                         ("truncated", {}), ("garbage", {}), ("401", {}), ("400", {})):
        fake.reset()
        fake.script(dict({"fault": fault}, **extra))
        r = frugal(w.config, "ask", "hello")
        if fault == "401":  # a rejected key is a configuration error (#16), not an outage
            c.check(r.returncode == 2 and "provider fake rejected" in r.stderr and
                    "reachable" not in r.stderr,
                    "fault 401: exit 2 naming the provider", (r.returncode, r.stderr[-500:]))
            continue
        c.check(r.returncode == 4 and "reachable" in r.stderr,
                "fault %s: exit 4 with a clear message" % fault, (r.returncode, r.stderr[-500:]))
    b = budget_json(w.config)
    c.check(b["reserved_usd"] == 0, "every failed call settled or released its reservation", b)
    fake.reset()
    fake.script({"fault": "hang"})
    r = frugal(w.config, "ask", "hello", timeout=40)
    c.check(r.returncode == 4, "a model that never answers ends at the turn deadline",
            (r.returncode, r.stderr[-500:]))
    b = budget_json(w.config)
    c.check(b["reserved_usd"] == 0 and b["spent_usd"] > 0,
            "the hung call's reservation was charged in full, nothing left open", b)

    # Fallback: the first model fails, the second in the tier answers.
    w.write_config(config_text(fake.url, w.state, tiers='chat = ["cheap", "big"]'))
    for fault in ("500", "429", "drop_mid_stream"):
        fake.reset()
        fake.script({"fault": fault, "retry_after": 1}, {"content": "from the fallback"})
        r = frugal(w.config, "ask", "hello")
        models = [q["body"]["model"] for q in fake.requests()]
        c.check(r.returncode == 0 and "from the fallback" in r.stdout and
                models == ["fake-cheap", "fake-big"],
                "fault %s on the first model falls back to the next" % fault, (r.stderr, models))

    # Tool loop: clock tool, then the answer.
    w.write_config(config_text(fake.url, w.state))
    fake.reset()
    fake.script({"tool_calls": [{"name": "clock", "arguments": {}}]},
                {"content": "it is late"})
    r = frugal(w.config, "ask", "what time is it")
    reqs = fake.requests()
    c.check(r.returncode == 0 and r.stdout == "it is late\n" and len(reqs) == 2,
            "a tool call runs and its result goes back to the model", (r.stderr, len(reqs)))
    if len(reqs) == 2:
        msgs = json.dumps(reqs[1]["body"]["messages"])
        c.check("UTC" in msgs, "the clock tool's output is in the second request", msgs[:500])

    # Escalation: the chat model calls `escalate`; the turn re-runs on the tools tier.
    fake.reset()
    fake.script({"tool_calls": [{"name": "escalate", "arguments": {"reason": "needs tools"}}]},
                {"content": "escalated answer"})
    r = frugal(w.config, "ask", "hello")
    reqs = fake.requests()
    models = [q["body"]["model"] for q in reqs]
    offered = [t["function"]["name"] for t in reqs[0]["body"].get("tools", [])] if reqs else []
    c.check(r.returncode == 0 and "escalated answer" in r.stdout and
            models == ["fake-cheap", "fake-big"] and "escalate" in offered and
            "escalate" not in [t["function"]["name"] for t in reqs[1]["body"].get("tools", [])],
            "escalate on the chat tier re-runs the turn once on the tools tier", (models, offered))

    # A local model that writes its tool call as text still gets its tool run.
    fake.reset()
    fake.script({"content": '<tool_call>{"name": "clock", "arguments": {}}</tool_call>'},
                {"content": "text tool call worked"})
    r = frugal(w.config, "ask", "--tier", "local", "what time is it")
    reqs = fake.requests()
    c.check(r.returncode == 0 and "text tool call worked" in r.stdout and len(reqs) == 2 and
            "UTC" in json.dumps(reqs[1]["body"]["messages"]),
            "tool calls written as text by a local model are parsed and run", r.stderr[-400:])

    # An answer that lands only in the reasoning field is used.
    fake.reset()
    fake.script({"content": "", "reasoning": "the answer is 42"})
    r = frugal(w.config, "ask", "--tier", "local", "think")
    c.check(r.returncode == 0 and "42" in r.stdout, "an answer only in `reasoning` is used",
            (r.stdout, r.stderr[-300:]))

    # Unknown tool and invalid arguments are fed back as errors, never a crash.
    fake.reset()
    fake.script({"tool_calls": [{"name": "rm_rf", "arguments": {}},
                                {"name": "clock", "arguments": "{not json"}]},
                {"content": "sorry"})
    r = frugal(w.config, "ask", "do something odd")
    second = json.dumps(fake.requests()[-1]["body"]["messages"])
    c.check(r.returncode == 0 and "unknown tool" in second and "valid JSON" in second,
            "unknown tool and invalid JSON arguments come back as tool errors", second[-600:])

    # Step limit: a model that always calls tools gets a final call without tools.
    w.write_config(config_text(fake.url, w.state, agent_extra="max_tool_steps = 2"))
    fake.reset()
    fake.script(*([{"tool_calls": [{"name": "clock", "arguments": {}}]}] * 2),
                {"content": "done at last"})
    r = frugal(w.config, "ask", "loop forever")
    reqs = fake.requests()
    c.check(r.returncode == 0 and "done at last" in r.stdout and len(reqs) == 3 and
            "tools" not in reqs[-1]["body"],
            "after max_tool_steps the last call offers no tools", (r.stderr, len(reqs)))

    # Chat keeps history between lines (and across restarts: sqlite).
    fake.reset()
    fake.script({"content": "nice to meet you, Ada"}, {"content": "you are Ada"})
    r = frugal(w.config, "chat", stdin="my name is Ada\nwho am I?\n")
    last = json.dumps(fake.requests()[-1]["body"]["messages"])
    c.check(r.returncode == 0 and "you are Ada" in r.stdout and "nice to meet you, Ada" in last,
            "chat sends the earlier exchange with the next line", last[:600])

    # Budget: a cap too small for the worst case refuses with exit 3 and says when.
    w.write_config(config_text(fake.url, w.state, daily_usd=0.001,
                               tiers='chat = ["cheap"]\ntools = ["big"]'))
    fake.reset()
    r = frugal(w.config, "ask", "hello there")
    c.check(r.returncode == 3 and "reset" in r.stderr.lower() and not fake.requests(),
            "over the cap: refused before any call, exit 3, says when the day resets",
            (r.returncode, r.stderr))
    # With a free local tier to route down to, it still answers.
    w.write_config(config_text(fake.url, w.state, daily_usd=0.001,
                               tiers='chat = ["cheap"]\nlocal = ["tiny"]'))
    fake.reset()
    fake.script({"content": "local answer"})
    r = frugal(w.config, "ask", "hello there")
    models = [q["body"]["model"] for q in fake.requests()]
    c.check(r.returncode == 0 and models == ["fake-tiny"],
            "when the paid tier does not fit, the turn routes down to the free tier",
            (r.returncode, r.stderr, models))

    # A provider that bills above the reservation: recorded, and paid calls stop today.
    w.write_config(config_text(fake.url, w.state, tiers='chat = ["cheap"]\ntools = ["big"]'))
    fake.reset()
    fake.script({"content": "expensive", "usage": {"input": 10, "output": 999999}})
    r1 = frugal(w.config, "ask", "hello")
    r2 = frugal(w.config, "ask", "hello again")
    b = budget_json(w.config)
    c.check(r1.returncode == 0 and r2.returncode == 3 and b["stopped"] and
            len(fake.requests()) == 1,
            "usage above the reservation is recorded and stops paid calls for the day",
            (r1.returncode, r2.returncode, r2.stderr, b.get("stopped")))
    w = type(w)()  # a fresh state folder for the rest

    # Dry run: prints the route and the reservation, calls nothing.
    w.write_config(config_text(fake.url, w.state))
    fake.reset()
    r = frugal(w.config, "ask", "--dry-run", "fetch https://example.org and summarise it")
    c.check(r.returncode == 0 and "tools" in r.stdout and "would reserve" in r.stdout and
            not fake.requests(), "--dry-run prints route and reservation without calling",
            r.stdout + r.stderr)
    fake.script({"content": "forced"})
    r = frugal(w.config, "ask", "--tier", "tools", "hi")
    c.check(fake.requests()[-1]["body"]["model"] == "fake-big", "--tier forces the tier")

# Configuration errors: exit 2, one line naming file, line and key.
with Workdir() as w:
    r = frugal(w.config, "ask", "hello")
    c.check(r.returncode == 2 and "init" in r.stderr, "no config: exit 2 and says how to make one",
            r.stderr)
    w.write_config(config_text("http://127.0.0.1:9", w.state).replace(
        "daily_usd = 2.0", "daily_usd = \"lots\""))
    r = frugal(w.config, "ask", "hello")
    c.check(r.returncode == 2 and (w.config + ":") in r.stderr and "budget.daily_usd" in r.stderr,
            "bad config: exit 2 naming file:line:key", r.stderr)
    w.write_config(config_text("http://127.0.0.1:9", w.state).replace(
        "input_usd_per_mtok = 1.0\noutput_usd_per_mtok = 5.0\n", "").replace(
        'model = "fake-cheap"', 'model = "no-such-model-xyz"'))
    r = frugal(w.config, "ask", "hello")
    c.check(r.returncode == 2 and "no price" in r.stderr,
            "a paid model without a price is a configuration error, never $0", r.stderr)
    # Connection refused: nothing listens on port 9.
    w.write_config(config_text("http://127.0.0.1:9", w.state))
    r = frugal(w.config, "ask", "hello")
    c.check(r.returncode == 4, "connection refused: exit 4", r.stderr)
    b = budget_json(w.config)
    c.check(b["spent_usd"] == 0 and b["reserved_usd"] == 0,
            "a refused connection is released, not charged", b)

c.done()
