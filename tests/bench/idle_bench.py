"""idle_bench.py: the daemon's idle footprint. Starts `frugal run` (the given binary,
normally the release build) with one TLS IRC connection to a real ngircd and one Matrix
account long-polling the fake homeserver, waits, and prints RSS and private memory
(/proc/PID/smaps_rollup: Private_Clean + Private_Dirty; RSS also counts shared libraries
such as libcrypto) and open file descriptors.
usage: python3 tests/bench/idle_bench.py [BINARY] [SECONDS]"""
import os
import sys
import time

binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build-release/frugal")
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 60
os.environ["FRUGAL_BINARY"] = binary
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "e2e"))
from harness import FakeModel, Workdir, config_text, env_for, start_frugal  # noqa: E402
import irc_servers  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
from harness import SRC, wait_for_file  # noqa: E402

TOKEN = "bench-token-0123456789"


class FakeHomeserver:
    def __enter__(self):
        d = tempfile.mkdtemp(prefix="frugal-hs-")
        port_file = os.path.join(d, "port")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(SRC, "tests", "fakes", "fake_homeserver.py"), "--port",
             "0", "--port-file", port_file, "--token", TOKEN, "--user", "@bot:localhost"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = "http://127.0.0.1:%d" % int(wait_for_file(port_file))
        return self

    def __exit__(self, *a):
        self.proc.terminate()
        self.proc.wait(5)


def memory(pid):
    fields = {}
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                fields[parts[0][:-1]] = int(parts[1])
    fds = len(os.listdir("/proc/%d/fd" % pid))
    return fields.get("Rss", 0), fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0), fds


with FakeModel() as fake, Workdir() as w, irc_servers.ngircd_server() as irc, \
        FakeHomeserver() as hs:
    extra = f"""
[transports.irc.bench]
server = "127.0.0.1"
port = {irc.tls_port}
tls = true
ca_file = "{irc.cert}"
nick = "benchbot"
channels = ["#test"]

[transports.matrix.bench]
homeserver = "{hs.url}"
access_token_env = "BENCH_MX_TOKEN"
rooms = ["!room:localhost"]
"""
    w.write_config(config_text(fake.url, w.state, extra=extra))
    p = start_frugal(w.config, "run", env=env_for(BENCH_MX_TOKEN=TOKEN))
    samples = []
    t0 = time.time()
    while time.time() - t0 < seconds:
        time.sleep(min(5, seconds))
        if p.poll() is not None:
            print("daemon exited early:", p.stderr.read()[-2000:])
            sys.exit(1)
        samples.append(memory(p.pid))
    rss, private, fds = samples[-1]
    print("binary                 %s" % binary)
    print("idle after %.0f s       RSS %d KiB, private %d KiB, %d fds" % (seconds, rss, private, fds))
    print("RSS first→last sample  %d → %d KiB" % (samples[0][0], rss))
    p.terminate()
    p.wait(20)
