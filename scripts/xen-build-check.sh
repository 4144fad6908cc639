#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Builds teemed as Xen's OP-TEE mediator inside a real Xen tree, for arm64
# (or arm32) with Xen's debug configuration (-O1, -Werror): ports/xen/README.md's
# steps, scripted. Not run by CI (CI has no Xen tree).
#
#   scripts/xen-build-check.sh /path/to/xen-tree
#   XEN_ARCH=arm32 scripts/xen-build-check.sh /path/to/xen-tree
#
# The tree is changed in place (files copied in, Kconfig and Makefile
# lines appended, xen/.config written): give it a throwaway copy, e.g.
#   git -C xen.git archive HEAD | tar -x -C /tmp/xen
# Needs gcc-aarch64-linux-gnu (arm32: gcc-arm-linux-gnueabihf), flex and
# bison (installed if missing).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -eq 1 ] || { sed -n '3,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
xen=$(cd "$1" && pwd)
[ -f "$xen/xen/arch/arm/tee/tee.c" ] || { echo "$xen: not a Xen tree" >&2; exit 2; }
arch=${XEN_ARCH:-arm64}
case $arch in
arm64) cross=aarch64-linux-gnu- pkg=gcc-aarch64-linux-gnu ;;
arm32) cross=arm-linux-gnueabihf- pkg=gcc-arm-linux-gnueabihf ;;
*) echo "XEN_ARCH: arm64 or arm32" >&2; exit 2 ;;
esac
"$top/scripts/deps.sh" "$pkg" flex bison

tee="$xen/xen/arch/arm/tee"
# 1. The files (what ports/xen/README.md lists).
mkdir -p "$tee/teemed/include/teemed"
cp "$top"/src/*.c "$top"/src/*.h "$tee/teemed/"
cp "$top"/include/teemed/*.h "$tee/teemed/include/teemed/"
cp "$top/ports/xen/teemed_xen_config.h" "$tee/teemed/include/"
cp "$top/ports/xen/Makefile.teemed" "$tee/teemed/Makefile"
cp "$top/ports/xen/teemed_xen.c" "$tee/teemed_xen.c"
# 2. The Kconfig and Makefile lines, once.
if ! grep -q '^config TEEMED' "$tee/Kconfig"; then
	# Before the menu's end.
	sed -i '/^endmenu/d' "$tee/Kconfig"
	cat "$top/ports/xen/Kconfig.teemed" >>"$tee/Kconfig"
	echo endmenu >>"$tee/Kconfig"
fi
grep -q 'CONFIG_TEEMED' "$tee/Makefile" ||
	cat "$top/ports/xen/Makefile.tee" >>"$tee/Makefile"

# 3. Configure and build.
mk=(make -C "$xen/xen" XEN_TARGET_ARCH="$arch"
    CROSS_COMPILE="$cross" PYTHON=/usr/bin/python3)
"${mk[@]}" defconfig >/dev/null
cat >>"$xen/xen/.config" <<'CFG'
CONFIG_UNSUPPORTED=y
CONFIG_DEBUG=y
CONFIG_TEE=y
# CONFIG_OPTEE is not set
CONFIG_TEEMED=y
CFG
"${mk[@]}" olddefconfig >/dev/null
grep -q '^CONFIG_TEEMED=y' "$xen/xen/.config" || { echo "CONFIG_TEEMED did not stick" >&2; exit 1; }
"${mk[@]}" -j2
for o in teemed_xen.o teemed/built_in.o; do
	[ -f "$tee/$o" ] || { echo "$o was not built" >&2; exit 1; }
done
version=$("${mk[@]}" -s xenversion 2>/dev/null || echo "?")
commit=$(git -C "$xen" rev-parse HEAD 2>/dev/null || echo "no git")
echo "xen-build-check: teemed built into Xen $version ($commit) for $arch: $xen/xen/xen"
