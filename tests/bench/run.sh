#!/usr/bin/env bash
# Builds the release preset and the benchmark programs, then prints every figure:
# binary size, `frugal ask` wall time and peak RSS, governor reserve+settle cost, router
# decision cost, sandboxed child start cost, parser throughputs. Figures, not pass/fail.
set -euo pipefail
cd "$(dirname "$0")/../.."
cmake --preset release >/dev/null && cmake --build --preset release -j2 >/dev/null
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench -j2 >/dev/null
echo "== frugal ask"; python3 tests/bench/ask_bench.py build-release/frugal 15
for b in build-bench/tests/*_bench; do echo "== $(basename "$b")"; "$b"; done
echo "== routing (200 turns)"; python3 tests/bench/routing_bench.py build-release/frugal 200
echo "== idle daemon (IRC TLS + Matrix, 60 s)"; python3 tests/bench/idle_bench.py build-release/frugal 60
