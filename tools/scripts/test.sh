#!/usr/bin/env bash
# test.sh - the README's second command: installs what is missing, builds
# everything with AddressSanitizer and UBSan, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/../.."

tools/scripts/deps.sh test
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DFCAT_SANITIZE=ON >/dev/null
cmake --build build/asan -j"$(nproc)"
cd build/asan
ctest --output-on-failure --timeout 900 -j"$(nproc)"
