/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The simulator's one pseudo-random generator (splitmix64): small, fast,
 * and every run replays exactly from its seed.
 */
#ifndef TEEMED_SIM_RNG_H
#define TEEMED_SIM_RNG_H

#include <stdint.h>

static inline uint64_t sim_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#endif /* TEEMED_SIM_RNG_H */
