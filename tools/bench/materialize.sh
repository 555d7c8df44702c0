#!/usr/bin/env bash
# materialize.sh - times `fcat materialize` of the demo CSV (ROWS rows, 10 per user) into LMDB, with --jobs 1 and --jobs 2 (medians of REPS runs, interleaved), beside `wc -l` of the same file as the I/O floor.
#
# usage: [REPS=3] tools/bench/materialize.sh [ROWS]      (default 10000000: 1,000,000 users x 10)
#
# The build is taken from $FCAT_BUILD (default build/release, relative to the
# repository root, as the README's demo builds it; build it Release). The repo
# is made with `fcat init --no-data` in a temporary directory (or under
# $TMPDIR) and removed at the end, with its CSV (about 180 bytes a row).
set -euo pipefail
# the repo comes from fcat init, with the demo policies: read and write as their operator
export FCAT_PRINCIPAL=${FCAT_PRINCIPAL:-fcat-operator}

me=materialize.sh
# shellcheck source=bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"
rows=${1:-10000000}
bench_check_rows "$rows"
users=$((rows / 10))
bench_need_built fcat fcat-datagen fcat-bench-run
fcat=$build/fcat
run=$build/fcat-bench-run

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fcat-bench-mat-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
repo=$tmp/repo
csv=$repo/data/conversations.csv


"$fcat" init "$repo" --no-data >/dev/null
mkdir -p "$repo/data"
printf '%s, build %s, %d rows (%d users x 10)\n' \
	"$("$fcat" --version)" "$build" "$rows" "$users"

"$run" -o "$tmp/gen.run" "$build/fcat-datagen" --users "$users" --rows-per-user 10 \
	--seed 1 --end 2026-01-01T00:00:00Z -o "$csv"
bytes=$(stat -c %s "$csv")
awk -v b="$bytes" -v s="$(field "$tmp/gen.run" wall_s)" \
	'BEGIN { printf "generated the CSV: %.0f MiB in %.2f s (fcat-datagen; not a peer)\n", b / 1048576, s }'

# the I/O floor: reading and counting the lines of the same file (warm cache,
# as for materialize, which runs right after)
"$run" -o "$tmp/wc.run" wc -l "$csv" >"$tmp/wc.out"
lines=$(awk '{print $1}' "$tmp/wc.out")
((lines == rows + 1)) || { echo "materialize.sh: the CSV has $lines lines, expected $((rows + 1))" >&2; exit 1; }

# the demo's latest-row view (its window aggregation view, user_activity, over
# the same source, is another workload and always read with one scan);
# --jobs 1 (one scan of the source) beside --jobs 2 (two parts read at once),
# interleaved so that a busy machine slows both alike, $REPS times each
# (default 3), into a fresh store each time; medians
reps=${REPS:-3}
bench_check_counts REPS "$reps"
for ((i = 1; i <= reps; i++)); do
	for jobs in 1 2; do
		rm -rf "$repo/data/online.lmdb"
		"$run" -o "$tmp/mat$jobs.run" "$fcat" --repo "$repo" materialize 2025-01-01T00:00:00Z \
			2027-01-01T00:00:00Z --views user_features --jobs "$jobs" >"$tmp/mat.out"
		grep -q "$rows rows read, $users keys written" "$tmp/mat.out" || {
			echo "materialize.sh: unexpected output (--jobs $jobs):" >&2
			cat "$tmp/mat.out" >&2
			exit 1
		}
		for k in wall_s user_s sys_s maxrss_kb write_mib; do
			field "$tmp/mat$jobs.run" $k >>"$tmp/j$jobs.$k"
		done
		printf '  run %d --jobs %d: %s s\n' "$i" "$jobs" "$(field "$tmp/mat$jobs.run" wall_s)"
	done
done
store_mb=$(du -sm "$repo/data/online.lmdb" | cut -f1)

wc_s=$(field "$tmp/wc.run" wall_s)
echo "fcat: $(cat "$tmp/mat.out")"
for jobs in 1 2; do
	awk -v rows="$rows" -v bytes="$bytes" -v jobs="$jobs" -v ms="$(median "$tmp/j$jobs.wall_s")" \
		-v mu="$(median "$tmp/j$jobs.user_s")" -v msys="$(median "$tmp/j$jobs.sys_s")" \
		-v mrss="$(median "$tmp/j$jobs.maxrss_kb")" -v mw="$(median "$tmp/j$jobs.write_mib")" \
		-v store="$store_mb" -v reps="$reps" 'BEGIN {
	printf "%-34s %7.2f s  %10.0f rows/s  %7.1f MiB/s  peak RSS %7.1f MiB\n",
		"fcat materialize --jobs " jobs " (median of " reps "):", ms, rows / ms, bytes / 1048576 / ms, mrss / 1024
	printf "%-34s user %.2f s, sys %.2f s; wrote %.0f MiB to disk for a store file of %d MiB\n",
		"", mu, msys, mw, store
}'
done
awk -v rows="$rows" -v bytes="$bytes" -v m1="$(median "$tmp/j1.wall_s")" \
	-v m2="$(median "$tmp/j2.wall_s")" -v mrss="$(median "$tmp/j1.maxrss_kb")" \
	-v mw="$(median "$tmp/j1.write_mib")" -v ws="$wc_s" -v wrss="$(field "$tmp/wc.run" maxrss_kb)" \
	-v store="$store_mb" 'BEGIN {
	printf "%-34s %7.2f s  %10.0f rows/s  %7.1f MiB/s  peak RSS %7.1f MiB\n",
		"I/O floor: wc -l, same file:", ws, rows / ws, bytes / 1048576 / ws, wrss / 1024
	printf "ratio --jobs 2 / --jobs 1: %.2fx the rows/s\n", m1 / m2
	printf "ratio fcat/wc -l: %.1fx the time (wc -l only reads and counts lines: a floor, not a peer doing the same work)\n", m1 / ws
	printf "RESULT rows=%d materialize_s=%.3f rows_per_s=%.0f jobs2_s=%.3f jobs2_rows_per_s=%.0f jobs2_ratio=%.2f maxrss_kb=%d write_mib=%.0f store_mib=%d wc_s=%.3f\n",
		rows, m1, rows / m1, m2, rows / m2, m1 / m2, mrss, mw, store, ws
}'
