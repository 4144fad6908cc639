#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The slower checks CI runs besides scripts/test.sh (see docs/testing.md):
#
#   scripts/ci-checks.sh tsan      stress + scenario tests under ThreadSanitizer
#   scripts/ci-checks.sh memcheck  integration tests under valgrind memcheck
#   scripts/ci-checks.sh faults    the full fault-injection sweep
#   scripts/ci-checks.sh all       the three, in that order
#
# Each job builds in its own directory (build-tsan, build-memcheck,
# build-faults) and only the targets it runs.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

step() { printf '\n=== %s ===\n' "$*"; }

# configure DIR [cmake args...]; then build the named integration tests.
configure() {
	local dir=$1
	shift
	cmake -S "$top" -B "$top/$dir" -G Ninja "$@" >/dev/null
}

build() {
	local dir=$1
	shift
	cmake --build "$top/$dir" --target "$@"
}

# TSan maps memory at fixed places; a kernel with many random mmap bits
# can get in the way, so run without address randomization when we can.
no_aslr() {
	if setarch "$(uname -m)" -R true 2>/dev/null; then
		setarch "$(uname -m)" -R "$@"
	else
		"$@"
	fi
}

tsan() {
	step "ThreadSanitizer: stress and scenario tests (clang)"
	scripts/deps.sh libclang-rt-14-dev
	CC=clang configure build-tsan -DCMAKE_BUILD_TYPE=Debug \
		-DTEEMED_SANITIZE=thread
	build build-tsan integration_test_stress integration_test_scenarios
	export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1"
	# Thread timing differs run to run; a few seeds widen what is seen.
	for seed in 1 2 3 4; do
		TEEMED_STRESS_SEED=$seed no_aslr build-tsan/tests/integration_test_stress
	done
	no_aslr build-tsan/tests/integration_test_scenarios
	# The same threads through the Xen port and the shim's spinlocks.
	TEEMED_WORLD_PORT=xen no_aslr build-tsan/tests/integration_test_stress
}

memcheck() {
	step "valgrind memcheck: integration tests"
	scripts/deps.sh valgrind
	configure build-memcheck -DCMAKE_BUILD_TYPE=Debug
	build build-memcheck integration_test_machine \
		integration_test_optee_model integration_test_scenarios \
		integration_test_faults integration_test_stress
	local vg=(valgrind --tool=memcheck --error-exitcode=1 --leak-check=full
		"--errors-for-leak-kinds=definite,indirect,possible"
		--track-origins=yes -q)
	local t
	for t in machine optee_model scenarios; do
		"${vg[@]}" "build-memcheck/tests/integration_test_$t"
	done
	TEEMED_WORLD_PORT=xen "${vg[@]}" build-memcheck/tests/integration_test_scenarios
	# Valgrind runs ~50x slower: a sample of the sweep, a short stress.
	TEEMED_FAULTS=quick "${vg[@]}" build-memcheck/tests/integration_test_faults
	TEEMED_STRESS_OPS=150 "${vg[@]}" build-memcheck/tests/integration_test_stress
}

faults() {
	step "fault injection: the full sweep"
	scripts/deps.sh
	configure build-faults -DCMAKE_BUILD_TYPE=RelWithDebInfo
	build build-faults integration_test_faults teemed-sim
	TEEMED_FAULTS=full build-faults/tests/integration_test_faults
	# The same through the Xen port over the shim of Xen's API.
	TEEMED_WORLD_PORT=xen TEEMED_FAULTS=full \
		build-faults/tests/integration_test_faults
	# A single case replays from the command line.
	build-faults/teemed-sim run --scenario basic --vms 2 --ops 10 \
		--fail smc:5 >/dev/null
}

usage() {
	sed -n '3,9p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

[ $# -eq 1 ] || usage
case "$1" in
tsan) tsan ;;
memcheck) memcheck ;;
faults) faults ;;
all)
	tsan
	memcheck
	faults
	;;
*) usage ;;
esac
