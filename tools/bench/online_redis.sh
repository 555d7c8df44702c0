#!/usr/bin/env bash
# online_redis.sh - fcat's online reads from redis beside redis-benchmark (GET of a key fcat wrote, HGETALL of a 10-field hash) on the same server, in the same run.
#
# usage: tools/bench/online_redis.sh [RUNS] [-- FCAT-BENCH-ONLINE OPTIONS...]
#        (RUNS default 1: how many times fcat-bench-online runs; medians)
#
# Starts its own redis-server on 127.0.0.1 (a free port, a temporary
# directory, no persistence), runs fcat-bench-online --store redis against
# it, then redis-benchmark -c 1 -P 1 (one client, no pipelining: one round
# trip per request, as fcat's single-entity read) for GET of one of the keys
# fcat wrote (the plugin keeps one string per entity and view, so one GET is
# what a single read costs the server) and for HGETALL of a hash of 10 small
# fields made here. Prints the p50s side by side and the ratios; stops the
# server and removes its files at the end. The build comes from $FCAT_BUILD
# (default build/release, relative to the repository root).
set -euo pipefail

me=online_redis.sh
# shellcheck source=bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"
runs=1
if [[ $# -gt 0 && $1 != -- ]]; then
	runs=$1
	shift
fi
[[ ${1:-} == -- ]] && shift
if ! [[ $runs =~ ^[1-9][0-9]*$ ]]; then
	echo "online_redis.sh: RUNS must be a whole number, at least 1 (got '$runs')" >&2
	exit 2
fi
bench_need_built fcat-bench-online
bench=$build/fcat-bench-online
for tool in redis-server redis-cli redis-benchmark; do
	command -v "$tool" >/dev/null || { echo "online_redis.sh: $tool is not installed" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fcat-bench-redis-XXXXXX")
server=
port=
cleanup() {
	if [[ -n $server ]]; then
		redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || kill "$server" 2>/dev/null || true
		wait "$server" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

start_redis "$tmp" || { echo "online_redis.sh: could not start redis-server" >&2; exit 1; }
server=$redis_pid port=$redis_port
cli() { redis-cli -h 127.0.0.1 -p "$port" "$@"; }
echo "redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on 127.0.0.1:$port"

# value of key=... in a RESULT line (bench_lib.sh's field reads a file)
line_field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }

for i in $(seq "$runs"); do
	echo "--- fcat-bench-online, run $i of $runs"
	"$bench" --store redis --redis-url "redis://127.0.0.1:$port/0" "$@" | tee "$tmp/fcat.$i"
	grep '^RESULT ' "$tmp/fcat.$i" >>"$tmp/results"
done
p50=$(while read -r line; do line_field "$line" p50_us; done <"$tmp/results" | median)
p99=$(while read -r line; do line_field "$line" p99_us; done <"$tmp/results" | median)
eps=$(while read -r line; do line_field "$line" batch_eps; done <"$tmp/results" | median)

# one of the keys fcat wrote (the view is user_stats)
cli --scan --pattern '*}:user_stats' >"$tmp/keys"
key=$(head -n 1 "$tmp/keys")
[[ -n $key ]] || { echo "online_redis.sh: found no key of view user_stats" >&2; exit 1; }
echo "--- redis-benchmark GET $key ($(cli strlen "$key") bytes), then HGETALL of 10 fields"
cli hset h f1 v1 f2 v2 f3 v3 f4 v4 f5 v5 f6 v6 f7 v7 f8 v8 f9 v9 f10 v10 >/dev/null

# "latency summary (msec):", a header line, then avg min p50 p95 p99 max
summary() {
	awk '/latency summary/ { getline; getline; printf "%.1f %.1f %.0f\n", $3 * 1000, $5 * 1000, rps; exit }
	     /throughput summary/ { rps = $3 }' "$1"
}
redis-benchmark -h 127.0.0.1 -p "$port" -n 200000 -c 1 -P 1 GET "$key" >"$tmp/get.out" 2>&1
redis-benchmark -h 127.0.0.1 -p "$port" -n 200000 -c 1 -P 1 HGETALL h >"$tmp/hgetall.out" 2>&1
read -r get50 get99 getrps <<<"$(summary "$tmp/get.out")"
read -r hg50 hg99 hgrps <<<"$(summary "$tmp/hgetall.out")"
[[ -n $get50 && -n $hg50 ]] || { echo "online_redis.sh: cannot read redis-benchmark's latency summary" >&2; cat "$tmp/get.out" >&2; exit 1; }

echo "--- the same server, one client, one request in flight (medians of $runs fcat run(s))"
awk -v p50="$p50" -v p99="$p99" -v eps="$eps" -v g50="$get50" -v g99="$get99" -v grps="$getrps" \
	-v h50="$hg50" -v h99="$hg99" -v hrps="$hgrps" 'BEGIN {
	printf "%-46s p50 %7.1f us  p99 %7.1f us\n", "fcat_online_read_at, 1 entity x 10 features:", p50, p99
	printf "%-46s p50 %7.1f us  p99 %7.1f us  (%.0f req/s)\n", "peer: redis-benchmark GET of fcat'"'"'s key:", g50, g99, grps
	printf "%-46s p50 %7.1f us  p99 %7.1f us  (%.0f req/s)\n", "peer: redis-benchmark HGETALL, 10 fields:", h50, h99, hrps
	printf "%-46s %.0f entities/s\n", "fcat batched, 100 per call (one pipeline):", eps
	printf "ratio fcat/GET p50: %.2fx; fcat/HGETALL p50: %.2fx (redis-benchmark rounds to 1 us)\n", p50 / g50, p50 / h50
	printf "RESULT fcat_p50_us=%.2f fcat_p99_us=%.2f get_p50_us=%.1f hgetall_p50_us=%.1f batch_eps=%.0f\n", p50, p99, g50, h50, eps
}'
