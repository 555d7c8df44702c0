#!/usr/bin/env bash
# deps.sh - installs the Debian packages fcat needs that are missing.
# Usage: tools/scripts/deps.sh [build|test]   (test adds what the tests use)
set -euo pipefail

build_pkgs=(build-essential cmake pkg-config liblua5.4-dev libgit2-dev libssl-dev
  libsqlite3-dev libyaml-dev liblmdb-dev libjansson-dev libmicrohttpd-dev
  libhiredis-dev libpq-dev)
test_pkgs=(libcmocka-dev graphviz redis-server redis-tools postgresql)

want=("${build_pkgs[@]}")
if [ "${1:-build}" = test ]; then
  want+=("${test_pkgs[@]}")
fi

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
