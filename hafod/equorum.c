/*
 * Copyright (c) 2026 The hafod authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * The engine's view of corosync's quorum, as the quorum process reports
 * it through the parent.  For now it is only kept and logged; the rules
 * of hafod.8 ELECTION that follow from it come here.
 */

#include <sys/types.h>

#include <string.h>

#include "engine.h"
#include "hafod.h"
#include "log.h"

static struct msg_quorum	 current;	/* link QUORUM_OFF: none */

void
engine_quorum(const struct msg_quorum *q)
{
	struct msg_quorum	 prev = current;

	current = *q;
	current.reason[sizeof(current.reason) - 1] = '\0';
	current.qdevice_name[sizeof(current.qdevice_name) - 1] = '\0';
	if (current.link != QUORUM_UP)
		current.quorate = 0;
	if (prev.link == current.link && prev.quorate == current.quorate &&
	    strcmp(prev.reason, current.reason) == 0)
		return;
	log_info("quorum: %s: %s", current.quorate ? "quorate" :
	    "not quorate", current.reason);
}
