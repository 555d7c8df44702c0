#!/usr/bin/env bash
# agg_online.sh - one-entity online reads of four windowed features (issue 14) beside four plain ones, through fcat-bench-agg-online.
#
# usage: tools/bench/agg_online.sh [USERS] [EVENTS_PER_USER]   (default 100000 users x 50 events)
#
# fcat-bench-agg-online writes a repo under $TMPDIR (removed at the end):
# the view of issue 14 over USERS x EVENTS_PER_USER events in the 7 days
# before `now`, and a plain view of four features over as many rows;
# materializes both into LMDB (each timed); then reads one random user at a
# time with fcat_online_read (`now` set), w:count_1h, w:count_1d,
# w:count_7d and w:amount_mean_7d, beside p's four plain features, in turns
# of 1,000 reads, for $SECONDS_PER_ROUND s (default 3) per round, $REPS
# rounds (default 3): p50, p99, p99.9 in microseconds, medians of the
# rounds. The issue's bar: p50 <= 5 us. The build is $FCAT_BUILD (default
# build/release; build it Release).
set -euo pipefail

me=agg_online.sh
# shellcheck source=bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"
users=${1:-100000}
per_user=${2:-50}
reps=${REPS:-3}
secs=${SECONDS_PER_ROUND:-3}
bench_check_counts "USERS, EVENTS_PER_USER, REPS and SECONDS_PER_ROUND" "$users" "$per_user" \
	"$reps" "$secs"
bench_need_built fcat-bench-agg-online
printf '%d CPUs, load average %s\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
"$build/fcat-bench-agg-online" --users "$users" --events-per-user "$per_user" \
	--seconds "$secs" --rounds "$reps"
