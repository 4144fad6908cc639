#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Proves the core is freestanding: compiles src/ for aarch64 as a
# hypervisor would, links it partially, and lists what it still needs
# from outside. Only memcpy, memset, memcmp and memmove may remain.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cc=${CC_AARCH64:-aarch64-linux-gnu-gcc}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

flags=(-std=c11 -O2 -ffreestanding -nostdlib -mgeneral-regs-only
       -mno-outline-atomics -fno-stack-protector -Wall -Wextra -Werror
       -Wpedantic -Wshadow -Wvla -Wmissing-prototypes -Wstrict-prototypes
       -Wno-unused-parameter -I"$top/include" -I"$top/src")
objs=()
for src in "$top"/src/*.c; do
	obj="$out/$(basename "${src%.c}").o"
	"$cc" "${flags[@]}" -c "$src" -o "$obj"
	objs+=("$obj")
done
"$cc" -nostdlib -r -o "$out/teemed-core.o" "${objs[@]}"
undefined=$(aarch64-linux-gnu-nm -u "$out/teemed-core.o" | awk '{print $2}' | sort -u)
allowed='^(memcpy|memset|memcmp|memmove)$'
bad=$(printf '%s\n' "$undefined" | grep -Ev "$allowed" | grep -v '^$' || true)
size=$(aarch64-linux-gnu-size "$out/teemed-core.o" | awk 'NR==2 {print $1 + $2 + $3}')
if [ -n "$bad" ]; then
	echo "freestanding check FAILED: the core needs symbols beyond memcpy/memset/memcmp/memmove:"
	printf '  %s\n' $bad
	exit 1
fi
echo "freestanding check passed: aarch64 core is ${size} bytes; it needs only: $(echo $undefined)"
