// SPDX-License-Identifier: BSD-2-Clause
/*
 * dt_dump: writes to stdout the device tree teemed-vmm gives a Linux
 * guest of 256 MiB with a 4 MiB initramfs (linux_dt.c, built for the
 * build machine), so that dtc can check and list it:
 *
 *   dt_dump | dtc -I dtb -O dts
 *   dt_dump notif    the same for a guest offered OP-TEE's notifications
 */
#include <stdio.h>
#include <string.h>

#include "linux_vmm.h"

int main(int argc, char **argv)
{
	static unsigned char blob[65536];
	const struct linux_dt dt = {
		.ram_base = LINUX_RAM_BASE,
		.ram_size = 256ull << 20,
		.initrd_start = LINUX_RAM_BASE + (250ull << 20),
		.initrd_end = LINUX_RAM_BASE + (254ull << 20),
		.bootargs = "console=ttyS0,115200",
		.cpus = 1,
		.optee_notif = argc == 2 && !strcmp(argv[1], "notif"),
	};
	size_t n = linux_dt_build(blob, sizeof(blob), &dt);

	if (!n || fwrite(blob, 1, n, stdout) != n) {
		fprintf(stderr, "dt_dump: no device tree\n");
		return 1;
	}
	return 0;
}
