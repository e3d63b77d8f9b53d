"""daemon_probe.py: what the benchmarks read about a running frugal daemon from /proc, and
the config section that connects it to the test IRC server and the fake homeserver, and
the start-up both scripts share. Shared by footprint.py and soak.py."""
import os
import sys


def use_binary(path, who):
    """Exits with a build hint unless `path` is an executable; otherwise makes it the binary
    the e2e harness runs and puts tests/e2e on the import path. Call before importing
    harness."""
    binary = os.path.abspath(path)
    if not os.access(binary, os.X_OK):
        sys.exit("%s: no binary at %s (build it: cmake --preset release && "
                 "cmake --build --preset release)" % (who, binary))
    os.environ["FRUGAL_BINARY"] = binary
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
    return binary


def smaps(pid):
    """The KiB fields of /proc/PID/smaps_rollup: Rss, Private_Clean, Private_Dirty, ..."""
    fields = {}
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                fields[parts[0][:-1]] = int(parts[1])
    return fields


def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def cpu_seconds(pid):
    """User + system CPU time the process has used."""
    with open("/proc/%d/stat" % pid) as f:
        stat = f.read().rsplit(")", 1)[1].split()
    return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")


def transports_toml(irc, hs, nick, channel, room, token_env):
    """[transports] for one TLS connection to the ngircd of irc_servers and one Matrix
    account on the fake homeserver `hs`, both named "bench"."""
    return f"""
[transports.irc.bench]
server = "localhost"
port = {irc.tls_port}
tls = true
ca_file = "{irc.cert}"
nick = "{nick}"
channels = ["{channel}"]

[transports.matrix.bench]
homeserver = "{hs.url}"
access_token_env = "{token_env}"
rooms = ["{room}"]
respond_to = "mention"
"""
