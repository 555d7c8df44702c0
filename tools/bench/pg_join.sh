#!/usr/bin/env bash
# pg_join.sh - times `fcat get-historical` with the point-in-time join pushed down into PostgreSQL beside the same fcat joining in process, on the same rows of a PostgreSQL server it starts itself, and checks they write the same bytes.
#
# usage: tools/bench/pg_join.sh [ROWS] [ENTITIES]   (default 10000000 feature rows, 1000000 entity rows)
#        USERS=N: that many keys (default ROWS/10); fewer keys mean more rows
#        per key, on both sides, and more same-key pairs for the hash join
#
# fcat-bench-gen-pit writes the data (seed 1, as pit_join.sh); a PostgreSQL
# server of the newest version under /usr/lib/postgresql is initialized in a
# temporary directory (run as nobody when we are root: postgres refuses
# root), listens on a free loopback port with its default settings (plus
# fsync=off, for loading; log_temp_files=0, to see any spill to disk), and
# the features are loaded with psql's \copy into table events, then VACUUM
# ANALYZE (what autovacuum does to a loaded table). Then the peers, each
# timed by fcat-bench-run (wall time, peak RSS of fcat, CPU time of fcat):
#
#   pushdown    the table source: the plugin's lateral index lookup. Its
#               first run creates the index (create_indexes: true) and is
#               timed apart; the $REPS runs after it find the index.
#   hash        the same rows through a view (events_v): a view cannot be
#               indexed, so the plugin runs its hash join
#   in-process  the table source with FCAT_OFFLINE_PUSHDOWN=0: fcat scans
#               the table and joins in memory
#   csv         the CSV file the rows were loaded from, joined in process
#
# in $REPS rounds (default 3), interleaved; medians are printed, with the
# server's work_mem and the temporary files it wrote, and the SHA-256 of
# every peer's output, which must be the same. Everything (data, server) is
# removed at the end. The build is $FCAT_BUILD (default build/release,
# relative to the repository root; build it Release).
set -euo pipefail

me=pg_join.sh
# shellcheck source=bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"
rows=${1:-10000000}
ents=${2:-1000000}
reps=${REPS:-3}
users=${USERS:-$((rows / 10 ? rows / 10 : 1))}
bench_check_counts "ROWS, ENTITIES, USERS and REPS" "$rows" "$ents" "$users" "$reps"
bench_need_built fcat fcat-bench-run fcat-bench-gen-pit
fcat=$build/fcat
run=$build/fcat-bench-run
command -v psql >/dev/null || { echo "$me: psql is missing (apt-get install postgresql)" >&2; exit 2; }
pgbin=$(find /usr/lib/postgresql -maxdepth 3 -path '*/bin/initdb' 2>/dev/null | sort -V | tail -n1)
[[ -n $pgbin ]] || { echo "$me: no PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql)" >&2; exit 2; }
pgbin=$(dirname "$pgbin")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fcat-bench-pg-XXXXXX")
pgdata=$tmp/pg/data
as_server=()
if [[ $(id -u) -eq 0 ]]; then
	as_server=(runuser -u nobody --)
