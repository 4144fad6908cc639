/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The trace decoder (trace/, include/teemed/trace.h): one test per
 * event kind for the text line, the JSON object for the kinds with
 * their own fields, PAs hidden unless asked, and the bounds: output cut
 * by the caller's length, messages shorter than their header or than
 * their num_params say.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "optee_abi.h"
#include "teemed/teemed.h"
#include "teemed/trace.h"

static char line[TEEMED_TRACE_LINE_MAX];

static struct teemed_trace_event ev(uint8_t kind, uint16_t client,
				    uint32_t vcpu)
{
	struct teemed_trace_event e;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.client_id = client;
	e.vcpu = vcpu;
	e.index = TEEMED_TRACE_NO_INDEX;
	return e;
}

static const char *text(const struct teemed_trace_event *e, unsigned int f)
{
	size_t n = teemed_trace_format(e, line, sizeof(line), f);

	assert_int_equal(n, strlen(line));
	return line;
}

static const char *json(const struct teemed_trace_event *e, unsigned int f)
{
	size_t n = teemed_trace_format_json(e, line, sizeof(line), f);

	assert_int_equal(n, strlen(line));
	return line;
}

/* A message of `n` parameters, 8-byte aligned storage. */
union msg {
	struct optee_msg_arg arg;
	uint8_t bytes[OPTEE_MSG_GET_ARG_SIZE(8)];
};

static union msg *msg_new(uint32_t cmd, uint32_t n)
{
	static union msg m;

	memset(&m, 0, sizeof(m));
	m.arg.cmd = cmd;
	m.arg.num_params = n;
	return &m;
}

static void with_msg(struct teemed_trace_event *e, const union msg *m)
{
	e->msg = m;
	e->msg_len = (uint32_t)OPTEE_MSG_GET_ARG_SIZE(m->arg.num_params);
}

/* a0..a3 of the event (a4..a7 as they were). */
static void set_regs(struct teemed_trace_event *e, uint64_t a0, uint64_t a1,
		     uint64_t a2, uint64_t a3)
{
	e->regs.a[0] = a0;
	e->regs.a[1] = a1;
	e->regs.a[2] = a2;
	e->regs.a[3] = a3;
}

/* A parameter: its attribute and the union's three words. */
static void set_param(struct optee_msg_param *p, uint64_t attr, uint64_t a,
		      uint64_t b, uint64_t c)
{
	p->attr = attr;
	p->u.value.a = a;
	p->u.value.b = b;
	p->u.value.c = c;
}

static void test_guest_call(void **state)
{
	struct teemed_trace_event e = ev(TEEMED_TRACE_GUEST_CALL, 2, 1);

	set_regs(&e, OPTEE_SMC_CALL_WITH_ARG, 0, 0x40001000, 0);
	assert_string_equal(text(&e, 0),
			    "vm2.1    guest> CALL_WITH_ARG arg=ipa:0x40001000");
	set_regs(&e, OPTEE_SMC_EXCHANGE_CAPABILITIES, 1, 0, 0);
	assert_string_equal(
		text(&e, 0),
		"vm2.1    guest> EXCHANGE_CAPABILITIES nsec_caps=0x1");
	/* An unknown function: its number and a1..a3. */
	set_regs(&e, 0x3200ffffu, 5, 0, 0);
	e.vcpu = TEEMED_TRACE_NO_VCPU;
	assert_string_equal(text(&e, 0),
			    "vm2      guest> 0x3200ffff a1=0x5 a2=0x0 a3=0x0");
	assert_string_equal(
		json(&e, 0),
		"{\"kind\":\"guest_call\",\"vm\":2,\"fid\":"
		"\"0x3200ffff\",\"regs\":[\"0x3200ffff\",\"0x5\","
		"\"0x0\",\"0x0\",\"0x0\",\"0x0\",\"0x0\",\"0x0\"]}");
}

