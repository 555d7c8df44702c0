#!/usr/bin/env bash
# deps.sh - installs the Debian packages fcat needs that are missing.
# Usage: tools/scripts/deps.sh [build|demo|test|bench]
#   build: what building needs; demo adds curl (the demo talks to fcat serve)
#   and python3-pandas (it runs tools/python/example.py);
#   test adds what the tests use: python3-pandas and python3-pytest for the
#   Python client's tests, clang and libFuzzer (test.sh runs
#   tools/scripts/fuzz.sh); bench adds wrk, redis and curl
#   (tools/bench/serve.sh) and pandas (tools/bench/python_historical.sh).
set -euo pipefail

build_pkgs=(build-essential cmake pkg-config liblua5.4-dev libgit2-dev libssl-dev
  libsqlite3-dev libyaml-dev liblmdb-dev libjansson-dev libmicrohttpd-dev
  libhiredis-dev libpq-dev)
# clang, libFuzzer (libclang-rt-dev) and llvm-symbolizer (llvm, for the
# stack traces of a fuzzer's report)
test_pkgs=(libcmocka-dev graphviz redis-server redis-tools postgresql python3-pandas
  python3-pytest clang libclang-rt-dev llvm)
demo_pkgs=(curl python3-pandas)
bench_pkgs=(wrk redis-server redis-tools curl python3-pandas)

want=("${build_pkgs[@]}")
case "${1:-build}" in
  build) ;;
  demo) want+=("${demo_pkgs[@]}") ;;
  test) want+=("${test_pkgs[@]}") ;;
  bench) want+=("${bench_pkgs[@]}") ;;
  *) echo "usage: deps.sh [build|demo|test|bench]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "deps: run as root, or install: ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
