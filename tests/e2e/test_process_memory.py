"""End to end: what every frugal process and thread pays in memory before doing anything.
1. Static thread-local storage: glibc zero-fills a thread's whole static TLS block when the
   thread starts, so each byte of it is paid once per thread (the loop thread and libuv's
   resolver pool threads). The binary's PT_TLS segment stays under 1 KiB. Before: 65,536
   bytes (the IRC read buffer was thread_local), 64 KiB of private memory per thread.
2. GnuTLS's load-time initialisation is skipped: frugal never calls GnuTLS (Debian's libcurl
   loads it through librtmp and libldap), and its constructor asks _gnutls_global_init_skip,
   which the binary defines and exports (GnuTLS's documented GNUTLS_SKIP_GLOBAL_INIT). The
   dynamic loader binds that lookup to the frugal binary (LD_DEBUG=bindings). Before: it
   bound to libgnutls's own weak definition and the constructor ran (0.8 MiB of RSS).
Checked on the built binary; the second check is skipped where libgnutls is not loaded."""
import os
import struct
import subprocess

from harness import BINARY, Checks, Workdir, env_for

c = Checks()

PT_TLS = 7


def tls_memsz(path):
    """Bytes of the PT_TLS segment of a 64-bit little-endian ELF file (0 when it has none)."""
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:4] != b"\x7fELF" or head[4] != 2 or head[5] != 1:
            raise ValueError("not a 64-bit little-endian ELF file: " + path)
        phoff, = struct.unpack_from("<Q", head, 32)
        phentsize, phnum = struct.unpack_from("<HH", head, 54)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    for i in range(phnum):
        p_type, = struct.unpack_from("<I", table, i * phentsize)
        if p_type == PT_TLS:
            p_memsz, = struct.unpack_from("<Q", table, i * phentsize + 40)
            return p_memsz
    return 0


size = tls_memsz(BINARY)
c.check(size <= 1024, "the binary's static thread-local storage is under 1 KiB", size)

with Workdir() as w:
    log = os.path.join(w.dir, "ld")
    r = subprocess.run([BINARY, "--version"], capture_output=True, text=True, timeout=60,
                       env=env_for(LD_DEBUG="bindings", LD_DEBUG_OUTPUT=log,
                                   ASAN_OPTIONS="detect_leaks=0"))
    c.check(r.returncode == 0 and r.stdout.startswith("frugal "), "frugal --version runs",
            (r.returncode, r.stdout, r.stderr[-500:]))
    text = ""
    for name in os.listdir(w.dir):
        if name.startswith("ld."):
            with open(os.path.join(w.dir, name), errors="replace") as f:
                text += f.read()
    skip = [line for line in text.splitlines() if "`_gnutls_global_init_skip'" in line]
    if "libgnutls" not in text:
        print("skip: libgnutls is not loaded by this build's libraries")
    else:
        c.check(len(skip) == 1 and "libgnutls" in skip[0].split(" to ")[0] and
                os.path.basename(BINARY) in skip[0].split(" to ")[1],
                "libgnutls's constructor asks frugal's _gnutls_global_init_skip", skip or
                [line for line in text.splitlines() if "libgnutls" in line][:5])
c.done()
