/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Turning fuzz input into what a guest puts in its memory: addresses,
 * non-contiguous page lists and message arguments. Formats are in
 * docs/fuzzing.md; every choice is a byte whose common values mean
 * "well-formed", so the fuzzer reaches deep and strays on purpose.
 */
#ifndef TEEMED_FUZZ_MSG_H
#define TEEMED_FUZZ_MSG_H

#include <stdint.h>

#include "fuzz_input.h"
#include "fuzz_world.h"

/* Parameters fz_msg() writes at most (num_params may say more). */
#define FZ_MSG_PARAMS 8u

/* Address selectors (one byte): a RAM page index, or a special. */
#define FZ_ADDR_ZERO 0xF0u       /* 0 */
#define FZ_ADDR_UNMAPPED 0xF1u   /* far past any RAM */
#define FZ_ADDR_MMIO 0xF2u       /* the guest's MMIO window */
#define FZ_ADDR_OTHER_VM 0xF3u   /* past our RAM: another VM's IPA */
#define FZ_ADDR_MISALIGNED 0xF4u /* a RAM page + 8 */
#define FZ_ADDR_OTHER_PA 0xF5u   /* host PA of another VM's page */
#define FZ_ADDR_OWN_PA 0xF6u     /* host PA of one of our pages */
#define FZ_ADDR_RAW 0xF7u        /* 8 raw bytes follow */
#define FZ_ADDR_END 0xF8u        /* just past our RAM */

/*
 * The IPA a selector byte names for VM `v`; RAM page indexes count from
 * `base` so that different uses spread over RAM by default. Specials
 * read more input.
 */
uint64_t fz_addr(struct fz_world *w, unsigned int v, uint8_t sel,
		 uint32_t base, struct fz_in *in);

/* A cookie: registered ones, RPC ones, 0, a small or raw number. */
uint64_t fz_cookie(struct fz_world *w, unsigned int v, struct fz_in *in);

/*
 * Build a page list from input in VM `v`'s memory and return buf_ptr
 * (first list page | offset). `*size` gets a size chosen by the input
 * relative to what the list covers.
 */
uint64_t fz_list(struct fz_world *w, unsigned int v, struct fz_in *in,
		 uint64_t *size);

/*
 * Write one message argument built from input into VM `v`'s memory.
 * Returns the argument's IPA (for a1:a2 of CALL_WITH_ARG), watched.
 */
uint64_t fz_msg(struct fz_world *w, unsigned int v, struct fz_in *in);

#endif /* TEEMED_FUZZ_MSG_H */
