#!/usr/bin/env bash
# agg_push.sh - push throughput into the tiles of a window-aggregated view (issue 14) in LMDB beside a plain latest-row view, through fcat-bench-agg-push.
#
# usage: tools/bench/agg_push.sh [EVENTS] [USERS]   (default 1000000 events over 100000 users)
#
# fcat-bench-agg-push writes a repo under $TMPDIR (removed at the end) with
# the view of issue 14 and a plain view of the same events, each fed by its
# own push source; then for each batch size ($BATCHES, default 1000,10000),
# in time order and shuffled, $REPS rounds (default 3): every event pushed
# through fcat_push (online, LMDB) into an empty store, the aggregated view
# and the plain one in turn; events/s, medians of the rounds and the ratio.
# Each case is checked once (every user's count_7d is its number of events).
# The issue's bar: >= 200,000 events/s into LMDB. The build is $FCAT_BUILD
# (default build/release; build it Release).
set -euo pipefail

me=agg_push.sh
# shellcheck source=bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"
events=${1:-1000000}
users=${2:-100000}
reps=${REPS:-3}
bench_check_counts "EVENTS, USERS and REPS" "$events" "$users" "$reps"
bench_need_built fcat-bench-agg-push
printf '%d CPUs, load average %s\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
"$build/fcat-bench-agg-push" --events "$events" --users "$users" --rounds "$reps" \
	--batches "${BATCHES:-1000,10000}"
