/* SPDX-License-Identifier: BSD-2-Clause */
/* The libFuzzer entry point every target defines; replay.c calls it. */
#ifndef TEEMED_FUZZ_TARGET_H
#define TEEMED_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* TEEMED_FUZZ_TARGET_H */
