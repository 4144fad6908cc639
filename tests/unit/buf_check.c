/* SPDX-License-Identifier: BSD-2-Clause */
#include "buf_check.h"

uint64_t held(void)
{
	return mock.obj_bytes + (uint64_t)mock.med_pages * MOCK_PAGE;
}

struct buf *lookup(uint64_t cookie)
{
	return teemed_shm_lookup_locked(fx.vm[0], cookie);
}

void assert_pas(uint64_t cookie, uint32_t n, mock_page_ipa_fn *page_ipa,
		uint32_t layout)
{
	struct buf *b = lookup(cookie);

	assert_non_null(b);
	assert_int_equal(b->page_count, n);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(
			teemed_pa_addr(teemed_buf_page_pa(fx.vm[0], b, i)),
			mock_guest_pa(0, page_ipa(layout, i)));
}

void assert_rmem(uint64_t arg_ipa, uint64_t cookie, uint64_t off,
		 uint64_t size)
{
	struct optee_msg_arg *arg =
		mock_arg_init(0, arg_ipa, OPTEE_MSG_CMD_INVOKE_COMMAND, 1);

	mock_set_rmem(&arg->params[0], OPTEE_MSG_ATTR_TYPE_RMEM_INPUT, off,
		      size, cookie);
	assert_int_equal(mock_call_to_end(0, arg_ipa, NULL),
			 OPTEE_SMC_RETURN_OK);
	assert_int_equal(arg->ret, TEEC_SUCCESS);
}

void assert_unregistered(uint64_t cookie, uint32_t *pauses)
{
	struct optee_msg_arg *u =
		mock_arg_init(0, ARG_IPA, OPTEE_MSG_CMD_UNREGISTER_SHM, 1);

	mock_set_rmem(&u->params[0], OPTEE_MSG_ATTR_TYPE_RMEM_INPUT, 0, 0,
		      cookie);
	assert_int_equal(mock_call_to_end(0, ARG_IPA, pauses),
			 OPTEE_SMC_RETURN_OK);
	assert_int_equal(u->ret, TEEC_SUCCESS);
}

void assert_all_back(uint64_t cookie, uint64_t held_before)
{
	assert_int_equal(mock_unregister(0, ARG_IPA, cookie), TEEC_SUCCESS);
	assert_int_equal(mock.pins, 0);
	assert_int_equal(held(), held_before);
}