static void test_rpc_answer(void **state)
{
	struct teemed_trace_event e = ev(TEEMED_TRACE_RPC_ANSWER, 1, 0);

	set_regs(&e, OPTEE_SMC_CALL_RETURN_FROM_RPC, 0, 0, 2);
	assert_string_equal(text(&e, 0),
			    "vm1.0    guest> RETURN_FROM_RPC thread=2");
	/* The answer to RPC_ALLOC: the guest's page and its cookie. */
	e.regs.a[1] = 0x1;
	e.regs.a[2] = 0x40004000;
	e.regs.a[4] = 0;
	e.regs.a[5] = 0x77;
	assert_string_equal(text(&e, 0),
			    "vm1.0    guest> RETURN_FROM_RPC thread=2 "
			    "buf=ipa:0x140004000 cookie=0x77");
}

static void test_guest_msg_params(void **state)
{
	struct teemed_trace_event e = ev(TEEMED_TRACE_GUEST_MSG, 1, 0);
	union msg *m = msg_new(OPTEE_MSG_CMD_INVOKE_COMMAND, 5);

	m->arg.func = 3;
	m->arg.session = 9;
	set_param(&m->arg.params[0], OPTEE_MSG_ATTR_TYPE_VALUE_INOUT, 1, 2, 3);
	/* tmem: buf_ptr, size, cookie; rmem: offs, size, cookie */
	set_param(&m->arg.params[1],
		  OPTEE_MSG_ATTR_TYPE_TMEM_INPUT | OPTEE_MSG_ATTR_NONCONTIG,
		  0x40005010, 100, 0xc0);
	set_param(&m->arg.params[2], OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT, 0x20, 64,
		  0xd0);
	m->arg.params[3].attr = OPTEE_MSG_ATTR_TYPE_NONE;
	m->arg.params[4].attr = 0x4; /* no such type */
	with_msg(&e, m);
	assert_string_equal(
		text(&e, 0),
		"vm1.0    msg>   INVOKE_COMMAND func=0x3 session=0x9"
		" [0] value-inout a=0x1 b=0x2 c=0x3"
		" [1] tmem-in list=ipa:0x40005000+0x10 size=100 cookie=0xc0"
		" [2] rmem-out cookie=0xd0 offs=0x20 size=64"
		" [3] none [4] attr=0x4");
}

static void test_open_session_meta(void **state)
{
	static const uint8_t uuid[16] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc,
					 0xde, 0xf0, 0x01, 0x23, 0x45, 0x67,
					 0x89, 0xab, 0xcd, 0xef};
	struct teemed_trace_event e = ev(TEEMED_TRACE_GUEST_MSG, 1, 0);
	union msg *m = msg_new(OPTEE_MSG_CMD_OPEN_SESSION, 2);

	m->arg.params[0].attr =
		OPTEE_MSG_ATTR_META | OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	memcpy(m->arg.params[0].u.octets, uuid, sizeof(uuid));
	m->arg.params[1].attr =
		OPTEE_MSG_ATTR_META | OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	m->arg.params[1].u.value.c = OPTEE_MSG_LOGIN_REE_KERNEL;
	with_msg(&e, m);
	assert_string_equal(
		text(&e, 0),
		"vm1.0    msg>   OPEN_SESSION [0] value-in meta "
		"uuid=12345678-9abc-def0-0123-456789abcdef [1] value-in meta "
		"login=REE_KERNEL");
}

static void test_optee_call_hides_pa(void **state)
{
	struct teemed_trace_event e = ev(TEEMED_TRACE_OPTEE_CALL, 1, 0);
	union msg *m = msg_new(OPTEE_MSG_CMD_REGISTER_SHM, 1);

	set_regs(&e, OPTEE_SMC_CALL_WITH_ARG, 0x8, 0x80042000,
		 OPTEE_SMC_SHM_CACHED);
	e.regs.a[7] = 1;
	set_param(&m->arg.params[0],
		  OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT | OPTEE_MSG_ATTR_NONCONTIG,
		  0x880051008ull, 4096, 0x40);
	with_msg(&e, m);
	assert_string_equal(text(&e, 0),
			    "vm1.0    tee>   CALL_WITH_ARG arg=pa:* msg: "
			    "REGISTER_SHM [0] tmem-out list=pa:*+0x8 size=4096 "
			    "cookie=0x40");
	assert_string_equal(text(&e, TEEMED_TRACE_FMT_SHOW_PA),
			    "vm1.0    tee>   CALL_WITH_ARG arg=pa:0x880042000 "
			    "msg: REGISTER_SHM [0] tmem-out "
			    "list=pa:0x880051000+0x8 size=4096 cookie=0x40");
	assert_null(strstr(json(&e, 0), "0x880"));
	assert_non_null(strstr(json(&e, 0), "\"regs\":[\"0x32000004\","
					    "\"hidden\",\"hidden\",\"0x1\""));
	assert_non_null(strstr(json(&e, TEEMED_TRACE_FMT_SHOW_PA),
			       "\"buf\":\"0x880051008\""));
	/* Raw registers, the shadow's address hidden. */
	assert_non_null(strstr(text(&e, TEEMED_TRACE_FMT_RAW),
			       " [a0=0x32000004 a1=* a2=* a3=0x1 a4=0x0"));
}

