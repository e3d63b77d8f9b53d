"""ask_bench.py: the cost of one `frugal ask` with no model latency: the stripped binary
size, and the median wall time and peak RSS of `frugal ask` against the fake model server
over several runs. Prints figures; it passes or fails nothing.
usage: python3 tests/bench/ask_bench.py [BINARY] [RUNS]"""
import os
import resource
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from harness import FakeModel, Workdir, config_text, env_for  # noqa: E402

binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("FRUGAL_BINARY", "build-release/frugal")
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 15

size = os.path.getsize(binary)
print("binary            %s" % binary)
print("size              %d bytes (%.2f MiB)" % (size, size / 1048576))

with FakeModel() as fake, Workdir() as w:
    w.write_config(config_text(fake.url, w.state))
    env = env_for(ASAN_OPTIONS="detect_leaks=0")
    walls, rss = [], []
    for i in range(runs):
        fake.script({"content": "ok", "usage": {"input": 100, "output": 2}})
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        p = subprocess.Popen([binary, "--config", w.config, "--log-level", "warn", "ask", "ping"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        walls.append((time.perf_counter() - t0) * 1000)
        rss.append(usage.ru_maxrss)
        if status != 0:
            print("run %d failed with status %d" % (i, status))
    print("ask wall time     median %.1f ms (min %.1f, max %.1f) over %d runs" %
          (statistics.median(walls), min(walls), max(walls), runs))
    print("ask peak RSS      median %d KiB" % statistics.median(rss))
