#!/usr/bin/env bash
# serve.sh - fcat serve under wrk on loopback (POST /get-online-features, 1 entity x 5 features and 100 entities x 5 features, a JWT on every request) beside redis-benchmark HGETALL of a 5-field hash, in the same run.
#
# usage: tools/bench/serve.sh [USERS]     (default 100000 users in the store)
#        SERVE_SECONDS (default 10) the length of each wrk round, SERVE_ROUNDS
#        (default 3) the rounds (the figures are medians over them),
#        WRK_THREADS (default 1, as redis-benchmark's one thread: on a small
#        machine a second load thread takes a core from the server),
#        SERVE_CURVE (default 1; 0 skips the latency curve by connections),
#        SERVE_THREADS (default 1: fcat serve's threads; with wrk on the same
#        two cores, one server thread matches redis-server's one and keeps
#        the machine from running three busy threads on two cores, whose
#        time slices show up as a tail of milliseconds).
#
# Makes a repo with `fcat init --no-data` in a temporary directory (or under
# $TMPDIR), USERS users of fcat-datagen data (one row each, within the views'
# 7-day ttl), a view `user_serving` of five features (the demo's four and a
# bool), committed, applied and materialized into LMDB; starts
# `fcat serve --threads SERVE_THREADS --token-secret-file` on a free loopback port; and
# runs, round by round:
#   wrk -t1 -c32 --latency, each request one random user x 5 features, with an
#     HS256 bearer token (sub ranking-service) verified on every request;
#   redis-benchmark -c 32 HGETALL of a hash of the same five values, on a
#     redis-server started here (a free port, no persistence);
#   wrk with 100 random users per request (entities/s), beside
#     redis-benchmark -c 32 -P 100 HGETALL (100 lookups per round trip);
# then the latency curve: wrk at 1, 2, 4, ... 64 connections, one round each.
# Any non-2xx answer or socket error fails the run. Everything is stopped and
# removed at the end. Installs wrk, redis and curl when missing
# (tools/scripts/deps.sh bench). The build comes from $FCAT_BUILD (default
# build/release, relative to the repository root; build it Release).
set -euo pipefail

me=serve.sh
# shellcheck source=bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"
users=${1:-100000}
secs=${SERVE_SECONDS:-10}
rounds=${SERVE_ROUNDS:-3}
wrk_threads=${WRK_THREADS:-1}
serve_threads=${SERVE_THREADS:-1}
for v in "$users" "$secs" "$rounds" "$wrk_threads" "$serve_threads"; do
	[[ $v =~ ^[1-9][0-9]*$ ]] || { echo "$me: USERS, SERVE_SECONDS and SERVE_ROUNDS are whole numbers, at least 1 (got '$v')" >&2; exit 2; }
done
"$root/tools/scripts/deps.sh" bench
bench_need_built fcat fcat-datagen
fcat=$build/fcat
if ! grep -q '^CMAKE_BUILD_TYPE:[A-Z]*=Release$' "$build/CMakeCache.txt" 2>/dev/null; then
	echo "$me: warning: $build is not a Release build" >&2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fcat-bench-serve-XXXXXX")
