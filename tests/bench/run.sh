#!/usr/bin/env bash
# Builds the release preset and the benchmark programs, then prints every figure: the
# footprint table (binary size, `frugal ask` cold start to the first request byte, wall
# time and peak RSS, per-turn CPU over 1,000 turns, the idle daemon's RSS and private
# memory with IRC + Matrix, parser throughputs), the governor, router and sandbox costs,
# and the routing workload's dollars. Figures, not pass/fail. The soak is separate:
# tests/bench/soak.py (2 minutes by default; see docs/BENCHMARKS.md for a 6-hour run).
set -euo pipefail
cd "$(dirname "$0")/../.."
cmake --preset release >/dev/null && cmake --build --preset release -j2 >/dev/null
# The benchmark programs get the release preset's flags (-Os, LTO, gc-sections).
cmake --preset release -B build-bench -DFRUGAL_BUILD_TESTS=ON -DFRUGAL_STRIP=OFF >/dev/null
cmake --build build-bench -j2 --target parse_bench governor_bench router_bench \
  sandbox_bench >/dev/null
echo "== footprint"
python3 tests/bench/footprint.py --binary build-release/frugal \
  --parse-bench build-bench/tests/parse_bench
for b in governor_bench router_bench sandbox_bench; do
  echo "== $b"; "build-bench/tests/$b"
done
echo "== routing (200 turns)"; python3 tests/bench/routing_bench.py build-release/frugal 200
