/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The tracepoint of teemed.ko: events/teemed/teemed_event in tracefs.
 * One event per event of the core (include/teemed/trace.h), carrying
 * the line libteemed_trace decodes it to, as `teemed-sim run --trace`
 * prints it, plus the fields a filter needs. docs/trace.md shows it.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM teemed

#if !defined(TEEMED_EVENTS_H) || defined(TRACE_HEADER_MULTI_READ)
#define TEEMED_EVENTS_H

#include <linux/tracepoint.h>

#include "teemed/trace.h"

int tm_trace_reg(void);
void tm_trace_unreg(void);

/* The core's trace callback is installed only while this is enabled. */
TRACE_EVENT_FN(teemed_event,

	TP_PROTO(const struct teemed_trace_event *ev, const char *line),

	TP_ARGS(ev, line),

	TP_STRUCT__entry(
		__field(u16, client_id)
		__field(u32, vcpu)
		__field(u8, kind)
		__field(u8, reason)
		__field(u8, cause)
		__string(line, line)
	),

	TP_fast_assign(
		__entry->client_id = ev->client_id;
		__entry->vcpu = ev->vcpu;
		__entry->kind = ev->kind;
		__entry->reason = ev->reason;
		__entry->cause = ev->cause;
		__assign_str(line);
	),

	TP_printk("%s", __get_str(line)),

	tm_trace_reg, tm_trace_unreg
);

#endif /* TEEMED_EVENTS_H */

/* define_trace.h includes this file again from the module's directory. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE teemed_events
#include <trace/define_trace.h>
