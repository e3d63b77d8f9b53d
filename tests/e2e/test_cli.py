"""End to end: the command line itself. Options take `--opt VALUE` or `--opt=VALUE`,
global options may come before or after the command, every command's --help lists every
one of its flags, and usage errors are one line with exit 2."""
import json
import os
import re
import subprocess

from harness import BINARY, Checks, FakeModel, Workdir, config_text, env_for

c = Checks()


def run(*args, stdin=None):
    return subprocess.run([BINARY, *args], input=stdin, capture_output=True, text=True,
                          timeout=60, env=env_for())


HELP_FLAGS = {
    "ask": ["--tier", "--dry-run", "--as", "--continue", "--session"],
    "chat": ["--tier", "--as"],
    "budget": ["--json", "--history"],
    "init": ["--force", "--state-dir", "--base-url", "--api-key-env", "--chat-model",
             "--tools-model", "--local-url", "--local-model", "--daily-usd", "--irc-server",
             "--irc-channel", "--irc-nick"],
}
for cmd, flags in HELP_FLAGS.items():
    r = run(cmd, "--help")
    missing = [f for f in flags if f not in r.stdout]
    c.check(r.returncode == 0 and not missing, cmd + " --help lists every flag",
            (r.returncode, missing, r.stdout[-600:]))
r = run("--help")
c.check(r.returncode == 0 and all(n in r.stdout for n in ("ask", "chat", "run", "budget",
                                                             "doctor", "init", "--log-level")),
        "frugal --help lists the commands and global options", r.stdout)
r = run("--version")
c.check(r.returncode == 0 and r.stdout.startswith("frugal "), "--version", r.stdout)
r = run("bogus")
c.check(r.returncode == 2 and r.stderr.count("\n") == 1 and "unknown command" in r.stderr,
        "an unknown command: exit 2, one line", r.stderr)
r = run("ask", "--no-such-flag", "x")
c.check(r.returncode == 2 and r.stderr.count("\n") == 1 and "--no-such-flag" in r.stderr,
        "an unknown option: exit 2, one line naming it", r.stderr)
# Each usage error: exit 2, one line on stderr naming what was wrong.
for args, want in ((("ask", "--dry", "x"), "--dry"),  # no abbreviations of --dry-run
                   (("ask", "--tier"), "--tier"),
                   (("ask", "--tier", "a", "--tier", "b", "x"), "--tier"),
                   (("ask", "--dry-run=yes", "x"), "--dry-run"),
                   (("status", "--json", "--prometheus"), "--prometheus"),
                   (("say",), "TARGET"),
                   (("run", "extra"), "extra"),
                   (("-x", "ask"), "-x")):
    r = run(*args)
    c.check(r.returncode == 2 and r.stderr.count("\n") == 1 and want in r.stderr,
            "usage error: %s" % " ".join(args), (r.returncode, r.stderr))
r = run("status", "--help")
c.check(r.returncode == 0 and "--prometheus" in r.stdout and "--json" in r.stdout,
        "status --help lists its flags", r.stdout)
r = run("--log-level=loud", "ask", "x")
c.check(r.returncode == 2 and "--log-level" in r.stderr, "a bad --log-level value: exit 2",
        r.stderr)

