#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# /init of the Linux guests of scripts/kvm-linux-test.sh: Debian's own
# OP-TEE driver (tee.ko, optee.ko), Debian's tee-supplicant and libteec,
# and teec_test. One "PASS <check>" or "FAIL <check>" line per check,
# then resources are held ("GUEST HOLDING") until the host kills the VMM.
# Nothing here knows about teemed: the same image runs on any OP-TEE.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
id=$(sed -n 's/.*teemed_id=\([0-9]*\).*/\1/p' /proc/cmdline)
ncpus=$(sed -n 's/.*teemed_cpus=\([0-9]*\).*/\1/p' /proc/cmdline)
BUS=/sys/bus/tee/devices

. /init_lib.sh
wait_until() { # wait_until SECONDS test-args...
	n=$1
	shift
	while [ "$n" -gt 0 ]; do
		test "$@" && return 0
		sleep 1
		n=$((n - 1))
	done
	return 1
}

echo "guest $id: kernel $(uname -r)"
# Every vCPU the VMM made came up (PSCI CPU_ON, answered by KVM).
check cpus_online [ "$(grep -c ^processor /proc/cpuinfo)" = "$ncpus" ]
insmod /lib/tee.ko && insmod /lib/optee.ko
check optee_driver_probed wait_until 10 -c /dev/tee0 -a -c /dev/teepriv0
dmesg | grep -i optee
# The driver's probe asked OP-TEE's device PTA (PTA_CMD_GET_DEVICES)
# and put what it listed on the TEE bus.
check device_pta_enumerated_at_probe \
	test -e $BUS/optee-ta-7e3d1001-5a11-4c2b-9a01-7465656d6564

mkdir -p /tmp/tee
tee-supplicant -f /tmp/tee > /tmp/supplicant.log 2>&1 &
# Once tee-supplicant opened /dev/teepriv0: PTA_CMD_GET_DEVICES_SUPP.
check device_pta_enumerated_with_supplicant \
	wait_until 30 -e $BUS/optee-ta-7e3d1006-5a11-4c2b-9a01-7465656d6564

/bin/teec_test run $((id * 16)) /tmp/tee
check client_all_passed [ $? = 0 ]

# teemed_notif=1: the VMM offered OP-TEE's asynchronous notifications
# (teemed-vmm -N). The driver takes them, and each value OP-TEE sends
# this guest arrives as the interrupt of its optee node.
notif_irqs() { # the optee interrupt's count, all CPUs
	awk '/optee/ { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i }
		END { print n + 0 }' /proc/interrupts
}
if grep -q teemed_notif=1 /proc/cmdline; then
	check optee_async_notif_enabled \
		sh -c "dmesg | grep -q 'Asynchronous notifications enabled'"
	before=$(notif_irqs)
	/bin/teec_test notify 20
	sleep 1
	after=$(notif_irqs)
	grep optee /proc/interrupts
	echo "optee notification interrupts: $before before, $after after"
	# 20 ms apart, each value is its own interrupt; values pending
	# together share one, so allow half of them to have coalesced.
	check optee_notif_interrupts_fired [ "$after" -ge $((before + 10)) ]
fi
cat /tmp/supplicant.log
# Nothing went wrong in the guest's kernel or its OP-TEE driver.
dmesg > /tmp/dmesg.log
if grep -E 'WARNING:|BUG|Oops|Call trace|(optee|tee)[: ].*([Ee]rr|[Ff]ail)' \
	/tmp/dmesg.log; then
	fail guest_kernel_log_clean
else
	pass guest_kernel_log_clean
fi

/bin/teec_test hold > /tmp/hold.log 2>&1 &
wait_until 60 -n "$(grep HOLDING /tmp/hold.log)"
cat /tmp/hold.log
echo "GUEST HOLDING"
while :; do sleep 3600; done
