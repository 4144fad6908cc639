#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Downloads (once, into a cache reused between runs) and unpacks the Debian
# arm64 kernel, its headers and kbuild, and busybox, without installing any
# arm64 package: the KVM test's host kernel and build tree.
# Usage: scripts/kvm-fetch.sh OUTDIR   (cache: $TEEMED_KVM_CACHE or
#        /var/cache/teemed-kvm)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/kvm-versions.sh
. "$top/scripts/kvm-versions.sh"
out=${1:?usage: kvm-fetch.sh OUTDIR}
cache=${TEEMED_KVM_CACHE:-/var/cache/teemed-kvm}
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

mkdir -p "$out"
out=$(cd "$out" && pwd)
$sudo mkdir -p "$cache"
$sudo chmod 0777 "$cache"

# The .deb apt-get download names for name[:arch]=version.
deb_name() {
	local spec=$1 name ver arch
	name=${spec%%=*}
	ver=${spec#*=}
	arch=all
	case $name in *:*) arch=${name#*:}; name=${name%%:*} ;; esac
	# apt escapes ':' of an epoch as %3a in file names
	printf '%s_%s_%s.deb' "$name" "${ver//:/%3a}" "$arch"
}

missing=()
for spec in "${KVM_PACKAGES[@]}"; do
	[ -s "$cache/$(deb_name "$spec")" ] || missing+=("$spec")
done
if [ ${#missing[@]} -gt 0 ]; then
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		$sudo dpkg --add-architecture arm64
	fi
	$sudo apt-get update -qq >/dev/null
	echo "downloading: ${missing[*]}" >&2
	if ! (cd "$cache" && apt-get download -qq "${missing[@]}"); then
		cat >&2 <<-EOM
		kvm-fetch: cannot download the pinned packages. Debian drops a
		kernel ABI's packages once a newer one is published: set KVM_KABI
		and KVM_KVER in scripts/kvm-versions.sh to what
		  apt-cache madison 'linux-image-6.12*-arm64:arm64'
		lists, and run again.
		EOM
		exit 1
	fi
fi

for spec in "${KVM_PACKAGES[@]}"; do
	deb=$cache/$(deb_name "$spec")
	[ -s "$deb" ] || { echo "kvm-fetch: $deb missing" >&2; exit 1; }
	stamp=$out/.$(basename "$deb").unpacked
	[ -e "$stamp" ] && continue
	dpkg-deb -x "$deb" "$out/root"
	touch "$stamp"
done

# The arm64 headers' Makefile includes the -common tree by absolute path:
# point it at the unpacked copy.
hdr=$out/root/usr/src/linux-headers-${KVM_KABI}-arm64
common=$out/root/usr/src/linux-headers-${KVM_KABI}-common
sed -i "s|^include .*/linux-headers-${KVM_KABI}-common/|include $common/|" \
	"$hdr/Makefile"
grep -q "^include $common/" "$hdr/Makefile" || {
	echo "kvm-fetch: cannot repoint $hdr/Makefile" >&2
	exit 1
}
