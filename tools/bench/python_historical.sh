#!/usr/bin/env bash
# python_historical.sh - times the Python client's get_historical_features(...).to_df() beside `fcat get-historical` (the C command line, to CSV) on the same request over 1,000,000 entity rows, and prints the ratio.
#
# usage: tools/bench/python_historical.sh [ENTITIES] [PIT_ROWS]
#        (default 1000000 entity rows; 2000000 feature rows for the pit request)
#
# Two requests, each on ENTITIES entity rows:
#   demo  the demo repo (`fcat init`: its catalog, policies and generated data,
#         1,000 users x 10 rows), all of user_features (int64, float32, string,
#         float32[16]) as fcat-operator; entity rows (user_id, event_timestamp,
#         label; 2% unknown users, some past the 7-day ttl) made by
#         python_historical.py gen-demo;
#   pit   pit_join.sh's data (fcat-bench-gen-pit, seed 1: PIT_ROWS feature rows
#         with a created-time tie-break, int64, float64 and string features),
#         read from the work tree as pit_join.sh reads it.
# Each of $REPS rounds (default 3) runs, in turn: the command line
# (`fcat get-historical --entities E.csv ... -o OUT.csv`, a whole process timed
# by /usr/bin/time: start, open, read the CSV, join, write the CSV) and the
# client (FeatureStore(...) + get_historical_features(entity_df,
# ...).to_df(), timed inside a python process that has already read E.csv into
# a DataFrame, as a Feast user holds it: that read is the user's, not timed).
# Medians of wall and CPU (user + sys) time are printed with their ratios
# (client / command line; the bar is 1.3), and, once per request, a check
# that the DataFrame equals the command line's CSV. CPU time is printed
# because the machine may be shared: wall time then varies with the load.
#
# The build is $FCAT_BUILD (default build/release; build it Release):
# its fcat, libfcat.so and fcat-bench-gen-pit. python3 with pandas comes from
# $PYTHON, or the first of python3 and /usr/bin/python3 that has it
# (tools/scripts/deps.sh bench installs python3-pandas).
set -euo pipefail

me=python_historical.sh
# shellcheck source=bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"
here=$root/tools/bench
ents=${1:-1000000}
pit_rows=${2:-2000000}
reps=${REPS:-3}
bench_check_counts "ENTITIES, PIT_ROWS and REPS" "$ents" "$pit_rows" "$reps"
bench_need_built fcat fcat-bench-gen-pit libfcat.so
fcat=$build/fcat
export FCAT_LIBRARY=$build/libfcat.so
[[ -x /usr/bin/time ]] || { echo "$me: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }
python=$(pandas_python) ||
	{ echo "$me: no python3 with pandas (apt-get install python3-pandas)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fcat-bench-pyhist-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

printf '%s, build %s; python %s, pandas %s, numpy %s; %d CPUs\n' "$("$fcat" --version)" "$build" \
	"$("$python" -c 'import platform; print(platform.python_version())')" \
	"$("$python" -c 'import pandas; print(pandas.__version__)')" \
	"$("$python" -c 'import numpy; print(numpy.__version__)')" "$(nproc)"

# the demo repo and its entity rows
(cd "$tmp" && "$fcat" init demo >/dev/null)
demo=$tmp/demo
"$python" "$here/python_historical.py" gen-demo "$demo/data/conversations.csv" "$ents" \
	"$tmp/demo_entities.csv"
# pit_join.sh's repo and data
pit=$tmp/pit
mkdir -p "$pit/catalog" "$pit/data"
printf 'project: bench\n' >"$pit/fcat.yaml"
cat >"$pit/catalog/bench.lua" <<'EOF'
entity { name = 'user', join_keys = { field('user_id', string) } }
source { name = 'events', path = 'data/features.csv', timestamp_field = 'event_timestamp',
         created_timestamp_field = 'created_at' }
feature_view { name = 'user_events', entities = { 'user' }, source = 'events', ttl = days(7),
  schema = { field('f_int', int64), field('f_float', float64), field('f_str', string) } }
EOF
"$build/fcat-bench-gen-pit" --rows "$pit_rows" --entities "$ents" --seed 1 \
	"$pit/data/features.csv" "$tmp/pit_entities.csv"
echo "generated $ents entity rows for each request ($pit_rows feature rows for pit; not timed)"

# one round of request NAME: the command line, then the client; appends
# wall and CPU seconds to NAME.{cli,py}.{wall,cpu}
round() {
	local name=$1 repo=$2 ents_csv=$3 check=$4
	shift 4
	local -a cli_args=("$@") py_args=("$@")
	[[ $name == pit ]] && cli_args=(--worktree "$@") && py_args=(--worktree "$@")
	if ! /usr/bin/time -f 'TIME %e %U %S' -o "$tmp/$name.time" \
		"$fcat" --repo "$repo" get-historical "${cli_args[@]}" --entities "$ents_csv" \
		-o "$tmp/$name.csv" >"$tmp/$name.log" 2>&1; then
		echo "$me: fcat get-historical ($name) failed:" >&2
		cat "$tmp/$name.log" >&2
		exit 1
	fi
	read -r _ wall user sys <"$tmp/$name.time"
	echo "$wall" >>"$tmp/$name.cli.wall"
	awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }' >>"$tmp/$name.cli.cpu"
	local out
	if ! out=$("$python" "$here/python_historical.py" run "$repo" "$ents_csv" "$tmp/$name.csv" \
		$check "${py_args[@]}" 2>&1); then
		echo "$me: the Python client ($name) failed:" >&2
		echo "$out" >&2
		exit 1
	fi
	grep -v '^RUN ' <<<"$out" || true
	local run
	run=$(grep '^RUN ' <<<"$out")
	field <(echo "$run") wall_s >>"$tmp/$name.py.wall"
	field <(echo "$run") cpu_s >>"$tmp/$name.py.cpu"
	printf '  %s round %d: fcat get-historical %s s (cpu %s s), python to_df %s s (cpu %s s)\n' \
		"$name" "$r" "$(tail -n1 "$tmp/$name.cli.wall")" "$(tail -n1 "$tmp/$name.cli.cpu")" \
		"$(tail -n1 "$tmp/$name.py.wall")" "$(tail -n1 "$tmp/$name.py.cpu")"
}

export FCAT_PRINCIPAL=fcat-operator
for ((r = 1; r <= reps; r++)); do
	check=
	((r == 1)) && check=--check
	round demo "$demo" "$tmp/demo_entities.csv" "$check" --features user_features
	round pit "$pit" "$tmp/pit_entities.csv" "$check" --features user_events
done

echo
status=0
for name in demo pit; do
	cw=$(median "$tmp/$name.cli.wall") cc=$(median "$tmp/$name.cli.cpu")
	pw=$(median "$tmp/$name.py.wall") pc=$(median "$tmp/$name.py.cpu")
	awk -v n="$name" -v e="$ents" -v cw="$cw" -v cc="$cc" -v pw="$pw" -v pc="$pc" 'BEGIN {
		printf "%s, %d entity rows, medians of '"$reps"': fcat get-historical %.2f s (cpu %.2f s), python get_historical_features().to_df() %.2f s (cpu %.2f s)\n", n, e, cw, cc, pw, pc
		printf "RESULT %s python/cli wall %.2fx, cpu %.2fx (bar: 1.3x)\n", n, pw / cw, pc / cc
	}'
	awk -v pw="$pw" -v cw="$cw" 'BEGIN { exit !(pw / cw > 1.3) }' && status=1
done
exit $status
