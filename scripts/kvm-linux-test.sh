#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Real Linux guests through KVM and teemed: Debian's arm64 6.12 kernel
# boots as the KVM host under qemu-system-aarch64 (TCG); in it, two
# teemed-vmm processes boot the same kernel as guests, each loading
# Debian's tee.ko and optee.ko and running Debian's tee-supplicant and
# teec_test (built here against Debian's libteec), while a third VMM runs
# the hostile bare-metal guest. The second guest is offered OP-TEE's
# asynchronous notifications (teemed-vmm -N): a TA sends it values and
# its optee interrupt must count them. The secure world is the test-only
# OP-TEE model. Then every VMM is killed and nothing may remain. A third Linux
# guest (two vCPUs) then runs against a model without SEC_CAP_RPC_ARG,
# so that the driver's other call path (CALL_WITH_ARG) is tested too.
#
#   scripts/kvm-linux-test.sh           build and run (exit 1 on any FAIL)
#   scripts/kvm-linux-test.sh --build   build only
#   scripts/kvm-linux-test.sh --verbose the guests' kernels not quiet
#
# Builds on scripts/kvm-test.sh --build (module, VMM, guests, the
# downloads in $TEEMED_KVM_CACHE, versions in scripts/kvm-versions.sh).
kvm_default_timeout=1800
# shellcheck source=scripts/kvm-common.sh
. "$(dirname "$0")/kvm-common.sh"

# What /init of the host must report.
host_checks=(
	modules_load host_optee_notif_irq_requested
	hostile_attacks_refused hostile_checks_ran
	linux_guests_ran_their_clients driver_calls_match_offered_capabilities
	optee_raised_notifications notif_values_only_for_the_guest_offered
	distinct_client_ids linux_guests_alive_holding
	large_buffers_pinned_in_bounded_steps
	model_reloads_without_rpc_arg linux_guest_without_rpc_arg_ran_its_client
	rpc_arg_not_offered driver_calls_match_offered_capabilities_without_rpc_arg
	modules_unload host_optee_notif_irq_freed kernel_log_clean
)
# After each kill: first the two guests, then the one without RPC_ARG.
for sfx in "" _without_rpc_arg; do
	for c in no_vm_after_kill no_pin_after_kill no_module_page_after_kill \
		vmstat_pins_balanced optee_forgot_every_vm \
		secure_world_touched_only_pinned_or_module_pages; do
		host_checks+=("$c$sfx")
	done
done
# What each Linux guest must report (its /init and teec_test).
guest_checks=(
	cpus_online optee_driver_probed device_pta_enumerated_at_probe
	device_pta_enumerated_with_supplicant context open_sessions
	values_inout tmpref_small tmpref_across_pages allocated_shm
	registered_partial_checksum registered_partial_inplace
	registered_page_boundary_checksum registered_page_boundary_inplace
	null_memref large_registered_4MiB_checksum
	large_registered_4MiB_inplace large_tmpref_6MiB_xor
	ta_error_unknown_command ta_error_short_buffer_gives_size
	ta_error_bad_parameters open_unknown_ta_refused
	foreign_interrupts_resumed
	storage_small_write storage_small_file_in_ree_fs
	storage_small_read_back storage_small_remove
	storage_small_removed_not_found
	storage_200KiB_write storage_200KiB_file_in_ree_fs
	storage_200KiB_read_back storage_200KiB_remove
	storage_200KiB_removed_not_found
	twelve_sessions_open_invoke_close sessions_closed_context_finalized
	client_all_passed guest_kernel_log_clean hold_resources
)
# What the guest offered notifications (linux2) reports besides.
notif_checks=(
	optee_async_notif_enabled ta_sent_notifications
	optee_notif_interrupts_fired
)

TEEMED_KVM_BUILD=$b scripts/kvm-test.sh --build
kvm_use_fetched_abi "$b"
scripts/deps.sh device-tree-compiler coreutils
root=$b/root
lib=$root/usr/lib/aarch64-linux-gnu
mods=$root/lib/modules/$KVM_KABI-arm64

echo "== the guests' device tree, checked by dtc"
gcc -O2 -std=gnu11 -Wall -Wextra -Werror -Iports/kvm-vmm -o "$b/dt_dump" \
	ports/kvm-vmm/tests/dt_dump.c ports/kvm-vmm/linux_dt.c \
	ports/kvm-vmm/linux_fdt.c
"$b/dt_dump" > "$b/linux-guest.dtb"
dtc -I dtb -O dts -o "$b/linux-guest.dts" "$b/linux-guest.dtb" 2> "$b/dtc.err"
if [ -s "$b/dtc.err" ] ||
	! grep -q 'compatible = "linaro,optee-tz";' "$b/linux-guest.dts"; then
	cat "$b/dtc.err"
	echo "kvm-linux-test: dtc does not accept the guests' device tree"
	exit 1
fi
# With teemed-vmm -N, the optee node names its interrupt: SPI 2, an edge.
"$b/dt_dump" notif > "$b/linux-guest-notif.dtb"
dtc -I dtb -O dts -o "$b/linux-guest-notif.dts" "$b/linux-guest-notif.dtb" \
	2> "$b/dtc.err"
if [ -s "$b/dtc.err" ] || ! sed -n '/optee {/,/};/p' "$b/linux-guest-notif.dts" |
	grep 'interrupts = <0x00 0x02 0x01>;' > /dev/null; then
	cat "$b/dtc.err"
	echo "kvm-linux-test: the optee node of a guest with notifications"
	exit 1
fi
# docs/kvm.md shows this very tree.
awk '/^```$/ { f = !f; next } f' docs/kvm.md |
	sed -n '/^\/dts-v1\/;/,/^};/p' > "$b/linux-guest.doc.dts"
