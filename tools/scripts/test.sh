#!/usr/bin/env bash
# test.sh - the README's second command: installs what is missing, builds
# everything with AddressSanitizer and UBSan, runs every test, then runs
# every fuzz target of tests/fuzz for a bounded time (FUZZ_SECONDS per
# target, 30 by default: 8 targets, about 4 minutes, plus the build).
set -euo pipefail
cd "$(dirname "$0")/../.."

tools/scripts/deps.sh test
# the optimised build first: -O2 finds warnings (-Werror) a debug build does not
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DFCAT_TESTS=OFF >/dev/null
cmake --build build/release -j"$(nproc)" >/dev/null
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DFCAT_SANITIZE=ON >/dev/null
cmake --build build/asan -j"$(nproc)"
cd build/asan
status=0
ctest --output-on-failure --timeout 900 -j"$(nproc)" || status=$?

# Every test program is a cmocka suite: add up their own summaries, and make
# sure no sanitizer spoke, even in a child process whose failure was caught.
log=Testing/Temporary/LastTest.log
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$log"; then
  echo "test: a sanitizer reported a problem (see $PWD/$log)"
  status=1
fi
# the reliability tests' own summaries (fault injection, ...)
grep -hE '^(fault injection|fuzz|soak|concurrency):' "$log" || true
passed=$(awk '/^\[  PASSED  \] [0-9]+/ {s+=$4} END {print s+0}' "$log")
failed=$(awk '/^\[  FAILED  \] [0-9]+ test/ {s+=$4} END {print s+0}' "$log")
awk '/^\[==========\] [0-9]+ test\(s\) run/ {s+=$2} END {print "[==========] " s+0 " test(s) run."}' "$log"
echo "cmocka: $passed passed, $failed failed"

# The fuzz targets, each from its seeds (tests/fuzz/corpus) for a bounded
# time: any crash fails the run (tools/scripts/fuzz.sh prints where).
cd ../..
FUZZ_SECONDS=${FUZZ_SECONDS:-30} tools/scripts/fuzz.sh || status=1
exit $status
