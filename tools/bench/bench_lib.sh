# bench_lib.sh - the preamble the benchmark scripts share, sourced by each
# after it sets `me` (its name, for messages): the repository root and the
# build ($FCAT_BUILD, default build/release, relative to the root), the check
# that the programs a script runs are built, small text helpers, and
# script_lib.sh's (a free port, waiting for a server, a python3 with
# pandas).
# shellcheck shell=bash

: "${me:?set me (the name of the script) before sourcing bench_lib.sh}"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${FCAT_BUILD:-build/release}
[[ $build = /* ]] || build=$root/$build
# shellcheck source=../scripts/script_lib.sh
source "$root/tools/scripts/script_lib.sh"

# bench_need_built TOOL...: exits 2 unless every TOOL is built in $build.
bench_need_built() {
	local tool
	for tool in "$@"; do
		if [[ ! -x $build/$tool ]]; then
			echo "$me: $build/$tool is missing: build it (cmake --build $build)" >&2
			exit 2
		fi
	done
}

# bench_check_rows ROWS: exits 2 unless ROWS is a multiple of 10, at least 10
# (10 rows a user in the demo data).
bench_check_rows() {
	if ! [[ $1 =~ ^[0-9]+$ ]] || (($1 < 10 || $1 % 10)); then
		echo "$me: ROWS must be a multiple of 10, at least 10 (got '$1')" >&2
		exit 2
	fi
}

# bench_check_counts WHAT N...: exits 2 unless every N is a whole number, at
# least 1; WHAT names them in the message ("ROWS and REPS").
bench_check_counts() {
	local what=$1 n
	shift
	for n in "$@"; do
		if ! [[ $n =~ ^[0-9]+$ ]] || ((n < 1)); then
			echo "$me: $what must be positive counts (got '$n')" >&2
			exit 2
		fi
	done
}

# field FILE KEY: the value of KEY in a "RUN key=value ..." file.
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$1"; }

# median [FILE]: the median of the numbers in FILE (or stdin), one a line.
median() { sort -g "$@" | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# bench_measure NAME CMD...: one run of CMD timed by fcat-bench-run ($run),
# its wall time, peak RSS and CPU time (user + sys) appended to
# $tmp/NAME.wall, NAME.rss and NAME.cpu; exits 1 with its output when it
# fails.
bench_measure() {
	local name=$1
	shift
	if ! "$run" -o "$tmp/$name.run" "$@" >"$tmp/$name.log" 2>&1; then
		echo "$me: $name failed:" >&2
		cat "$tmp/$name.log" "$tmp/$name.run" >&2
		exit 1
	fi
	field "$tmp/$name.run" wall_s >>"$tmp/$name.wall"
	field "$tmp/$name.run" maxrss_kb >>"$tmp/$name.rss"
	awk -v u="$(field "$tmp/$name.run" user_s)" -v s="$(field "$tmp/$name.run" sys_s)" \
		'BEGIN { print u + s }' >>"$tmp/$name.cpu"
}

# bench_need_duckdb: node with the npm package @duckdb/node-api, installed
# on first use into $FCAT_BENCH_CACHE (default ~/.cache/fcat-bench), never
# into the repository; sets NODE_PATH and duckdb_version. Exits 2 without
# node.
bench_need_duckdb() {
	local cache=${FCAT_BENCH_CACHE:-$HOME/.cache/fcat-bench}
	command -v node >/dev/null || { echo "$me: node is missing" >&2; exit 2; }
	if [[ ! -d $cache/node_modules/@duckdb/node-api ]]; then
		echo "installing @duckdb/node-api into $cache" >&2
		mkdir -p "$cache"
		npm install --prefix "$cache" --no-save --no-audit --no-fund @duckdb/node-api >&2
	fi
	export NODE_PATH=$cache/node_modules
	duckdb_version=$(node -e "const { DuckDBInstance } = require('@duckdb/node-api');
DuckDBInstance.create(':memory:').then(async (db) => {
	const r = await (await db.connect()).runAndReadAll('SELECT version()');
	console.log(r.getRows()[0][0]);
});")
}
