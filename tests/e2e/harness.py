"""harness.py: shared pieces of the end-to-end tests: start the fake model server, write
a config, run the built frugal binary and read the ledger. Python 3 stdlib only. Every
process started here is stopped by the caller's `with` block or at exit."""
import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

SRC = os.environ.get("FRUGAL_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
BINARY = os.environ.get("FRUGAL_BINARY", os.path.join(SRC, "build", "frugal"))
_procs = []


def _cleanup():
    for p in _procs:
        if p.poll() is None:
            p.kill()
            p.wait()


atexit.register(_cleanup)


def wait_for_file(path, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            return open(path).read().strip()
        time.sleep(0.02)
    raise RuntimeError("timed out waiting for " + path)


class FakeServer:
    """One of the fakes in tests/fakes/ as a child process on a free port of 127.0.0.1,
    with its JSON control endpoints reachable through call(). Stopped by the `with` block."""

    def __init__(self, script, prefix, *args):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        port_file = os.path.join(self.dir, "port")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(SRC, "tests", "fakes", script), "--port", "0",
             "--port-file", port_file, *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _procs.append(self.proc)
        self.port = int(wait_for_file(port_file))
        self.url = "http://127.0.0.1:%d" % self.port

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b"null")

    def requests(self):
        return self.call("GET", "/_requests")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.stop()


class FakeHomeserver(FakeServer):
    """The fake Matrix homeserver (tests/fakes/fake_homeserver.py), with one bot account
    `user` whose access token is `token`."""

    def __init__(self, token, user="@bot:localhost", *extra):
        super().__init__("fake_homeserver.py", "frugal-hs-", "--token", token, "--user", user,
                         *extra)

    def sent(self):
        return self.call("GET", "/_sent")


class FakeModel(FakeServer):
    """The fake model server (tests/fakes/fake_model.py)."""

    def __init__(self, *extra):
        super().__init__("fake_model.py", "frugal-fake-", *extra)

    def script(self, *steps):
        return self.call("POST", "/_script", list(steps))

    def reset(self):
        return self.call("POST", "/_reset", {})


# [tiers] for tests that script tool calls whatever the route: chat and tools both on
# `cheap`, and chat offering every tool (a tier's tool set bounds what its model may call:
# an unoffered name is refused before the realm or the sandbox would see it).
EVERY_TOOL_ON_BOTH_TIERS = """tools = ["cheap"]
[tiers.chat]
models = ["cheap"]
tools = ["clock", "read_file", "list_dir", "write_file", "shell", "http_get",
         "memory_remember", "memory_recall", "memory_forget"]"""


def config_text(fake_url, state_dir, kind="openai", stream=False, daily_usd=2.0, extra="",
                tiers=None, models=None, deadline=30, budget_extra="", agent_extra=""):
    """A config with one provider `fake` of `kind` and models priced so the budget matters:
    `cheap` ($1/$5 per Mtok) and `big` ($3/$15), plus a free local `tiny`."""
    base = fake_url + ("/v1" if kind == "openai" else "")
    key = 'api_key_env = "FAKE_API_KEY"\n' if kind == "anthropic" else ""
    text = f"""
[agent]
state_dir = "{state_dir}"
system_prompt = "You are a test agent."
turn_deadline_s = {deadline}
{agent_extra}

[providers.fake]
kind = "{kind}"
base_url = "{base}"
stream = {"true" if stream else "false"}
{key}
[providers.local]
kind = "openai"
base_url = "{fake_url}/v1"
local = true

[models.cheap]
provider = "fake"
model = "fake-cheap"
input_usd_per_mtok = 1.0
output_usd_per_mtok = 5.0
max_output_tokens = 1000

[models.big]
provider = "fake"
model = "fake-big"
input_usd_per_mtok = 3.0
output_usd_per_mtok = 15.0
max_output_tokens = 2000

[models.tiny]
provider = "local"
model = "fake-tiny"
{models or ""}
[tiers]
{tiers or 'chat = ["cheap"]' + chr(10) + 'tools = ["big"]' + chr(10) + 'local = ["tiny"]'}

[budget]
daily_usd = {daily_usd}
{budget_extra}
{extra}
"""
    return text


class Workdir:
    """A temporary folder with a config file and a state folder."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="frugal-e2e-")
        self.state = os.path.join(self.dir, "state")
        self.config = os.path.join(self.dir, "frugal.toml")

    def write_config(self, text):
        with open(self.config, "w") as f:
            f.write(text)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


def matrix_section(hs_url, room, owners=(), allowed=(), respond_to=None, name="main"):
    """A [transports.matrix.NAME] section for the fake homeserver at hs_url, its token read
    from $MATRIX_TOKEN, joined to `room`."""
    lines = [f"[transports.matrix.{name}]", f'homeserver = "{hs_url}"',
             'access_token_env = "MATRIX_TOKEN"', f'rooms = ["{room}"]']
    for key, ids in (("allowed", allowed), ("owners", owners)):
        if ids:
            lines.append(f"{key} = [" + ", ".join(f'"{i}"' for i in ids) + "]")
    if respond_to:
        lines.append(f'respond_to = "{respond_to}"')
    return "\n" + "\n".join(lines) + "\n"


def env_for(**extra):
    env = dict(os.environ)
    env["FAKE_API_KEY"] = "sk-fake-key-0123456789"
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    env.update(extra)
    return env


def frugal(config, *args, stdin=None, timeout=60, env=None):
    """Runs the binary; returns CompletedProcess with text stdout/stderr."""
    return subprocess.run([BINARY, "--config", config, *args], input=stdin,
                          capture_output=True, text=True, timeout=timeout,
                          env=env or env_for())


def start_frugal(config, *args, env=None, stdin=subprocess.DEVNULL):
    p = subprocess.Popen([BINARY, "--config", config, *args], stdin=stdin,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=env or env_for())
    _procs.append(p)
    return p


def stop_frugal(p, timeout=20):
    """SIGTERM, as systemd stops the service; kills it after `timeout` seconds. Returns
    (exit status, stderr text or None when stderr was not a pipe)."""
    p.send_signal(signal.SIGTERM)
    try:
        _, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
    return p.returncode, err


def wait_until(cond, timeout, step=0.1):
    """Polls `cond` every `step` seconds; True once it holds, False after `timeout`."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(step)
    return False


def budget_json(config):
    r = frugal(config, "budget", "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


class Checks:
    """Counts failures so one script reports every broken expectation, then exits 1."""

    def __init__(self):
        self.failed = 0
        self.passed = 0

    def check(self, cond, what, detail=""):
        if cond:
            self.passed += 1
            print("ok   " + what)
        else:
            self.failed += 1
            print("FAIL " + what + ("\n     " + str(detail)[:2000] if detail else ""))

    def done(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(1 if self.failed else 0)
