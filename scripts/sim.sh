#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Builds teemed and runs its simulator: `scripts/sim.sh [teemed-sim args]`
# (default: `run`, the basic scenario).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
cmake -S "$top" -B "$top/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$top/build" --target teemed-sim >/dev/null
[ $# -gt 0 ] || set -- run
exec "$top/build/teemed-sim" "$@"
