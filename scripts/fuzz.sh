#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# scripts/fuzz.sh [seconds-per-target]
#
# Builds the libFuzzer targets with clang (build-fuzz/, or $FUZZ_BUILD_DIR)
# and runs each for the given time (default 60) over a temporary copy of
# its committed corpus, so a run never rewrites fuzz/corpus/. Exits
# non-zero on the first crash; the crashing input is kept in
# <build>/fuzz-artifacts/<target>/ and its path printed. New corpus
# entries stay in the temporary copy, printed at the end, for whoever
# wants to minimise and commit some (docs/fuzzing.md).
set -euo pipefail

secs=${1:-60}
case $secs in
'' | *[!0-9]*)
	echo "usage: $0 [seconds-per-target]" >&2
	exit 2
	;;
esac
top=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$top/build-fuzz}
"$top/scripts/deps.sh" libclang-rt-14-dev
targets="std_call sequence trace"

cmake -S "$top" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo -DTEEMED_FUZZ=ON >/dev/null
# shellcheck disable=SC2086
cmake --build "$build" --target $(printf 'fuzz_%s ' $targets)

work=$(mktemp -d "${TMPDIR:-/tmp}/teemed-fuzz.XXXXXX")
status=0
for t in $targets; do
	corpus=$work/$t
	artifacts=$build/fuzz-artifacts/$t
	mkdir -p "$corpus" "$artifacts"
	cp "$top/fuzz/corpus/$t/"* "$corpus/"
	echo "== fuzz_$t: ${secs}s over $(ls "$corpus" | wc -l) seeds"
	log=$build/fuzz-$t.log
	# Leak detection stays on: the harness frees everything per input.
	set +e
	"$build/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=20 \
		-max_len=4096 -rss_limit_mb=4096 -print_final_stats=1 \
		-artifact_prefix="$artifacts/" "$corpus" 2>&1 | tee "$log" |
		grep --line-buffered -E '^#[0-9]+.*(INITED|pulse|DONE)|^stat::'
	rc=${PIPESTATUS[0]}
	set -e
	if [ "$rc" -ne 0 ]; then
		tail -n 60 "$log" >&2
		echo "!! fuzz_$t failed ($rc); log $log; inputs in $artifacts:" >&2
		ls -t "$artifacts" | head -5 >&2
		status=1
		break
	fi
done
echo "== grown corpora left in $work"
exit $status