with FakeModel() as fake, Workdir() as w:
    w.write_config(config_text(fake.url, w.state))
    fake.script({"content": "from the big one"})
    # Every option in its = form, the global ones after the command.
    r = run("ask", "--tier=tools", "--config=" + w.config, "--log-level=warn", "hi")
    reqs = fake.requests()
    c.check(r.returncode == 0 and r.stdout == "from the big one\n" and reqs and
            reqs[-1]["body"]["model"] == "fake-big",
            "ask --tier=tools --config=FILE --log-level=warn (globals after the command)",
            (r.returncode, r.stdout, r.stderr[-400:]))
    # Options after the words of the task, and -c after ask is --continue, not --config.
    fake.script({"content": "from the big one"})
    r = run("--config", w.config, "ask", "hi", "there", "--tier", "tools", "-c")
    reqs = fake.requests()
    c.check(r.returncode == 0 and reqs and reqs[-1]["body"]["model"] == "fake-big" and
            "hi there" in json.dumps(reqs[-1]["body"]["messages"]),
            "ask TEXT --tier tools -c: options after the words", (r.returncode, r.stderr[-400:]))
    r = run("budget", "--json", "--history=2", "-c", w.config)
    c.check(r.returncode == 0 and len(json.loads(r.stdout).get("days", [])) >= 1,
            "budget --history=2 --json with -c after the command", (r.stdout, r.stderr))
    r = run("--config", w.config, "budget", "--history", "0")
    c.check(r.returncode == 2 and "--history" in r.stderr, "budget --history 0: exit 2",
            r.stderr)
    # budget opens only what it reads: with the key's variable unset and no state folder
    # yet it reports nothing spent and makes nothing (before, it built the whole runtime
    # with a faked key and made the state folder, workspaces and database).
    fresh = os.path.join(w.dir, "fresh-state")
    with open(os.path.join(w.dir, "fresh.toml"), "w") as f:
        f.write(config_text(fake.url, fresh, kind="anthropic"))
    env = env_for()
    env.pop("FAKE_API_KEY")
    r = subprocess.run([BINARY, "--config", os.path.join(w.dir, "fresh.toml"), "budget", "--json"],
                       capture_output=True, text=True, timeout=60, env=env)
    c.check(r.returncode == 0 and json.loads(r.stdout).get("spent_micro", 1) == 0 and
            not os.path.exists(fresh),
            "budget without the key's variable and without a state folder: nothing spent, "
            "nothing made", (r.returncode, r.stdout[-300:], r.stderr[-300:], os.path.exists(fresh)))
    # Words after `--` are the task even when they look like options.
    fake.script({"content": "ok"})
    r = run("--config", w.config, "ask", "--", "--tier", "is a word")
    body = json.dumps(fake.requests()[-1]["body"]["messages"])
    c.check(r.returncode == 0 and "--tier is a word" in body, "ask -- TEXT keeps option-like words",
            (r.stderr[-300:], body[-300:]))

    # Quiet by default: a cron ask logs warnings and errors only; -v adds info. Lines on a
    # pipe carry a UTC timestamp; under journald (JOURNAL_STREAM names stderr) a priority.
    fake.script({"content": "ok"}, {"content": "ok"}, {"content": "ok"})
    r = run("--config", w.config, "ask", "hello")
    c.check(r.returncode == 0 and "info " not in r.stderr and "router:" not in r.stderr,
            "ask logs no info lines by default", r.stderr)
    r = run("--config", w.config, "ask", "-v", "hello")
    lines = r.stderr.splitlines()
    stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (debug|info|warn|error) ")
    c.check(r.returncode == 0 and any(" info router: " in l for l in lines) and
            all(stamp.match(l) for l in lines),
            "ask -v: info lines, each with a UTC timestamp when stderr is a pipe", lines[:5])
    rd, wr = os.pipe()
    st = os.fstat(wr)
    env = env_for(JOURNAL_STREAM="%d:%d" % (st.st_dev, st.st_ino))
    p = subprocess.Popen([BINARY, "--config", w.config, "ask", "-v", "hello"], env=env,
                         stdout=subprocess.PIPE, stderr=wr, text=True)
    os.close(wr)
    out, _ = p.communicate(timeout=60)
    with os.fdopen(rd) as f:
        jlines = f.read().splitlines()
    c.check(p.returncode == 0 and jlines and
            all(re.match(r"^<[3-7]>(debug|info|warn|error) ", l) for l in jlines) and
            any(l.startswith("<6>info router: ") for l in jlines),
            "under journald: <N> priority prefixes instead of timestamps", jlines[:5])

c.done()
