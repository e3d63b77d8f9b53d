"""End to end: each exit code of `frugal ask` means one thing and its message says what to
do. A rejected API key is a configuration error (2, naming the provider and its
api_key_env), not an outage (4) that cron would retry; `doctor` sends the key and says so;
a signal gives 128+N; `--as` says why a sender is refused; `--tier` at the cap tries the
tier's cheaper fallback; a `--dry-run` that would be refused says so and exits 3."""
import signal
import subprocess

from harness import (BINARY, Checks, FakeModel, Workdir, budget_json, config_text, env_for,
                     frugal, wait_until)

c = Checks()

# --- A wrong key: every model answers 401 ---
with FakeModel("--api-key", "the-right-key") as fake, Workdir() as w:
    w.write_config(config_text(fake.url, w.state, kind="anthropic"))
    r = frugal(w.config, "ask", "hello")
    said = [l for l in r.stderr.splitlines() if l.startswith("frugal:")]
    c.check(r.returncode == 2 and len(said) == 1 and "provider fake" in said[0] and
            "FAKE_API_KEY" in said[0] and "reachable" not in r.stderr,
            "401 from every model: exit 2, one line naming the provider and $FAKE_API_KEY",
            (r.returncode, r.stderr))
    b = budget_json(w.config)
    c.check(b["spent_usd"] == 0 and b["reserved_usd"] == 0, "a rejected key costs nothing", b)
    r = frugal(w.config, "doctor")
    line = [l for l in r.stdout.splitlines() if l.startswith("provider fake")]
    c.check(r.returncode == 1 and line and "FAIL" in line[0] and "FAKE_API_KEY" in line[0],
            "doctor with the wrong key: FAIL naming the variable", r.stdout)
    reqs = [q for q in fake.requests() if q["body"] and q["body"].get("messages") == []]
    c.check(reqs and reqs[-1]["headers"].get("x-api-key") == "present" and
            reqs[-1]["path"] == "/v1/messages",
            "doctor's probe is the real endpoint with the key (the /v1 rule of a call)",
            fake.requests()[-1:])
    r = frugal(w.config, "doctor", env=env_for(FAKE_API_KEY="the-right-key"))
    line = [l for l in r.stdout.splitlines() if l.startswith("provider fake")]
    c.check(line and " ok " in line[0] and "key accepted" in line[0],
            "doctor with the right key: ok, key accepted", r.stdout)

with FakeModel() as fake, Workdir() as w:
    # --- SIGTERM while a call is in flight: 128+15, the reservation settled ---
    w.write_config(config_text(fake.url, w.state))
    fake.script({"content": "slow", "delay_ms": 8000})
    p = subprocess.Popen([BINARY, "--config", w.config, "ask", "hello"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env_for())
    wait_until(lambda: fake.requests(), 10)
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=20)
    c.check(p.returncode == 128 + 15 and "signal 15" in err and "reachable" not in err,
            "SIGTERM during ask: exit 143 and says so", (p.returncode, err[-300:]))
    b = budget_json(w.config)
    c.check(b["reserved_usd"] == 0, "the interrupted call's reservation is closed", b)

    # --- --as: why a sender is refused ---
    r = frugal(w.config, "ask", "--as", "irc.libera:bob!b@h", "hi")
    c.check(r.returncode == 2 and "no transport irc.libera" in r.stderr,
            "--as with a transport not in the config says so", r.stderr)
    w.write_config(config_text(fake.url, w.state, extra='[transports.irc.libera]\n'
                               'server = "127.0.0.1"\nport = 6667\ntls = false\n'))
    fake.reset()
    r = frugal(w.config, "ask", "--as", "irc.libera:bob!b@h", "hi")
    c.check(r.returncode == 2 and "matches no realm" in r.stderr and
            "realms.public.allowed" in r.stderr and "transports.irc.libera.allowed" in r.stderr
            and not fake.requests(),
            "--as a stranger names the allowlists it searched", r.stderr)

with FakeModel() as fake, Workdir() as w:
    # --- --tier tools at the cap: the tier's cheaper fallback answers ---
    w.write_config(config_text(fake.url, w.state, daily_usd=0.01,
                               tiers='chat = ["cheap"]\ntools = ["big", "cheap"]',
                               budget_extra="min_output_tokens = 1000"))
    fake.reset()
    fake.script({"content": "cheap answer"})
    r = frugal(w.config, "ask", "--tier", "tools", "hi")
    models = [q["body"]["model"] for q in fake.requests()]
    c.check(r.returncode == 0 and models == ["fake-cheap"],
            "--tier tools: big does not fit, the tier's cheaper model answers",
            (r.returncode, r.stderr[-300:], models))

    # --- --dry-run that would be refused ---
    before = budget_json(w.config)
    w.write_config(config_text(fake.url, w.state, daily_usd=0.001,
                               tiers='chat = ["cheap"]\ntools = ["big"]',
                               budget_extra="min_output_tokens = 1000"))
    fake.reset()
    r = frugal(w.config, "ask", "--dry-run", "hi")
    c.check(r.returncode == 3 and "would be refused" in r.stderr and not fake.requests(),
            "--dry-run at the cap: says it would be refused, exit 3", (r.returncode, r.stderr))
    w.write_config(config_text(fake.url, w.state))
    r = frugal(w.config, "ask", "--dry-run", "hi")
    c.check(r.returncode == 0 and "would reserve" in r.stdout and not fake.requests(),
            "--dry-run that fits: exit 0 with the quote", (r.returncode, r.stdout))
    b = budget_json(w.config)
    c.check(b["spent_usd"] == before["spent_usd"] and b["reserved_usd"] == 0 and
            b["by_model"] == before["by_model"], "a dry run writes nothing to the ledger",
            (before, b))

c.done()
