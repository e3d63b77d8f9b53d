#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz/CMakeLists.txt, clang) and runs each one for
# SECONDS (default 20) on a scratch copy of its committed seed corpus, two at a time.
# Prints one line per fuzzer (runs, exec/s, coverage) and exits non-zero if any fuzzer
# found a crash, a leak or a timeout; the input is kept under $FUZZ_BUILD_DIR/crashes/.
# Usage: tests/fuzz/run.sh [SECONDS] [NAME...]   (env: FUZZ_BUILD_DIR, FUZZ_JOBS)
# It does not update the committed corpus (see tests/fuzz/README.md).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
seconds=${1:-20}
shift || true
build=${FUZZ_BUILD_DIR:-$repo/build-fuzz}
jobs=${FUZZ_JOBS:-2}
all=(sse openai anthropic irc_message irc_split matrix_sync matrix_responses config markdown
  tool_args tzfile retry_after)
[ $# -gt 0 ] && names=("$@") || names=("${all[@]}")

cmake -S "$here" -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang >/dev/null
targets=()
for n in "${names[@]}"; do targets+=("${n}_fuzz"); done
cmake --build "$build" -j2 --target "${targets[@]}" >"$build/build.log" 2>&1 || {
  tail -40 "$build/build.log"
  echo "fuzz: build failed (log: $build/build.log)"
  exit 1
}

# Stack traces for UBSan findings too; leaks are findings.
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

work="$build/run"
rm -rf "$work"
mkdir -p "$work" "$build/crashes"

run_one() {
  local n=$1 dir="$work/$1"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp "$here/corpus/$n/"* "$dir/corpus/"
  local dict=()
  [ -f "$here/dict/$n.dict" ] && dict=(-dict="$here/dict/$n.dict")
  local rc=0
  (cd "$dir" && "$build/${n}_fuzz" "${dict[@]}" -max_total_time="$seconds" -timeout=5 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
    corpus >"$dir/log" 2>&1) || rc=$?
  echo "$rc" >"$dir/rc"
}

pids=()
for n in "${names[@]}"; do
  run_one "$n" &
  pids+=($!)
  if [ "${#pids[@]}" -ge "$jobs" ]; then
    wait "${pids[0]}"
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p"; done

failed=0
for n in "${names[@]}"; do
  dir="$work/$n"
  rc=$(cat "$dir/rc")
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -1)
  cov=$( (grep -ao 'cov: [0-9]*' "$dir/log" || true) | tail -1 | cut -d' ' -f2)
  ft=$( (grep -ao 'ft: [0-9]*' "$dir/log" || true) | tail -1 | cut -d' ' -f2)
  corp=$(find "$dir/corpus" -type f | wc -l)
  if [ "$rc" = 0 ]; then
    printf 'fuzz: %-16s ok     %9s runs %7s exec/s  cov %5s  ft %6s  corpus %d\n' \
      "$n" "${runs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "$corp"
  else
    failed=1
    printf 'fuzz: %-16s FAILED (exit %s) after %s runs; log %s\n' "$n" "$rc" "${runs:-?}" "$dir/log"
    (grep -aE '^==[0-9]+==ERROR|runtime error|fuzz invariant|what\(\)|SUMMARY' "$dir/log" || true) |
      head -5 | sed 's/^/      /'
    for a in "$dir/artifacts/"*; do
      [ -f "$a" ] || continue
      cp "$a" "$build/crashes/${n}-$(basename "$a")"
      echo "      input: $build/crashes/${n}-$(basename "$a")"
    done
  fi
done
exit "$failed"
