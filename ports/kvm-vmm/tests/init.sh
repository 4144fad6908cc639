#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# /init of the QEMU test (scripts/kvm-test.sh): Debian's arm64 kernel is
# the KVM host; teemed.ko serves teemed-vmm processes, with the test-only
# OP-TEE model as the secure world. One "PASS <check>" or "FAIL <check>"
# line per check, then "TEST DONE" and power off.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp && mount -t tmpfs tmpfs /tmp
T=/test
L=/tmp
M=/sys/module/teemed_model/parameters
# Run teemed-vmm directly (not through a function), so that $! is the
# VMM itself and kill -9 reaches it.
VMM=$T/teemed-vmm
G=$T/guest.bin

. /init_lib.sh

echo "kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs"

# scripts/kvm-demo.sh: two guests share the model OP-TEE, one attacks.
if grep -q teemed_demo /proc/cmdline; then
	insmod $T/teemed.ko && insmod $T/teemed_model.ko
	$VMM -n guest-A $G &
	a=$!
	$VMM -n guest-B $G &
	wait $a $!
	$VMM -n hostile -m 2 $G | grep -v '] ok'
	$T/ioctl_test info
	echo "DEMO DONE"
	poweroff -f
fi

check kvm_available test -c /dev/kvm
pin_acq0=$(vmstat nr_foll_pin_acquired)
pin_rel0=$(vmstat nr_foll_pin_released)

# A platform driver named "optee" bound to a device (the host's OP-TEE
# driver as on a board with OP-TEE): teemed.ko must refuse to load.
insmod $T/teemed_fake_optee.ko
check refuses_to_load_while_optee_bound sh -c "! insmod $T/teemed.ko"
check refusal_reason_logged \
	sh -c 'dmesg | grep -q "OP-TEE driver (optee) is bound to 1 device"'
rmmod teemed_fake_optee

# The host's own OP-TEE driver: teemed.ko must notice it.
insmod $T/tee.ko && insmod $T/optee.ko
insmod $T/teemed.ko
check detects_host_optee_driver \
	sh -c 'dmesg | grep -q "OP-TEE driver (optee) is loaded"'
rmmod teemed
rmmod optee && rmmod tee

# teemed.ko alone: the production SMC path finds no OP-TEE here.
check teemed_loads insmod $T/teemed.ko max_vms=8
check dev_node test -c /dev/teemed
$T/ioctl_test nosw
dmesg | grep 'teemed:' | tail -3

# The test-only secure world.
check model_loads insmod $T/teemed_model.ko partitions=6 threads=4

# Bad input from a VMM.
$T/ioctl_test all > $L/ioctl.log 2>&1
cat $L/ioctl.log
check ioctl_test_complete grep -q '^PASS ioctl_nothing_left' $L/ioctl.log
check guest_count_reason_logged \
	sh -c 'dmesg | grep -q "OP-TEE refused VM_CREATED (its guest count"'

# Two honest guests at once, each in its own VMM with its own client id;
# the second one's RAM is a memfd (shared memory), the first's anonymous.
$VMM -n honest1 $G > $L/h1.log 2>&1 &
p1=$!
$VMM -n honest2 -s $G > $L/h2.log 2>&1 &
p2=$!
wait $p1; s1=$?
wait $p2; s2=$?
cat $L/h1.log $L/h2.log
check honest_two_vms_at_once [ "$s1" = 0 -a "$s2" = 0 ]
id1=$(sed -n 's/.*client id \([0-9]*\)/\1/p' $L/h1.log)
id2=$(sed -n 's/.*client id \([0-9]*\)/\1/p' $L/h2.log)
check distinct_client_ids [ -n "$id1" -a -n "$id2" -a "$id1" != "$id2" ]
check honest_checks_ran [ "$(grep -c '\] ok ' $L/h1.log)" -ge 30 ]

# One guest calling OP-TEE from three vCPUs at once.
$VMM -n smp -c 3 -m 4 $G > $L/smp.log 2>&1
s=$?
grep -v '\] ok ' $L/smp.log
check honest_three_vcpus_at_once [ "$s" = 0 ]
check smp_checks_ran [ "$(grep -c '\] ok ' $L/smp.log)" -ge 90 ]

# Guests holding OP-TEE resources (a registered buffer, sessions, a call
# suspended at a FOREIGN_INTR, another inside an RPC with its payload
# buffer) while a hostile guest attacks.
$VMM -n hold1 -m 1 $G > $L/hold1.log 2>&1 &
q1=$!
$VMM -n hold2 -m 1 $G > $L/hold2.log 2>&1 &
q2=$!
both_ready() { wait_for $L/hold1.log READY 120 && wait_for $L/hold2.log READY 120; }
check hold_guests_ready both_ready
cat $L/hold1.log $L/hold2.log
check pins_held_while_running [ "$(field pinned)" -gt 0 ]

$VMM -n honest3 $G > $L/h3.log 2>&1 &
p3=$!
$VMM -n hostile -m 2 -a 3000 $G > $L/hostile.log 2>&1
s=$?
wait $p3
s3=$?
cat $L/hostile.log
tail -3 $L/h3.log
check hostile_attacks_refused [ "$s" = 0 ]
check hostile_checks_ran [ "$(grep -c '\] ok attack' $L/hostile.log)" -ge 25 ]
check honest_beside_hostile [ "$s3" = 0 ]

$VMM -n honest4 $G > $L/h4.log 2>&1
s=$?
tail -3 $L/h4.log
check honest_after_hostile [ "$s" = 0 ]

