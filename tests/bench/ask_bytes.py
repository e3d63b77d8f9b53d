"""ask_bytes.py: the request body `frugal ask hello` sends on the starter config (`frugal
init`), against the fake model. Prints the bytes and the tools offered.
usage: python3 tests/bench/ask_bytes.py [BINARY]"""
import json
import os
import subprocess
import sys
import tempfile

binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build-release/frugal")
os.environ["FRUGAL_BINARY"] = binary
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from harness import FakeModel, env_for  # noqa: E402

with FakeModel() as fake, tempfile.TemporaryDirectory() as d:
    cfg = os.path.join(d, "frugal.toml")
    env = env_for(ASAN_OPTIONS="detect_leaks=0", FRUGAL_API_KEY="sk-test")
    r = subprocess.run([binary, "--config", cfg, "init", "--state-dir", os.path.join(d, "s"),
                        "--base-url", fake.url + "/v1", "--api-key-env", "FRUGAL_API_KEY"],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([binary, "--config", cfg, "--log-level", "error", "ask", "hello"],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    q = fake.requests()[-1]
    body = json.dumps(q["body"], separators=(",", ":"), ensure_ascii=False).encode()
    tools = [t["function"]["name"] for t in q["body"].get("tools", [])]
    print("ask hello: %d bytes of request body, model %s, tools %s" %
          (len(body), q["body"]["model"], tools))
