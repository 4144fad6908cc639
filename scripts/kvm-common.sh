# SPDX-License-Identifier: BSD-2-Clause
# What scripts/kvm-test.sh and scripts/kvm-linux-test.sh share, sourced
# after setting kvm_default_timeout (seconds): the top directory as the
# working directory, the pinned versions (kvm-versions.sh), the build
# directory $b ($TEEMED_KVM_BUILD), the QEMU timeout $timeout_s
# ($TEEMED_KVM_TIMEOUT), the cross compiler prefix $cross, the start
# time, and the check of /init's PASS and FAIL lines.
# shellcheck shell=bash
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
# shellcheck source=scripts/kvm-versions.sh
. scripts/kvm-versions.sh
# shellcheck disable=SC2034 # used by the scripts that source this file
{
	b=${TEEMED_KVM_BUILD:-$top/build-kvm}
	timeout_s=${TEEMED_KVM_TIMEOUT:-$kvm_default_timeout}
	cross=aarch64-linux-gnu-
	start=$(date +%s)
}

# kvm_check_log NAME LOG QEMU_STATUS PREFIX CHECK...
# Whether the QEMU run logged in LOG passed: QEMU ended by itself, /init
# printed "TEST DONE", no line is PREFIX (an extended regex anchoring
# the result lines) then "FAIL ", and each CHECK is a whole line of LOG.
# Says what failed and how many PASS lines there are.
kvm_check_log() {
	local name=$1 log=$2 qrc=$3 prefix=$4 rc=0 line npass
	shift 4
	if [ "$qrc" -ne 0 ]; then
		echo "$name: QEMU exited with $qrc (124: timeout after ${timeout_s}s)"
		rc=1
	fi
	grep -q '^TEST DONE' "$log" || { echo "$name: /init did not finish"; rc=1; }
	if grep -aE "${prefix}FAIL " "$log"; then
		rc=1
	fi
	for line in "$@"; do
		grep -aqxF "$line" "$log" || { echo "$name: missing $line"; rc=1; }
	done
	npass=$(grep -acE "${prefix}PASS " "$log" || true)
	echo "$name: $npass PASS lines; $([ $rc = 0 ] && echo OK || echo FAILED)"
	return $rc
}
