"""End to end: the router reads intent. `frugal ask --dry-run` on the turns issue 15 found
misrouted by the keyword score (the five tool tasks scored 0-2 and went to chat; the code
question scored 3 and went to tools) prints the classifier's route and the features that
decided it; the old keyword keys are refused with their replacement named."""
from harness import Checks, FakeModel, Workdir, config_text, frugal

c = Checks()
TURNS = [
    ("check disk usage on the server and tell me which directory is biggest", "tools"),
    ("what time is it in Tokyo right now?", "tools"),
    ("grep the repo for TODO comments and count them per file", "tools"),
    ("git log the last 5 commits and summarise them", "tools"),
    ("how much memory is free on this box?", "tools"),
    ("Explain this code: ```cpp\nint main() { std::vector<int> v{1, 2}; return v[0]; }\n```",
     "chat"),
    ("hello, how are you?", "chat"),
]

with FakeModel() as fake, Workdir() as w:
    w.write_config(config_text(fake.url, w.state))
    for text, tier in TURNS:
        r = frugal(w.config, "ask", "--dry-run", text)
        route = next((l for l in r.stdout.splitlines() if l.startswith("route: ")), "")
        # A tools turn then starts cheap-first on the chat tier, which holds tools here
        # (test_cheap_first.py); the classifier's label comes right after its features.
        tail = ("→ tools → chat (cheap-first: clock, read_file, list_dir, memory_recall on chat; escalate → tools)"
                if tier == "tools" else ") → chat")
        c.check(r.returncode == 0 and route.endswith(tail) and
                "classifier p(tools) " in route and " (" in route,
                "%r → %s, with the deciding features" % (text[:40], tier), route or r.stderr)
    c.check(fake.call("GET", "/_count")["requests"] == 0, "--dry-run calls no model")

    w.write_config(config_text(fake.url, w.state, extra="[router]\ntools_threshold = 3\n"))
    r = frugal(w.config, "ask", "hello")
    c.check(r.returncode == 2 and "router.tools_threshold" in r.stderr and
            "tools_confidence" in r.stderr,
            "the keyword score's key is refused, naming its replacement", r.stderr[-300:])

c.done()