static void test_optee_answer(void **state)
{
	struct teemed_trace_event e = ev(TEEMED_TRACE_OPTEE_ANSWER, 3, 2);
	union msg *m = msg_new(OPTEE_MSG_CMD_OPEN_SESSION, 0);

	e.fid = OPTEE_SMC_CALL_WITH_ARG;
	e.regs.a[0] = OPTEE_SMC_RETURN_OK;
	m->arg.session = 0x11;
	m->arg.ret = TEEC_ERROR_ITEM_NOT_FOUND;
	m->arg.ret_origin = TEEC_ORIGIN_TEE;
	with_msg(&e, m);
	assert_string_equal(
		text(&e, 0),
		"vm3.2    tee<   CALL_WITH_ARG = OK msg: OPEN_SESSION "
		"session=0x11 ret=ITEM_NOT_FOUND origin=TEE");
	assert_string_equal(
		json(&e, 0),
		"{\"kind\":\"optee_answer\",\"vm\":3,\"vcpu\":2,\"fid\":"
		"\"0x32000004\",\"func\":\"CALL_WITH_ARG\",\"result\":\"OK\","
		"\"regs\":[\"0x0\",\"0x0\",\"0x0\",\"0x0\",\"0x0\",\"0x0\","
		"\"0x0\",\"0x0\"],\"msg\":{\"len\":32,\"cmd\":0,\"cmd_name\":"
		"\"OPEN_SESSION\",\"func\":0,\"session\":17,\"cancel_id\":0,"
		"\"ret\":\"0xffff0008\",\"ret_name\":\"ITEM_NOT_FOUND\","
		"\"origin\":3,\"origin_name\":\"TEE\",\"num_params\":0,"
		"\"params\":[]}}");
	/* An RPC instead of the answer: OP-TEE's thread in a3. */
	e.msg = NULL;
	set_regs(&e, OPTEE_SMC_RETURN_RPC_CMD, 0, 0x80, 7);
	assert_string_equal(
		text(&e, 0),
		"vm3.2    tee<   CALL_WITH_ARG = RPC CMD cookie=0x80 thread=7");
	/* The hypervisor's own probe. */
	e = ev(TEEMED_TRACE_OPTEE_ANSWER, 0, TEEMED_TRACE_NO_VCPU);
	e.fid = OPTEE_SMC_CALLS_UID;
	set_regs(&e, OPTEE_MSG_UID_0, OPTEE_MSG_UID_1, OPTEE_MSG_UID_2,
		 OPTEE_MSG_UID_3);
	assert_string_equal(text(&e, 0), "hyp      tee<   CALLS_UID = "
					 "384fb3e0-e7f8-11e3-af63-0002a5d5c51b "
					 "(OP-TEE)");
}

static void test_guest_reply(void **state)
{
	struct teemed_trace_event e = ev(TEEMED_TRACE_GUEST_REPLY, 1, 0);
	union msg *m = msg_new(OPTEE_MSG_CMD_INVOKE_COMMAND, 1);

	m->arg.session = 1;
	m->arg.ret = TEEC_ERROR_BAD_PARAMETERS;
	m->arg.ret_origin = TEEC_ORIGIN_COMMS;
	set_param(&m->arg.params[0], OPTEE_MSG_ATTR_TYPE_RMEM_INPUT, 0, 0,
		  0x99);
	with_msg(&e, m);
	assert_string_equal(
		text(&e, 0),
		"vm1.0    msg<   INVOKE_COMMAND func=0x0 session=0x1 "
		"ret=BAD_PARAMETERS origin=COMMS [0] rmem-in "
		"cookie=0x99 offs=0x0 size=0");
}

