"""End to end: `frugal chat` on a pseudo-terminal (issue 16 item 1). Arrow keys edit the
line before it is sent (abcdef, Left, Left, X sends "abcdXef", not escape bytes); Up
recalls it; the history file is 0600; /help, /tier, /budget, /dry-run and /reset are
answered locally (no model request, nothing billed); an answer is streamed as it arrives
(its first piece is on the screen before the model has sent the rest); Ctrl-C during an
answer cancels it, settles the reservation and returns to the prompt; Ctrl-D exits 0 on a
fresh line, and so does Ctrl-C at the prompt. `ask` on a terminal streams too."""
import os
import pty
import select
import stat
import subprocess
import time

from harness import BINARY, Checks, FakeModel, Workdir, budget_json, config_text, env_for

c = Checks()


class Term:
    """The binary on a pty: type keys, read what the terminal shows."""

    def __init__(self, config, *args):
        self.master, slave = pty.openpty()
        self.p = subprocess.Popen([BINARY, "--config", config, *args], stdin=slave,
                                  stdout=slave, stderr=slave, env=env_for(TERM="xterm"),
                                  start_new_session=True, close_fds=True,
                                  preexec_fn=lambda: __import__("fcntl").ioctl(
                                      0, __import__("termios").TIOCSCTTY, 0))
        os.close(slave)
        self.out = b""

    def pump(self, t=0.05):
        while True:
            r, _, _ = select.select([self.master], [], [], t)
            if not r:
                return
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.out += chunk

    def type(self, data):
        os.write(self.master, data.encode() if isinstance(data, str) else data)

    def wait(self, cond, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            self.pump()
            if cond():
                return True
            if self.p.poll() is not None:
                self.pump()
                return cond()
        return False

    def text(self, start=0):
        return self.out[start:].decode("utf-8", "replace")

    def prompts(self, start=0):
        return self.text(start).count("> ")


def user_texts(fake):
    out = []
    for q in fake.requests():
        msgs = (q.get("body") or {}).get("messages") or []
        users = [m for m in msgs if m.get("role") == "user"]
        if users:
            content = users[-1].get("content")
            out.append(content if isinstance(content, str) else
                       "".join(p.get("text", "") for p in content))
    return out


with FakeModel() as fake, Workdir() as w:
    w.write_config(config_text(fake.url, w.state))
    t = Term(w.config, "chat")
    c.check(t.wait(lambda: "> " in t.text()), "chat shows a prompt", t.text())

    # Line editing: abcdef, Left, Left, X, Enter sends abcdXef.
    fake.script({"content": "edited ok"})
    mark = len(t.out)
    t.type("abcdef\x1b[D\x1b[DX\r")
    c.check(t.wait(lambda: "edited ok" in t.text(mark)), "the edited line is answered", t.text(mark))
    c.check(user_texts(fake)[-1:] == ["abcdXef"],
            "the model got the edited line, not escape bytes", user_texts(fake))
    hist = os.path.join(w.state, "chat_history")
    c.check(os.path.exists(hist) and stat.S_IMODE(os.stat(hist).st_mode) == 0o600 and
            "abcdXef" in open(hist, encoding="utf-8", errors="replace").read(),
            "the history file holds the line, mode 0600",
            oct(os.stat(hist).st_mode) if os.path.exists(hist) else "missing")

    # Up recalls the last line; Ctrl-A and a key edit its start.
    fake.script({"content": "recalled ok"})
    mark = len(t.out)
    t.type("\x1b[A\x01Z\r")
    c.check(t.wait(lambda: "recalled ok" in t.text(mark)) and
            user_texts(fake)[-1:] == ["ZabcdXef"],
            "Up recalls the previous line and Ctrl-A moves to its start", user_texts(fake)[-1:])

    # Local commands: answered here, no model request, nothing billed.
    before_reqs = len(fake.requests())
    before = budget_json(w.config)
    for cmd, expect in (("/help", "/dry-run"), ("/tier tools", "tier: tools"),
                        ("/tier nosuch", "no tier"), ("/tier auto", "tier: auto"),
                        ("/budget", "cap"), ("/dry-run what is 2+2", "reserve"),
                        ("/reset", "starts over"), ("/nonsense", "unknown command")):
        mark = len(t.out)
        t.type(cmd + "\r")
        c.check(t.wait(lambda: expect in t.text(mark) and t.prompts(mark) >= 1),
                "%s is answered locally" % cmd, t.text(mark)[-300:])
    after = budget_json(w.config)
    c.check(len(fake.requests()) == before_reqs and after["spent_usd"] == before["spent_usd"] and
            after["reserved_usd"] == 0,
            "no local command reached the model or was billed",
            (len(fake.requests()) - before_reqs, before["spent_usd"], after["spent_usd"]))
    # After /reset the next turn sends no earlier messages.
    fake.script({"content": "fresh"})
    mark = len(t.out)
    t.type("after reset\r")
    t.wait(lambda: "fresh" in t.text(mark))
    last = fake.requests()[-1]["body"]["messages"]
    c.check([m.get("role") for m in last if m.get("role") != "system"] == ["user"] and
            user_texts(fake)[-1] == "after reset",
            "/reset: the next turn carries no earlier exchange", last)

    # Streaming: the first piece shows before the model has sent the rest.
    fake.script({"content": "alpha-piece beta-piece gamma-piece", "event_delay_ms": 700})
    mark = len(t.out)
    t.type("stream please\r")
    first = t.wait(lambda: "alpha" in t.text(mark), 10)
    partial = "gamma-piece" not in t.text(mark)
    c.check(first and partial, "the answer is streamed: its start shows before its end",
            t.text(mark))
    c.check(t.wait(lambda: "alpha-piece beta-piece gamma-piece" in t.text(mark) and
                   t.prompts(mark) >= 1, 15), "the whole answer shows, then the prompt",
            t.text(mark))
    spin = t.text(mark).split("alpha")[0]
    c.check(any(ch in spin for ch in "|/-\\") and "\b" in spin,
            "a spinner turned until the first piece", repr(spin[-80:]))

    # Ctrl-C cancels the turn in flight; the reservation is settled; the prompt returns.
    fake.script({"fault": "hang"})
    mark = len(t.out)
    t.type("take your time\r")
    t.wait(lambda: len(fake.requests()) and user_texts(fake)[-1] == "take your time", 10)
    t.wait(lambda: False, 0.5)
    t.type("\x03")
    c.check(t.wait(lambda: "cancelled" in t.text(mark) and t.prompts(mark) >= 1, 10) and
            t.p.poll() is None,
            "Ctrl-C cancels the answer and returns to the prompt", t.text(mark))
    b = budget_json(w.config)
    c.check(b["reserved_usd"] == 0, "the cancelled call's reservation is settled", b)
    fake.script({"content": "still here"})
    mark = len(t.out)
    t.type("are you there\r")
    c.check(t.wait(lambda: "still here" in t.text(mark) and "> " in t.text(mark).split("still here")[-1]),
            "the next line is answered")
    t.wait(lambda: False, 0.3)  # the editor has the terminal (a ^D typed before is the tty's EOF)

    # Ctrl-D on an empty line: exit 0 on a fresh line.
    mark = len(t.out)
    t.type("\x04")
    c.check(t.wait(lambda: t.p.poll() is not None, 10) and t.p.returncode == 0,
            "Ctrl-D exits 0", t.p.poll())
    t.pump()
    c.check(t.text(mark).endswith("\n"), "and leaves the cursor on a fresh line",
            repr(t.text(mark)))

    # Ctrl-C at the prompt: exit 0, fresh line.
    t2 = Term(w.config, "chat")
    t2.wait(lambda: "> " in t2.text())
    t2.type("\x03")
    c.check(t2.wait(lambda: t2.p.poll() is not None, 10) and t2.p.returncode == 0 and
            t2.text().endswith("\n"), "Ctrl-C at the prompt exits 0 on a fresh line",
            (t2.p.poll(), repr(t2.text()[-40:])))

    # ask on a terminal streams; piped it prints the whole answer at once.
    fake.script({"content": "one-piece two-piece three-piece", "event_delay_ms": 700})
    t3 = Term(w.config, "ask", "stream to me")
    first = t3.wait(lambda: "one-piece" in t3.text(), 10)
    c.check(first and "three-piece" not in t3.text(), "ask on a terminal streams", t3.text())
    c.check(t3.wait(lambda: t3.p.poll() is not None, 15) and t3.p.returncode == 0 and
            "one-piece two-piece three-piece" in t3.text(), "and ends with the whole answer",
            t3.text())
    fake.script({"content": "piped whole"})
    r = subprocess.run([BINARY, "--config", w.config, "ask", "hi"], capture_output=True,
                       text=True, timeout=30, env=env_for())
    c.check(r.returncode == 0 and r.stdout == "piped whole\n",
            "ask piped: the answer alone, no spinner", repr(r.stdout))

c.done()
