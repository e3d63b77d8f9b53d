"""End to end: `frugal ask` is one-shot. A second run sends none of the first run's
conversation and carries no routing signal from it; `--continue` (`-c`) resumes the last
ask conversation and `--session NAME` keeps a named one. Asserted on the request bodies
the fake model received."""
import json

from harness import Checks, FakeModel, Workdir, config_text, frugal

c = Checks()


def sent(fake):
    return json.dumps(fake.requests()[-1]["body"]["messages"])


with FakeModel() as fake, Workdir() as w:
    w.write_config(config_text(fake.url, w.state))
    log = "kernel: disk sda1 error at sector " * 200  # a big piped log, as from cron
    fake.script({"content": "the disk sda1 is failing"})
    r = frugal(w.config, "ask", stdin=log)
    c.check(r.returncode == 0, "a big piped ask answers", r.stderr[-300:])
    first_len = len(json.dumps(fake.requests()[-1]["body"]))

    fake.script({"content": "noted"})
    r = frugal(w.config, "ask", "morning digest: disk ok")
    body = fake.requests()[-1]["body"]
    c.check(r.returncode == 0 and "sda1" not in json.dumps(body) and
            len(body["messages"]) <= 2,
            "a second ask sends nothing from the first run",
            (first_len, len(json.dumps(body)), [m["role"] for m in body["messages"]]))

    # A tool-using ask must not push the next one-shot ask to the tools tier.
    fake.script({"tool_calls": [{"name": "clock", "arguments": {}}]}, {"content": "12:00"})
    frugal(w.config, "ask", "--tier", "tools", "what time is it?")
    frugal(w.config, "ask", "--dry-run", "hello")
    r = frugal(w.config, "ask", "--dry-run", "hello")
    c.check("recent tool calls" not in r.stdout and "chat" in r.stdout,
            "a one-shot ask carries no routing signal from the run before", r.stdout)

    # --continue resumes the last ask conversation (the one just answered).
    fake.script({"content": "nice to meet you, Ada"})
    frugal(w.config, "ask", "my name is Ada")
    fake.script({"content": "you are Ada"})
    r = frugal(w.config, "ask", "--continue", "who am I?")
    c.check(r.returncode == 0 and "my name is Ada" in sent(fake) and
            "nice to meet you, Ada" in sent(fake),
            "--continue sends the last ask exchange", sent(fake)[:400])
    fake.script({"content": "still Ada"})
    r = frugal(w.config, "ask", "-c", "and again?")
    c.check(r.returncode == 0 and "my name is Ada" in sent(fake) and "who am I?" in sent(fake),
            "-c keeps continuing the same conversation", sent(fake)[:600])
    fake.script({"content": "no idea"})
    frugal(w.config, "ask", "who am I?")
    c.check("Ada" not in sent(fake), "a plain ask after -c starts over", sent(fake)[:400])

    # --session NAME keeps a named conversation, apart from the last ask and other names.
    fake.script({"content": "ok"}, {"content": "ok"})
    frugal(w.config, "ask", "--session", "nightly", "yesterday: 3 warnings in syslog")
    frugal(w.config, "ask", "--session", "other", "unrelated")
    fake.script({"content": "fewer than yesterday"})
    r = frugal(w.config, "ask", "--session", "nightly", "today: 1 warning")
    c.check(r.returncode == 0 and "3 warnings" in sent(fake) and "unrelated" not in sent(fake)
            and "who am I" not in sent(fake),
            "--session NAME sends that session's history only", sent(fake)[:600])
    fake.script({"content": "ok"})
    frugal(w.config, "ask", "-c", "hello")
    c.check("3 warnings" not in sent(fake), "-c does not resume a named session", sent(fake)[:400])
    r = frugal(w.config, "ask", "--session", "has space", "x")
    c.check(r.returncode == 2, "--session rejects a name with spaces (exit 2)", r.stderr)

    # chat keeps history as before.
    fake.script({"content": "hello Bo"}, {"content": "you are Bo"})
    r = frugal(w.config, "chat", stdin="my name is Bo\nwho am I?\n")
    c.check("my name is Bo" in sent(fake), "chat keeps history between lines", sent(fake)[:400])

c.done()
