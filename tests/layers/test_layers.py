#!/usr/bin/env python3
"""The layers hold: check_includes.py passes on the tree and names a planted backwards
include; and the build's include views (build/layers/NAME) let budget/ reach core/ but
not llm/ — the compiler itself refuses the backwards include."""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import check_includes  # noqa: E402


def main():
    bad, edges, files = check_includes.check(ROOT)
    assert not bad, "backwards includes in the tree:\n" + "\n".join(bad)
    assert files > 100 and edges > 200, (files, edges)

    with tempfile.TemporaryDirectory() as tmp:
        for top in ("core", "policies", "budget", "llm", "tools", "transports", "agent"):
            shutil.copytree(os.path.join(ROOT, top), os.path.join(tmp, top))
        with open(os.path.join(tmp, "budget", "planted.cpp"), "w") as f:
            f.write('#include "core/result.h"\n#include "llm/types.h"\n')
        bad, _, _ = check_includes.check(tmp)
        assert any("budget/planted.cpp:2" in b and "llm/types.h" in b for b in bad), bad
        assert len(bad) == 1, bad

    layers = os.environ.get("FRUGAL_LAYERS_DIR")
    assert layers and os.path.isdir(layers), f"FRUGAL_LAYERS_DIR not a folder: {layers}"
    cxx = os.environ.get("CXX") or shutil.which("c++") or "g++"
    budget_view = [f"-I{os.path.join(layers, name)}" for name in ("budget", "core")]

    def compiles(source):
        with tempfile.NamedTemporaryFile("w", suffix=".cpp", delete=False) as f:
            f.write(source)
        try:
            r = subprocess.run([cxx, "-std=c++20", "-fsyntax-only", *budget_view, f.name],
                               capture_output=True, text=True)
            return r.returncode == 0, r.stderr
        finally:
            os.unlink(f.name)

    ok, err = compiles('#include "budget/usage.h"\n#include "core/result.h"\n')
    assert ok, "budget's view should reach budget/ and core/:\n" + err
    ok, err = compiles('#include "llm/types.h"\n')
    assert not ok and "llm/types.h" in err, "budget's view reached llm/: " + err
    ok, err = compiles('#include "agent/turn/turn.h"\n')
    assert not ok, "budget's view reached agent/"
    print("layers: include graph holds; a planted backwards include is named; "
          "budget's build view refuses llm/ and agent/")


if __name__ == "__main__":
    main()
