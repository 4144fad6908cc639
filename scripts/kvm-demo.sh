#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# One command: build teemed.ko, teemed-vmm and the test guests, boot
# Debian's arm64 Linux 6.12 as a KVM host under QEMU, and watch two guests
# share OP-TEE (the project's model, test only) while a third attacks.
# Installs what it needs from Debian (as root or through sudo).
set -euo pipefail
exec "$(dirname "$0")/kvm-test.sh" --demo
