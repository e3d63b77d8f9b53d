"""End to end: a cron `frugal ask` pays at start only for what its turn uses. The sandbox's
namespace probe (a child cloned into new user, PID, mount, IPC and UTS namespaces) runs
when its answer decides something (a public sandboxed tool, `frugal doctor`), not at every
start: `ask hello` clones no namespace child, a private shell call clones only the tool's
own child, and doctor still probes. Counted with strace on clone/clone3. Before: every
start cloned one probe child (ask hello 1, the shell call 2).
While the model thinks, `ask` sleeps in epoll_wait: before, an idle handle (the runtime's
sweeper of finished turns) made every loop iteration poll with a zero timeout, so an ask
waiting 1.5 s for its model made ~20,000 epoll_wait calls and burnt a CPU core. Counted
with strace on epoll_wait/epoll_pwait.
An ask maps no line-editing library: libedit (and libtinfo, libbsd, libmd behind it) is
opened by `chat` on a terminal only (/proc/PID/maps of an ask waiting for its model).
Before, every start mapped all four (about 4 ms of dynamic loading).
An ask takes sqlite's WAL write lock three times (reserve, settle, history), not four: the
start-up search for reservations left by ended processes reads without a lock and takes it
only when it found some (strace on fcntl of the -shm file's write-lock byte, 120). Before,
every start took it once for nothing. A real orphan is still settled (test_budget.py).
The binary lists the libraries most of the loader's ~13,000 symbol lookups resolve to
(libcrypto, libstdc++, libm, libc, libsqlite3) first in DT_NEEDED, so each lookup finds
its library after a miss or two (CMakeLists.txt); before, libseccomp, libuv and libcurl
came first and libc twelfth (readelf -d).
OpenSSL's configuration is read when TLS may be used: a plain-HTTP ask does not open it
(before, curl_global_init read it at every start), and an https ask still reads it and
keeps its policy (a TLS 1.3 minimum against a TLS 1.2 endpoint fails on the version)."""
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading

from harness import (EVERY_TOOL_ON_BOTH_TIERS, BINARY, Checks, FakeModel, Workdir, config_text,
                     env_for, wait_until)

c = Checks()
if not shutil.which("strace"):
    print("skip: no strace")
    sys.exit(0)

NEW_NS = re.compile(r"clone3?\(.*CLONE_NEWUSER")


def traced(w, *args, calls="clone,clone3", pattern=NEW_NS, **env):
    """Runs frugal under strace -f; returns (CompletedProcess, the traced lines matching
    `pattern`: by default, namespace clones)."""
    out = os.path.join(w.dir, "clone.trace")
    r = subprocess.run(["strace", "-f", "-qq", "-e", "trace=" + calls, "-o", out, BINARY,
                        "--config", w.config, *args], capture_output=True, text=True,
                       timeout=60, env=env_for(ASAN_OPTIONS="detect_leaks=0", **env))  # LSan cannot run under ptrace
    with open(out) as f:
        clones = [line for line in f if pattern.search(line)]
    return r, clones


if shutil.which("readelf"):
    dyn = subprocess.run(["readelf", "-d", BINARY], capture_output=True, text=True).stdout
    needed = [n for n in re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", dyn)
              if not n.startswith(("libasan.", "libubsan.", "liblsan.", "libtsan."))]
    first = ["libcrypto.so.3", "libstdc++.so.6", "libm.so.6", "libc.so.6", "libsqlite3.so.0"]
    c.check(needed[:5] == first, "the most looked-up libraries come first in DT_NEEDED", needed)

