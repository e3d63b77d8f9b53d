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


def private_dirty_by_kind(pid):
    """Private_Dirty KiB of `pid` by kind of mapping, from /proc/PID/smaps: "heap" (malloc's
    main arena), "stack" (the main thread's), "anon" (thread stacks, other arenas, large
    allocations, libraries' .bss), "libs" (shared libraries' relocated and written data),
    "other" (frugal's own data, the sqlite -shm) and "lib:NAME" for each library."""
    kinds = {"heap": 0, "stack": 0, "anon": 0, "libs": 0, "other": 0}
    name = None
    with open("/proc/%d/smaps" % pid) as f:
        for line in f:
            parts = line.split()
            if parts and "-" in parts[0] and not parts[0].endswith(":"):
                name = parts[5] if len(parts) >= 6 else ""
            elif parts and parts[0] == "Private_Dirty:":
                kib = int(parts[1])
                if name == "[heap]":
                    kinds["heap"] += kib
                elif name == "[stack]":
                    kinds["stack"] += kib
                elif name == "" or name.startswith("["):
                    kinds["anon"] += kib
                elif ".so" in os.path.basename(name):
                    kinds["libs"] += kib
                    key = "lib:" + os.path.basename(name).split(".so")[0]
                    kinds[key] = kinds.get(key, 0) + kib
                else:
                    kinds["other"] += kib
    return kinds


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
