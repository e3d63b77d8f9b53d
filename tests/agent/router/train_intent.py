#!/usr/bin/env python3
"""Trains the router's intent classifier (tools = the turn needs to act; chat = answerable
from the model's own knowledge) on tests/agent/router/intent_turns.tsv and writes the
weight table compiled into the binary, agent/router/intent_table.cpp.

Logistic regression over hashed features (words, word bigrams, character trigrams and a
few markers), exactly as agent/router/intent.cpp extracts them; weights are quantised to
int16 and the accuracy printed here is the quantised table's. The held-out split (every
turn whose FNV-1a hash % 5 == 0) is never trained on; tests/agent/router/intent_test.cpp
checks the compiled table's accuracy on it. Pure python, deterministic: running it twice
writes the same table.

  python3 tests/agent/router/train_intent.py            # train, report, write the table
  python3 tests/agent/router/train_intent.py --check    # report; fail if the table differs
"""
import math
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
DATA = os.path.join(HERE, "intent_turns.tsv")
TABLE = os.path.join(ROOT, "agent", "router", "intent_table.cpp")

BUCKET_BITS = 14
BUCKETS = 1 << BUCKET_BITS
SCAN_LIMIT = 4096  # bytes of text read for features (agent/router/intent.h)
MAX_WORDS = 64
MAX_GRAM_WORD = 20  # longer words (hashes, paths) give no character trigrams
MAX_WORD_BYTES = 32  # a longer word counts by its first 32 bytes
PASTE_NEWLINES = 3  # newlines outside ``` fences that make a turn "an ask + pasted material"
EPOCHS = 60
L2 = 1e-4
SEED = 15


def fnv1a(data):
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def is_word(b):
    return b >= 0x80 or 48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122 or b == 95


def lower(data):
    return bytes(b + 32 if 65 <= b <= 90 else b for b in data)


def newlines_outside_fences(low):
    count, i, fenced, n = 0, 0, False, len(low)
    while i < n:
        if low.startswith(b"```", i):
            fenced = not fenced
            i += 3
            continue
        if not fenced and low[i] == 10:
            count += 1
        i += 1
    return count


def features(text):
    """Feature names (bytes) of one turn, in the order intent.cpp produces them."""
    raw = text.encode()
    size = len(raw)
    low = lower(raw[:SCAN_LIMIT])
    out = []
    if b"```" in low:
        out.append(b"s:code")
    if b"http://" in low or b"https://" in low or b"www." in low:
        out.append(b"s:url")
    if size <= 20:
        out.append(b"s:len0")
    elif size <= 80:
        out.append(b"s:len1")
    elif size <= 300:
        out.append(b"s:len2")
    else:
        out.append(b"s:len3")
    # Words outside ``` fences (code is what the turn is about, not what it asks for).
    # A turn with PASTE_NEWLINES or more newlines outside fences is an ask plus pasted
    # material (a piped log, a mail, a config): only its first line with words is the ask,
    # so only that line's words count, plus the marker s:paste.
    n = len(low)
    pasted = newlines_outside_fences(low) >= PASTE_NEWLINES
    if pasted:
        out.append(b"s:paste")
    words, i, fenced = [], 0, False
    while i < n and len(words) < MAX_WORDS:
        if low.startswith(b"```", i):
            fenced = not fenced
            i += 3
            continue
        if pasted and words and not fenced and low[i] == 10:
            break
        if fenced or not is_word(low[i]):
            i += 1
            continue
        j = i
        while j < n and is_word(low[j]):
            j += 1
        words.append(low[i:min(j, i + MAX_WORD_BYTES)])
        i = j
    if words:
        out.append(b"f:" + words[0])
    prev = None
    for w in words:
        out.append(b"w:" + w)
        if prev is not None:
            out.append(b"b:" + prev + b" " + w)
        prev = w
        if len(w) > MAX_GRAM_WORD:
            continue
        padded = b"<" + w + b">"
        for k in range(len(padded) - 2):
            out.append(b"c:" + padded[k:k + 3])
    return out


def vector(text):
    """{bucket: name} for the turn's distinct buckets (the first name seen names it)."""
    v = {}
    for f in features(text):
        v.setdefault(fnv1a(f) & (BUCKETS - 1), f)
    return v