static void test_rpc_msg_and_reply(void **state)
{
	struct teemed_trace_event e = ev(TEEMED_TRACE_RPC_MSG, 1, 0);
	union msg *m = msg_new(OPTEE_RPC_CMD_SHM_ALLOC, 1);

	set_param(&m->arg.params[0], OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, 0, 64, 0);
	with_msg(&e, m);
	assert_string_equal(text(&e, 0), "vm1.0    rpc<   SHM_ALLOC [0] "
					 "value-in a=0x0 b=0x40 c=0x0");
	e.kind = TEEMED_TRACE_RPC_REPLY;
	m->arg.ret = TEEC_SUCCESS;
	set_param(&m->arg.params[0], OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT,
		  0x40009000, 64, 0x5);
	assert_string_equal(
		text(&e, 0),
		"vm1.0    rpc>   SHM_ALLOC ret=SUCCESS [0] tmem-out "
		"buf=ipa:0x40009000 size=64 cookie=0x5");
	/* A command the decoder has no name for. */
	m->arg.cmd = 99;
	assert_string_equal(text(&e, 0),
			    "vm1.0    rpc>   0x63 ret=SUCCESS [0] tmem-out "
			    "buf=ipa:0x40009000 size=64 cookie=0x5");
}

static void test_refusal(void **state)
{
	struct teemed_trace_event e = ev(TEEMED_TRACE_REFUSAL, 4, 0);

	e.reason = TEEMED_REFUSED_RESUME;
	assert_string_equal(text(&e, 0),
			    "vm4.0    refuse RESUME: RETURN_FROM_RPC names no "
			    "call of this guest waiting for it");
	assert_string_equal(json(&e, 0),
			    "{\"kind\":\"refusal\",\"vm\":4,\"vcpu\":0,"
			    "\"reason\":4,\"reason_name\":\"RESUME\","
			    "\"reason_text\":\"RETURN_FROM_RPC names no call "
			    "of this guest waiting for it\"}");
	for (unsigned int r = 0; r < TEEMED_REFUSED_COUNT; r++) {
		assert_string_not_equal(teemed_trace_refusal_name(r), "?");
		assert_string_not_equal(teemed_trace_refusal_text(r),
					"unknown reason");
	}
	/* The part refused: a thread, a parameter. */
	e.index = 9;
	assert_string_equal(text(&e, 0),
			    "vm4.0    refuse RESUME thread=9: RETURN_FROM_RPC "
			    "names no call of this guest waiting for it");
	assert_non_null(strstr(json(&e, 0), "\"reason\":4,\"thread\":9,"));
	e.reason = TEEMED_REFUSED_QUOTA;
	e.index = 2;
	assert_string_equal(text(&e, 0),
			    "vm4.0    refuse QUOTA [2]: a quota of "
			    "the VM would be exceeded");
	assert_non_null(strstr(json(&e, 0), "\"reason\":5,\"param\":2,"));
	/* A cause, where known, says what exactly. */
	e.reason = TEEMED_REFUSED_PARAM;
	e.cause = TEEMED_TRACE_CAUSE_PAGES;
	e.index = 1;
	assert_string_equal(
		text(&e, 0),
		"vm4.0    refuse PARAM/PAGES [1]: a page of it, or of "
		"its page list, is not the guest's to share "
		"(unmapped, MMIO, read-only or another VM's)");
	assert_non_null(strstr(json(&e, 0), "\"cause\":3,\"cause_name\":"
					    "\"PAGES\",\"cause_text\":"));
	e.cause = TEEMED_TRACE_CAUSE_COUNT;
	assert_string_equal(text(&e, 0),
			    "vm4.0    refuse PARAM/? [1]: unknown cause");
	for (unsigned int k = 1; k < TEEMED_TRACE_CAUSE_COUNT; k++)
		assert_true(strlen(teemed_trace_cause_text(k)) > 10);
	e.cause = TEEMED_TRACE_CAUSE_NONE;
	e.index = TEEMED_TRACE_NO_INDEX;
	e.reason = TEEMED_REFUSED_COUNT;
	assert_string_equal(text(&e, 0), "vm4.0    refuse ?: unknown reason");
}

