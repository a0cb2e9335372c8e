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
 * The engine's side of "on promote failure demote" (hafod.conf.5): what
 * a promote hook's result means for its service.  The parent says how
 * the hook ended and what the hook's block asks for; the rule of the
 * hold-down is holddown.c's; this file keeps the count and the clock.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <stdint.h>
#include <string.h>

#include "engine.h"
#include "hafod.h"
#include "log.h"

#define USEC	1000000ULL

/* Demoted by DEMOTE_PROMOTE, and if master, bowing out. */
static void
holddown_start(struct eservice *s, const struct msg_hook_result *hr,
    uint64_t now)
{
	uint32_t	secs;

	if (s->pfail_count < UINT32_MAX)
		s->pfail_count++;
	if (s->pfail_count > hr->pfail_limit) {
		/* Already given away limit times: stay, demoted. */
		s->pfail_until = FSM_NEVER;
		log_warnx("%s: promote hook failed, %u in a row: staying "
		    "demoted until hafoctl undemote or promote",
		    s->conf.name, s->pfail_count);
		if (!(s->demote_reasons & DEMOTE_PROMOTE))
			engine_demote(s, DEMOTE_PROMOTE, 1);
		return;
	}
	secs = holddown_secs(hr->pfail_hold, hr->pfail_limit, s->pfail_count);
	s->pfail_until = secs == 0 ? FSM_NEVER : now + secs * USEC;
	if (secs == 0)
		log_warnx("%s: promote hook failed, %u in a row: demoted until "
		    "hafoctl undemote or promote", s->conf.name,
		    s->pfail_count);
	else
		log_warnx("%s: promote hook failed, %u in a row: demoted for "
		    "%u s", s->conf.name, s->pfail_count, secs);
	/* Set already or not, a master bows out. */
	engine_demote(s, DEMOTE_PROMOTE, 1);
}

/* A hook of s ended: one of its promote hooks is what counts. */
void
holddown_result(struct eservice *s, const struct msg_hook_result *hr)
{
	if (hr->event != HOOK_PROMOTE)
		return;
	if (!hr->failed) {
		/* The controller starts here: the failures are forgotten. */
		if (s->pfail_count > 0)
			log_info("%s: promote hook succeeded: %u failures "
			    "forgotten", s->conf.name, s->pfail_count);
		holddown_forget(s);
		return;
	}
	if (hr->pfail_hold == 0 || hr->pfail_limit == 0)
		return;
	holddown_start(s, hr, engine_now());
}

/* hafoctl undemote or promote, or a promote hook that succeeded. */
void
holddown_forget(struct eservice *s)
{
	s->pfail_count = 0;
	s->pfail_until = 0;
	if (s->demote_reasons & DEMOTE_PROMOTE)
		engine_demote(s, DEMOTE_PROMOTE, 0);
}

/* Hold-downs over by now are lifted; the count of failures stays. */
void
holddown_due(struct eservice_head *head, uint64_t now)
{
	struct eservice	*s;

	TAILQ_FOREACH(s, head, entry) {
		if (s->pfail_until == 0 || s->pfail_until == FSM_NEVER ||
		    now < s->pfail_until)
			continue;
		s->pfail_until = 0;
		log_info("%s: hold-down after %u failed promote hooks over",
		    s->conf.name, s->pfail_count);
		engine_demote(s, DEMOTE_PROMOTE, 0);
	}
}

/* The earlier of min (0: none) and the end of any hold-down. */
uint64_t
holddown_deadline(struct eservice_head *head, uint64_t min)
{
	struct eservice	*s;

	TAILQ_FOREACH(s, head, entry)
		if (s->pfail_until != 0 && s->pfail_until != FSM_NEVER &&
		    (min == 0 || s->pfail_until < min))
			min = s->pfail_until;
	return (min);
}

/* For hafoctl: milliseconds left, UINT64_MAX until the operator. */
uint64_t
holddown_left_ms(const struct eservice *s, uint64_t now)
{
	if (s->pfail_until == FSM_NEVER)
		return (UINT64_MAX);
	if (s->pfail_until == 0 || now >= s->pfail_until)
		return (0);
	return ((s->pfail_until - now + 999) / 1000);
}
