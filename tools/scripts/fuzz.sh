#!/usr/bin/env bash
# fuzz.sh - builds the libFuzzer targets of tests/fuzz with clang in
# build/fuzz and runs each for a bounded time, starting from the seeds of
# tests/fuzz/corpus/<target> (what a run finds is kept in
# build/fuzz/corpus/<target>, so a later run starts from there too).
# Usage: tools/scripts/fuzz.sh [SECONDS] [TARGET...]
#   SECONDS per target: the argument, else $FUZZ_SECONDS, else 60.
#   The CI runs it for 30 s per target (test.sh); a long run is e.g.
#   `tools/scripts/fuzz.sh 3600`.
# Prints one line per target (executions, seconds, crashes) and exits 1 when
# any target crashed (its input is in build/fuzz/artifacts/<target>/; to
# replay it: build/fuzz/tests/fuzz/<target> FILE).
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${FUZZ_SECONDS:-60}
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
  seconds=$1
  shift
fi
all=(fuzz_csv fuzz_config fuzz_policy fuzz_dsl fuzz_row_decode fuzz_value_parse
  fuzz_online_request fuzz_jwt)
targets=("${@:-${all[@]}}")

# The dictionary of each target, and the largest input it is given (the
# policy target takes three files and a signature; a catalog is long).
dict_of() {
  case $1 in
    fuzz_csv) echo csv ;;
    fuzz_config | fuzz_policy) echo yaml ;;
    fuzz_dsl) echo lua ;;
    fuzz_online_request | fuzz_jwt | fuzz_value_parse) echo json ;;
  esac
}
max_len_of() {
  case $1 in
    fuzz_policy | fuzz_dsl) echo 16384 ;;
    *) echo 4096 ;;
  esac
}

command -v clang >/dev/null || {
  echo "fuzz: clang is missing (tools/scripts/deps.sh test installs it)" >&2
  exit 2
}
build=build/fuzz
cmake -S . -B $build -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFCAT_FUZZ=ON -DFCAT_TESTS=OFF >/dev/null
cmake --build $build --target fuzz_all -j"$(nproc)" >/dev/null

# halt at the first report, keep the input; leaks are reported at the end
# of each input by libFuzzer itself
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:intercept_tls_get_addr=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
for t in "${targets[@]}"; do
  bin=$build/tests/fuzz/$t
  [ -x "$bin" ] || { echo "fuzz: no target $t" >&2; exit 2; }
  work=$build/corpus/$t
  artifacts=$build/artifacts/$t
  log=$build/logs/$t.log
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  opts=(-max_total_time="$seconds" -max_len="$(max_len_of "$t")" -rss_limit_mb=2048
    -timeout=30 -print_final_stats=1 -artifact_prefix="$artifacts/")
  d=$(dict_of "$t")
  [ -n "$d" ] && opts+=(-dict=tests/fuzz/dict/$d.dict)
  before=$(find "$artifacts" -type f | wc -l)
  start=$(date +%s)
  rc=0
  "$bin" "${opts[@]}" "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  took=$(($(date +%s) - start))
  execs=$(awk '/^stat::number_of_executed_units:/ {print $2}' "$log" | tail -n 1)
  # killed before its final stats: the last progress line's count
  [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
  crashes=$(($(find "$artifacts" -type f | wc -l) - before))
  if [ $rc -ne 0 ] && [ $crashes -eq 0 ]; then
    crashes=1 # it died before it could write the input
  fi
  printf '%-20s %12s executions in %4d s, %d crash(es)\n' "$t" "${execs:-?}" "$took" "$crashes"
  if [ $crashes -ne 0 ]; then
    status=1
    grep -E 'ERROR|SUMMARY|fuzz check|runtime error|Test unit written' "$log" | head -n 8 | sed 's/^/  /'
    echo "  (exit status $rc; whole log: $log)"
  fi
done
exit $status