static void test_pause(void **state)
{
	struct teemed_trace_event e = ev(TEEMED_TRACE_PAUSE, 1, 0);

	set_regs(&e, 256, 0, 0, 3);
	assert_string_equal(text(&e, 0),
			    "vm1.0    pause  step budget spent (256 pages this "
			    "SMC): RPC FOREIGN_INTR, thread 3 resumes");
	assert_string_equal(json(&e, 0),
			    "{\"kind\":\"pause\",\"vm\":1,"
			    "\"vcpu\":0,\"pages\":256,\"thread\":3}");
}

static void test_rpc_to_guest(void **state)
{
	struct teemed_trace_event e = ev(TEEMED_TRACE_RPC_TO_GUEST, 1, 0);

	e.fid = OPTEE_SMC_CALL_WITH_ARG;
	set_regs(&e, OPTEE_SMC_RETURN_RPC_ALLOC, 160, 0, 0);
	assert_string_equal(text(&e, 0),
			    "vm1.0    guest< RPC ALLOC size=160 thread=0");
	set_regs(&e, OPTEE_SMC_RETURN_RPC_FREE, 1, 2, 1);
	assert_string_equal(
		text(&e, 0),
		"vm1.0    guest< RPC FREE cookie=0x100000002 thread=1");
	e.regs.a[0] = OPTEE_SMC_RETURN_RPC_FOREIGN_INTR;
	assert_string_equal(text(&e, 0),
			    "vm1.0    guest< RPC FOREIGN_INTR thread=1");
	assert_non_null(strstr(json(&e, 0), "\"rpc\":\"FOREIGN_INTR\""));
	e.regs.a[0] = 0xFFFF0009u; /* an RPC function with no name */
	assert_string_equal(text(&e, 0), "vm1.0    guest< RPC 0x9 thread=1");
}

static void test_guest_answer(void **state)
{
	struct teemed_trace_event e = ev(TEEMED_TRACE_GUEST_ANSWER, 1, 0);

	e.fid = OPTEE_SMC_EXCHANGE_CAPABILITIES;
	e.regs.a[1] =
		OPTEE_SMC_SEC_CAP_DYNAMIC_SHM | OPTEE_SMC_SEC_CAP_MEMREF_NULL;
	assert_string_equal(text(&e, 0),
			    "vm1.0    guest< EXCHANGE_CAPABILITIES = OK "
			    "caps=0x14 (DYNAMIC_SHM|MEMREF_NULL)");
	e.fid = OPTEE_SMC_GET_THREAD_COUNT;
	e.regs.a[1] = 4;
	assert_string_equal(text(&e, 0),
			    "vm1.0    guest< GET_THREAD_COUNT = OK threads=4");
	e.fid = OPTEE_SMC_GET_SHM_CONFIG;
	e.regs.a[0] = OPTEE_SMC_RETURN_ENOTAVAIL;
	assert_string_equal(text(&e, 0),
			    "vm1.0    guest< GET_SHM_CONFIG = ENOTAVAIL");
	e.fid = OPTEE_SMC_CALL_WITH_ARG;
	e.regs.a[0] = OPTEE_SMC_RETURN_ETHREAD_LIMIT;
	assert_string_equal(text(&e, 0),
			    "vm1.0    guest< CALL_WITH_ARG = ETHREAD_LIMIT");
	e.regs.a[0] = 0x1234;
	assert_string_equal(text(&e, 0),
			    "vm1.0    guest< CALL_WITH_ARG = 0x1234");
	e.fid = OPTEE_SMC_CALLS_REVISION;
	e.regs.a[0] = 2;
	e.regs.a[1] = 0;
	assert_string_equal(text(&e, 0),
			    "vm1.0    guest< CALLS_REVISION = 2.0");
}

static void test_vm_events(void **state)
{
	struct teemed_trace_event e = ev(TEEMED_TRACE_VM_CREATED, 5, 0);

	e.vcpu = TEEMED_TRACE_NO_VCPU;
	e.status = TEEMED_ERR_EXIST;
	assert_string_equal(text(&e, 0), "vm5      vm     created = EXIST");
	e.kind = TEEMED_TRACE_VM_DESTROY_STEP;
	e.status = TEEMED_ERR_AGAIN;
	e.regs.a[0] = 256;
	assert_string_equal(text(&e, 0),
			    "vm5      vm     destroy step = AGAIN (256 pages "
			    "and buffers released)");
	assert_string_equal(json(&e, 0),
			    "{\"kind\":\"vm_destroy_step\",\"vm\":5,\"status\":"
			    "-11,\"status_name\":\"AGAIN\",\"released\":256}");
	e.kind = TEEMED_TRACE_VM_DESTROYED;
	e.status = 0;
	assert_string_equal(text(&e, 0), "vm5      vm     destroyed");
	e.kind = TEEMED_TRACE_VM_CREATED;
	e.status = -1000;
	assert_string_equal(text(&e, 0), "vm5      vm     created = -1000");
}

