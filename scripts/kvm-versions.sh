# SPDX-License-Identifier: BSD-2-Clause
# The Debian packages the KVM test boots and builds against: the one place
# their versions are named. Sourced by scripts/kvm-fetch.sh.
# shellcheck shell=bash
KVM_KABI=6.12.117+deb12        # the kernel ABI name, part of package names
KVM_KVER=6.12.117-1~deb12u1    # the Debian version of those packages
KVM_BUSYBOX_VER=1:1.35.0-4+deb12u1+b1
KVM_OPTEE_CLIENT_VER=3.19.0-1  # tee-supplicant, libteec (Linux guests)
# name[:arch]=version, as apt-get download takes them
# shellcheck disable=SC2034 # used by the scripts that source this file
KVM_PACKAGES=(
	"linux-image-${KVM_KABI}-arm64:arm64=${KVM_KVER}"
	"linux-headers-${KVM_KABI}-arm64:arm64=${KVM_KVER}"
	"linux-headers-${KVM_KABI}-common=${KVM_KVER}"
	"linux-kbuild-${KVM_KABI}:amd64=${KVM_KVER}"
	"busybox-static:arm64=${KVM_BUSYBOX_VER}"
	"tee-supplicant:arm64=${KVM_OPTEE_CLIENT_VER}"
	"libteec1:arm64=${KVM_OPTEE_CLIENT_VER}"
	"optee-client-dev:arm64=${KVM_OPTEE_CLIENT_VER}"
)
