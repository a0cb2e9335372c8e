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
 * What weighs on a service's election: the operator's demote, undemote
 * and promote, and the weights of checks, tracked interfaces and
 * heartbeats, turned into the demote byte by demote.c's arithmetic over
 * the service and its group.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <stdint.h>
#include <string.h>

#include "engine.h"
#include "hafod.h"
#include "log.h"

/*
 * The demote byte of s, from demote.c's arithmetic over s and, in a
 * group, every member of its group.
 */
unsigned int
edemote_weight(struct eservice *s)
{
	struct demote_member	 m[SERVICE_GROUP_MAX];
	struct eservice		*e, *who[SERVICE_GROUP_MAX];
	size_t			 n = 0, self = 0, i;
	uint8_t			 w;

	TAILQ_FOREACH(e, engine_services(), entry) {
		if (e != s && (s->conf.group[0] == '\0' ||
		    strcmp(e->conf.group, s->conf.group) != 0))
			continue;
		if (n == SERVICE_GROUP_MAX)
			fatalx("group %s: too many members", s->conf.group);
		if (e == s)
			self = n;
		memset(&m[n], 0, sizeof(m[n]));
		m[n].reasons = e->demote_reasons;
		m[n].weights = e->weights;
		m[n].grouped = e->conf.group[0] != '\0';
		m[n].leader = e->conf.group_leader;
		m[n].linkdown = e->fsm.state == CARP_LINKDOWN;
		m[n].master = e->fsm.state == CARP_MASTER;
		who[n++] = e;
	}
	/* Not yet in the list: a service being configured. */
	if (n == 0 || who[self] != s) {
		memset(&m[0], 0, sizeof(m[0]));
		m[0].reasons = s->demote_reasons;
		m[0].weights = s->weights;
		m[0].grouped = s->conf.group[0] != '\0';
		m[0].leader = s->conf.group_leader;
		who[0] = s;
		n = 1;
		self = 0;
	}
	w = demote_weight(m, n, self);
	for (i = 0; i < n; i++)
		who[i]->demote_reasons = m[i].reasons;
	return (w);
}

/*
 * Apply the demotion of s, and of its whole group, where it changed: one
 * level deep.  What that changes in turn (a follower that sees its leader
 * leave master) is picked up by engine_settle().
 */
void
edemote_update(struct eservice *s)
{
	struct eservice	*m;
	enum carp_state	 prev;
	unsigned int	 w;

	TAILQ_FOREACH(m, engine_services(), entry) {
		if (m != s && (s->conf.group[0] == '\0' ||
		    strcmp(m->conf.group, s->conf.group) != 0))
			continue;
		if ((w = edemote_weight(m)) == m->fsm.demote)
			continue;
		prev = m->fsm.state;
		engine_act(m, fsm_set_demote(&m->fsm, w, engine_now()), prev);
	}
}

/*
 * A master demoted by the operator (or unable to hold its addresses)
 * bows out and keeps its addresses until a successor has taken over, so
 * that a planned switchover loses nothing.
 */
void
engine_demote(struct eservice *s, uint32_t reason, int on)
{
	enum carp_state	prev;
	int		actions;

	if ((reason & DEMOTE_PERSIST) &&
	    on != ((s->demote_reasons & DEMOTE_PERSIST) != 0)) {
		struct msg_persist	mp;

		/* The parent keeps it, so a restart cannot grab mastership. */
		memset(&mp, 0, sizeof(mp));
		strlcpy(mp.name, s->conf.name, sizeof(mp.name));
		mp.demoted = on;
		engine_send(MSG_PERSIST, s->conf.id, &mp, sizeof(mp));
	}
	if (on)
		s->demote_reasons |= reason;
	else
		s->demote_reasons &= ~reason;
	edemote_update(s);
	if (on && (reason & (DEMOTE_OPERATOR | DEMOTE_PERSIST |
	    DEMOTE_VIPFAIL | DEMOTE_PROMOTE)) &&
	    s->fsm.state == CARP_MASTER) {
		prev = s->fsm.state;
		engine_act(s, fsm_leave(&s->fsm, 0, engine_now()), prev);
	}
	/* The last reason to bow out is gone: stay, if it is not too late. */
	if (!on && s->fsm.leaving && !(s->demote_reasons & (DEMOTE_OPERATOR |
	    DEMOTE_PERSIST | DEMOTE_VIPFAIL | DEMOTE_PROMOTE))) {
		prev = s->fsm.state;
		if ((actions = fsm_stay(&s->fsm, engine_now())) != 0)
			log_info("%s: bow-out cancelled: staying master",
			    s->conf.name);
		engine_act(s, actions, prev);
	}
}

/* For hafoctl: the demotion's reasons in words. */
void
engine_demote_detail(struct eservice *s, char *buf, size_t len)
{
	int	i;

	buf[0] = '\0';
	for (i = 0; i < SERVICE_WEIGHTS_MAX; i++) {
		if (s->weights[i].weight == 0)
			continue;
		if (buf[0] != '\0')
			strlcat(buf, ", ", len);
		strlcat(buf, s->weights[i].name, len);
	}
}

/*
 * A weight of s on or off, in its slot; the caller updates the
 * demotion.  -1: no slot left for it.
 */
int
weight_set(struct eservice *s, const struct msg_weight *mw)
{
	struct msg_weight	*slot = NULL;
	int			 i, on = mw->on && mw->weight != 0;

	for (i = 0; i < SERVICE_WEIGHTS_MAX; i++) {
		if (s->weights[i].weight != 0 &&
		    s->weights[i].index == mw->index) {
			slot = &s->weights[i];
			break;
		}
		if (s->weights[i].weight == 0 && slot == NULL && on)
			slot = &s->weights[i];
	}
	if (slot == NULL) {
		if (!on)
			return (0);
		log_warnx("%s: too many demotions to keep track of",
		    s->conf.name);
		return (-1);
	}
	if (on)
		*slot = *mw;
	else
		memset(slot, 0, sizeof(*slot));
	return (0);
}

/* A weight of s on or off (NULL: none), and the demotion that follows. */
void
engine_weigh(struct eservice *s, const struct msg_weight *mw)
{
	if (mw != NULL)
		(void)weight_set(s, mw);
	edemote_update(s);
}

/*
 * hafoctl promote: take over now where the rules allow it, else say why
 * not.  Operator demotion is lifted first: promoting means "serve".
 */
int
engine_promote(struct eservice *s, char *why, size_t len)
{
	enum carp_state	prev;
	int		actions;

	if (s->fsm.leaving) {
		strlcpy(why, "bowing out", len);
		return (-1);
	}
	if (s->demote_reasons & (DEMOTE_OPERATOR | DEMOTE_PERSIST))
		engine_demote(s, DEMOTE_OPERATOR | DEMOTE_PERSIST, 0);
	holddown_forget(s);
	prev = s->fsm.state;
	if ((actions = fsm_promote(&s->fsm, engine_now())) == 0) {
		strlcpy(why, s->fsm.reason, len);
		return (-1);
	}
	engine_act(s, actions, prev);
	return (0);
}