fi
server_up=
cleanup() {
	if [[ -n $server_up ]]; then
		"${as_server[@]}" "$pgbin/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# the server
mkdir -p "$tmp/pg"
[[ ${#as_server[@]} -eq 0 ]] || chown nobody "$tmp/pg"
chmod 755 "$tmp"
"${as_server[@]}" "$pgbin/initdb" -D "$pgdata" -A trust -U postgres --no-sync >"$tmp/initdb.log" 2>&1 ||
	{ cat "$tmp/initdb.log" >&2; exit 1; }
for _ in 1 2 3 4 5; do
	port=$(free_port)
	if "${as_server[@]}" "$pgbin/pg_ctl" -D "$pgdata" -l "$tmp/pg/server.log" -w -t 60 \
		-o "-k $tmp/pg -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c log_temp_files=0" \
		start >/dev/null; then
		server_up=1
		break
	fi
done
[[ -n $server_up ]] || { echo "$me: the PostgreSQL server did not start:" >&2; cat "$tmp/pg/server.log" >&2; exit 1; }
dsn="host=127.0.0.1 port=$port user=postgres dbname=postgres"
sql() { psql -X -q -v ON_ERROR_STOP=1 -At "$dsn" "$@"; }

# the data
repo=$tmp/repo
feat=$repo/data/features.csv
entf=$tmp/entities.csv
mkdir -p "$repo/catalog" "$repo/data"
printf '%s, build %s; %s; %d CPUs\n' "$("$fcat" --version)" "$build" \
	"$(sql -c 'SELECT version()' | cut -d, -f1)" "$(nproc)"
"$run" -o "$tmp/gen.run" "$build/fcat-bench-gen-pit" --rows "$rows" --entities "$ents" \
	--users "$users" --seed 1 "$feat" "$entf"
"$run" -o "$tmp/load.run" psql -X -q -v ON_ERROR_STOP=1 "$dsn" <<EOF
CREATE TABLE events (user_id text, event_timestamp timestamptz, created_at timestamptz,
  f_int int8, f_float float8, f_str text);
\\copy events FROM '$feat' WITH (FORMAT csv, HEADER true)
VACUUM ANALYZE events;
CREATE VIEW events_v AS SELECT * FROM events;
EOF
awk -v r="$rows" -v e="$ents" -v u="$users" -v g="$(field "$tmp/gen.run" wall_s)" \
	-v l="$(field "$tmp/load.run" wall_s)" -v sz="$(sql -c "SELECT pg_total_relation_size('events')")" 'BEGIN {
	printf "generated %d feature rows and %d entity rows of %d users in %.2f s; loaded into PostgreSQL (%.0f MiB) in %.2f s (not timed below)\n",
		r, e, u, g, sz / 1048576, l
}'

# one repo a source: the table, the view, the file
catalog() { # SOURCE-FIELD
	cat <<EOF
entity { name = 'user', join_keys = { field('user_id', string) } }
source { name = 'events', $1, timestamp_field = 'event_timestamp',
         created_timestamp_field = 'created_at' }
feature_view { name = 'user_events', entities = { 'user' }, source = 'events', ttl = days(7),
  schema = { field('f_int', int64), field('f_float', float64), field('f_str', string) } }
EOF
}
store="offline_store:
  plugin: postgres
  dsn: $dsn"
for r in table view; do
	mkdir -p "$tmp/$r/catalog"
	printf 'project: bench\n%s\n' "$store" >"$tmp/$r/fcat.yaml"
done
catalog "table = 'events'" >"$tmp/table/catalog/bench.lua"
catalog "table = 'events_v'" >"$tmp/view/catalog/bench.lua"
catalog "path = 'data/features.csv'" >"$repo/catalog/bench.lua"
printf 'project: bench\n' >"$repo/fcat.yaml"

# one run of peer NAME (bench_lib.sh's bench_measure); its output is NAME.csv
measure() { bench_measure "$1" "${@:2}" -o "$tmp/$1.csv"; }
hist=(get-historical --worktree --entities "$entf" --features user_events)

measure first "$fcat" --repo "$tmp/table" "${hist[@]}"
index=$(sql -c "SELECT indexdef FROM pg_indexes WHERE tablename = 'events'")
printf 'first push-down join, creating the index, %s s: %s\n' "$(field "$tmp/first.run" wall_s)" "$index"
for ((r = 1; r <= reps; r++)); do
	measure pushdown "$fcat" --repo "$tmp/table" "${hist[@]}"
	measure hash "$fcat" --repo "$tmp/view" "${hist[@]}"
	measure inproc env FCAT_OFFLINE_PUSHDOWN=0 "$fcat" --repo "$tmp/table" "${hist[@]}"
	measure csv "$fcat" --repo "$repo" "${hist[@]}"
	printf 'round %d: push-down %s s, push-down hash join (view) %s s, in process %s s, CSV in process %s s\n' \
		"$r" "$(tail -n1 "$tmp/pushdown.wall")" "$(tail -n1 "$tmp/hash.wall")" \
		"$(tail -n1 "$tmp/inproc.wall")" "$(tail -n1 "$tmp/csv.wall")"
done

line() { # LABEL NAME
	printf '  %-44s %8.2f s  %10.0f entity rows/s  peak RSS %7.1f MiB  CPU %7.2f s\n' "$1" \
		"$(median "$tmp/$2.wall")" "$(awk -v e="$ents" -v w="$(median "$tmp/$2.wall")" 'BEGIN { print e / w }')" \
		"$(awk -v k="$(median "$tmp/$2.rss")" 'BEGIN { print k / 1024 }')" "$(median "$tmp/$2.cpu")"
}
echo "medians of $reps, whole fcat processes (entity CSV in, join, CSV out):"
line "push-down, lateral index lookup (table):" pushdown
line "push-down, hash join (view, no index):" hash
line "in process, scanning the table:" inproc
line "in process, the CSV file:" csv
awk -v p="$(median "$tmp/pushdown.wall")" -v h="$(median "$tmp/hash.wall")" \
	-v i="$(median "$tmp/inproc.wall")" -v c="$(median "$tmp/csv.wall")" \
	-v pr="$(median "$tmp/pushdown.rss")" -v ir="$(median "$tmp/inproc.rss")" 'BEGIN {
	printf "ratios: push-down/in process %.2fx the time (%.2fx the memory); hash join/in process %.2fx; push-down/CSV %.2fx\n",
		p / i, pr / ir, h / i, p / c
	printf "RESULT pushdown_s=%.3f hash_s=%.3f inproc_s=%.3f csv_s=%.3f pushdown_rss_kb=%d inproc_rss_kb=%d\n",
		p, h, i, c, pr, ir
}'
printf 'server: work_mem %s (the join sets its own: the store'\''s work_mem, default 64MB), shared_buffers %s; temporary files written: %s\n' \
	"$(sql -c 'SHOW work_mem')" "$(sql -c 'SHOW shared_buffers')" \
	"$(grep -c 'temporary file' "$tmp/pg/server.log" || true)"
# the outputs of the last round: the same bytes
sums=$(cd "$tmp" && sha256sum first.csv pushdown.csv hash.csv inproc.csv csv.csv)
echo "$sums"
if [[ $(awk '{ print $1 }' <<<"$sums" | sort -u | wc -l) -ne 1 ]]; then
	echo "$me: the outputs differ" >&2
	exit 1
fi
echo "the same bytes: $(awk 'NR == 1 { print $1 }' <<<"$sums")"
