#!/usr/bin/env python3
"""The layer rule, checked on the sources: every #include "folder/..." in a layer's files
names its own layer or one below it (the same table as CMakeLists.txt's frugal_layer
calls; the build enforces it through include views, this names every offending line at
once). Exit 0 and a summary when the graph holds; exit 1 listing each backwards include.
Usage: check_includes.py [SOURCE_DIR]"""
import os
import re
import sys

# Layer of a path (first match wins) and the layers each may include, lowest first.
LAYERS = [
    ("core", ("core/",)),
    ("policies", ("policies/",)),
    ("budget", ("budget/",)),
    ("llm", ("llm/",)),
    ("tools", ("tools/",)),
    ("transports", ("transports/",)),
    ("engine", ("agent/router/", "agent/session/", "agent/turn/", "agent/runtime.")),
    ("front", ("agent/cli/", "agent/control/", "agent/daemon.", "agent/upkeep.", "agent/main.cpp",
               "agent/skip_gnutls_init.cpp")),
]
BELOW = {
    "core": set(),
    "policies": {"core"},
    "budget": {"core"},
    "llm": {"core", "budget"},
    "tools": {"core", "policies", "budget"},
    "transports": {"core", "policies"},
    "engine": {"core", "policies", "budget", "llm", "tools", "transports"},
    "front": {"core", "policies", "budget", "llm", "tools", "transports", "engine"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(path):
    for name, prefixes in LAYERS:
        if any(path.startswith(p) for p in prefixes):
            return name
    return None


def check(root):
    bad, edges, files = [], 0, 0
    for top in ("core", "policies", "budget", "llm", "tools", "transports", "agent"):
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for n in sorted(names):
                if not n.endswith((".cpp", ".h")):
                    continue
                rel = os.path.relpath(os.path.join(dirpath, n), root)
                mine = layer_of(rel)
                if mine is None:
                    bad.append(f"{rel}: belongs to no layer")
                    continue
                files += 1
                text = open(os.path.join(dirpath, n), encoding="utf-8").read()
                for m in INCLUDE.finditer(text):
                    target = m.group(1)
                    theirs = layer_of(target)
                    if theirs is None:
                        bad.append(f"{rel}: includes \"{target}\", which is in no layer")
                        continue
                    edges += 1
                    if theirs != mine and theirs not in BELOW[mine]:
                        line = text.count("\n", 0, m.start()) + 1
                        bad.append(f"{rel}:{line}: {mine} includes \"{target}\" ({theirs}), "
                                   f"a layer above or beside it")
    return bad, edges, files


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    bad, edges, files = check(os.path.abspath(root))
    for b in bad:
        print(b)
    print(f"layers: {files} files, {edges} includes, {len(bad)} against the layer order")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