static void test_unknown_kind(void **state)
{
	struct teemed_trace_event e = ev(200, 1, 0);

	assert_string_equal(text(&e, 0), "vm1.0    ?      event kind 200");
	assert_string_equal(json(&e, 0),
			    "{\"kind\":\"?\",\"vm\":1,\"vcpu\":0}");
	for (unsigned int k = 0; k < TEEMED_TRACE_KIND_COUNT; k++)
		assert_string_not_equal(teemed_trace_kind_name(k), "?");
}

/* The message is read only as far as msg_len, whatever it says. */
static void test_short_messages(void **state)
{
	struct teemed_trace_event e = ev(TEEMED_TRACE_GUEST_MSG, 1, 0);
	union msg *m = msg_new(OPTEE_MSG_CMD_INVOKE_COMMAND, 3);
	uint8_t *copy;

	e.msg = m;
	e.msg_len = 31;
	assert_string_equal(text(&e, 0),
			    "vm1.0    msg>   (31 bytes: no message header)");
	assert_non_null(
		strstr(json(&e, 0), "\"msg\":{\"len\":31,\"truncated\":true}"));
	/* Three parameters said, one and a half present. */
	m->arg.params[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
	copy = malloc(32 + 48);
	assert_non_null(copy);
	memcpy(copy, m, 32 + 48);
	e.msg = copy;
	e.msg_len = 32 + 48;
	assert_string_equal(
		text(&e, 0),
		"vm1.0    msg>   INVOKE_COMMAND func=0x0 session=0x0 "
		"num_params=3 (1 here) [0] value-in a=0x0 b=0x0 "
		"c=0x0");
	assert_non_null(strstr(json(&e, 0), "\"params_present\":1"));
	/* A message pointer with length 0 is no message. */
	e.msg_len = 0;
	assert_string_equal(text(&e, 0),
			    "vm1.0    msg>   (0 bytes: no message header)");
	free(copy);
}

/* Output never passes `len`; cut output ends in "...". */
static void test_bounds(void **state)
{
	struct teemed_trace_event e = ev(TEEMED_TRACE_GUEST_CALL, 1, 0);
	char small[16];

	set_regs(&e, OPTEE_SMC_CALL_WITH_ARG, 0, 0x40001000, 0);
	memset(small, 'x', sizeof(small));
	assert_int_equal(teemed_trace_format(&e, small, 12, 0), 11);
	assert_string_equal(small, "vm1.0   ...");
	assert_int_equal(small[12], 'x');
	assert_int_equal(teemed_trace_format(&e, small, 1, 0), 0);
	assert_string_equal(small, "");
	assert_int_equal(teemed_trace_format(&e, NULL, 0, 0), 0);
	assert_int_equal(teemed_trace_format_json(&e, small, 3, 0), 2);
	assert_int_equal(small[2], '\0');
	assert_int_equal(teemed_trace_format_json(&e, small, 4, 0), 3);
	assert_string_equal(small, "...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guest_call),
		cmocka_unit_test(test_rpc_answer),
		cmocka_unit_test(test_guest_msg_params),
		cmocka_unit_test(test_open_session_meta),
		cmocka_unit_test(test_optee_call_hides_pa),
		cmocka_unit_test(test_optee_answer),
		cmocka_unit_test(test_guest_reply),
		cmocka_unit_test(test_rpc_msg_and_reply),
		cmocka_unit_test(test_refusal),
		cmocka_unit_test(test_pause),
		cmocka_unit_test(test_rpc_to_guest),
		cmocka_unit_test(test_guest_answer),
		cmocka_unit_test(test_vm_events),
		cmocka_unit_test(test_unknown_kind),
		cmocka_unit_test(test_short_messages),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