with FakeModel() as fake, Workdir() as w:
    ws = os.path.join(w.dir, "ws")
    w.write_config(config_text(fake.url, w.state, tiers=EVERY_TOOL_ON_BOTH_TIERS,
                               extra=f"""
[realms.private]
owners = ["stdin"]
workspace = "{ws}"
shell_allow = ["echo"]
"""))
    fake.script({"content": "hello back"})
    r, clones = traced(w, "ask", "hello")
    c.check(r.returncode == 0 and r.stdout == "hello back\n", "ask answers under strace",
            (r.returncode, r.stdout, r.stderr[-500:]))
    c.check(clones == [], "ask hello clones no namespace child", clones)

    fake.script({"tool_calls": [{"name": "shell", "arguments": {"program": "echo",
                                                                  "args": ["from the child"]}}]},
                {"content": "the shell said hi"})
    r, clones = traced(w, "ask", "please run echo in the shell for me")
    tool_msgs = [m for q in fake.requests() for m in q["body"].get("messages", [])
                 if m.get("role") == "tool"]
    c.check(r.returncode == 0 and any("from the child" in str(m.get("content"))
                                      for m in tool_msgs),
            "a private shell call still runs", (r.returncode, r.stderr[-500:], tool_msgs))
    c.check(len(clones) == 1, "it clones only the tool's own child (namespaces kept)", clones)

    fake.script({"content": "thought it over", "delay_ms": 1500})
    r, waits = traced(w, "ask", "think slowly", calls="epoll_wait,epoll_pwait",
                      pattern=re.compile(r"epoll_p?wait\("))
    c.check(r.returncode == 0 and r.stdout == "thought it over\n", "a slow ask answers",
            (r.returncode, r.stdout, r.stderr[-500:]))
    # A few dozen wake-ups at most (the connect, the send, curl's timers); before: ~10,000.
    c.check(len(waits) < 200, "ask sleeps while the model thinks (epoll_wait calls)",
            (len(waits), waits[-3:]))

    fake.script({"content": "counted"})
    r, locks = traced(w, "ask", "count the locks", calls="fcntl",
                      pattern=re.compile(r"F_SETLKW?, \{l_type=F_WRLCK, l_whence=SEEK_SET, "
                                         r"l_start=12[01], l_len=[12]\}"))
    c.check(r.returncode == 0 and r.stdout == "counted\n", "the counted ask answers",
            (r.returncode, r.stdout, r.stderr[-500:]))
    # sqlite rebuilding the WAL index at open (no other connection) takes the write lock
    # too, with the checkpoint and recovery locks (121, 2 bytes) beside it: not a write.
    recoveries = sum("l_start=121, l_len=2" in line for line in locks)
    writes = sum("l_start=120, l_len=1" in line for line in locks) - recoveries
    c.check(writes == 3, "ask takes the write lock 3 times (reserve, settle, history)",
            (writes, recoveries, locks))

    fake.script({"content": "mapped", "delay_ms": 1500})
    before = len(fake.requests())
    p = subprocess.Popen([BINARY, "--config", w.config, "ask", "what is mapped"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=env_for(ASAN_OPTIONS="detect_leaks=0"))
    asked = wait_until(lambda: len(fake.requests()) > before, 20, 0.02)
    with open("/proc/%d/maps" % p.pid) as f:
        libs = {os.path.basename(line.split()[-1]) for line in f if ".so" in line}
    out, err = p.communicate(timeout=30)
    c.check(asked and p.returncode == 0 and out == "mapped\n", "the ask answers",
            (p.returncode, out, err[-500:]))
    c.check(any(lib.startswith("libcurl.") for lib in libs), "its maps were read mid-request",
            sorted(libs))
    edit = sorted(lib for lib in libs
                  if lib.startswith(("libedit.", "libtinfo.", "libbsd.", "libmd.")))
    c.check(edit == [], "ask maps no line-editing library", edit)

    # OpenSSL's configuration (here a copy named by OPENSSL_CONF) is read when TLS may be
    # used, not by every start: before, curl_global_init read it for a plain-HTTP ask too.
    cnf = os.path.join(w.dir, "openssl.cnf")
    with open(cnf, "w") as f:
        f.write("openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_sect\n"
                "[ssl_sect]\nsystem_default = tls_sect\n[tls_sect]\nMinProtocol = TLSv1.2\n")
    fake.script({"content": "plain"})
    r, opens = traced(w, "ask", "plain http", calls="openat", pattern=re.compile(re.escape(cnf)),
                      OPENSSL_CONF=cnf)
    c.check(r.returncode == 0 and r.stdout == "plain\n", "the plain-HTTP ask answers",
            (r.returncode, r.stdout, r.stderr[-500:]))
    c.check(opens == [], "a plain-HTTP ask does not read OpenSSL's configuration", opens)

    r, clones = traced(w, "doctor")
    c.check(re.search(r"sandbox: namespaces.*(user, PID|unavailable)", r.stdout) is not None,
            "doctor reports the namespaces", r.stdout[-800:])
    c.check(len(clones) == 1, "doctor probes the namespaces (one child)", clones)
# An https:// provider: the configuration is read before the first TLS connection and
# its policy holds. The endpoint speaks TLS 1.2 at most and the configuration asks for 1.3
# at least: the handshake fails on the protocol version (without the configuration it
# would get as far as the self-signed certificate).
def serve_tls12(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)

    def run():
        while True:
            conn, _ = srv.accept()
            try:
                ctx.wrap_socket(conn, server_side=True).close()
            except (ssl.SSLError, OSError):
                conn.close()
    threading.Thread(target=run, daemon=True).start()
    return srv.getsockname()[1]


if shutil.which("openssl"):
    with Workdir() as w:
        cert, key = os.path.join(w.dir, "cert.pem"), os.path.join(w.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1"],
                       check=True, capture_output=True)
        port = serve_tls12(cert, key)
        w.write_config(config_text("https://127.0.0.1:%d" % port, w.state, deadline=10))
        cnf = os.path.join(w.dir, "openssl.cnf")
        with open(cnf, "w") as f:
            f.write("openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_sect\n"
                    "[ssl_sect]\nsystem_default = tls_sect\n[tls_sect]\nMinProtocol = TLSv1.3\n")
        r, opens = traced(w, "ask", "over tls", calls="openat",
                          pattern=re.compile(re.escape(cnf)), OPENSSL_CONF=cnf)
        c.check(len(opens) >= 1, "an https ask reads OpenSSL's configuration", opens)
        c.check(r.returncode != 0 and "protocol version" in r.stderr,
                "the configuration's TLS policy holds for the https provider",
                (r.returncode, r.stderr[-800:]))
c.done()
