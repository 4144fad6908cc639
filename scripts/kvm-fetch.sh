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

missing_packages() {
	missing=()
	for spec in "${KVM_PACKAGES[@]}"; do
		[ -s "$cache/$(deb_name "$spec")" ] || missing+=("$spec")
	done
}

# The Debian version at which apt offers package $1 (name:arch), if at $2.
apt_has() {
	apt-cache madison "$1" 2>/dev/null | awk -v v="$2" '$3 == v { f = 1 } END { exit !f }'
}

# The newest 6.12 arm64 ABI whose four kernel packages apt offers at one
# version, as "ABI VERSION"; nothing if there is none.
newest_complete_abi() {
	local abi ver spec ok
	apt-cache pkgnames linux-image-6.12. |
		sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12\)-arm64$/\1/p' |
		sort -V -r | while read -r abi; do
		ver=$(apt-cache madison "linux-image-$abi-arm64:arm64" |
			awk 'NR == 1 { print $3 }')
		[ -n "$ver" ] || continue
		ok=1
		while read -r spec; do
			apt_has "${spec%%=*}" "$ver" || ok=0
		done < <(kvm_kernel_packages "$abi" "$ver")
		[ $ok -eq 0 ] || { echo "$abi $ver"; return; }
	done
}

download() {
	echo "downloading: $*" >&2
	(cd "$cache" && apt-get download -qq "$@")
}

missing_packages
if [ ${#missing[@]} -gt 0 ]; then
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		$sudo dpkg --add-architecture arm64
	fi
	$sudo apt-get update -qq >/dev/null
	if ! download "${missing[@]}"; then
		# Debian drops a kernel ABI's packages once a newer one is
		# published: take the newest complete one instead.
		read -r abi ver < <(newest_complete_abi) || true
		if [ -z "${abi:-}" ] || [ "$abi" = "$KVM_KABI" ]; then
			echo "kvm-fetch: cannot download ${missing[*]}" >&2
			exit 1
		fi
		echo "kvm-fetch: $KVM_KABI ($KVM_KVER) is no longer published;" \
			"using $abi ($ver). Pin it in scripts/kvm-versions.sh." >&2
		KVM_KABI=$abi
		KVM_KVER=$ver
		kvm_set_packages
		missing_packages
		[ ${#missing[@]} -eq 0 ] || download "${missing[@]}"
	fi
fi
printf 'KVM_KABI=%q\nKVM_KVER=%q\n' "$KVM_KABI" "$KVM_KVER" >"$out/kvm-abi.sh"

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
