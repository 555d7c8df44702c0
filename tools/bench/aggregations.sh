#!/usr/bin/env bash
# aggregations.sh - times `fcat get-historical` of a view of window aggregations (issue 14) beside DuckDB computing the same five windows, checks they agree, then a "heavy" data set (few users, many events each) at three sizes.
#
# usage: tools/bench/aggregations.sh [EVENTS] [ENTITY_ROWS]   (default 10000000 events, 1000000 entity rows)
#
# fcat-bench-gen-agg writes the data (seed 1) into a temporary repo (under
# $TMPDIR, removed at the end): events.csv (user_id,event_timestamp,amount;
# ~100,000 users over 60 days) and entities.csv (user_id,event_timestamp,
# some rows exactly at an event or exactly one window after it, 2% users
# without events), and the view of issue 14: count over 1 hour, 1 day and 7
# days, sum and mean of amount over 7 days, aggregation_interval 1 hour.
#
# First DuckDB is run once in each of the forms of agg_duckdb.cjs (range join
# grouped by entity row, window functions, running sums with ASOF joins) and
# the fastest is kept as the peer (every form's answer is checked). Then
# $REPS rounds (default 3), each: fcat, DuckDB (default threads), each timed
# by fcat-bench-run (wall, peak RSS, CPU). Medians and the ratio are printed,
# then agg_check.py compares the outputs in entity-row order over parsed
# values (counts exactly; sums and means exactly where they agree bit for bit,
# else within 1e-9 relative, and it says how many were bit-equal).
#
# Then "heavy": $HEAVY_USERS users (default 20) x 100,000 events each and
# $HEAVY_ENTS entity rows (default 100,000), fcat beside DuckDB the same way;
# and fcat alone at half and double the events (the same entity rows), with
# the time per event, to show it stays linear. HEAVY=0 skips it.
#
# The build is $FCAT_BUILD (default build/release; build it Release). DuckDB
# is the npm package @duckdb/node-api in $FCAT_BENCH_CACHE (default
# ~/.cache/fcat-bench), installed there on first use, never in the repository.
set -euo pipefail

me=aggregations.sh
# shellcheck source=bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"
here=$root/tools/bench
events=${1:-10000000}
ents=${2:-1000000}
reps=${REPS:-3}
heavy=${HEAVY:-1}
heavy_users=${HEAVY_USERS:-20}
heavy_ents=${HEAVY_ENTS:-100000}
bench_check_counts "EVENTS, ENTITY_ROWS, REPS, HEAVY_USERS and HEAVY_ENTS" "$events" "$ents" \
	"$reps" "$heavy_users" "$heavy_ents"
bench_need_built fcat fcat-bench-run fcat-bench-gen-agg
fcat=$build/fcat
run=$build/fcat-bench-run
python=${PYTHON:-python3}

bench_need_duckdb

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fcat-bench-agg-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
repo=$tmp/repo
evf=$repo/data/events.csv
entf=$tmp/entities.csv
mkdir -p "$repo/catalog" "$repo/data"
printf 'project: bench\n' >"$repo/fcat.yaml"
cat >"$repo/catalog/bench.lua" <<'EOF'
entity { name = 'user', join_keys = { field('user_id', string) } }
source { name = 'events', path = 'data/events.csv', timestamp_field = 'event_timestamp',
  schema = { field('user_id', string), field('event_timestamp', timestamp),
             field('amount', float64) } }
feature_view { name = 'w', entities = { 'user' }, source = 'events',
  aggregation_interval = hours(1),
  aggregations = {
    { fn = 'count', window = hours(1), name = 'count_1h' },
    { fn = 'count', window = days(1), name = 'count_1d' },
    { fn = 'count', window = days(7), name = 'count_7d' },
    { column = 'amount', fn = 'sum', window = days(7), name = 'amount_sum_7d' },
    { column = 'amount', fn = 'mean', window = days(7), name = 'amount_mean_7d' },
  } }
EOF

printf '%s, build %s; DuckDB %s (@duckdb/node-api, node %s); %d CPUs, load average %s\n' \
	"$("$fcat" --version)" "$build" "$duckdb_version" "$(node --version)" "$(nproc)" \
	"$(cut -d' ' -f1-3 /proc/loadavg)"

# gen NAME EVENTS ENTITY_ROWS USERS: the data set into $evf and $entf
gen() {
	"$run" -o "$tmp/gen.run" "$build/fcat-bench-gen-agg" --events "$2" --entities "$3" \
		--users "$4" --seed 1 "$evf" "$entf"
	awk -v n="$1" -v r="$2" -v e="$3" -v u="$4" -v fb="$(stat -c %s "$evf")" \
		-v eb="$(stat -c %s "$entf")" -v s="$(field "$tmp/gen.run" wall_s)" 'BEGIN {
		printf "%s: generated %d events over %d users (%.0f MiB) and %d entity rows (%.0f MiB) in %.2f s (not timed below)\n",
			n, r, u, fb / 1048576, e, eb / 1048576, s
	}'
}


run_fcat() { # run_fcat NAME
	bench_measure "$1" "$fcat" --repo "$repo" get-historical --worktree --entities "$entf" \
		--features w -o "$tmp/$1.csv"
}