def load():
    rows, seen = [], set()
    with open(DATA, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            label, _, text = line.partition("\t")
            if label not in ("tools", "chat") or not text:
                sys.exit("%s:%d: expected 'tools|chat<TAB>text'" % (DATA, n))
            text = text.replace("\\n", "\n")
            if text in seen:
                sys.exit("%s:%d: duplicate turn" % (DATA, n))
            seen.add(text)
            rows.append((text, 1 if label == "tools" else 0))
    return rows


def held_out(text):
    return fnv1a(text.encode()) % 5 == 0


def sigmoid(z):
    return 1 / (1 + math.exp(-max(-60.0, min(60.0, z))))


def train(rows):
    w = [0.0] * BUCKETS
    b = 0.0
    data = [(list(vector(t)), y) for t, y in rows]
    g2 = [1e-8] * BUCKETS
    gb = 1e-8
    rnd = random.Random(SEED)
    lr = 0.5
    for _ in range(EPOCHS):
        rnd.shuffle(data)
        for keys, y in data:
            s = 1 / math.sqrt(len(keys))
            z = b + s * sum(w[k] for k in keys)
            g = sigmoid(z) - y
            for k in keys:
                gk = g * s + L2 * w[k]
                g2[k] += gk * gk
                w[k] -= lr * gk / math.sqrt(g2[k])
            gb += g * g
            b -= lr * g / math.sqrt(gb)
    return w, b


def quantise(w):
    top = max(abs(x) for x in w) or 1.0
    scale = top / 32767
    return [int(round(x / scale)) for x in w], scale


def p_tools(q, scale, bias, text):
    keys = list(vector(text))
    s = sum(q[k] for k in keys)
    return sigmoid(bias + scale * s / math.sqrt(len(keys)))


def report(name, rows, q, scale, bias, threshold):
    m = [[0, 0], [0, 0]]  # m[truth][predicted], 1 = tools
    wrong = []
    for t, y in rows:
        pred = 1 if p_tools(q, scale, bias, t) >= threshold else 0
        m[y][pred] += 1
        if pred != y:
            wrong.append((y, t))
    n = len(rows)
    acc = (m[0][0] + m[1][1]) / n if n else 0
    print("%s: %d turns, accuracy %.1f %%" % (name, n, 100 * acc))
    print("                 predicted chat  predicted tools")
    print("  actual chat    %14d  %15d" % (m[0][0], m[0][1]))
    print("  actual tools   %14d  %15d" % (m[1][0], m[1][1]))
    return acc, wrong


def sparse(q):
    """The table's encoding of q: a bitmap of the non-zero buckets, per 64-bucket word the
    count of non-zero weights before it, and the non-zero weights in bucket order (two
    thirds of the buckets are zero, so this is 14 KB where a dense int16 array is 32 KB)."""
    present, rank, nonzero = [], [], []
    for w in range(0, BUCKETS, 64):
        rank.append(len(nonzero))
        bits = 0
        for b in range(64):
            if q[w + b]:
                bits |= 1 << b
                nonzero.append(q[w + b])
        present.append(bits)
    return present, rank, nonzero


def decode(present, rank, nonzero, bucket):
    """intent_weight() of agent/router/intent_table.h, in python."""
    bits = present[bucket >> 6]
    bit = 1 << (bucket & 63)
    if not bits & bit:
        return 0
    return nonzero[rank[bucket >> 6] + bin(bits & (bit - 1)).count("1")]


def render(q, scale, bias, n_train):
    present, rank, nonzero = sparse(q)
    assert all(decode(present, rank, nonzero, b) == q[b] for b in range(BUCKETS))
    assert len(nonzero) < 1 << 16
    lines = [
        "// Generated by tests/agent/router/train_intent.py from tests/agent/router/",
        "// intent_turns.tsv (%d training turns); do not edit. Weights of the router's" % n_train,
        "// logistic regression, one int16 per feature bucket, scaled by intent_scale; only",
        "// the non-zero ones are stored (see intent_weight() in intent_table.h).",
        '#include "agent/router/intent_table.h"',
        "",
        "namespace frugal::router {",
        "",
        "const double intent_bias = %r;" % bias,
        "const double intent_scale = %r;" % scale,
        "const uint64_t intent_present[intent_buckets / 64] = {",
    ]
    for i in range(0, len(present), 4):
        lines.append("    " + ", ".join("0x%016xu" % x for x in present[i:i + 4]) + ",")
    lines += ["};", "const uint16_t intent_rank[intent_buckets / 64] = {"]
    for i in range(0, len(rank), 12):
        lines.append("    " + ", ".join(str(x) for x in rank[i:i + 12]) + ",")
    lines += ["};", "const int16_t intent_nonzero[] = {"]
    for i in range(0, len(nonzero), 12):
        lines.append("    " + ", ".join(str(x) for x in nonzero[i:i + 12]) + ",")
    lines += ["};", "", "}  // namespace frugal::router", ""]
    return "\n".join(lines)


def main():
    rows = load()
    train_rows = [r for r in rows if not held_out(r[0])]
    test_rows = [r for r in rows if held_out(r[0])]
    tools = sum(y for _, y in rows)
    print("%d turns (%d tools, %d chat): %d to train, %d held out" %
          (len(rows), tools, len(rows) - tools, len(train_rows), len(test_rows)))
    w, bias = train(train_rows)
    q, scale = quantise(w)
    report("train", train_rows, q, scale, bias, 0.5)
    acc, wrong = report("held-out", test_rows, q, scale, bias, 0.5)
    for y, t in wrong:
        print("  miss (%s): %s" % ("tools" if y else "chat", t.replace("\n", "\\n")[:90]))
    text = render(q, scale, bias, len(train_rows))
    if "--check" in sys.argv:
        with open(TABLE, encoding="utf-8") as f:
            same = f.read() == text
        print("table " + ("matches" if same else "DIFFERS from") + " " + TABLE)
        return 0 if same and acc >= 0.9 else 1
    with open(TABLE, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote " + TABLE)
    return 0 if acc >= 0.9 else 1


if __name__ == "__main__":
    sys.exit(main())
