#!/usr/bin/env python3
"""check_deb.py DEB: the .deb as Debian would judge it. lintian reports no error and no
warning (the one false positive is overridden, with its reason, in deploy/lintian-overrides);
the binary carries Debian's hardening (PIE, RELRO, BIND_NOW, fortified libc calls, the stack
protector); Depends comes from dpkg-shlibdeps (libc6 with a version) plus the maintainer
scripts' passwd; the man page and changelog are gzipped and the
copyright file is present. Run by .ci/run after the release build and `cpack -G DEB`
(too slow for ctest: the release build takes minutes). Exit 1 on any failure."""
import os
import re
import subprocess
import sys
import tempfile

if len(sys.argv) != 2 or not os.path.exists(sys.argv[1]):
    sys.exit("usage: check_deb.py build-release/frugal_VERSION_ARCH.deb")
deb = sys.argv[1]
failed = 0


def check(ok, what, detail=""):
    global failed
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failed += 1
        if detail:
            print("     " + str(detail).replace("\n", "\n     ")[:3000])


def out(*cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


rc, text = out("lintian", "--no-tag-display-limit", deb)
bad = [l for l in text.splitlines() if re.match(r"^[EW]: ", l)]
check(not bad, "lintian: no errors and no warnings", "\n".join(bad) or text[-2000:])

rc, info = out("dpkg-deb", "--field", deb, "Depends")
check(re.search(r"\blibc6 \(>= [0-9.]+\)", info) and "libcurl4" in info and
      "libuv1" in info and "passwd" in info,
      "Depends from dpkg-shlibdeps (libc6, libcurl4, libuv1, ...) plus passwd", info)
rc, maint = out("dpkg-deb", "--field", deb, "Maintainer")
check(re.search(r"<[^@>]+@[^>]+\.[a-z]+>", maint) is not None and "localhost" not in maint,
      "Maintainer has a mail address with a domain", maint)

with tempfile.TemporaryDirectory() as d:
    rc, text = out("dpkg-deb", "-x", deb, d)
    check(rc == 0, "dpkg-deb -x unpacks", text)
    doc = os.path.join(d, "usr/share/doc/frugal")
    for f in ("changelog.gz", "copyright", "examples/frugal.example.toml"):
        check(os.path.exists(os.path.join(doc, f)), "ships /usr/share/doc/frugal/" + f)
    man = os.path.join(d, "usr/share/man/man1")
    check(sorted(os.listdir(man)) == ["frugal.1.gz"] if os.path.isdir(man) else False,
          "man page shipped gzipped only", os.path.isdir(man) and os.listdir(man))
    binary = os.path.join(d, "usr/bin/frugal")
    rc, hdr = out("readelf", "-hldW", binary)
    check(re.search(r"Type:\s+DYN", hdr) is not None and "PIE" in hdr, "binary is PIE", hdr[:400])
    check("GNU_RELRO" in hdr, "binary has a RELRO segment")
    check(re.search(r"\(FLAGS(_1)?\)\s+Flags:.*\bNOW\b", hdr) is not None or
          re.search(r"\(BIND_NOW\)", hdr) is not None, "binary is linked with BIND_NOW",
          "\n".join(l for l in hdr.splitlines() if "FLAGS" in l))
    rc, syms = out("readelf", "--dyn-syms", "-W", binary)
    chk = sorted(set(re.findall(r"\b(__\w+_chk)\b", syms)))
    check(len(chk) >= 2, "fortified libc calls (FORTIFY_SOURCE): %s" % ", ".join(chk[:8]))
    check("__stack_chk_fail" in syms, "stack protector (__stack_chk_fail)")
    rc, ver = out(binary, "--version")
    check(rc == 0 and ver.startswith("frugal "), "the packaged binary runs", ver)

print("%s: %s" % (os.path.basename(deb), "all checks passed" if not failed else
                  "%d check(s) failed" % failed))
sys.exit(1 if failed else 0)
