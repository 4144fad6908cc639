/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Tracing: what a guest and OP-TEE say to each other, one event at a
 * time.
 *
 * The core hands each event to the platform's optional `trace` callback
 * (include/teemed/platform.h). With no callback the core tests one
 * pointer per hook and does nothing else; with one it fills a
 * `struct teemed_trace_event` and calls it. The core never formats.
 *
 * The decoder (libteemed_trace, hosted C, built from trace/) turns an
 * event into one readable line or one JSON object. Ports and tools link
 * it; the freestanding core does not.
 *
 * Addresses: events a guest sees (GUEST_*, RPC_TO_GUEST, RPC_ANSWER,
 * RPC_MSG, RPC_REPLY) hold only what the guest holds: IPAs and cookies.
 * Events facing OP-TEE (OPTEE_CALL, OPTEE_ANSWER) hold what OP-TEE
 * receives, host PAs included; the decoder hides those unless asked
 * (TEEMED_TRACE_FMT_SHOW_PA).
 */
#ifndef TEEMED_TRACE_H
#define TEEMED_TRACE_H

#include "teemed/platform.h"

enum teemed_trace_kind {
	/* A guest's SMC as trapped (regs: its a0..a7). */
	TEEMED_TRACE_GUEST_CALL = 0,
	/* The guest's RETURN_FROM_RPC, answering an RPC (regs: a0..a7). */
	TEEMED_TRACE_RPC_ANSWER,
	/* The message of a guest's CALL_WITH_ARG as teemed copied it (msg);
	   header only when its size or command was refused. */
	TEEMED_TRACE_GUEST_MSG,
	/* An SMC teemed issues to OP-TEE (regs: a0..a7 as issued; msg: the
	   shadow argument of a CALL_WITH_ARG). Client id 0: teemed's own. */
	TEEMED_TRACE_OPTEE_CALL,
	/* OP-TEE's answer to it (regs: a0..a3; fid: the function issued;
	   msg: the shadow argument once a call is answered). */
	TEEMED_TRACE_OPTEE_ANSWER,
	/* The guest's message once teemed copied the answer back to it
	   (msg: the guest's argument page as the guest now reads it). */
	TEEMED_TRACE_GUEST_REPLY,
	/* The request of an RPC_CMD as the guest gets it (msg). */
	TEEMED_TRACE_RPC_MSG,
	/* The guest's reply to an RPC_CMD as teemed read it (msg). */
	TEEMED_TRACE_RPC_REPLY,
	/* teemed refused a guest request (reason: enum teemed_refusal). */
	TEEMED_TRACE_REFUSAL,
	/* teemed paused a call whose page work spent the step budget; the
	   guest gets RPC FOREIGN_INTR (regs.a[0]: pages this SMC, a[3]:
	   the thread the guest resumes). */
	TEEMED_TRACE_PAUSE,
	/* An RPC the guest must serve (regs: a0..a3; fid: the function the
	   guest called). */
	TEEMED_TRACE_RPC_TO_GUEST,
	/* The final answer of a guest's SMC (regs: a0..a3; fid: the
	   function the guest called). */
	TEEMED_TRACE_GUEST_ANSWER,
	/* teemed_vm_create() ends (status: its result). */
	TEEMED_TRACE_VM_CREATED,
	/* One teemed_vm_destroy() step (status: its result; regs.a[0]:
	   pages and buffers handled in the step). */
	TEEMED_TRACE_VM_DESTROY_STEP,
	/* The VM is gone: everything it held is released. */
	TEEMED_TRACE_VM_DESTROYED,
	TEEMED_TRACE_KIND_COUNT
};

/* What exactly a refusal found wrong, where teemed knows more than its
   reason (enum teemed_refusal) says. */
enum teemed_trace_cause {
	TEEMED_TRACE_CAUSE_NONE = 0, /* the reason says all that is known */
	TEEMED_TRACE_CAUSE_ALIGN,    /* an address not 4 KiB aligned */
	TEEMED_TRACE_CAUSE_CALLS,    /* every call slot of the VM is in use */
	TEEMED_TRACE_CAUSE_PAGES,    /* a page, or a page of its list, the
					guest may not share */
	TEEMED_TRACE_CAUSE_COOKIE,   /* a memref's cookie names no buffer
					of the guest's it may use there */
	TEEMED_TRACE_CAUSE_BOUNDS,   /* a memref reaches past its buffer */
	TEEMED_TRACE_CAUSE_SHAPE,    /* parameters the command does not
					take, or a memref OP-TEE cannot */
	TEEMED_TRACE_CAUSE_COUNT
};

/* vcpu of an event the embedder did not attribute to a vCPU. */
#define TEEMED_TRACE_NO_VCPU 0xFFFFFFFFu
/* index of a refusal of a whole request. */
#define TEEMED_TRACE_NO_INDEX 0xFFFFFFFFu

struct teemed_trace_event {
	uint8_t kind;	    /* enum teemed_trace_kind */
	uint8_t reason;	    /* REFUSAL: enum teemed_refusal */
	uint16_t client_id; /* the VM's OP-TEE client id; 0: teemed's own */
	uint8_t cause;	    /* REFUSAL: enum teemed_trace_cause */
	uint32_t fid;	    /* answers: the function being answered */
	int32_t status;	    /* VM_*: teemed's return code */
	/*
	 * REFUSAL: which part of the request: the message parameter
	 * refused (PARAM, QUOTA, NOMEM while translating one), the thread
	 * id a RETURN_FROM_RPC named (RESUME); TEEMED_TRACE_NO_INDEX when
	 * the whole request is refused.
	 */
	uint32_t index;
	/*
	 * The core does not know vCPUs: it sets TEEMED_TRACE_NO_VCPU. An
	 * embedder's callback that knows which vCPU trapped (the `vm`
	 * handle it gets, or its own per-CPU state) copies the event and
	 * sets this before decoding it.
	 */
	uint32_t vcpu;
	/* Where the core holds a copy of the message: msg_len bytes at
	   msg, valid during the callback only. NULL/0 otherwise. */
	const void *msg;
	uint32_t msg_len;
	struct teemed_regs regs;
};

/*
 * The decoder (libteemed_trace; hosted, not part of the core).
 *
 * Each function reads only the event and at most msg_len bytes at msg
 * (whatever num_params says), writes at most `len` bytes to `buf`, always
 * NUL-terminated when len > 0, and returns the number of characters
 * written (without the NUL). Output cut by `len` ends in "...".
 */

/* Flags of the formatters. */
#define TEEMED_TRACE_FMT_SHOW_PA 0x1u /* print host PAs instead of hiding */
#define TEEMED_TRACE_FMT_RAW	 0x2u /* text: also print a0..a7 raw */

/* One line, no newline. */
size_t teemed_trace_format(const struct teemed_trace_event *ev, char *buf,
			   size_t len, unsigned int flags);

/* One JSON object, no newline. */
size_t teemed_trace_format_json(const struct teemed_trace_event *ev, char *buf,
				size_t len, unsigned int flags);

/* A buffer this large holds any line or object of the decoder whole. */
#define TEEMED_TRACE_LINE_MAX 32768u

/* Names; never NULL ("?" or a number when unknown). */
const char *teemed_trace_kind_name(unsigned int kind);
const char *teemed_trace_refusal_name(unsigned int reason);
const char *teemed_trace_refusal_text(unsigned int reason);
const char *teemed_trace_cause_name(unsigned int cause);
const char *teemed_trace_cause_text(unsigned int cause);

#endif /* TEEMED_TRACE_H */