# A busy honest guest, then every VMM killed without warning.
$VMM -n busy -m 3 $G > $L/busy.log 2>&1 &
b1=$!
wait_for $L/busy.log BUSY 60
sleep 1
check vms_alive_before_kill [ "$(field vms)" = 3 ]
kill -9 $q1 $q2 $b1
wait $q1 $q2 $b1 2>/dev/null
echo "busy guest: $(grep -c 'ok busy: echo' $L/busy.log) echo calls before SIGKILL"
i=0
while [ "$(field vms)" != 0 ] && [ $i -lt 30 ]; do sleep 1; i=$((i + 1)); done
$T/ioctl_test info
check no_vm_after_kill [ "$(field vms)" = 0 ]
check no_pin_after_kill [ "$(field pinned)" = 0 ]
check no_module_page_after_kill [ "$(field pages)" = 0 ]
acq=$(($(vmstat nr_foll_pin_acquired) - pin_acq0))
rel=$(($(vmstat nr_foll_pin_released) - pin_rel0))
echo "vmstat: FOLL_PIN acquired $acq released $rel"
check vmstat_pins_balanced [ "$acq" -gt 0 -a "$acq" = "$rel" ]
echo "model: partitions $(cat $M/live_partitions) sessions $(cat $M/sessions)" \
	"objects $(cat $M/objects) threads_busy $(cat $M/threads_busy)" \
	"std_calls $(cat $M/std_calls) rpcs $(cat $M/rpcs)" \
	"checks $(cat $M/checks) violations $(cat $M/violations)"
check optee_forgot_every_vm [ "$(cat $M/live_partitions)" = 0 -a \
	"$(cat $M/sessions)" = 0 -a "$(cat $M/objects)" = 0 -a \
	"$(cat $M/threads_busy)" = 0 ]
check secure_world_touched_only_pinned_or_module_pages \
	[ "$(cat $M/checks)" -gt 0 -a "$(cat $M/violations)" = 0 ]

# The trace events: an honest guest and a hostile one, as
# `cat /sys/kernel/tracing/trace_pipe` shows them (docs/trace.md).
TR=/sys/kernel/tracing
mount -t tracefs tracefs $TR
echo 16384 > $TR/buffer_size_kb
echo > $TR/trace
echo 1 > $TR/events/teemed/enable
$VMM -n traced $G > $L/traced.log 2>&1
s1=$?
$VMM -n traced-hostile -m 2 -a 100 $G > $L/traced-hostile.log 2>&1
s2=$?
echo 0 > $TR/events/teemed/enable
cat $TR/trace > $L/trace.log
echo "trace: $(grep -c 'teemed_event:' $L/trace.log) events," \
	"$(grep -c ' refuse ' $L/trace.log) refusals; excerpt:"
for p in 'msg> +OPEN_SESSION' 'msg< +OPEN_SESSION' 'msg> +REGISTER_SHM' \
	'guest< RPC' 'refuse' 'vm +destroyed'; do
	grep -m 1 -E "$p" $L/trace.log
done
# has PATTERN: the recorded trace shows it
has() { grep -qE "teemed_event: $1" $L/trace.log; }
check trace_guests_ran [ "$s1" = 0 -a "$s2" = 0 ]
check trace_open_session_and_answer sh -c \
	'grep -qE "vm[0-9]+\.0 +msg> +OPEN_SESSION" $0 &&
	 grep -qE "vm[0-9]+\.0 +msg< +OPEN_SESSION .*ret=SUCCESS" $0' $L/trace.log
check trace_register_shm has 'vm[0-9]+\.0 +msg> +REGISTER_SHM \[0\] tmem-out list=ipa:'
check trace_rpc has 'vm[0-9]+\.0 +guest< RPC (ALLOC|CMD|FREE)'
check trace_refusal_with_reason has 'vm[0-9]+\.0 +refuse [A-Z]+(/[A-Z]+)?( \[[0-9]+\]| thread=[0-9]+)?: [a-z]'
check trace_vm_teardown has 'vm[0-9]+ +vm +destroyed'
# The hostile guest's unaligned argument, and its storm of refusals (130
# with this guest and -a 100; the honest guest has one).
check trace_hostile_refused has 'vm[0-9]+\.0 +refuse ARG/ALIGN: '
check trace_refusals_many [ "$(grep -c ' refuse ' $L/trace.log)" -ge 50 ]
check trace_pa_hidden sh -c \
	'grep -q "tee> .*pa:\*" $0 && ! grep -qE "[^i]pa:0x" $0' $L/trace.log
echo > $TR/trace
$VMM -n untraced $G > $L/untraced.log 2>&1
s=$?
check trace_off_records_nothing [ "$s" = 0 -a \
	"$(grep -c 'teemed_event:' $TR/trace)" = 0 ]
# Host PAs only when asked.
echo 1 > /sys/module/teemed/parameters/trace_pa
echo 1 > $TR/events/teemed/enable
$VMM -n traced-pa $G > $L/traced-pa.log 2>&1
s=$?
echo 0 > $TR/events/teemed/enable
echo 0 > /sys/module/teemed/parameters/trace_pa
check trace_pa_shown_when_asked sh -c '[ "$1" = 0 ] &&
	grep -qE "tee> +CALL_WITH_ARG arg=pa:0x[0-9a-f]+ " $0' $TR/trace "$s"

check modules_unload sh -c "rmmod teemed_model && rmmod teemed"

# The module's own VM limit.
insmod $T/teemed.ko max_vms=2 && insmod $T/teemed_model.ko
$T/ioctl_test limit 2
check modules_unload_again sh -c "rmmod teemed_model && rmmod teemed"
dmesg > $L/dmesg.log
check kernel_log_clean sh -c \
	"! grep -E 'WARNING:|BUG|Oops|KFENCE|refcount_t|list_(add|del) corruption|Call trace' $L/dmesg.log"
grep -E 'teemed|WARNING|BUG|KFENCE' $L/dmesg.log | tail -40
echo "TEST DONE"
poweroff -f
