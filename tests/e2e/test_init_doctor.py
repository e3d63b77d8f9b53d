"""End to end: a first run. `frugal init --chat-model X --tools-model Y` with models it has
no price for writes placeholder prices that load (`budget` works) and that `doctor` reports
as a warning; `doctor` accepts the state folder as frugal makes it (0700); as root a config without state_dir keeps its state in /var/lib/frugal (checked in a private
mount namespace with a tmpfs over /var/lib, where unshare is allowed) with no warning that
the sandbox user cannot reach the workspaces."""
import os
import re
import shutil
import stat
import subprocess

from harness import BINARY, Checks, FakeModel, Workdir, env_for, frugal

c = Checks()
root = os.geteuid() == 0

with FakeModel() as fake, Workdir() as w:
    env = env_for(FRUGAL_TEST_KEY="sk-test-0123456789")
    r = subprocess.run([BINARY, "--config", w.config, "init", "--base-url", fake.url + "/v1",
                        "--api-key-env", "FRUGAL_TEST_KEY", "--local-url", fake.url + "/v1",
                        "--chat-model", "acme/brand-new-1", "--tools-model", "acme/bigger-2"],
                       capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL,
                       timeout=60)
    text = open(w.config).read() if os.path.exists(w.config) else ""
    c.check(r.returncode == 0 and text.count("price_placeholder = true") == 2,
            "init writes placeholder prices for the two models it does not know",
            r.stdout + r.stderr + text)
    want_state = "/var/lib/frugal" if root else "~/.local/state/frugal"
    c.check('state_dir = "%s"' % want_state in text,
            "init suggests %s as the state folder for this user" % want_state, text[:400])
    # The rest runs against a state folder inside the test's own folder.
    with open(w.config, "w") as f:
        f.write(re.sub(r'(?m)^state_dir = .*$', 'state_dir = "%s"' % w.state, text))
    r = frugal(w.config, "budget", "--json", env=env)
    c.check(r.returncode == 0 and '"cap_usd"' in r.stdout,
            "the config init wrote loads (before: no price for paid model)", r.stdout + r.stderr)
    r = frugal(w.config, "doctor", env=env)
    rows = r.stdout
    c.check(re.search(r"^models\.cheap price\s+warn\s+placeholder prices from init for "
                      r"acme/brand-new-1", rows, re.M) is not None and
            re.search(r"^models\.capable price\s+warn", rows, re.M) is not None,
            "doctor flags each placeholder price", rows + r.stderr)
    mode = stat.S_IMODE(os.stat(w.state).st_mode) if os.path.isdir(w.state) else None
    want = 0o700
    c.check(mode == want and re.search(r"^state_dir permissions\s+ok\s+.*\(0%o\)" % want, rows,
                                       re.M) is not None and "chmod" not in rows,
            "doctor accepts the state folder as frugal made it (0%o)" % want,
            "mode %s\n%s" % (mode and oct(mode), rows))
    # As root without state_dir: /var/lib/frugal, and no "nobody cannot reach" warning
    # (before: ~/.local/state/frugal under a 0700 home, warned twice per command).
    unshare = shutil.which("unshare")
    if root and unshare and subprocess.run([unshare, "-m", "true"]).returncode == 0:
        home = os.path.join(w.dir, "home")
        os.makedirs(home, mode=0o700)
        os.chmod(home, 0o700)
        with open(w.config, "w") as f:
            f.write(re.sub(r'(?m)^state_dir = .*\n', "", text))
        # `ask --dry-run` builds the runtime, which makes the state folder (and calls no
        # model); `budget` is read-only and makes nothing.
        script = ('mount -t tmpfs tmpfs /var/lib && "$0" --config "$1" ask --dry-run hello && '
                  'stat -c %a /var/lib/frugal && "$0" --config "$1" doctor')
        r = subprocess.run([unshare, "-m", "sh", "-c", script, BINARY, w.config],
                           capture_output=True, text=True, timeout=60,
                           env=env_for(FRUGAL_TEST_KEY="x", HOME=home, XDG_STATE_HOME=""))
        c.check(r.returncode in (0, 1) and re.search(r"(?m)^700$", r.stdout) is not None and
                "/var/lib/frugal (0700)" in r.stdout and "nobody" not in r.stderr,
                "as root the default state folder is /var/lib/frugal, made 0700, doctor "
                "agrees, no warning about the sandbox user", r.stdout + r.stderr)
    elif root:
        print("note: unshare -m not allowed here; the root default is covered by config_test")

c.done()
