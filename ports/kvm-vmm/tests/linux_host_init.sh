#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# /init of scripts/kvm-linux-test.sh: Debian's arm64 kernel is the KVM
# host; two teemed-vmm processes boot Debian's kernel as Linux guests
# (linux_guest_init.sh inside) while a third runs the hostile bare-metal
# guest, all sharing the test-only OP-TEE model through teemed.ko. Then
# every VMM is killed and nothing may remain. One "PASS <check>" or
# "FAIL <check>" line per check, then "TEST DONE" and power off.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
T=/test
L=/tmp
M=/sys/module/teemed_model/parameters
VMM=$T/teemed-vmm

. /init_lib.sh

echo "kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs"
# The guests' kernels are quiet unless the host's command line says
# teemed_verbose (scripts/kvm-linux-test.sh --verbose).
GUEST_ARGS="console=ttyS0,115200 panic=-1 quiet"
grep -q teemed_verbose /proc/cmdline &&
	GUEST_ARGS="console=ttyS0,115200 panic=-1 earlycon=uart8250,mmio,0x9000000"
pin_acq0=$(vmstat nr_foll_pin_acquired)
pin_rel0=$(vmstat nr_foll_pin_released)
# A small step: the 4 MiB and 6 MiB buffers take many SMCs each.
STEP=128
check modules_load sh -c "insmod $T/teemed.ko step_pages=$STEP && \
	insmod $T/teemed_model.ko partitions=4 threads=4"
# The host's tree names OP-TEE's notification interrupt: teemed.ko has
# requested it (threaded), as the host's optee driver would have.
grep teemed-optee-notif /proc/interrupts
check host_optee_notif_irq_requested \
	grep -q teemed-optee-notif /proc/interrupts

t0=$(date +%s)
# Run teemed-vmm directly (not through a function): $! is the VMM.
$VMM linux -n linux1 -k $T/Image -i $T/guest.cpio.gz -m 256 \
	-p "$GUEST_ARGS teemed_id=1 teemed_cpus=1" > $L/linux1.log 2>&1 &
p1=$!
# linux2 is offered OP-TEE's asynchronous notifications (-N).
$VMM linux -n linux2 -k $T/Image -i $T/guest.cpio.gz -m 256 -N \
	-p "$GUEST_ARGS teemed_id=2 teemed_cpus=1 teemed_notif=1" \
	> $L/linux2.log 2>&1 &
p2=$!
# The guests' consoles, as they come.
tail -f $L/linux1.log &
tail1=$!
tail -f $L/linux2.log &
tail2=$!
# The attacker, while both Linux guests boot and run their clients.
$VMM -n hostile -m 2 -a 3000 $T/guest.bin > $L/hostile.log 2>&1
s=$?
check hostile_attacks_refused [ "$s" = 0 ]
check hostile_checks_ran [ "$(grep -c '\] ok attack' $L/hostile.log)" -ge 25 ]
tail -3 $L/hostile.log

both_holding() {
	wait_for $L/linux1.log 'GUEST HOLDING' 900 &&
		wait_for $L/linux2.log 'GUEST HOLDING' 900
}
check linux_guests_ran_their_clients both_holding
echo "Linux guests done in $(($(date +%s) - t0)) s"
sleep 2
kill $tail1 $tail2
id1=$(sed -n 's/.*client id \([0-9]*\)/\1/p' $L/linux1.log)
id2=$(sed -n 's/.*client id \([0-9]*\)/\1/p' $L/linux2.log)
# The calls Debian's driver made follow what it was offered: with
# SEC_CAP_RPC_ARG (0x40) CALL_WITH_RPC_ARG and CALL_WITH_REGD_ARG, never
# CALL_WITH_ARG; without it, CALL_WITH_ARG only. SEC_CAP_ASYNC_NOTIF
# (0x20) only to linux2, whose VMM asked for it (-N): the other guests'
# optee nodes have no interrupt, and their driver would fail without.
# linux2's driver enabled them (ENABLE_ASYNC_NOTIF, 0xb2000010) and read
# values (GET_ASYNC_NOTIF_VALUE, 0xb2000011) in its interrupt handler.
offered() { # offered GUEST: the capabilities it was offered, in hex
	sed -n 's/.*capabilities offered to the guest 0x\([0-9a-f]*\).*/\1/p' \
		$L/linux$1.log | head -1
}
call_path_ok() { # call_path_ok GUEST...
	for g in "$@"; do
		log=$L/linux$g.log
		caps=$(offered "$g")
		[ -n "$caps" ] || return 1
		caps=$((0x$caps))
		a=0; r=0; d=0
		grep -q 'OP-TEE function 0x32000004' $log && a=1
		grep -q 'OP-TEE function 0x32000012' $log && r=1
		grep -q 'OP-TEE function 0x32000013' $log && d=1
		echo "linux$g: offered $(printf 0x%x $caps): CALL_WITH_ARG $a," \
			"CALL_WITH_RPC_ARG $r, CALL_WITH_REGD_ARG $d"
		if [ "$g" = 2 ]; then
			[ $((caps & 0x20)) != 0 ] &&
				grep -q 'OP-TEE function 0xb2000010' "$log" &&
				grep -q 'OP-TEE function 0xb2000011' "$log" ||
				return 1
		else
			[ $((caps & 0x20)) = 0 ] || return 1
		fi
		if [ $((caps & 0x40)) != 0 ]; then
			[ $a = 0 ] && [ $r = 1 ] && [ $d = 1 ] || return 1
		else
			[ $a = 1 ] && [ $r = 0 ] && [ $d = 0 ] || return 1
		fi
	done
}
check driver_calls_match_offered_capabilities call_path_ok 1 2
echo "model: notifications sent $(cat $M/notif_sent)," \
	"interrupts raised $(cat $M/notif_irqs)"
