"""End to end: the hard cap across processes and crashes. Several `frugal ask` processes
race for one small cap on one state folder; `kill -9` in the middle of a call leaves an
orphan reservation that the next start settles in full; public senders are held to their
own share while the owner is not."""
import json
import os
import signal
import subprocess
import time

from harness import (BINARY, Checks, FakeModel, Workdir, budget_json, config_text, env_for,
                     frugal, start_frugal)

c = Checks()

with FakeModel() as fake, Workdir() as w:
    # One worst-case reservation of `cheap` here is about $0.0057 (≈0.7 KB of input at
    # $1/Mtok, 1000 output tokens at $5/Mtok): a $0.02 cap fits three in full and a fourth
    # with max_tokens shrunk to what is left. The fake bills 100 output tokens, within any
    # max_tokens the governor leaves (a real API never bills past max_tokens).
    w.write_config(config_text(fake.url, w.state, daily_usd=0.02,
                               tiers='chat = ["cheap"]\ntools = ["cheap"]'))
    n = 8
    fake.script(*[{"content": "answer %d" % i, "delay_ms": 800,
                   "usage": {"input": 300, "output": 100}} for i in range(n)])
    procs = [subprocess.Popen([BINARY, "--config", w.config, "ask", "hello number %d" % i],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=env_for()) for i in range(n)]
    codes, errors = [], []
    for p in procs:
        out, err = p.communicate(timeout=60)
        codes.append(p.returncode)
        if p.returncode not in (0, 3):
            errors.append(err[-600:])
    answered, refused = codes.count(0), codes.count(3)
    b = budget_json(w.config)
    c.check(answered + refused == n, "every racing ask either answered or was refused (exit 3)",
            (codes, errors))
    c.check(1 <= answered <= 4 and refused >= n - 4,
            "only the asks that fit the cap were answered", codes)
    c.check(b["spent_usd"] + b["reserved_usd"] <= b["cap_usd"] and b["reserved_usd"] == 0,
            "after the race: spent + reserved <= cap, nothing left reserved", b)
    c.check(len(fake.requests()) == answered, "refused asks never reached the model",
            (len(fake.requests()), answered))

with FakeModel() as fake, Workdir() as w:
    w.write_config(config_text(fake.url, w.state, deadline=120))
    fake.script({"fault": "hang"})
    p = start_frugal(w.config, "ask", "a question that will be interrupted")
    deadline = time.time() + 20
    while time.time() < deadline and not fake.requests():
        time.sleep(0.05)
    c.check(bool(fake.requests()), "the call reached the model before the kill")
    p.send_signal(signal.SIGKILL)
    p.wait(10)
    b = budget_json(w.config)
    c.check(b["reserved_usd"] == 0 and b["spent_usd"] > 0,
            "kill -9 mid-call: the next start settles the orphan at its full reservation", b)

    # Public senders: their own cap; the owner keeps going.
    w.write_config(config_text(
        fake.url, w.state, daily_usd=1.0, budget_extra="per_sender_usd = 0.000001",
        extra='[realms.public]\nallowed = ["*!*@*"]\n\n[transports.irc.test]\n'
              'server = "127.0.0.1"\nport = 6667\ntls = false\n'))
    fake.reset()
    r = frugal(w.config, "ask", "--as", "irc.test:stranger!u@example.org", "hello")
    models = [q["body"]["model"] for q in fake.requests()]
    c.check(r.returncode == 0 and models == ["fake-tiny"],
            "a public sender over their own cap is routed down to the free local tier",
            (r.returncode, r.stderr, models))
    w.write_config(open(w.config).read().replace('local = ["tiny"]', ''))
    fake.reset()
    r = frugal(w.config, "ask", "--as", "irc.test:stranger!u@example.org", "hello")
    c.check(r.returncode == 3 and not fake.requests() and "spending limit" in r.stderr and
            "$" not in r.stderr,
            "without a free tier, that sender is refused before any call (exit 3), "
            "told no figures (issue 13 item 9)", (r.returncode, r.stderr))
    fake.script({"content": "owner answer"})
    r = frugal(w.config, "ask", "hello")
    c.check(r.returncode == 0 and "owner answer" in r.stdout,
            "the owner is not bound by a public sender's cap", r.stderr)
    r = frugal(w.config, "ask", "--as", "irc.test:account:nobody-listed", "hi")
    r2 = frugal(w.config, "budget")
    c.check(r2.returncode == 0 and "remaining" in r2.stdout.lower(),
            "frugal budget prints a readable summary", r2.stdout)
    r3 = frugal(w.config, "budget", "--history", "3", "--json")
    c.check(r3.returncode == 0 and "days" in json.loads(r3.stdout),
            "frugal budget --history N --json lists days", r3.stdout[:300])

# A fresh state folder opened by many processes at once: each migration step is applied
# once, inside its transaction, and nobody fails with "table already exists".
bad = []
for round_ in range(3):
    with Workdir() as w:
        os.chmod(w.dir, 0o711)
        w.write_config(config_text("http://127.0.0.1:9", w.state))
        procs = [subprocess.Popen([BINARY, "--config", w.config, "budget", "--json"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                  env=env_for()) for _ in range(12)]
        for p in procs:
            _, err = p.communicate(timeout=60)
            if p.returncode != 0:
                bad.append(err[-300:])
c.check(not bad, "12 processes migrating one fresh database at once all succeed", bad[:3])

c.done()
