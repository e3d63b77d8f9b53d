#!/usr/bin/env python3
"""Realm names stay in core/realm.{h,cpp}: check_realm_names.py passes on the tree, and on
a copy it names a planted `realm == "public"` compare and a planted SQL 'private', while
the same words in a comment, a longer literal or core/realm.h itself pass."""
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import check_realm_names  # noqa: E402


def main():
    bad, files = check_realm_names.check(ROOT)
    assert not bad, "realm names spelled outside core/realm.h:\n" + "\n".join(bad)
    assert files > 100, files

    with tempfile.TemporaryDirectory() as tmp:
        for top in check_realm_names.TOPS:
            shutil.copytree(os.path.join(ROOT, top), os.path.join(tmp, top))
        with open(os.path.join(tmp, "budget", "planted.cpp"), "w") as f:
            f.write('// "public" in a comment is fine\n'
                    '/* so is "private"\n here */\n'
                    'const char* ok = "the public realm";\n'
                    'bool bad(const std::string& realm) { return realm == "public"; }\n'
                    'const char* q = "SELECT 1 FROM ledger WHERE realm=\'private\'";\n'
                    'const char* raw = R"(public)";\n')
        bad, _ = check_realm_names.check(tmp)
        where = sorted(b.split(": ")[0] for b in bad)
        assert where == ["budget/planted.cpp:5", "budget/planted.cpp:6", "budget/planted.cpp:7"], bad
    print("realm names: only in core/realm.h and core/realm.cpp; a planted compare is named")


if __name__ == "__main__":
    main()