check optee_raised_notifications [ "$(cat $M/notif_irqs)" -gt 0 ]
check distinct_client_ids [ -n "$id1" -a -n "$id2" -a "$id1" != "$id2" ]
check linux_guests_alive_holding [ "$(field vms)" = 2 -a "$(field pinned)" -gt 0 ]
$T/ioctl_test info
# Each VMM prints its guest's counters on SIGUSR1.
kill -USR1 "$p1" "$p2"
wait_for $L/linux1.log 'teemed: client' 30
wait_for $L/linux2.log 'teemed: client' 30
sleep 2
split_ok() {
	for g in 1 2; do
		line=$(grep 'teemed: client' $L/linux$g.log | tail -1)
		peak=$(echo "$line" | sed -n 's/.* pinned_peak \([0-9]*\).*/\1/p')
		most=$(echo "$line" | sed -n 's/.* max_pages_per_smc \([0-9]*\).*/\1/p')
		echo "linux$g: pinned peak $peak pages, at most $most per SMC"
		[ -n "$peak" ] && [ -n "$most" ] || return 1
		[ "$peak" -ge 1024 ] && [ "$most" -gt 0 ] &&
			[ "$most" -le $STEP ] || return 1
	done
}
check large_buffers_pinned_in_bounded_steps split_ok
# The model's TA sent values to linux2 only: teemed took them for linux2
# (TEEMED_VM_GET_STATS notif_values), none for linux1.
notif_values() { # notif_values GUEST
	grep 'teemed: client' "$L/linux$1.log" | tail -1 |
		sed -n 's/.* notif_values \([0-9]*\).*/\1/p'
}
notif_split_ok() {
	n1=$(notif_values 1)
	n2=$(notif_values 2)
	echo "notification values taken: linux1 $n1, linux2 $n2"
	[ "$n1" = 0 ] && [ -n "$n2" ] && [ "$n2" -gt 0 ]
}
check notif_values_only_for_the_guest_offered notif_split_ok

kill -9 "$p1" "$p2"
wait "$p1" "$p2" 2>/dev/null
# After every VMM was killed: nothing may remain. $1 suffixes the names.
after_kill() {
	i=0
	while [ "$(field vms)" != 0 ] && [ $i -lt 30 ]; do
		sleep 1
		i=$((i + 1))
	done
	$T/ioctl_test info
	check no_vm_after_kill$1 [ "$(field vms)" = 0 ]
	check no_pin_after_kill$1 [ "$(field pinned)" = 0 ]
	check no_module_page_after_kill$1 [ "$(field pages)" = 0 ]
	acq=$(($(vmstat nr_foll_pin_acquired) - pin_acq0))
	rel=$(($(vmstat nr_foll_pin_released) - pin_rel0))
	echo "vmstat: FOLL_PIN acquired $acq released $rel"
	check vmstat_pins_balanced$1 [ "$acq" -gt 0 -a "$acq" = "$rel" ]
	echo "model: partitions $(cat $M/live_partitions)" \
		"sessions $(cat $M/sessions) objects $(cat $M/objects)" \
		"threads_busy $(cat $M/threads_busy) std_calls $(cat $M/std_calls)" \
		"rpcs $(cat $M/rpcs) checks $(cat $M/checks)" \
		"violations $(cat $M/violations)"
	check optee_forgot_every_vm$1 [ "$(cat $M/live_partitions)" = 0 -a \
		"$(cat $M/sessions)" = 0 -a "$(cat $M/objects)" = 0 -a \
		"$(cat $M/threads_busy)" = 0 ]
	check secure_world_touched_only_pinned_or_module_pages$1 \
		[ "$(cat $M/checks)" -gt 0 -a "$(cat $M/violations)" = 0 ]
}
after_kill ""

# An OP-TEE without SEC_CAP_RPC_ARG (the model hides it): teemed cannot
# offer it, and Debian's driver falls back to CALL_WITH_ARG with its RPC
# argument cache. One more guest, with two vCPUs, runs every client
# check that way.
check model_reloads_without_rpc_arg sh -c "rmmod teemed_model && \
	insmod $T/teemed_model.ko partitions=4 threads=4 sec_caps_off=0x40"
# It has two vCPUs: its driver and tee-supplicant may call at once.
$VMM linux -n linux3 -k $T/Image -i $T/guest.cpio.gz -m 256 -c 2 \
	-p "$GUEST_ARGS teemed_id=3 teemed_cpus=2" > $L/linux3.log 2>&1 &
p3=$!
tail -f $L/linux3.log &
tail3=$!
check linux_guest_without_rpc_arg_ran_its_client \
	wait_for $L/linux3.log 'GUEST HOLDING' 900
sleep 2
kill $tail3
rpc_arg_hidden() {
	caps=$(offered 3)
	[ -n "$caps" ] && [ $((0x$caps & 0x40)) = 0 ]
}
check rpc_arg_not_offered rpc_arg_hidden
check driver_calls_match_offered_capabilities_without_rpc_arg call_path_ok 3
kill -9 "$p3"
wait "$p3" 2>/dev/null
after_kill _without_rpc_arg

check modules_unload sh -c "rmmod teemed_model && rmmod teemed"
check host_optee_notif_irq_freed \
	sh -c '! grep -q teemed-optee-notif /proc/interrupts'
dmesg > $L/dmesg.log
check kernel_log_clean sh -c \
	"! grep -E 'WARNING:|BUG|Oops|KFENCE|refcount_t|list_(add|del) corruption|Call trace' $L/dmesg.log"
grep -E 'teemed|WARNING|BUG|KFENCE' $L/dmesg.log | tail -20
echo "TEST DONE"
poweroff -f
