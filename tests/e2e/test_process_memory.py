"""End to end: what every frugal process and thread pays in memory before doing anything.
1. Static thread-local storage: glibc zero-fills a thread's whole static TLS block when the
   thread starts, so each byte of it is paid once per thread (the loop thread and libuv's
   resolver pool threads). The binary's PT_TLS segment stays under 1 KiB. Before: 65,536
   bytes (the IRC read buffer was thread_local), 64 KiB of private memory per thread.
Checked on the built binary."""
import struct
import subprocess

from harness import BINARY, Checks

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

c.done()
