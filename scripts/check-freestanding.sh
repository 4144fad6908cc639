#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Proves the core can be compiled into someone else's binary:
#  1. it is freestanding: src/ compiled for aarch64 as a hypervisor would,
#     linked partially, needs nothing beyond memcpy/memset/memcmp/memmove;
#  2. every global symbol it defines starts with teemed_;
#  3. every macro it defines starts with TEEMED_ (optee_abi.h's protocol
#     names excepted: that header is private to src/);
#  4. it builds with -nostdinc against a hypervisor's own type and string
#     headers and a config that defines common macro names
#     (tests/embed/), with -Wredundant-decls, for aarch64 and the host.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cc=${CC_AARCH64:-aarch64-linux-gnu-gcc}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail() { echo "freestanding check FAILED: $*"; exit 1; }

warn=(-Wall -Wextra -Werror -Wpedantic -Wshadow -Wvla -Wmissing-prototypes
      -Wstrict-prototypes -Wredundant-decls -Wno-unused-parameter)
flags=(-std=c11 -O2 -ffreestanding -nostdlib -mgeneral-regs-only
       -mno-outline-atomics -fno-stack-protector "${warn[@]}"
       -I"$top/include" -I"$top/src")
objs=()
for src in "$top"/src/*.c; do
	obj="$out/$(basename "${src%.c}").o"
	"$cc" "${flags[@]}" -c "$src" -o "$obj"
	objs+=("$obj")
done
"$cc" -nostdlib -r -o "$out/teemed-core.o" "${objs[@]}"
undefined=$(aarch64-linux-gnu-nm -u "$out/teemed-core.o" | awk '{print $2}' | sort -u)
bad=$(printf '%s\n' "$undefined" | grep -Ev '^(memcpy|memset|memcmp|memmove)$' | grep -v '^$' || true)
[ -z "$bad" ] || fail "the core needs symbols beyond memcpy/memset/memcmp/memmove: $(echo $bad)"

globals=$(aarch64-linux-gnu-nm -g --defined-only "$out/teemed-core.o" | awk 'NF==3 {print $3}')
bad=$(printf '%s\n' "$globals" | grep -v '^teemed_' | grep -v '^$' || true)
[ -z "$bad" ] || fail "global symbols without the teemed_ prefix: $(echo $bad)"

bad=$(grep -hoE '^[[:space:]]*#[[:space:]]*define[[:space:]]+[A-Za-z_][A-Za-z0-9_]*' \
	"$top"/src/*.[ch] "$top"/include/teemed/*.h --exclude=optee_abi.h |
	awk '{print $NF}' | grep -v '^TEEMED_' || true)
[ -z "$bad" ] || fail "macros without the TEEMED_ prefix: $(echo $bad)"

embed=(-nostdinc -ffreestanding -std=c11 -O2 "${warn[@]}"
       -I"$top/include" -I"$top/src" -I"$top/tests/embed"
       "-DTEEMED_TYPES_HEADER=\"hyp_types.h\""
       "-DTEEMED_STRING_HEADER=\"hyp_string.h\""
       "-DTEEMED_USER_CONFIG=\"hyp_config.h\"")
for src in "$top"/src/*.c; do
	"$cc" "${embed[@]}" -mgeneral-regs-only -c "$src" -o "$out/embed.o"
	${CC:-cc} "${embed[@]}" -c "$src" -o "$out/embed.o"
done

size=$(aarch64-linux-gnu-size "$out/teemed-core.o" | awk 'NR==2 {print $1 + $2 + $3}')
echo "freestanding check passed: aarch64 core is ${size} bytes; it needs only: $(echo $undefined);" \
	"$(printf '%s\n' "$globals" | wc -l) globals, all teemed_; builds with -nostdinc"
