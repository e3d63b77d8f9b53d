"""End to end: the ledger never records less than the provider bills. Streams whose final
usage is missing (an Anthropic message_delta without usage, leaving message_start's
placeholder output_tokens 1; an OpenAI stream without its usage chunk) are charged at the
full reservation, so a day of such asks stops at the cap. The fake's /_billed is the
provider's truth. (Implausible counts are covered in tests/llm/call_test.cpp.)"""
import json
import sqlite3
import os

from harness import Checks, FakeModel, Workdir, budget_json, config_text, frugal

c = Checks()

# cheap: $1 / $5 per Mtok = 1 / 5 µ$ per token; max_output_tokens 1000.
PRICE_IN, PRICE_OUT = 1, 5
CAP_USD = 0.02
ANSWER = ("lorem ipsum dolor sit amet " * 40)[:1024]  # 1 KiB: 256 tokens billed


def billed_micro(fake):
    return sum(b["input"] * PRICE_IN + b["output"] * PRICE_OUT for b in fake.call("GET", "/_billed"))


def run_day(kind, step, label, asks):
    with FakeModel() as fake, Workdir() as w:
        w.write_config(config_text(fake.url, w.state, kind=kind, stream=True,
                                   daily_usd=CAP_USD, tiers='chat = ["cheap"]\ntools = ["cheap"]'))
        fake.script(*[dict(step, content=ANSWER) for _ in range(asks)])
        codes = [frugal(w.config, "ask", "question %d" % i).returncode for i in range(asks)]
        b = budget_json(w.config)
        provider = billed_micro(fake)
        ledger = round(b["spent_usd"] * 1e6)
        cap = round(CAP_USD * 1e6)
        print("     %s: %d answered, %d refused; ledger %d µ$, provider billed %d µ$ (%.0f %% "
              "of the cap)" % (label, codes.count(0), codes.count(3), ledger, provider,
                               100.0 * provider / cap))
        c.check(set(codes) <= {0, 3}, label + ": every ask answered or refused (exit 3)", codes)
        if asks > 3:
            c.check(codes.count(3) > 0, label + ": the day stops at the cap", codes)
        c.check(provider <= cap, label + ": the provider billed no more than the cap",
                (provider, cap))
        c.check(ledger >= provider, label + ": the ledger records at least what was billed",
                (ledger, provider))
        db = sqlite3.connect(os.path.join(w.state, "frugal.db"))
        rows = db.execute("SELECT tokens_in, tokens_out, actual_micro, reserved_micro, outcome"
                          " FROM ledger WHERE state='settled'").fetchall()
        db.close()
        seen = kind == "anthropic"  # message_start's input counts were seen
        c.check(rows and all(r[2] == r[3] and (not seen or (r[0] > 0 and "usage in doubt" in r[4]))
                             for r in rows),
                label + ": each call charged in full" + (", the usage seen recorded beside it"
                                                         if seen else ""), rows[:3])


# Each ask costs the provider ~1.5 m$ and reserves ~5 m$ (the chat tier's small tool set
# keeps the request short): the $0.02 cap holds four reservations, so six asks must meet
# refusals. Settling at the placeholder (old behaviour) let every ask through.
run_day("anthropic", {"no_final_usage": True}, "anthropic stream, no usage in message_delta", 6)
run_day("openai", {"no_final_usage": True}, "openai stream without its usage chunk", 2)

# A truthful stream still settles at its reported usage (no false doubt).
with FakeModel() as fake, Workdir() as w:
    w.write_config(config_text(fake.url, w.state, kind="anthropic", stream=True,
                               tiers='chat = ["cheap"]\ntools = ["cheap"]'))
    fake.script({"content": ANSWER})
    r = frugal(w.config, "ask", "question")
    b = budget_json(w.config)
    provider = billed_micro(fake)
    c.check(r.returncode == 0 and round(b["spent_usd"] * 1e6) == provider,
            "a stream with its final usage settles at exactly what the provider billed",
            (r.returncode, b["spent_usd"], provider, r.stderr[-300:]))

c.done()
