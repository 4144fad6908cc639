# SPDX-License-Identifier: BSD-2-Clause
# What the /init scripts of the QEMU tests share, sourced as /init_lib.sh:
# one "PASS <check>" or "FAIL <check>[: why]" line per check, and the
# host's looks at teemed.ko (ioctl_test info) and at the kernel's counters.
# shellcheck shell=sh

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; }
# check NAME COMMAND...: PASS if the command succeeds.
check() {
	name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}
# field NAME: a counter of TEEMED_GET_INFO (host only; $T holds ioctl_test).
field() { "$T"/ioctl_test info | sed -n "s/.*$1=\([0-9]*\).*/\1/p"; }
# vmstat NAME: a /proc/vmstat counter, the per-CPU deltas folded first,
# or the counters lag behind.
vmstat() {
	echo 1 > /proc/sys/vm/stat_refresh
	sed -n "s/^$1 //p" /proc/vmstat
}
# wait_for FILE PATTERN SECONDS: until PATTERN is in FILE.
wait_for() {
	i=0
	while [ "$i" -lt "$3" ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 1
		i=$((i + 1))
	done
	return 1
}
