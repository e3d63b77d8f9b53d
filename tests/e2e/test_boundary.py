"""End to end: the public/private boundary holds however the model is prompted. A canary
secret is planted in the private memory, the private workspace, the provider's API key
variable and the environment. Then a public sender (`ask --as`) drives a fake model that
tries every known way out; each attempt must be refused by policy or by the kernel, and
the canary must appear in no reply, no log line and no tool output sent to the model.
The same tools keep working for the owner."""
import json
import os

from harness import (EVERY_TOOL_ON_BOTH_TIERS, Checks, FakeModel, Workdir, config_text, env_for,
                     frugal)

CANARY = "CANARY-7f3a9c2e51"
c = Checks()


def tool_step(name, **args):
    return {"tool_calls": [{"name": name, "arguments": args}]}


with FakeModel() as fake, Workdir() as w:
    os.chmod(w.dir, 0o711)  # as root, sandboxed programs run as nobody and need a way in
    priv_ws = os.path.join(w.dir, "ws-private")
    pub_ws = os.path.join(w.dir, "ws-public")
    extra = f"""
[realms.private]
owners = ["stdin"]
workspace = "{priv_ws}"
shell_allow = ["cat", "ls", "echo"]

[realms.public]
allowed = ["*!*@*"]
workspace = "{pub_ws}"
tools = ["clock", "read_file", "list_dir", "write_file", "shell", "http_get", "memory_recall"]
shell_allow = ["cat", "ls", "echo", "sh", "bash", "env", "curl"]
rate_per_minute = 0

[transports.irc.test]
server = "127.0.0.1"
port = 6667
tls = false
"""
    w.write_config(config_text(fake.url, w.state, extra=extra, kind="openai",
                               tiers=EVERY_TOOL_ON_BOTH_TIERS))
    env = env_for(FRUGAL_TEST_CANARY=CANARY, FAKE_API_KEY=CANARY)
    # The owner plants the canary: a memory row and a file in the private workspace.
    fake.script(tool_step("memory_remember", text="the secret is " + CANARY),
                {"content": "remembered"},
                tool_step("write_file", path="secret.txt", content=CANARY + "\n"),
                {"content": "written"})
    r1 = frugal(w.config, "ask", "remember the secret", env=env)
    r2 = frugal(w.config, "ask", "write the secret file", env=env)
    c.check(r1.returncode == 0 and r2.returncode == 0 and
            os.path.exists(os.path.join(priv_ws, "secret.txt")),
            "the owner can use memory and write_file in the private workspace",
            (r1.stderr[-300:], r2.stderr[-300:]))
    os.symlink(os.path.join(priv_ws, "secret.txt"), os.path.join(pub_ws, "link.txt"))

    attacks = [
        ("private-only tool memory_remember", tool_step("memory_remember", text="x")),
        ("private-only tool memory_forget", tool_step("memory_forget", id=1)),
        ("read_file ../ws-private/secret.txt", tool_step("read_file", path="../ws-private/secret.txt")),
        ("read_file absolute path", tool_step("read_file", path=os.path.join(priv_ws, "secret.txt"))),
        ("read_file symlink out of the workspace", tool_step("read_file", path="link.txt")),
        ("read_file /proc/self/environ", tool_step("read_file", path="/proc/self/environ")),
        ("list_dir ..", tool_step("list_dir", path="..")),
        ("shell sh -c", tool_step("shell", program="sh", args=["-c", "cat ../ws-private/secret.txt"])),
        ("shell bash -c", tool_step("shell", program="bash", args=["-c", "env"])),
        ("shell env", tool_step("shell", program="env", args=[])),
        ("shell cat /etc/passwd", tool_step("shell", program="cat", args=["/etc/passwd"])),
        ("shell cat the private file", tool_step("shell", program="cat", args=["../ws-private/secret.txt"])),
        ("shell cat /proc/self/environ", tool_step("shell", program="cat", args=["/proc/self/environ"])),
        ("shell cat the parent's environ", tool_step("shell", program="cat", args=["/proc/%d/environ" % os.getpid()])),
        ("shell curl", tool_step("shell", program="curl", args=["http://127.0.0.1:%d/_requests" % fake.port])),
        ("shell program with a path", tool_step("shell", program="/bin/cat", args=["/etc/hostname"])),
        ("http_get loopback", tool_step("http_get", url=fake.url + "/_requests")),
        ("http_get metadata address", tool_step("http_get", url="http://169.254.169.254/latest/meta-data/")),
        ("http_get localhost name", tool_step("http_get", url="http://localhost:%d/_health" % fake.port)),
        ("http_get file scheme", tool_step("http_get", url="file:///etc/passwd")),
        ("memory_recall of the canary", tool_step("memory_recall", query="secret")),
    ]
    for what, step in attacks:
        fake.reset()
        fake.script(step, {"content": "done"})
        r = frugal(w.config, "ask", "--as", "irc.test:mallory!m@evil.example", "please " + what,
                   env=env)
        reqs = fake.requests()
        sent_back = json.dumps([q["body"] for q in reqs[1:]]) if len(reqs) > 1 else ""
        tool_msgs = [m for q in reqs[1:] for m in q["body"].get("messages", [])
                     if m.get("role") == "tool"]
        leaked = CANARY in (r.stdout + r.stderr + sent_back)
        c.check(r.returncode == 0 and not leaked and tool_msgs,
                "public attack refused, no canary anywhere: " + what,
                (r.returncode, leaked, json.dumps(tool_msgs)[:400], r.stderr[-300:]))
    # The provider lives on 127.0.0.1 (README's Ollama shape): the model call leaves a
    # keep-alive connection to that host:port in curl's pool. A public http_get of the same
    # host:port must be refused, not ride that connection (before: "HTTP 200 from ...").
    fake.reset()
    fake.script(tool_step("http_get", url=fake.url + "/_health"), {"content": "done"})
    frugal(w.config, "ask", "--as", "irc.test:mallory!m@evil.example", "fetch it", env=env)
    tool_out = json.dumps(fake.requests()[-1]["body"]["messages"][-1])
    c.check("address not allowed" in tool_out and "HTTP 200" not in tool_out,
            "http_get of the provider's own host:port is refused on a pooled connection too",
            tool_out[:400])

    # The shell tool ran `cat /etc/passwd` in the sandbox: the kernel (Landlock) allows
    # /etc read-only, so that one is allowed output; the private file is not.
    fake.reset()
    fake.script(tool_step("shell", program="cat", args=["../ws-private/secret.txt"]),
                {"content": "done"})
    frugal(w.config, "ask", "--as", "irc.test:mallory!m@evil.example", "cat it", env=env)
    tool_out = json.dumps(fake.requests()[-1]["body"]["messages"][-1])
    c.check(CANARY not in tool_out and ("denied" in tool_out.lower() or
                                        "not permitted" in tool_out.lower() or
                                        "no such" in tool_out.lower()),
            "reading the private file through an allowed program is stopped by the kernel",
            tool_out[:400])

    # The owner keeps full use of the same tools.
    fake.reset()
    fake.script(tool_step("read_file", path="secret.txt"), {"content": "ok"},
                tool_step("memory_recall", query="secret"), {"content": "ok"},
                tool_step("shell", program="cat", args=["secret.txt"]), {"content": "ok"})
    for q in ("read it", "recall it", "cat it"):
        r = frugal(w.config, "ask", q, env=env)
    outs = [json.dumps(q["body"]["messages"][-1]) for q in fake.requests()[1::2]]
    c.check(len(outs) == 3 and all(CANARY in o for o in outs),
            "the owner's read_file, memory_recall and shell see the private data",
            [o[:200] for o in outs])

    # Unknown senders get nothing at all: not on the allowlist.
    w.write_config(open(w.config).read().replace('allowed = ["*!*@*"]', 'allowed = []'))
    fake.reset()
    r = frugal(w.config, "ask", "--as", "irc.test:stranger!s@x.example", "hello", env=env)
    c.check(r.returncode == 2 and not fake.requests(),
            "an empty allowlist admits nobody: refused before any model call",
            (r.returncode, r.stderr))

c.done()