server=
redis=
rport=
cleanup() {
	if [[ -n $server ]]; then
		kill -TERM "$server" 2>/dev/null || true
		wait "$server" 2>/dev/null || true
	fi
	if [[ -n $redis ]]; then
		redis-cli -h 127.0.0.1 -p "$rport" shutdown nosave >/dev/null 2>&1 || kill "$redis" 2>/dev/null || true
		wait "$redis" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT


# --- the repo: the demo catalog and policies, one more view, USERS users
export FCAT_PRINCIPAL=fcat-operator   # the demo policies' operator: applies and writes
repo=$tmp/repo
"$fcat" init "$repo" --no-data >/dev/null
mkdir -p "$repo/data"
"$build/fcat-datagen" --users "$users" --rows-per-user 1 --days 5 --seed 1 \
	-o "$repo/data/conversations.csv"
cat >"$repo/catalog/bench.lua" <<'EOF'
-- bench.lua - tools/bench/serve.sh's view: the demo's four user features and a fifth.
feature_view {
  name = "user_serving",
  entities = { "user" },
  source = "conversations",
  ttl = days(7),
  online = true,
  schema = {
    field("total_conversations", int64),
    field("avg_response_rating", float32),
    field("preferred_language", string),
    field("user_embedding", array(float32, 16)),
    field("is_regular", bool),
  },
  transform = function(row)
    local function or_null(v) if v == nil then return null end return v end
    local n = row.total_conversations
    return {
      total_conversations = or_null(n),
      avg_response_rating = or_null(row.avg_response_rating),
      preferred_language = or_null(row.preferred_language),
      user_embedding = or_null(row.user_embedding),
      is_regular = or_null(n and n > 100),
    }
  end,
}
EOF
git -C "$repo" add catalog/bench.lua
git -C "$repo" -c user.name=serve.sh -c user.email=serve.sh@localhost commit -qm "bench: user_serving"
"$fcat" --repo "$repo" apply >/dev/null
"$fcat" --repo "$repo" materialize --views user_serving 2020-01-01T00:00:00Z now >"$tmp/mat.out"
grep -q " $users keys written" "$tmp/mat.out" || { echo "$me: unexpected materialize output:" >&2; cat "$tmp/mat.out" >&2; exit 1; }
width=4
for ((v = 10000; v <= users; v *= 10)); do width=$((width + 1)); done   # fcat-datagen's user ids

# --- an HS256 token for ranking-service (the demo policies' serving role), one hour
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$tmp/secret"
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
jwt_head=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
jwt_body=$(printf '{"sub":"ranking-service","exp":%d}' $(($(date +%s) + 3600)) | b64url)
jwt_sig=$(printf '%s.%s' "$jwt_head" "$jwt_body" |
	openssl dgst -sha256 -mac HMAC -macopt "key:$(cat "$tmp/secret")" -binary | b64url)
token=$jwt_head.$jwt_body.$jwt_sig

# --- fcat serve, 2 threads
for _ in 1 2 3 4 5 6 7 8 9 10; do
	port=$(free_port)
	"$fcat" --repo "$repo" serve --port "$port" --threads "$serve_threads" --token-secret-file "$tmp/secret" \
		2>"$tmp/serve.log" &
	server=$!
	wait_ready "$server" http_ready "$port" && break
	stop_pid "$server"
	server=
done
[[ -n $server ]] || { echo "$me: fcat serve did not start:" >&2; cat "$tmp/serve.log" >&2; exit 1; }
url=http://127.0.0.1:$port/get-online-features

# the request wrk sends, once by hand: 200 with five PRESENT features (and 401 without the token)
one='{"features":["user_serving:total_conversations","user_serving:avg_response_rating","user_serving:preferred_language","user_serving:user_embedding","user_serving:is_regular"],"entities":{"user_id":["u'$(printf "%0${width}d" 1)'"]}}'
code=$(curl -s -o "$tmp/one.json" -w '%{http_code}' -X POST "$url" -H 'Content-Type: application/json' \
	-H "Authorization: Bearer $token" -d "$one")
present=$(grep -o '"PRESENT"' "$tmp/one.json" | wc -l)
[[ $code == 200 && $present == 6 ]] || { echo "$me: the check request got HTTP $code:" >&2; cat "$tmp/one.json" >&2; exit 1; }
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url" -H 'Content-Type: application/json' -d "$one")
[[ $code == 401 ]] || { echo "$me: a request without a token got HTTP $code, not 401" >&2; exit 1; }

# --- redis-server, a hash of the same five values
start_redis "$tmp" || { echo "$me: could not start redis-server" >&2; exit 1; }
redis=$redis_pid rport=$redis_port
redis-cli -h 127.0.0.1 -p "$rport" hset "user:u1" total_conversations 75 avg_response_rating 4.87 \
	preferred_language ja is_regular 0 user_embedding \
	'[0.9514,-0.2759,-0.2838,-0.5228,-0.171,-0.3558,-0.0706,-0.7367,-0.493,-0.8691,0.7472,-0.0932,-0.3743,-0.3858,0.2981,0.6777]' \
	>/dev/null

printf '%s, build %s, %d users in LMDB, %d cores; fcat serve --threads %d, wrk -t%d -c32 %d s a round; redis-server %s; %d rounds\n' \
	"$("$fcat" --version)" "$build" "$users" "$(nproc)" "$serve_threads" "$wrk_threads" "$secs" \
	"$(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')" "$rounds"

# run_wrk ENTITIES OUT: one wrk round; fails on a non-2xx answer or a socket error
run_wrk() {
	wrk -t"$wrk_threads" -c32 -d"${secs}s" --latency -s "$root/tools/bench/serve.lua" "$url" \
		-- "$1" "$users" "$width" "$token" >"$2"
	if grep -qE 'Non-2xx|Socket errors' "$2"; then
		echo "$me: wrk saw errors:" >&2
		cat "$2" >&2
		exit 1
	fi
}
# wrk_fig OUT: "requests/s p50_us p99_us" of a wrk --latency report
wrk_fig() {
	awk 'function us(s) {
		if (s ~ /us$/) return s + 0
		if (s ~ /ms$/) return s * 1000
		if (s ~ /m$/) return s * 60e6
		return s * 1e6
	}
	$1 == "50%" { p50 = us($2) } $1 == "99%" { p99 = us($2) }
	$1 == "Requests/sec:" { rps = $2 }
	END { printf "%.0f %.1f %.1f\n", rps, p50, p99 }' "$1"
}
# redis_fig OUT: "requests/s p50_us p99_us" of redis-benchmark (its summaries:
# "latency summary (msec):", a header line, then avg min p50 p95 p99 max)
redis_fig() {
	awk '/throughput summary/ { rps = $3 }
	     /latency summary/ { getline; getline; p50 = $3 * 1000; p99 = $5 * 1000 }
	     END { printf "%.0f %.1f %.1f\n", rps, p50, p99 }' "$1"
}
run_redis() {
	redis-benchmark -h 127.0.0.1 -p "$rport" -c 32 "$@" >"$tmp/redis.out" 2>&1
	grep -q 'throughput summary' "$tmp/redis.out" || { echo "$me: redis-benchmark failed:" >&2; cat "$tmp/redis.out" >&2; exit 1; }
}

