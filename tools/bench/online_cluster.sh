#!/usr/bin/env bash
# online_cluster.sh - fcat on a 3-master Redis Cluster: materialize of the demo CSV (rows/s, serial and --jobs 2 when fcat has it), bytes per entity, and online reads beside redis-benchmark on one node of the same cluster.
#
# usage: tools/bench/online_cluster.sh [ROWS] [RUNS]
#        (ROWS default 1000000: 100,000 users x 10; RUNS default 3: medians)
#
# Starts 3 redis-servers in cluster mode (127.0.0.1, free ports, no
# persistence, a temporary directory) and joins them with `redis-cli
# --cluster create`. Then:
#  1. `fcat materialize` of the demo data (fcat-datagen, 10 rows a user; the
#     latest-row view user_features) into
#     the cluster, RUNS times after a FLUSHALL of every master; the same with
#     `--jobs 2` when fcat materialize takes that option (skipped, and said,
#     when it refuses it). rows/s of the median run.
#  2. the memory the rows take: used_memory summed over the masters, before
#     and after, over the keys written (one key per user and view).
#  3. fcat-bench-online --store redis --redis-cluster (single-entity reads of
#     10 features of random users, p50/p99 in process, the median of RUNS
#     rounds) beside redis-benchmark -c 1 -P 1 GET of one of fcat's keys on
#     the master that holds it (a hash-tagged key: one node), RUNS times,
#     and redis-benchmark -c 32 of the same GET: what one node serves.
# Stops the servers and removes every file at the end. The build comes from
# $FCAT_BUILD (default build/release, relative to the repository root).
set -euo pipefail
export FCAT_PRINCIPAL=${FCAT_PRINCIPAL:-fcat-operator}

me=online_cluster.sh
# shellcheck source=bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"
rows=${1:-1000000}
runs=${2:-3}
bench_check_rows "$rows"
bench_check_counts RUNS "$runs"
users=$((rows / 10))
bench_need_built fcat fcat-datagen fcat-bench-run fcat-bench-online
fcat=$build/fcat
run=$build/fcat-bench-run
for tool in redis-server redis-cli redis-benchmark; do
	command -v "$tool" >/dev/null || { echo "$me: $tool is not installed" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fcat-bench-cluster-XXXXXX")
pids=()
ports=()
cleanup() {
	local p
	for p in "${ports[@]}"; do
		redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true
	done
	for p in "${pids[@]}"; do
		stop_pid "$p"
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# cluster_port: a free port whose cluster bus port (+10000) is free too
cluster_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 30000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
		(exec 3<>"/dev/tcp/127.0.0.1/$((p + 10000))") 2>/dev/null && continue
		echo "$p"
		return
	done
}

for i in 1 2 3; do
	mkdir -p "$tmp/node$i"
	p=$(cluster_port)
	redis-server --bind 127.0.0.1 --port "$p" --dir "$tmp/node$i" --save "" --appendonly no \
		--cluster-enabled yes --cluster-config-file "$tmp/node$i/nodes.conf" \
		--daemonize no --logfile "$tmp/node$i/redis.log" &
	pids+=($!)
	ports+=("$p")
	wait_ready "$!" redis_ready "$p" || { echo "$me: redis-server on $p did not start" >&2; exit 1; }
done
redis-cli --cluster create "${ports[@]/#/127.0.0.1:}" --cluster-replicas 0 --cluster-yes \
	>"$tmp/create.out" 2>&1 || { cat "$tmp/create.out" >&2; exit 1; }
for p in "${ports[@]}"; do
	for _ in $(seq 100); do
		redis-cli -p "$p" cluster info | grep -q 'cluster_state:ok' && break
		sleep 0.1
	done
done
seeds=$(printf '127.0.0.1:%s,' "${ports[@]}")
seeds=${seeds%,}
echo "redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p'), cluster of 3 masters: $seeds"
echo "$("$fcat" --version), build $build, $rows rows ($users users x 10), $runs runs; $(nproc) cores, shared (figures are noisy)"

repo=$tmp/repo
"$fcat" init "$repo" --no-data >/dev/null
mkdir -p "$repo/data"
"$run" -o "$tmp/gen.run" "$build/fcat-datagen" --users "$users" --rows-per-user 10 \
	--seed 1 --end 2026-01-01T00:00:00Z -o "$repo/data/conversations.csv"
# the online store on the cluster, in place of the demo's lmdb section
awk -v seeds="$seeds" '
	/^online_store:/ { print "online_store:\n  plugin: redis\n  cluster: \"" seeds "\""; skip = 1; next }
	skip && /^  / { next }
	{ skip = 0; print }' "$repo/fcat.yaml" >"$tmp/fcat.yaml"
mv "$tmp/fcat.yaml" "$repo/fcat.yaml"

used_memory() {
	local p total=0
	for p in "${ports[@]}"; do
		total=$((total + $(redis-cli -p "$p" info memory | sed -n 's/^used_memory:\([0-9]*\).*/\1/p')))
	done
	echo "$total"
}
flush_all() {
	local p
	for p in "${ports[@]}"; do redis-cli -p "$p" flushall >/dev/null; done
}
keys_all() {
	local p total=0
	for p in "${ports[@]}"; do total=$((total + $(redis-cli -p "$p" dbsize))); done
	echo "$total"
}

# materialize RUNS times with the given extra options; prints the median
# wall seconds, or nothing when fcat refuses the options
materialize() {
	local i
	: >"$tmp/mat.secs"
	for i in $(seq "$runs"); do
		flush_all
		if ! "$run" -o "$tmp/mat.run" "$fcat" --repo "$repo" materialize --views user_features "$@" \
			2025-01-01T00:00:00Z 2027-01-01T00:00:00Z >"$tmp/mat.out" 2>"$tmp/mat.err"; then
			grep -qi 'option\|usage\|unknown' "$tmp/mat.err" && return 0
			cat "$tmp/mat.out" "$tmp/mat.err" >&2
			exit 1
		fi
		grep -q "$rows rows read, $users keys written" "$tmp/mat.out" || {
			echo "$me: unexpected output:" >&2
			cat "$tmp/mat.out" >&2
			exit 1
		}
		field "$tmp/mat.run" wall_s >>"$tmp/mat.secs"
	done
	median "$tmp/mat.secs"
}

flush_all
mem0=$(used_memory)
serial=$(materialize)
awk -v s="$serial" -v r="$rows" 'BEGIN { printf "%-44s %7.2f s  %9.0f rows/s\n", "fcat materialize into the cluster:", s, r / s }'
keys=$(keys_all)
mem1=$(used_memory)
one=$(redis-cli -p "${ports[0]}" --scan --pattern '*}:user_features' | head -n 1 || true)
vlen=$(redis-cli -p "${ports[0]}" strlen "$one")
jobs=$(materialize --jobs 2)
if [[ -n $jobs ]]; then
	awk -v s="$jobs" -v r="$rows" 'BEGIN { printf "%-44s %7.2f s  %9.0f rows/s\n", "fcat materialize --jobs 2 into the cluster:", s, r / s }'
else
	echo "fcat materialize --jobs 2: refused by this fcat ($(head -n 1 "$tmp/mat.err")); skipped"
	jobs=0
fi
awk -v k="$keys" -v m0="$mem0" -v m1="$mem1" -v kl="${#one}" -v vl="$vlen" 'BEGIN {
	printf "%-44s %d keys, %.1f MiB: %.0f bytes per entity (key %d B, value %d B)\n",
		"memory of the demo view (3 masters):", k, (m1 - m0) / 1048576, (m1 - m0) / k, kl, vl }'

