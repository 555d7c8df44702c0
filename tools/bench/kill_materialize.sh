#!/usr/bin/env bash
# kill_materialize.sh - shows that `fcat materialize` killed with SIGKILL leaves every key at its old row or its new one, never missing or torn.
#
# usage: tools/bench/kill_materialize.sh [ROWS] [KILL_AFTER_S]
#        (ROWS default 10000000: 1,000,000 users x 10)
#
# 1. A repo from `fcat init --no-data`; dataset A (fcat-datagen seed 1, window
#    ending 2026-01-01) materialized fully, then checked: every user old.
# 2. Dataset B (seed 2, window ending 2026-06-01, the same users) written
#    over the same CSV; `fcat materialize` of B started in the background and
#    killed with SIGKILL. Without KILL_AFTER_S the kill lands while it writes:
#    once the store file changes (B's first batch committed), after a random
#    10-90% of the time A's writes took. With KILL_AFTER_S it lands that many
#    seconds after the start, wherever the run is.
# 3. fcat-bench-check-online reads every user: each must be a whole row of A
#    or of B (no NOT_FOUND, INVALID or torn row).
# 4. B materialized again to completion, checked again: every user new.
# Prints PASS or FAIL; exits 1 on FAIL. The build comes from $FCAT_BUILD
# (default build/release, relative to the repository root); the temporary
# repo (under $TMPDIR or /tmp) is removed at the end.
set -euo pipefail
# the repo comes from fcat init, with the demo policies: read and write as their operator
export FCAT_PRINCIPAL=${FCAT_PRINCIPAL:-fcat-operator}

me=kill_materialize.sh
# shellcheck source=bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"
rows=${1:-10000000}
kill_after=${2:-}
bench_check_rows "$rows"
if [[ -n $kill_after && ! $kill_after =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
	echo "kill_materialize.sh: KILL_AFTER_S must be a number of seconds (got '$kill_after')" >&2
	exit 2
fi
users=$((rows / 10))
bench_need_built fcat fcat-datagen fcat-bench-check-online
fcat=$build/fcat
check=$build/fcat-bench-check-online

A_END=2026-01-01T00:00:00Z
B_END=2026-06-01T00:00:00Z
START=2025-01-01T00:00:00Z
END=2027-01-01T00:00:00Z

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fcat-bench-kill-XXXXXX")
bg=
cleanup() {
	if [[ -n $bg ]]; then
		kill -9 "$bg" 2>/dev/null || true
		wait "$bg" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
repo=$tmp/repo
csv=$repo/data/conversations.csv
store=$repo/data/online.lmdb/data.mdb

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
mtime() { stat -c %.9Y "$store" 2>/dev/null || echo 0; }

checker() { "$check" --repo "$repo" --users "$users" --old-end "$A_END" --new-end "$B_END" "$@"; }

"$fcat" init "$repo" --no-data >/dev/null
mkdir -p "$repo/data"
echo "$("$fcat" --version), build $build, $rows rows ($users users x 10)"

# 1. dataset A, materialized fully. The store file's modification times are
#    sampled meanwhile: the first change is the store being created, the
#    second the first batch of rows; the rest of the run is the writing.
"$build/fcat-datagen" --users "$users" --rows-per-user 10 --seed 1 --end "$A_END" -o "$csv"
t0=$(now)
"$fcat" --repo "$repo" materialize "$START" "$END" >"$tmp/a.out" &
bg=$!
last=0 changes=0 first_write=
while kill -0 "$bg" 2>/dev/null; do
	m=$(mtime)
	if [[ $m != "$last" ]]; then
		last=$m
		changes=$((changes + 1))
		((changes == 2)) && first_write=$(now)
	fi
	sleep 0.01
done
wait "$bg"
bg=
t1=$(now)
a_s=$(elapsed "$t0" "$t1")
write_s=$(elapsed "${first_write:-$t0}" "$t1")
echo "A: $(cat "$tmp/a.out")"
echo "A: $a_s s in all, about $write_s s of it writing batches"
echo "check after A:"
checker || { echo "FAIL: the store is wrong after A's complete run"; exit 1; }

# 2. dataset B over the same file; materialize it and kill it
"$build/fcat-datagen" --users "$users" --rows-per-user 10 --seed 2 --end "$B_END" -o "$csv"
before=$(mtime)
t0=$(now)
"$fcat" --repo "$repo" materialize "$START" "$END" >"$tmp/b.out" 2>&1 &
bg=$!
if [[ -n $kill_after ]]; then
	sleep "$kill_after"
	how="after $kill_after s, as asked"
else
	while kill -0 "$bg" 2>/dev/null && [[ $(mtime) == "$before" ]]; do
		sleep 0.005
	done
	frac=$((10 + RANDOM % 81))
	delay=$(awk -v w="$write_s" -v f="$frac" 'BEGIN { printf "%.3f", w * f / 100 }')
	sleep "$delay"
	how="$delay s ($frac% of A's writing time) after B's first batch was committed"
fi
if kill -9 "$bg" 2>/dev/null; then
	wait "$bg" 2>/dev/null || true
	echo "B: killed with SIGKILL $(elapsed "$t0" "$(now)") s after the start, $how"
else
	wait "$bg" || true
	echo "B: finished before the kill ($(cat "$tmp/b.out")): nothing was interrupted"
fi
bg=

# 3. every key whole: A's row or B's
echo "check after the kill:"
status=PASS
out=$(checker) || status=FAIL
echo "$out"
old=$(sed -n 's/.*: old \([0-9]*\), new \([0-9]*\) .*/\1/p' <<<"$out")
new=$(sed -n 's/.*: old \([0-9]*\), new \([0-9]*\) .*/\2/p' <<<"$out")
if ((old > 0 && new > 0)); then
	echo "the kill landed mid-write: $old users still on A's row, $new on B's"
elif ((new == 0)); then
	echo "note: the kill landed before B's first batch was committed (all old)"
else
	echo "note: the kill landed after B's last batch was committed (all new)"
fi

# 4. the rerun completes B
t0=$(now)
"$fcat" --repo "$repo" materialize "$START" "$END" >"$tmp/b2.out"
echo "B again: $(cat "$tmp/b2.out") ($(elapsed "$t0" "$(now)") s)"
echo "check after B's complete run:"
checker --expect-new || status=FAIL
if [[ $status == PASS ]]; then
	echo "PASS: kill -9 during materialize left no key missing or torn, and the rerun completed B"
else
	echo "FAIL: see the checks above"
	exit 1
fi
