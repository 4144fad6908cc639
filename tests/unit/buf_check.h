/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Checks shared by the white-box tests of registered buffers
 * (test_buf_compact.c, test_buf_chunked.c), all on VM 0 of the mock
 * platform's fixture.
 */
#ifndef TEEMED_BUF_CHECK_H
#define TEEMED_BUF_CHECK_H

#include "mock_platform.h"

#include "internal.h"

/* Mediator memory the VM holds now: objects and pages. */
uint64_t held(void);

struct buf *lookup(uint64_t cookie);

/*
 * The buffer keeps, page by page, the PA of the guest page it names:
 * page `i` names guest page page_ipa(layout, i).
 */
void assert_pas(uint64_t cookie, uint32_t n, mock_page_ipa_fn *page_ipa,
		uint32_t layout);

/* An INVOKE at `arg_ipa` naming `size` bytes at `off` of the buffer by
   rmem goes through. */
void assert_rmem(uint64_t arg_ipa, uint64_t cookie, uint64_t off,
		 uint64_t size);

/* UNREGISTER_SHM of the buffer run to its end: it succeeds, and
   `pauses` (if not NULL) counts how often OP-TEE's reply was held back. */
void assert_unregistered(uint64_t cookie, uint32_t *pauses);

/* UNREGISTER_SHM succeeds and gives back every pin and all the mediator
   memory the buffer held: the VM holds `held_before` again. */
void assert_all_back(uint64_t cookie, uint64_t held_before);

#endif /* TEEMED_BUF_CHECK_H */
