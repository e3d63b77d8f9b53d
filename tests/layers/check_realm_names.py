#!/usr/bin/env python3
"""Realm names are spelled in one place: core/realm.h (realm_name) and core/realm.cpp
(parse_realm). Anywhere else in the non-test code, a string literal that is exactly
"public" or "private", or SQL text holding 'public' or 'private', is a realm compared or
built as text; this names each one. Comments are skipped. Exit 0 when there is none,
exit 1 listing them. Usage: check_realm_names.py [SOURCE_DIR]"""
import os
import re
import sys

TOPS = ("core", "policies", "budget", "llm", "tools", "transports", "agent")
HOME = {"core/realm.h", "core/realm.cpp"}
NAMES = {"public", "private"}
SQL_NAME = re.compile(r"'(public|private)'")


def literals(text):
    """(line, contents) of every string literal in C++ `text`, comments skipped."""
    out, i, line, n = [], 0, 1, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif text.startswith("//", i):
            i = text.find("\n", i)
            i = n if i < 0 else i
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            line += text.count("\n", i, j)
            i = j
        elif c == "R" and i + 1 < n and text[i + 1] == '"' and not re.match(r"\w", text[i - 1:i]):
            delim = text[i + 2:text.index("(", i + 2)]
            start = text.index("(", i + 2) + 1
            end = text.find(")" + delim + '"', start)
            end = n if end < 0 else end
            out.append((line, text[start:end]))
            line += text.count("\n", i, end)
            i = end + len(delim) + 2
        elif c == '"' or c == "'":
            j, buf = i + 1, []
            while j < n and text[j] != c and text[j] != "\n":
                if text[j] == "\\":
                    j += 1
                buf.append(text[j] if j < n else "")
                j += 1
            if c == '"':
                out.append((line, "".join(buf)))
            i = j + 1
        else:
            i += 1
    return out


def check(root):
    bad, files = [], 0
    for top in TOPS:
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for name in sorted(names):
                if not name.endswith((".cpp", ".h")):
                    continue
                rel = os.path.relpath(os.path.join(dirpath, name), root)
                files += 1
                if rel in HOME:
                    continue
                text = open(os.path.join(dirpath, name), encoding="utf-8").read()
                for line, lit in literals(text):
                    if lit in NAMES or SQL_NAME.search(lit):
                        bad.append(f"{rel}:{line}: realm name as text \"{lit[:60]}\": use "
                                   "core::realm_kind (core/realm.h)")
    return bad, files


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    bad, files = check(os.path.normpath(root))
    for b in bad:
        print(b)
    if bad:
        return 1
    print(f"realm names: spelled only in core/realm.h and core/realm.cpp ({files} files read)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