run_wrk 1 "$tmp/warmup"   # warms the server, the store's pages and the token cache, not counted
for i in $(seq "$rounds"); do
	run_wrk 1 "$tmp/w1"
	read -r rps p50 p99 <<<"$(wrk_fig "$tmp/w1")"
	echo "$rps $p50 $p99" >>"$tmp/fcat1"
	run_redis -n $((secs * 40000)) HGETALL user:u1
	read -r rrps r50 r99 <<<"$(redis_fig "$tmp/redis.out")"
	echo "$rrps $r50 $r99" >>"$tmp/redis1"
	run_wrk 100 "$tmp/w100"
	read -r brps b50 b99 <<<"$(wrk_fig "$tmp/w100")"
	echo "$brps $b50 $b99" >>"$tmp/fcat100"
	run_redis -P 100 -n $((secs * 100000)) HGETALL user:u1
	read -r prps p50p p99p <<<"$(redis_fig "$tmp/redis.out")"
	echo "$prps $p50p $p99p" >>"$tmp/redis100"
	printf 'round %d: fcat %6.0f req/s p50 %6.0f us p99 %6.0f us | redis %6.0f req/s p50 %4.0f us p99 %4.0f us | 100/request: fcat %7.0f entities/s, redis -P 100 %8.0f/s\n' \
		"$i" "$rps" "$p50" "$p99" "$rrps" "$r50" "$r99" "$((brps * 100))" "$prps"
done