if ! diff -u "$b/linux-guest.doc.dts" "$b/linux-guest.dts"; then
	echo "kvm-linux-test: docs/kvm.md lists another device tree"
	exit 1
fi

echo "== teec_test against Debian's libteec $KVM_OPTEE_CLIENT_VER"
${cross}gcc -O2 -std=gnu11 -Wall -Wextra -Werror \
	-I"$root/usr/include" -Isim -o "$b/vmm/teec_test" \
	ports/kvm-vmm/tests/teec_test.c -L"$lib" -lteec

echo "== the Linux guests' initramfs"
gi=$b/linux-guest
rm -rf "$gi"
mkdir -p "$gi"/{bin,sbin,lib,proc,sys,dev,tmp}
cp "$root/bin/busybox" "$gi/bin/"
for app in sh mount insmod sed grep sleep cat mkdir test "[" echo dmesg \
	uname awk; do
	ln -sf busybox "$gi/bin/$app"
done
# glibc from Debian's arm64 cross libc (the same 2.36 as libc6:arm64).
cp -L /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 \
	/usr/aarch64-linux-gnu/lib/libc.so.6 "$lib/libteec.so.1" "$gi/lib/"
cp "$root/usr/sbin/tee-supplicant" "$gi/sbin/"
cp "$b/vmm/teec_test" "$gi/bin/"
xz -dc "$mods/kernel/drivers/tee/tee.ko.xz" > "$gi/lib/tee.ko"
xz -dc "$mods/kernel/drivers/tee/optee/optee.ko.xz" > "$gi/lib/optee.ko"
install -m 0755 ports/kvm-vmm/tests/linux_guest_init.sh "$gi/init"
install -m 0644 ports/kvm-vmm/tests/init_lib.sh "$gi/init_lib.sh"
(cd "$gi" && find . | cpio -o -H newc --quiet | gzip -9) > "$b/linux-guest.cpio.gz"

echo "== the host's initramfs"
hi=$b/linux-host
rm -rf "$hi"
mkdir -p "$hi"/{bin,proc,sys,dev,tmp,test}
cp "$root/bin/busybox" "$hi/bin/"
for app in sh mount insmod rmmod grep sed cat sleep kill poweroff dmesg \
	test "[" tail mkdir uname echo wc date; do
	ln -sf busybox "$hi/bin/$app"
done
cp "$b/kmod/teemed.ko" "$b/kmod/model/teemed_model.ko" "$b/vmm/teemed-vmm" \
	"$b/vmm/ioctl_test" "$b/vmm/guest.bin" "$hi/test/"
cp "$root/boot/vmlinuz-$KVM_KABI-arm64" "$hi/test/Image"
cp "$b/linux-guest.cpio.gz" "$hi/test/guest.cpio.gz"
install -m 0755 ports/kvm-vmm/tests/linux_host_init.sh "$hi/init"
install -m 0644 ports/kvm-vmm/tests/init_lib.sh "$hi/init_lib.sh"
(cd "$hi" && find . | cpio -o -H newc --quiet | gzip -1) > "$b/linux-host.cpio.gz"

echo "== the host's device tree: QEMU's, plus OP-TEE's node"
# As on a board with OP-TEE, the host's tree names OP-TEE and its
# notification interrupt (SPI 100, unused by QEMU's virt machine), so
# that teemed.ko requests it as the host's optee driver would (nothing
# raises it here: the model's notifications go through the backend).
# shellcheck disable=SC2054 # commas inside QEMU's option values
machine=(-machine virt,virtualization=on,gic-version=3 -cpu max -smp 2
	-m 2048)
qemu-system-aarch64 "${machine[@]}" -machine dumpdtb="$b/host.dtb" \
	-nographic -nic none > /dev/null
dtc -q -I dtb -O dts -o "$b/host.dts" "$b/host.dtb"
cat >> "$b/host.dts" <<'EOF'
/ {
	firmware {
		optee {
			compatible = "linaro,optee-tz";
			method = "smc";
			interrupts = <0x00 0x64 0x01>;
		};
	};
};
EOF
dtc -q -I dts -O dtb -o "$b/host-optee.dtb" "$b/host.dts"
echo "built in $(($(date +%s) - start)) s"
[ "${1:-}" = --build ] && exit 0

verbose=""
[ "${1:-}" = --verbose ] && verbose=" teemed_verbose"
echo "== QEMU: Debian $KVM_KABI as the KVM host, two Linux guests (TCG)"
log=$b/kvm-linux-test.log
qstart=$(date +%s)
set +e
timeout "$timeout_s" qemu-system-aarch64 "${machine[@]}" \
	-dtb "$b/host-optee.dtb" -nographic -no-reboot -nic none \
	-kernel "$root/boot/vmlinuz-$KVM_KABI-arm64" \
	-initrd "$b/linux-host.cpio.gz" \
	-append "console=ttyAMA0 panic=-1 rdinit=/init$verbose" \
	</dev/null 2>&1 | stdbuf -oL tr -d '\r' | tee "$log"
qrc=${PIPESTATUS[0]}
set -e
echo "QEMU run: $(($(date +%s) - qstart)) s, total $(($(date +%s) - start)) s"

want=("${host_checks[@]/#/PASS }")
for g in linux1 linux2 linux3; do
	want+=("${guest_checks[@]/#/[$g] PASS }")
done
want+=("${notif_checks[@]/#/[linux2] PASS }")
kvm_check_log kvm-linux-test "$log" "$qrc" '^(\[linux[0-9]\] )?' "${want[@]}"
