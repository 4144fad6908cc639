# SPDX-License-Identifier: BSD-2-Clause
# The Debian packages the KVM test boots and builds against: the one place
# their versions are named. Sourced by scripts/kvm-fetch.sh and the tests.
# When Debian no longer publishes the pinned kernel ABI, kvm-fetch.sh takes
# the newest complete 6.12 one instead and records it in OUTDIR/kvm-abi.sh,
# which the tests source after fetching (kvm_use_fetched_abi).
# shellcheck shell=bash
KVM_KABI=6.12.117+deb12        # the kernel ABI name, part of package names
KVM_KVER=6.12.117-1~deb12u1    # the Debian version of those packages
KVM_BUSYBOX_VER=1:1.35.0-4+deb12u1+b1
KVM_OPTEE_CLIENT_VER=3.19.0-1  # tee-supplicant, libteec (Linux guests)

# The kernel's packages for ABI $1 at Debian version $2, name[:arch]=version
# as apt-get download takes them.
kvm_kernel_packages() {
	printf '%s\n' \
		"linux-image-$1-arm64:arm64=$2" \
		"linux-headers-$1-arm64:arm64=$2" \
		"linux-headers-$1-common=$2" \
		"linux-kbuild-$1:amd64=$2"
}

# Sets KVM_PACKAGES: everything the KVM tests download.
kvm_set_packages() {
	mapfile -t KVM_PACKAGES < <(kvm_kernel_packages "$KVM_KABI" "$KVM_KVER")
	KVM_PACKAGES+=(
		"busybox-static:arm64=${KVM_BUSYBOX_VER}"
		"tee-supplicant:arm64=${KVM_OPTEE_CLIENT_VER}"
		"libteec1:arm64=${KVM_OPTEE_CLIENT_VER}"
		"optee-client-dev:arm64=${KVM_OPTEE_CLIENT_VER}"
	)
}
kvm_set_packages

# After scripts/kvm-fetch.sh OUTDIR: the kernel ABI it actually fetched.
kvm_use_fetched_abi() {
	# shellcheck source=/dev/null
	. "$1/kvm-abi.sh"
	kvm_set_packages
}