# the latency curve: one entity x 5 features at 1..64 connections, one
# round each (SERVE_CURVE=0 skips it); "flat" means the tail stays a small
# multiple of the median at every concurrency (no cliff), while the median
# itself grows with the queue once the two cores are busy
if [[ ${SERVE_CURVE:-1} != 0 ]]; then
	echo "--- latency by connections (1 entity x 5 features, ${secs} s each; redis-benchmark HGETALL at the same count)"
	printf '%-12s %10s %10s %10s %8s | %10s %10s %10s\n' connections req/s p50_us p99_us p99/p50 redis_rps redis_p50 redis_p99
	for c in 1 2 4 8 16 32 64; do
		wrk -t"$wrk_threads" -c"$c" -d"${secs}s" --latency -s "$root/tools/bench/serve.lua" "$url" \
			-- 1 "$users" "$width" "$token" >"$tmp/curve"
		if grep -qE 'Non-2xx|Socket errors' "$tmp/curve"; then
			echo "$me: wrk saw errors:" >&2
			cat "$tmp/curve" >&2
			exit 1
		fi
		read -r crps c50 c99 <<<"$(wrk_fig "$tmp/curve")"
		redis-benchmark -h 127.0.0.1 -p "$rport" -c "$c" -n $((secs * 40000)) HGETALL user:u1 >"$tmp/redis.out" 2>&1
		read -r xrps x50 x99 <<<"$(redis_fig "$tmp/redis.out")"
		awk -v c="$c" -v r="$crps" -v a="$c50" -v b="$c99" -v xr="$xrps" -v xa="$x50" -v xb="$x99" \
			'BEGIN { printf "%-12d %10.0f %10.0f %10.0f %8.1f | %10.0f %10.0f %10.0f\n", c, r, a, b, b / a, xr, xa, xb }'
	done
fi

# col FILE N: the median of column N of FILE
col() { awk -v n="$2" '{ print $n }' "$1" | median; }
f_rps=$(col "$tmp/fcat1" 1) f_50=$(col "$tmp/fcat1" 2) f_99=$(col "$tmp/fcat1" 3)
r_rps=$(col "$tmp/redis1" 1) r_50=$(col "$tmp/redis1" 2) r_99=$(col "$tmp/redis1" 3)
b_rps=$(col "$tmp/fcat100" 1) b_50=$(col "$tmp/fcat100" 2) b_99=$(col "$tmp/fcat100" 3)
p_rps=$(col "$tmp/redis100" 1) p_50=$(col "$tmp/redis100" 2) p_99=$(col "$tmp/redis100" 3)

echo "--- medians of $rounds rounds, 32 connections on loopback"
awk -v frps="$f_rps" -v f50="$f_50" -v f99="$f_99" -v rrps="$r_rps" -v r50="$r_50" -v r99="$r_99" \
	-v brps="$b_rps" -v b50="$b_50" -v b99="$b_99" -v prps="$p_rps" -v p50="$p_50" -v p99="$p_99" 'BEGIN {
	printf "%-52s %8.0f req/s       p50 %7.0f us  p99 %7.0f us\n", "fcat serve, 1 entity x 5 features, JWT:", frps, f50, f99
	printf "%-52s %8.0f req/s       p50 %7.0f us  p99 %7.0f us\n", "peer: redis-benchmark HGETALL, 5 fields:", rrps, r50, r99
	printf "%-52s %8.0f entities/s  p50 %7.0f us  p99 %7.0f us  (%.0f req/s)\n", "fcat serve, 100 entities x 5 features, JWT:", brps * 100, b50, b99, brps
	printf "%-52s %8.0f entities/s  p50 %7.0f us  p99 %7.0f us  (per batch of 100)\n", "peer: redis-benchmark -P 100 HGETALL:", prps, p50, p99
	printf "ratio fcat/redis requests/s: %.2fx (1 entity); entities/s: %.2fx (100 per request vs 100 pipelined)\n", frps / rrps, brps * 100 / prps
	printf "RESULT rps=%.0f p50_us=%.1f p99_us=%.1f redis_rps=%.0f redis_p50_us=%.1f redis_p99_us=%.1f ratio=%.3f eps100=%.0f p50_100_us=%.1f p99_100_us=%.1f redis_p100_eps=%.0f\n",
		frps, f50, f99, rrps, r50, r99, frps / rrps, brps * 100, b50, b99, prps
}'
