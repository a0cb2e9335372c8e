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
 * handover exclusive (hafod.8, HANDOVER): one controller at a time.  The
 * addresses move make-before-break as ever; what waits is the new
 * master's promote hook.  The old master keeps bowing out after it has
 * let go, until its demote hook has finished, and the new master runs
 * its promote hook once those bow-outs have stopped.  A master that fell
 * silent cannot say so: it is fenced by the fence hook first, or, with
 * none, the new master waits for as long as the old one could still be
 * running its demote hook.  Every wait is bounded.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <stdint.h>
#include <string.h>

#include "engine.h"
#include "hafod.h"
#include "log.h"

#define USEC		1000000ULL
#define RELEASE_GAP	200000ULL	/* usec between releasing bow-outs */
#define RELEASE_MIN	600000ULL	/* usec of them, at least: 3 */
#define RELEASE_QUIET	1000000ULL	/* usec without one: released */
#define RELEASE_SLACK	1000000ULL	/* usec: from our claim to its hook */

static int
exclusive(const struct eservice *s)
{
	return (s->conf.handover == HANDOVER_EXCLUSIVE);
}

static int
has_hook(const struct eservice *s, enum hook_event ev)
{
	return ((s->conf.hookset & (1U << ev)) != 0);
}

/*
 * What an old master promised: its demote hook ends, or is killed, by
 * its hook timeout and the kill grace after it lets go, which is soon
 * after our first advertisement.  CARP cannot carry its timeout: the
 * bound takes ours, and assumes the peers share "hook timeout".
 */
static uint64_t
bound_us(const struct eservice *s)
{
	return ((uint64_t)(s->conf.hook_timeout + HOOK_KILL_GRACE) * USEC +
	    RELEASE_SLACK);
}

/* Whether the promote hook of a new master waits (MSG_STATE defer). */
int
handover_defer(const struct eservice *s)
{
	return (exclusive(s) && s->fsm.state == CARP_MASTER &&
	    has_hook(s, HOOK_PROMOTE) && s->fsm.pred.af != AF_UNSPEC);
}

static void
hook_run(struct eservice *s, enum hook_event ev)
{
	struct msg_hook_run	hr;

	memset(&hr, 0, sizeof(hr));
	hr.service = s->conf.id;
	hr.event = ev;
	hr.prev = s->xw_prev;
	hr.peer = s->xpeer;
	strlcpy(hr.reason, s->xw_reason, sizeof(hr.reason));
	engine_hook_run(s, &hr);
}

static void
promote_now(struct eservice *s, const char *why)
{
	log_info("%s: running the promote hook: %s", s->conf.name, why);
	s->xwait = XWAIT_NONE;
	s->xw_until = 0;
	hook_run(s, HOOK_PROMOTE);
}

static void
fence_now(struct eservice *s)
{
	log_warnx("%s: fencing %s: it fell silent and cannot say it has "
	    "released (try %u)", s->conf.name, addr_ntop(&s->xpeer),
	    s->fence_failures + 1);
	s->xwait = XWAIT_FENCE;
	s->xw_until = 0;
	hook_run(s, HOOK_FENCE);
}

static void
became_master(struct eservice *s, enum carp_state prev, uint64_t now)
{
	s->xpeer = s->fsm.pred;
	s->xw_prev = prev;
	s->xw_since = now;
	s->xw_heard = 0;
	s->fence_failures = 0;
	strlcpy(s->xw_reason, s->fsm.reason, sizeof(s->xw_reason));
	if (!s->fsm.pred_silent) {
		s->xwait = XWAIT_RELEASE;
		s->xw_until = now + bound_us(s);
		log_info("%s: promote hook waits for %s to release, at most "
		    "%llu ms", s->conf.name, addr_ntop(&s->xpeer),
		    (unsigned long long)(bound_us(s) / 1000));
	} else if (has_hook(s, HOOK_FENCE))
		fence_now(s);
	else {
		s->xwait = XWAIT_BOUND;
		s->xw_until = now + bound_us(s);
		log_info("%s: promote hook waits %llu ms: %s fell silent and "
		    "may still be running its demote hook", s->conf.name,
		    (unsigned long long)(bound_us(s) / 1000),
		    addr_ntop(&s->xpeer));
	}
}

/* Until the demote hook has finished: RELEASE_MIN at least, the bound most. */
static void
let_go(struct eservice *s, uint64_t now)
{
	s->rel_start = now;
	s->rel_next = now + RELEASE_GAP;
	if (has_hook(s, HOOK_DEMOTE)) {
		s->rel_until = now + bound_us(s);
		log_info("%s: bowing out until the demote hook has finished",
		    s->conf.name);
	} else
		s->rel_until = now + RELEASE_MIN;
}

/* After MSG_STATE, on every change of state. */
void
handover_changed(struct eservice *s, enum carp_state prev, int deferred,
    uint64_t now)
{
	if (s->fsm.state == CARP_MASTER) {
		s->rel_until = 0;
		if (deferred)
			became_master(s, prev, now);
		return;
	}
	if (s->xwait != XWAIT_NONE) {
		log_info("%s: promote hook not run: no longer master",
		    s->conf.name);
		s->xwait = XWAIT_NONE;
		s->xw_until = 0;
	}
	if (prev == CARP_MASTER && exclusive(s))
		let_go(s, now);
}

