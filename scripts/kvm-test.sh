#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The end-to-end test of teemed.ko and teemed-vmm: builds the module
# against Debian's arm64 6.12 kernel, the VMM, the test guests and an
# initramfs, then boots that kernel as a KVM host under
# qemu-system-aarch64 (TCG) and checks every "PASS <check>" line.
#
#   scripts/kvm-test.sh            build and run (exit 1 on any FAIL)
#   scripts/kvm-test.sh --build    build only
#   scripts/kvm-test.sh --demo     boot and show two guests and an attacker
#
# Downloads go to $TEEMED_KVM_CACHE (default /var/cache/teemed-kvm) and
# are reused; everything else to $TEEMED_KVM_BUILD (default build-kvm/).
kvm_default_timeout=900
# shellcheck source=scripts/kvm-common.sh
. "$(dirname "$0")/kvm-common.sh"

# Every check /init must report as PASS.
checks=(
	kvm_available detects_host_optee_driver teemed_loads dev_node
	ioctl_no_secure_world_refused ioctl_no_secure_world_nothing_left
	model_loads ioctl_test_complete ioctl_nothing_left
	ioctl_bad_input_left_nothing ioctl_concurrent_smcs_while_closing
	ioctl_vm_fd_from_another_process ioctl_vm_limit_clear_errno
	ioctl_regions_overlap ioctl_region_huge ioctl_region_unmapped_memory
	honest_two_vms_at_once distinct_client_ids honest_checks_ran
	hold_guests_ready pins_held_while_running hostile_attacks_refused
	hostile_checks_ran honest_beside_hostile honest_after_hostile vms_alive_before_kill
	no_vm_after_kill no_pin_after_kill no_module_page_after_kill
	vmstat_pins_balanced optee_forgot_every_vm
	secure_world_touched_only_pinned_or_module_pages modules_unload
	kernel_log_clean guest_count_reason_logged
	ioctl_quota_lowered_by_vmm_refuses_more ioctl_quota_lowered_by_vmm_allows_less
	ioctl_vm_limit_module_parameter modules_unload_again
	ioctl_create_every_reserved_field ioctl_garbage_documented_errnos_only
	ioctl_garbage_left_nothing ioctl_create_quota_too_small_for_a_vm
	honest_three_vcpus_at_once smp_checks_ran
	refuses_to_load_while_optee_bound refusal_reason_logged
	trace_guests_ran trace_open_session_and_answer trace_register_shm
	trace_rpc trace_refusal_with_reason trace_vm_teardown trace_pa_hidden
	trace_off_records_nothing trace_pa_shown_when_asked trace_hostile_refused
	trace_refusals_many ioctl_create_with_notif ioctl_notif_offered_with_flag
	ioctl_notif_not_offered_without_flag ioctl_create_notif_not_an_eventfd
)

# linux-kbuild is unpacked, not installed: its dependencies (libelf1,
# libssl3, pahole from dwarves) are listed here.
scripts/deps.sh qemu-system-arm gcc-aarch64-linux-gnu \
	binutils-aarch64-linux-gnu libc6-dev-arm64-cross \
	linux-libc-dev-arm64-cross dwarves make cpio xz-utils bc libelf1 libssl3
scripts/kvm-fetch.sh "$b"
kvm_use_fetched_abi "$b"
root=$b/root
hdr=$root/usr/src/linux-headers-$KVM_KABI-arm64
common=$root/usr/src/linux-headers-$KVM_KABI-common
kbuild=$root/usr/lib/linux-kbuild-${KVM_KABI}
mods=$root/lib/modules/$KVM_KABI-arm64

echo "== teemed.ko and teemed_model.ko (test only)"
make -s -C ports/linux KDIR="$hdr" BUILD="$b/kmod" TEEMED_MODEL=m \
	ARCH=arm64 CROSS_COMPILE=$cross -j2

echo "== the 6.12 KVM uapi headers"
mkdir -p "$b/uapi/linux" "$b/uapi/asm"
(cd "$kbuild" &&
	scripts/headers_install.sh "$common/include/uapi/linux/kvm.h" \
		"$b/uapi/linux/kvm.h" &&
	scripts/headers_install.sh \
		"$common/arch/arm64/include/uapi/asm/kvm.h" "$b/uapi/asm/kvm.h")

echo "== teemed-vmm, ioctl_test, guests"
make -s -C ports/kvm-vmm OUT="$b/vmm" KVM_UAPI="$b/uapi" \
	CROSS_COMPILE=$cross

echo "== initramfs"
ir=$b/initramfs
rm -rf "$ir"
mkdir -p "$ir"/{bin,proc,sys,dev,tmp,test}
cp "$root/bin/busybox" "$ir/bin/"
# busybox is arm64 and cannot list its applets here: link those /init uses.
for app in sh mount insmod rmmod grep sed cat sleep kill poweroff dmesg \
	test "[" tail mkdir uname echo wc; do
	ln -sf busybox "$ir/bin/$app"
done
cp "$b/kmod/teemed.ko" "$b/kmod/model/teemed_model.ko" \
	"$b/kmod/model/teemed_fake_optee.ko" "$ir/test/"
xz -dc "$mods/kernel/drivers/tee/tee.ko.xz" > "$ir/test/tee.ko"
xz -dc "$mods/kernel/drivers/tee/optee/optee.ko.xz" > "$ir/test/optee.ko"
cp "$b/vmm/teemed-vmm" "$b/vmm/ioctl_test" "$b/vmm/guest.bin" "$ir/test/"
install -m 0755 ports/kvm-vmm/tests/init.sh "$ir/init"
install -m 0644 ports/kvm-vmm/tests/init_lib.sh "$ir/init_lib.sh"
(cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) > "$b/initramfs.cpio.gz"
echo "built in $(($(date +%s) - start)) s"
[ "${1:-}" = --build ] && exit 0
demo=""
[ "${1:-}" = --demo ] && demo=" teemed_demo"

echo "== QEMU: Debian $KVM_KABI as the KVM host (TCG)"
log=$b/kvm-test.log
qstart=$(date +%s)
set +e
timeout "$timeout_s" qemu-system-aarch64 \
	-machine virt,virtualization=on,gic-version=3 -cpu max -smp 2 -m 2048 \
	-nographic -no-reboot -nic none \
	-kernel "$root/boot/vmlinuz-$KVM_KABI-arm64" \
	-initrd "$b/initramfs.cpio.gz" \
	-append "console=ttyAMA0 panic=-1 rdinit=/init kfence.sample_interval=10 slub_debug=FZPU$demo" \
	</dev/null 2>&1 | tr -d '\r' | tee "$log"
qrc=${PIPESTATUS[0]}
set -e
echo "QEMU run: $(($(date +%s) - qstart)) s, total $(($(date +%s) - start)) s"

if [ -n "$demo" ]; then
	grep -q '^DEMO DONE' "$log" && exit 0
	exit 1
fi
kvm_check_log kvm-test "$log" "$qrc" '^' "${checks[@]/#/PASS }"
