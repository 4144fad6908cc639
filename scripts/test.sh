#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Builds teemed and runs every test: unit tests of the core, integration
# tests through the simulator, and the freestanding check of the core.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh" gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
cmake -S "$top" -B "$top/build" -G Ninja -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$top/build"
ctest --test-dir "$top/build" --output-on-failure -j"$(nproc)"
"$top/scripts/check-freestanding.sh"