# pick_form SET: DuckDB once in each form (checked against fcat's $SET.csv),
# the fastest into $form
pick_form() {
	local set=$1 f best=
	for f in ${DUCKDB_FORMS:-rangejoin window asof}; do
		bench_measure "$set-try-$f" node "$here/agg_duckdb.cjs" "$f" "$evf" "$entf" "$tmp/$set-$f.csv"
		printf '  DuckDB form %-9s %8.2f s  peak RSS %7.1f MiB  CPU %7.2f s\n' "$f" \
			"$(tail -n1 "$tmp/$set-try-$f.wall")" \
			"$(awk '{ print $1 / 1024 }' <"$tmp/$set-try-$f.rss")" \
			"$(tail -n1 "$tmp/$set-try-$f.cpu")"
		"$python" "$here/agg_check.py" fcat="$tmp/$set.csv" "duckdb-$f=$tmp/$set-$f.csv" |
			sed 's/^/    /' || true
		if [[ -z $best ]] || awk -v a="$(tail -n1 "$tmp/$set-try-$f.wall")" \
			-v b="$(tail -n1 "$tmp/$set-try-$best.wall")" 'BEGIN { exit !(a < b) }'; then
			best=$f
		fi
		rm -f "$tmp/$set-$f.csv"
	done
	form=$best
	echo "  DuckDB's fastest form here: $form"
}

# compare SET EVENTS ENTS: fcat beside DuckDB's fastest form, $reps rounds
compare() {
	local set=$1 nev=$2 nent=$3
	run_fcat "$set"
	echo "$set: fcat once first (for the checks): $(tail -n1 "$tmp/$set.wall") s"
	rm -f "$tmp/$set".{wall,rss,cpu}
	pick_form "$set"
	for ((r = 1; r <= reps; r++)); do
		run_fcat "$set"
		bench_measure "$set-duckdb" node "$here/agg_duckdb.cjs" "$form" "$evf" "$entf" \
			"$tmp/$set-duckdb.csv"
		printf '%s round %d: fcat %s s, DuckDB (%s) %s s\n' "$set" "$r" \
			"$(tail -n1 "$tmp/$set.wall")" "$form" "$(tail -n1 "$tmp/$set-duckdb.wall")"
	done
	awk -v set="$set" -v nev="$nev" -v nent="$nent" -v reps="$reps" -v form="$form" \
		-v fw="$(median "$tmp/$set.wall")" -v fr="$(median "$tmp/$set.rss")" \
		-v fc="$(median "$tmp/$set.cpu")" \
		-v dw="$(median "$tmp/$set-duckdb.wall")" -v dr="$(median "$tmp/$set-duckdb.rss")" \
		-v dc="$(median "$tmp/$set-duckdb.cpu")" 'BEGIN {
		printf "%s: medians of %d, whole processes (CSV in, 5 windows, CSV out), %d events x %d entity rows:\n",
			set, reps, nev, nent
		printf "  %-34s %8.2f s  %6.1f ns/event  peak RSS %7.1f MiB  CPU %7.2f s\n",
			"fcat get-historical:", fw, fw / nev * 1e9, fr / 1024, fc
		printf "  %-34s %8.2f s  %6.1f ns/event  peak RSS %7.1f MiB  CPU %7.2f s\n",
			"DuckDB " form " (default threads):", dw, dw / nev * 1e9, dr / 1024, dc
		printf "  ratio fcat/DuckDB: %.2fx the time, %.2fx the memory, %.2fx the CPU\n",
			fw / dw, fr / dr, fc / dc
		printf "RESULT set=%s events=%d entities=%d fcat_s=%.3f fcat_rss_kb=%d fcat_cpu_s=%.2f duckdb_form=%s duckdb_s=%.3f duckdb_rss_kb=%d duckdb_cpu_s=%.2f\n",
			set, nev, nent, fw, fr, fc, form, dw, dr, dc
	}'
	"$python" "$here/agg_check.py" fcat="$tmp/$set.csv" "duckdb-$form=$tmp/$set-duckdb.csv"
	rm -f "$tmp/$set.csv" "$tmp/$set-duckdb.csv"
}

gen main "$events" "$ents" 100000
compare main "$events" "$ents"

((heavy)) || exit 0
hev=$((heavy_users * 100000))
gen heavy "$hev" "$heavy_ents" "$heavy_users"
compare heavy "$hev" "$heavy_ents"
# fcat alone at half and double the events: time per event
for scale in half double; do
	[[ $scale = half ]] && n=$((hev / 2)) || n=$((hev * 2))
	gen "heavy-$scale" "$n" "$heavy_ents" "$heavy_users"
	for ((r = 1; r <= reps; r++)); do
		run_fcat "heavy-$scale"
	done
	awk -v set="heavy-$scale" -v nev="$n" -v reps="$reps" \
		-v fw="$(median "$tmp/heavy-$scale.wall")" -v fr="$(median "$tmp/heavy-$scale.rss")" \
		-v fc="$(median "$tmp/heavy-$scale.cpu")" 'BEGIN {
		printf "%s: fcat get-historical, median of %d: %.2f s, %.1f ns/event, peak RSS %.1f MiB, CPU %.2f s\n",
			set, reps, fw, fw / nev * 1e9, fr / 1024, fc
		printf "RESULT set=%s events=%d fcat_s=%.3f fcat_rss_kb=%d fcat_cpu_s=%.2f\n",
			set, nev, fw, fr, fc
	}'
	rm -f "$tmp/heavy-$scale.csv"
done
