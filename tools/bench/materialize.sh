#!/usr/bin/env bash
# materialize.sh - times `fcat materialize` of the demo CSV (ROWS rows, 10 per user) into LMDB, beside `wc -l` of the same file as the I/O floor.
#
# usage: tools/bench/materialize.sh [ROWS]      (default 10000000: 1,000,000 users x 10)
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

"$run" -o "$tmp/mat.run" "$fcat" --repo "$repo" materialize 2025-01-01T00:00:00Z \
	2027-01-01T00:00:00Z >"$tmp/mat.out"
grep -q "$rows rows read, $users keys written" "$tmp/mat.out" || {
	echo "materialize.sh: unexpected output:" >&2
	cat "$tmp/mat.out" >&2
	exit 1
}
store_mb=$(du -sm "$repo/data/online.lmdb" | cut -f1)

mat_s=$(field "$tmp/mat.run" wall_s)
wc_s=$(field "$tmp/wc.run" wall_s)
echo "fcat: $(cat "$tmp/mat.out")"
awk -v rows="$rows" -v bytes="$bytes" -v ms="$mat_s" -v mu="$(field "$tmp/mat.run" user_s)" \
	-v msys="$(field "$tmp/mat.run" sys_s)" -v mrss="$(field "$tmp/mat.run" maxrss_kb)" \
	-v mw="$(field "$tmp/mat.run" write_mib)" \
	-v ws="$wc_s" -v wrss="$(field "$tmp/wc.run" maxrss_kb)" -v store="$store_mb" 'BEGIN {
	printf "%-34s %7.2f s  %10.0f rows/s  %7.1f MiB/s  peak RSS %7.1f MiB\n",
		"fcat materialize (process):", ms, rows / ms, bytes / 1048576 / ms, mrss / 1024
	printf "%-34s user %.2f s, sys %.2f s; wrote %.0f MiB to disk for a store file of %d MiB\n",
		"", mu, msys, mw, store
	printf "%-34s %7.2f s  %10.0f rows/s  %7.1f MiB/s  peak RSS %7.1f MiB\n",
		"I/O floor: wc -l, same file:", ws, rows / ws, bytes / 1048576 / ws, wrss / 1024
	printf "ratio fcat/wc -l: %.1fx the time (wc -l only reads and counts lines: a floor, not a peer doing the same work)\n", ms / ws
	printf "RESULT rows=%d materialize_s=%.3f rows_per_s=%.0f maxrss_kb=%d write_mib=%.0f store_mib=%d wc_s=%.3f\n",
		rows, ms, rows / ms, mrss, mw, store, ws
}'
