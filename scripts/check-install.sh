#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Installs teemed into a temporary prefix and builds a consumer against
# it twice, as a userspace VMM would: with pkg-config and with CMake's
# find_package. The consumer must run and see teemed refuse a secure
# world that is not OP-TEE.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake -S "$top" -B "$work/build" -G Ninja -DTEEMED_BUILD_SIM=OFF \
	-DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" >/dev/null
cmake --install "$work/build" --prefix "$work/prefix" >/dev/null

PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" \
	cc -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter \
	"$top/tests/install/consumer.c" -o "$work/consumer-pc" \
	$(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --cflags --libs teemed)
"$work/consumer-pc"

cmake -S "$top/tests/install" -B "$work/consumer" -G Ninja \
	-DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/consumer" >/dev/null
"$work/consumer/consumer"
echo "install check passed: pkg-config and find_package(teemed) both work"
