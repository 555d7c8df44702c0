#!/usr/bin/env bash
# pit_join.sh - times `fcat get-historical` (a point-in-time join with ttl and created tie-break) beside DuckDB's ASOF JOIN and pandas merge_asof on the same data, and checks all three give the same result.
#
# usage: tools/bench/pit_join.sh [ROWS] [ENTITIES]   (default 10000000 feature rows, 1000000 entity rows)
#
# fcat-bench-gen-pit writes the data once (seed 1) into a temporary repo
# (under $TMPDIR, removed at the end): a CSV source with event and created
# timestamps and one feature view with ttl = days(7), no transform. Then
# $REPS rounds (default 3), each running in turn: fcat, DuckDB at its default
# thread count, DuckDB with one thread, pandas; each timed by fcat-bench-run
# (wall time, peak RSS of the process, CPU time). Medians are printed, then a checksum
# of every result over parsed values (pit_join_check.py).
#
# The build is $FCAT_BUILD (default build/release, relative to the repository
# root; build it Release). DuckDB is the npm package @duckdb/node-api, installed
# on first use into $FCAT_BENCH_CACHE (default ~/.cache/fcat-bench), never into
# the repository. pandas comes from $PYTHON, or the first of python3 and
# /usr/bin/python3 that has it (Debian: apt-get install python3-pandas).
set -euo pipefail

me=pit_join.sh
# shellcheck source=bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"
here=$root/tools/bench
rows=${1:-10000000}
ents=${2:-1000000}
reps=${REPS:-3}
bench_check_counts "ROWS, ENTITIES and REPS" "$rows" "$ents" "$reps"
bench_need_built fcat fcat-bench-run fcat-bench-gen-pit
fcat=$build/fcat
run=$build/fcat-bench-run

# the peers
bench_need_duckdb
python=$(pandas_python) ||
	{ echo "$me: no python3 with pandas (apt-get install python3-pandas)" >&2; exit 2; }
pandas_version=$("$python" -c 'import pandas; print(pandas.__version__)')

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fcat-bench-pit-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
repo=$tmp/repo
feat=$repo/data/features.csv
entf=$tmp/entities.csv
mkdir -p "$repo/catalog" "$repo/data"
printf 'project: bench\n' >"$repo/fcat.yaml"
cat >"$repo/catalog/bench.lua" <<'EOF'
entity { name = 'user', join_keys = { field('user_id', string) } }
source { name = 'events', path = 'data/features.csv', timestamp_field = 'event_timestamp',
         created_timestamp_field = 'created_at' }
feature_view { name = 'user_events', entities = { 'user' }, source = 'events', ttl = days(7),
  schema = { field('f_int', int64), field('f_float', float64), field('f_str', string) } }
EOF


printf '%s, build %s; DuckDB %s (@duckdb/node-api, node %s); pandas %s (%s); %d CPUs\n' \
	"$("$fcat" --version)" "$build" "$duckdb_version" "$(node --version)" "$pandas_version" \
	"$python" "$(nproc)"
"$run" -o "$tmp/gen.run" "$build/fcat-bench-gen-pit" --rows "$rows" --entities "$ents" \
	--seed 1 "$feat" "$entf"
awk -v r="$rows" -v e="$ents" -v fb="$(stat -c %s "$feat")" -v eb="$(stat -c %s "$entf")" \
	-v s="$(field "$tmp/gen.run" wall_s)" 'BEGIN {
	printf "generated %d feature rows (%.0f MiB) and %d entity rows (%.0f MiB) in %.2f s (not timed below)\n",
		r, fb / 1048576, e, eb / 1048576, s
}'


for ((r = 1; r <= reps; r++)); do
	bench_measure fcat "$fcat" --repo "$repo" get-historical --worktree --entities "$entf" \
		--features user_events -o "$tmp/fcat.csv"
	bench_measure duckdb node "$here/pit_join_duckdb.cjs" "$feat" "$entf" "$tmp/duckdb.csv"
	bench_measure duckdb1 node "$here/pit_join_duckdb.cjs" "$feat" "$entf" "$tmp/duckdb1.csv" 1
	bench_measure pandas "$python" "$here/pit_join_pandas.py" "$feat" "$entf" "$tmp/pandas.csv"
	printf 'round %d: fcat %s s, DuckDB %s s, DuckDB 1 thread %s s, pandas %s s\n' "$r" \
		"$(tail -n1 "$tmp/fcat.wall")" "$(tail -n1 "$tmp/duckdb.wall")" \
		"$(tail -n1 "$tmp/duckdb1.wall")" "$(tail -n1 "$tmp/pandas.wall")"
done

echo "fcat: $(cat "$tmp/fcat.log")"
awk -v ents="$ents" -v reps="$reps" \
	-v fw="$(median "$tmp/fcat.wall")" -v fr="$(median "$tmp/fcat.rss")" \
	-v dw="$(median "$tmp/duckdb.wall")" -v dr="$(median "$tmp/duckdb.rss")" \
	-v d1w="$(median "$tmp/duckdb1.wall")" -v d1r="$(median "$tmp/duckdb1.rss")" \
	-v pw="$(median "$tmp/pandas.wall")" -v pr="$(median "$tmp/pandas.rss")" \
	-v fc="$(median "$tmp/fcat.cpu")" -v dc="$(median "$tmp/duckdb.cpu")" \
	-v d1c="$(median "$tmp/duckdb1.cpu")" -v pc="$(median "$tmp/pandas.cpu")" 'BEGIN {
	printf "medians of %d, whole processes (CSV in, join, CSV out):\n", reps
	printf "  %-38s %8.2f s  %10.0f entity rows/s  peak RSS %7.1f MiB  CPU %7.2f s\n",
		"fcat get-historical:", fw, ents / fw, fr / 1024, fc
	printf "  %-38s %8.2f s  %10.0f entity rows/s  peak RSS %7.1f MiB  CPU %7.2f s\n",
		"DuckDB ASOF JOIN (default threads):", dw, ents / dw, dr / 1024, dc
	printf "  %-38s %8.2f s  %10.0f entity rows/s  peak RSS %7.1f MiB  CPU %7.2f s\n",
		"DuckDB ASOF JOIN (1 thread):", d1w, ents / d1w, d1r / 1024, d1c
	printf "  %-38s %8.2f s  %10.0f entity rows/s  peak RSS %7.1f MiB  CPU %7.2f s\n",
		"pandas merge_asof:", pw, ents / pw, pr / 1024, pc
	printf "ratios: fcat/DuckDB %.2fx the time (%.2fx the memory); fcat/DuckDB 1 thread %.2fx (%.2fx); pandas/fcat %.2fx the time (%.2fx the memory)\n",
		fw / dw, fr / dr, fw / d1w, fr / d1r, pw / fw, pr / fr
	printf "RESULT fcat_s=%.3f fcat_rss_kb=%d fcat_cpu_s=%.2f duckdb_s=%.3f duckdb_rss_kb=%d duckdb_cpu_s=%.2f duckdb1_s=%.3f duckdb1_rss_kb=%d duckdb1_cpu_s=%.2f pandas_s=%.3f pandas_rss_kb=%d pandas_cpu_s=%.2f\n",
		fw, fr, fc, dw, dr, dc, d1w, d1r, d1c, pw, pr, pc
}'
# the results of the last round
"$python" "$here/pit_join_check.py" fcat="$tmp/fcat.csv" duckdb="$tmp/duckdb.csv" \
	duckdb-1-thread="$tmp/duckdb1.csv" pandas="$tmp/pandas.csv"
