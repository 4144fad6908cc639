/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fuzz input as a stream of little-endian numbers. Past the end
 * every read gives 0, so a short input is still a complete one: the
 * harnesses map 0 to the well-behaved choice (a correct RPC answer, the
 * end of a sequence), and a truncated input ends the way a polite guest
 * would.
 */
#ifndef TEEMED_FUZZ_INPUT_H
#define TEEMED_FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fz_in {
	const uint8_t *p;
	size_t n;
};

static inline bool fz_more(const struct fz_in *in)
{
	return in->n > 0;
}

static inline uint8_t fz_u8(struct fz_in *in)
{
	uint8_t v;

	if (!in->n)
		return 0;
	v = *in->p++;
	in->n--;
	return v;
}

static inline uint16_t fz_u16(struct fz_in *in)
{
	uint16_t lo = fz_u8(in);

	return (uint16_t)(lo | (uint16_t)fz_u8(in) << 8);
}

static inline uint32_t fz_u32(struct fz_in *in)
{
	uint32_t lo = fz_u16(in);

	return lo | (uint32_t)fz_u16(in) << 16;
}

static inline uint64_t fz_u64(struct fz_in *in)
{
	uint64_t lo = fz_u32(in);

	return lo | (uint64_t)fz_u32(in) << 32;
}

#endif /* TEEMED_FUZZ_INPUT_H */
