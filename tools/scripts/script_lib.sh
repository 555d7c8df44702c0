# script_lib.sh - what the demo and the benchmark scripts share: a server of
# their own on a free loopback port (the port, the wait until it answers, a
# throwaway redis-server) and a python3 with pandas. Sourced by demo.sh and,
# through bench_lib.sh, by the benchmark scripts.
# shellcheck shell=bash

# free_port: a loopback port nobody listens on (the caller retries if it
# loses a race for it).
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}

# wait_ready PID CHECK...: runs CHECK every 0.05 s (5 s at most) until it
# succeeds or the process PID has exited; succeeds when CHECK does. CHECK's
# output is dropped.
wait_ready() {
	local pid=$1 _
	shift
	for _ in $(seq 100); do
		"$@" >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	"$@" >/dev/null 2>&1
}

# http_ready PORT: fcat serve on PORT answers GET /health.
http_ready() { curl -sf "http://127.0.0.1:$1/health"; }

# redis_ready PORT: redis-server on PORT answers PING.
redis_ready() { [[ $(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null) == PONG ]]; }

# stop_pid PID: ends the process (it lost a race for its port, or is done)
# and waits for it.
stop_pid() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# start_redis DIR: a throwaway redis-server (no persistence, its files and
# redis.log in DIR) on a free loopback port, tried again on another port if
# it lost a race; sets redis_pid and redis_port, or fails.
start_redis() {
	local _
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		redis_port=$(free_port)
		redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$1" --save "" \
			--appendonly no --daemonize no --logfile "$1/redis.log" &
		redis_pid=$!
		wait_ready "$redis_pid" redis_ready "$redis_port" && return 0
		stop_pid "$redis_pid"
	done
	redis_pid=
	return 1
}

# pandas_python: prints $PYTHON when set, else the first of python3 and
# /usr/bin/python3 that imports pandas (a python3 first on PATH, from pyenv
# or a venv, may not); fails when there is none.
pandas_python() {
	if [[ -n ${PYTHON:-} ]]; then
		echo "$PYTHON"
		return 0
	fi
	local p
	for p in python3 /usr/bin/python3; do
		if command -v "$p" >/dev/null && "$p" -c 'import pandas' 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}