# online reads: in process through the cluster, and redis-benchmark on one node
"$build/fcat-bench-online" --store redis --redis-cluster "$seeds" --users 100000 \
	--reads 100000 --rounds "$runs" >"$tmp/online.out"
grep -E '^(materialize|RESULT)' "$tmp/online.out" || true
read -r p50 p99 eps < <(awk '/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	print v["p50_us"], v["p99_us"], v["batch_eps"] }' "$tmp/online.out")
node=${ports[1]}
key=$(redis-cli -p "$node" --scan --pattern '*}:user_stats' | head -n 1 || true)
[[ -n $key ]] || { echo "$me: no key of user_stats on 127.0.0.1:$node" >&2; exit 1; }
: >"$tmp/get50"
: >"$tmp/get99"
for i in $(seq "$runs"); do
	redis-benchmark -h 127.0.0.1 -p "$node" -n 100000 -c 1 -P 1 GET "$key" >"$tmp/get.out" 2>&1
	awk '/latency summary/ { getline; getline; printf "%.1f %.1f\n", $3 * 1000, $5 * 1000; exit }' \
		"$tmp/get.out" | {
		read -r a b
		echo "$a" >>"$tmp/get50"
		echo "$b" >>"$tmp/get99"
	}
done
# what one node serves with 32 clients (for the reads/s a node takes)
: >"$tmp/rps"
for i in $(seq "$runs"); do
	redis-benchmark -h 127.0.0.1 -p "$node" -n 200000 -c 32 -P 1 GET "$key" >"$tmp/rps.out" 2>&1
	awk '/throughput summary/ { print $3; exit }' "$tmp/rps.out" >>"$tmp/rps"
done
rps=$(median "$tmp/rps")
g50=$(median "$tmp/get50")
g99=$(median "$tmp/get99")
awk -v p50="$p50" -v p99="$p99" -v eps="$eps" -v g50="$g50" -v g99="$g99" -v key="$key" \
	-v node="$node" -v serial="$serial" -v jobs="$jobs" -v rows="$rows" -v k="$keys" \
	-v m0="$mem0" -v m1="$mem1" -v rps="$rps" 'BEGIN {
	printf "%-44s p50 %7.1f us  p99 %7.1f us\n", "fcat, 1 entity x 10 features, via cluster:", p50, p99
	printf "%-44s p50 %7.1f us  p99 %7.1f us\n", "peer: redis-benchmark -c 1 GET, one node:", g50, g99
	printf "%-44s %.0f entities/s\n", "fcat batched, 100 per call (3 nodes):", eps
	printf "%-44s %.0f requests/s\n", "peer: redis-benchmark -c 32 GET, one node:", rps
	printf "(the GET is of %s on 127.0.0.1:%s; redis-benchmark rounds to 1 us)\n", key, node
	printf "RESULT rows=%d materialize_s=%.3f rows_per_s=%.0f jobs2_s=%.3f bytes_per_entity=%.0f fcat_p50_us=%.1f fcat_p99_us=%.1f get_p50_us=%.1f get_p99_us=%.1f batch_eps=%.0f node_get_rps=%.0f\n",
		rows, serial, rows / serial, jobs, (m1 - m0) / k, p50, p99, g50, g99, eps, rps
}'