/* Every advertisement heard: the bow-outs of the old master count. */
void
handover_heard(struct eservice *s, const struct fsm_advert *fa,
    uint64_t now)
{
	if (s->xwait != XWAIT_RELEASE || fa->advbase != CARP_BOWOUT ||
	    fa->advskew != CARP_BOWOUT || !addr_eq(&fa->src, &s->xpeer))
		return;
	s->xw_heard = now;
}

void
handover_result(struct eservice *s, const struct msg_hook_result *hr,
    uint64_t now)
{
	uint32_t	hold, limit;

	if (hr->event == HOOK_DEMOTE && s->rel_until != 0 &&
	    s->fsm.state != CARP_MASTER) {
		/* Its successor must hear some: RELEASE_MIN still. */
		if (s->rel_until > s->rel_start + RELEASE_MIN)
			s->rel_until = s->rel_start + RELEASE_MIN;
		if (s->rel_until < now)
			s->rel_until = now;
		log_info("%s: demote hook finished: released", s->conf.name);
		return;
	}
	if (hr->event != HOOK_FENCE || s->xwait != XWAIT_FENCE)
		return;
	if (!hr->failed) {
		s->fence_failures = 0;
		promote_now(s, "old master fenced");
		return;
	}
	if (s->fence_failures < UINT32_MAX)
		s->fence_failures++;
	limit = s->conf.fence_limit != 0 ? s->conf.fence_limit :
	    FENCE_LIMIT_DEFAULT;
	if (s->conf.fence_policy == FENCE_PROMOTE &&
	    s->fence_failures >= limit) {
		log_warnx("%s: fencing %s failed %u times: promoting anyway "
		    "(on fence failure promote)", s->conf.name,
		    addr_ntop(&s->xpeer), s->fence_failures);
		promote_now(s, "fencing failed, promoting anyway");
		return;
	}
	hold = s->conf.fence_hold != 0 ? s->conf.fence_hold :
	    FENCE_HOLD_DEFAULT;
	log_warnx("%s: fencing %s failed (%u in a row): holding the "
	    "addresses, no promote hook; trying again in %u s", s->conf.name,
	    addr_ntop(&s->xpeer), s->fence_failures, hold);
	s->xwait = XWAIT_FENCE_RETRY;
	s->xw_until = now + (uint64_t)hold * USEC;
}

static void
due(struct eservice *s, uint64_t now)
{
	if (s->rel_until != 0) {
		if (now >= s->rel_until) {
			s->rel_until = 0;
			log_debug("%s: release bow-outs over", s->conf.name);
		} else if (now >= s->rel_next) {
			s->rel_next = now + RELEASE_GAP;
			engine_advertise(s);
		}
	}
	switch (s->xwait) {
	case XWAIT_RELEASE:
		if (s->xw_heard != 0 && now >= s->xw_heard + RELEASE_QUIET)
			promote_now(s, "old master released");
		else if (now >= s->xw_until)
			promote_now(s, s->xw_heard != 0 ? "old master's bound "
			    "passed, still bowing out" : "old master's bound "
			    "passed, no bow-out heard from it");
		break;
	case XWAIT_BOUND:
		if (now >= s->xw_until)
			promote_now(s, "old master's bound passed");
		break;
	case XWAIT_FENCE_RETRY:
		if (now >= s->xw_until)
			fence_now(s);
		break;
	}
}

void
handover_due(struct eservice_head *head, uint64_t now)
{
	struct eservice	*s;

	TAILQ_FOREACH(s, head, entry)
		due(s, now);
}

static uint64_t
earlier(uint64_t min, uint64_t t)
{
	return (t != 0 && (min == 0 || t < min) ? t : min);
}

uint64_t
handover_deadline(struct eservice_head *head, uint64_t min)
{
	struct eservice	*s;

	TAILQ_FOREACH(s, head, entry) {
		if (s->rel_until != 0) {
			min = earlier(min, s->rel_until);
			min = earlier(min, s->rel_next);
		}
		if (s->xwait == XWAIT_RELEASE && s->xw_heard != 0)
			min = earlier(min, s->xw_heard + RELEASE_QUIET);
		if (s->xwait != XWAIT_NONE && s->xwait != XWAIT_FENCE)
			min = earlier(min, s->xw_until);
	}
	return (min);
}

/* Not master, still bowing out: service_send() sends bow-outs. */
int
handover_releasing(const struct eservice *s)
{
	return (s->rel_until != 0 && s->fsm.state != CARP_MASTER);
}

/* A shutdown waits for the releases. */
int
handover_busy(struct eservice_head *head)
{
	struct eservice	*s;

	TAILQ_FOREACH(s, head, entry)
		if (handover_releasing(s))
			return (1);
	return (0);
}

void
handover_show(const struct eservice *s, struct ctl_service *cs, uint64_t now)
{
	cs->handover = s->conf.handover;
	cs->xwait = s->xwait;
	cs->releasing = handover_releasing(s);
	cs->fence_failures = s->fence_failures;
	if (s->xwait != XWAIT_NONE)
		cs->xpeer = s->xpeer;
	if (s->xwait != XWAIT_NONE && s->xwait != XWAIT_FENCE &&
	    s->xw_until > now)
		cs->xwait_ms = (s->xw_until - now + 999) / 1000;
}

