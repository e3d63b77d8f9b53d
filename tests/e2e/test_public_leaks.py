"""End to end: the small leaks of issue 13 item 9, as a public sender (`ask --as`) with an
obedient model. (1) A budget refusal tells a public sender no figures (before: "the
public share of today's budget reached: $0.00 left of $0.00 ..."); the owner still gets
them. (2) Memory ids are numbered per realm: a public memory_remember after three private
notes is #1, not #4, and a public memory_forget of #1 forgets the public note. (3) The
tool child's environment and working folder do not reveal the state path (before:
HOME=<workspace under the test folder>)."""
import json
import os
import re

from harness import (EVERY_TOOL_ON_BOTH_TIERS, Checks, FakeModel, Workdir, config_text, env_for,
                     frugal)

c = Checks()
PUBLIC = "irc.test:mallory!m@evil.example"


def tool_step(*calls):
    return {"tool_calls": [{"name": n, "arguments": a} for n, a in calls]}


def tool_results(fake):
    """The tool messages of the newest request, in order."""
    reqs = fake.requests()
    if not reqs:
        return []
    return [m.get("content", "") for m in reqs[-1]["body"].get("messages", [])
            if m.get("role") == "tool"]


with FakeModel() as fake, Workdir() as w:
    os.chmod(w.dir, 0o711)  # a test folder under /tmp; the workspaces live inside it
    priv_ws = os.path.join(w.dir, "ws-private")
    pub_ws = os.path.join(w.dir, "ws-public")
    realms = f"""
[realms.private]
owners = ["stdin"]
workspace = "{priv_ws}"

[realms.public]
allowed = ["*!*@*"]
workspace = "{pub_ws}"
tools = ["shell", "memory_remember", "memory_recall", "memory_forget"]
shell_allow = ["printenv", "pwd", "ls"]
rate_per_minute = 0

[transports.irc.test]
server = "127.0.0.1"
port = 6667
tls = false
"""
    tiers = EVERY_TOOL_ON_BOTH_TIERS
    env = env_for()

    def configure(daily, share):
        w.write_config(config_text(fake.url, w.state, kind="openai", tiers=tiers, daily_usd=daily,
                                   budget_extra=f"public_share = {share}", extra=realms))

    # (1) Budget: the public share is zero, so every paid public call is refused.
    configure(1.0, 0.0)
    fake.reset()
    r = frugal(w.config, "ask", "--as", PUBLIC, "hello", env=env)
    said = r.stdout + r.stderr
    c.check(r.returncode == 3 and not fake.requests(), "a public ask over its share is refused",
            (r.returncode, said[-300:]))
    c.check("$" not in said and not re.search(r"\d\.\d", said) and "left of" not in said,
            "the public refusal carries no budget figures", said[-300:])
    c.check("budget" in said.lower() or "limit" in said.lower(),
            "the public refusal still says why, briefly", said[-300:])
    # The owner hears the detail.
    configure(0.000001, 0.0)
    r = frugal(w.config, "ask", "hello", env=env)
    c.check(r.returncode == 3 and "left of $0.000001" in r.stderr,
            "the owner's refusal names what is left of the cap", (r.returncode, r.stderr[-300:]))

    # (2) Memory ids per realm.
    configure(2.0, 0.5)
    fake.reset()
    fake.script(tool_step(("memory_remember", {"text": "private note one"}),
                          ("memory_remember", {"text": "private note two"}),
                          ("memory_remember", {"text": "private note three"})),
                {"content": "remembered"})
    r = frugal(w.config, "ask", "remember three things", env=env)
    outs = tool_results(fake)
    c.check(r.returncode == 0 and outs == ["remembered as #1", "remembered as #2",
                                           "remembered as #3"],
            "the owner's notes are #1, #2, #3", (outs, r.stderr[-300:]))

    fake.reset()
    fake.script(tool_step(("memory_remember", {"text": "public note"})), {"content": "ok"},
                tool_step(("memory_recall", {"query": "note"})), {"content": "ok"})
    frugal(w.config, "ask", "--as", PUBLIC, "remember", env=env)
    remembered = tool_results(fake)
    frugal(w.config, "ask", "--as", PUBLIC, "recall", env=env)
    recalled = tool_results(fake)
    c.check(remembered == ["remembered as #1"],
            "a public note after three private ones is #1 (the count of private notes "
            "does not show)", remembered)
    c.check(len(recalled) == 1 and recalled[0].startswith("#1 (") and
            "private" not in recalled[0],
            "public recall shows the public note as #1 and nothing private", recalled)

    fake.reset()
    fake.script(tool_step(("memory_forget", {"id": 1})), {"content": "ok"})
    frugal(w.config, "ask", "--as", PUBLIC, "forget", env=env)
    forgot = tool_results(fake)
    fake.reset()
    fake.script(tool_step(("memory_recall", {"query": "note"})), {"content": "ok"})
    frugal(w.config, "ask", "recall", env=env)
    owner_recall = tool_results(fake)
    c.check(forgot == ["forgot #1"], "public memory_forget #1 forgets the public note", forgot)
    c.check(len(owner_recall) == 1 and all(f"private note {n}" in owner_recall[0]
                                           for n in ("one", "two", "three")),
            "the owner's three notes are all still there", owner_recall)

    # (3) The tool child's environment and folder.
    fake.reset()
    fake.script(tool_step(("shell", {"program": "printenv", "args": []}),
                          ("shell", {"program": "pwd", "args": []})),
                {"content": "ok"})
    r = frugal(w.config, "ask", "--as", PUBLIC, "where am I", env=env)
    outs = tool_results(fake)
    seen = json.dumps(outs)
    c.check(r.returncode == 0 and len(outs) == 2 and "HOME=" in outs[0],
            "printenv and pwd ran in the sandbox", (outs, r.stderr[-300:]))
    c.check(w.dir not in seen and w.state not in seen and "ws-public" not in seen,
            "no environment variable nor the working folder reveals the state path", seen)
    names = sorted(line.split("=", 1)[0] for line in outs[0].splitlines() if "=" in line)
    c.check(names == ["HOME", "LANG", "PATH"], "the environment is the fixed minimal one", names)
    c.check(outs[1].endswith("---\n/workspace\n\n") and "HOME=/workspace\n" in outs[0],
            "the child's workspace is /workspace, and HOME with it", seen)

c.done()
