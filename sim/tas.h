/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The built-in trusted applications of the secure-world model: their
 * UUIDs, commands and parameter layouts. Shared by the model (which runs
 * them) and the guest model (which calls them and checks the results).
 *
 * UUIDs travel in OPEN_SESSION's first meta parameter as 16 octets in
 * RFC-4122 byte order: octets 0..7 in value.a's 8 bytes in memory order,
 * octets 8..15 in value.b (spec §3.5).
 *
 * As in OP-TEE (GlobalPlatform TEE_Param), value parameters reach a TA
 * as 32-bit numbers: the upper halves of value.a/.b are ignored on the
 * way in and written as zero on the way out, and TA arithmetic on them
 * wraps at 32 bits.
 */
#ifndef TEEMED_SIM_TAS_H
#define TEEMED_SIM_TAS_H

#include <stdint.h>

struct sim_uuid {
	uint8_t b[16];
};

/* Transform: out[i] = in[i] ^ (uint8_t)(key >> (8 * (i % 8))), with key
   the 32-bit value the TA sees (so bytes 4..7 of the pattern are 0). */
#define TA_XFORM_UUID                                                          \
	{{0x7e, 0x3d, 0x10, 0x01, 0x5a, 0x11, 0x4c, 0x2b, 0x9a, 0x01, 0x74,    \
	  0x65, 0x65, 0x6d, 0x65, 0x64}}
#define TA_XFORM_CMD_XOR 0u
/*   [0] memref input (any kind), [1] memref output (size >= in size),
 *   [2] value input a = key. Output size = input size. */
#define TA_XFORM_CMD_ECHO 1u
/*   [0] value inout: out a = in a + 1, out b = in b ^ 0x5a5a5a5a. */
#define TA_XFORM_CMD_NOTIFY 2u
/*   [0] value input a = an asynchronous notification value (0..63; 0
 *   asks for a bottom half) that OP-TEE sends to the calling VM, as a
 *   driver of OP-TEE does with notif_send_async(). */

/* Checksum: value out a = low 32 bits of the FNV-1a 64 of the input
   bytes, b = length (mod 2^32). */
#define TA_CHECKSUM_UUID                                                       \
	{{0x7e, 0x3d, 0x10, 0x02, 0x5a, 0x11, 0x4c, 0x2b, 0x9a, 0x01, 0x74,    \
	  0x65, 0x65, 0x6d, 0x65, 0x64}}
#define TA_CHECKSUM_CMD_FNV 0u
/*   [0] memref input, [1] value output. */

/* In-place update: every byte of the buffer += (uint8_t)delta. */
#define TA_INPLACE_UUID                                                        \
	{{0x7e, 0x3d, 0x10, 0x03, 0x5a, 0x11, 0x4c, 0x2b, 0x9a, 0x01, 0x74,    \
	  0x65, 0x65, 0x6d, 0x65, 0x64}}
#define TA_INPLACE_CMD_ADD 0u
/*   [0] memref inout, [1] value input a = delta. */

/* Slow work: suspends with RPC FOREIGN_INTR `a` times before finishing. */
#define TA_SLOW_UUID                                                           \
	{{0x7e, 0x3d, 0x10, 0x04, 0x5a, 0x11, 0x4c, 0x2b, 0x9a, 0x01, 0x74,    \
	  0x65, 0x65, 0x6d, 0x65, 0x64}}
#define TA_SLOW_CMD_SPIN 0u
/*   [0] value inout: in a = interrupts to take; out b = a * 2 + 1. */

/*
 * RPC-heavy work, through the normal world's memory: the TA asks the
 * normal world for a payload buffer (RPC SHM_ALLOC of type `value.b` of
 * param [1]: APPL or KERNEL), copies the input into it, asks the
 * supplicant to reverse it in place (RPC command TA_RPC_SUPP_CMD with an
 * RMEM inout on the payload), copies the result to the output, and frees
 * the payload (SHM_FREE). A NOTIFICATION-free, FS-like round trip.
 */
#define TA_RPC_UUID                                                            \
	{{0x7e, 0x3d, 0x10, 0x05, 0x5a, 0x11, 0x4c, 0x2b, 0x9a, 0x01, 0x74,    \
	  0x65, 0x65, 0x6d, 0x65, 0x64}}
#define TA_RPC_CMD_REVERSE 0u
/*   [0] memref input, [1] value input a = unused, b = shm type,
 *   [2] memref output: out = reverse(in). */

/*
 * RPC command the TA_RPC TA sends to the "supplicant": params
 * [0] value input a = TA_RPC_SUPP_REVERSE, [1] RMEM inout of the payload.
 * The supplicant reverses the bytes in place. Number chosen in the
 * supplicant plug-in range so it cannot be mistaken for a core command.
 */
#define TA_RPC_SUPP_CMD 12u /* OPTEE_RPC_CMD_SUPP_PLUGIN */
#define TA_RPC_SUPP_REVERSE 0x52455645u

/*
 * Storage: objects kept in the normal world's file system by
 * tee-supplicant, through OPTEE_RPC_CMD_FS as OP-TEE's REE FS does
 * (file "/teemed-<id as 8 hex digits>.obj" under the supplicant's FS
 * root, holding the bytes as they are).
 */
#define TA_STORAGE_UUID                                                        \
	{{0x7e, 0x3d, 0x10, 0x06, 0x5a, 0x11, 0x4c, 0x2b, 0x9a, 0x01, 0x74,    \
	  0x65, 0x65, 0x6d, 0x65, 0x64}}
#define TA_STORAGE_CMD_WRITE 0u
/*   [0] memref input: the object's bytes, [1] value input a = id. */
#define TA_STORAGE_CMD_READ 1u
/*   [0] memref output: size = bytes read, [1] value input a = id;
 *   TEEC_ERROR_ITEM_NOT_FOUND if there is no such object. */
#define TA_STORAGE_CMD_REMOVE 2u
/*   [0] none, [1] value input a = id. */
#define TA_STORAGE_MAX_SIZE (1u << 20)

/*
 * OP-TEE's device-enumeration pseudo TA (PTA_DEVICE_UUID,
 * 7011a688-ddde-4053-a5a9-7b3c4ddf13b8): [0] memref output, the UUIDs
 * of TAs to put on the normal world's TEE bus. The model lists the
 * transform TA for GET_DEVICES, the storage TA for GET_DEVICES_SUPP,
 * none for GET_DEVICES_RPMB.
 */
#define PTA_DEVICE_UUID                                                        \
	{{0x70, 0x11, 0xa6, 0x88, 0xdd, 0xde, 0x40, 0x53, 0xa5, 0xa9, 0x7b,    \
	  0x3c, 0x4d, 0xdf, 0x13, 0xb8}}
#define PTA_DEVICE_CMD_GET_DEVICES 0u
#define PTA_DEVICE_CMD_GET_DEVICES_SUPP 1u
#define PTA_DEVICE_CMD_GET_DEVICES_RPMB 2u

/* FNV-1a 64 as the checksum TA computes it. */
static inline uint64_t sim_fnv1a64(const uint8_t *p, uint64_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (uint64_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

#endif /* TEEMED_SIM_TAS_H */
