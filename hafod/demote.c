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
 * The demotion arithmetic, pure: how much each reason weighs, and how a
 * group's members share their demotion so that the group moves as one.
 * The engine calls it with what it knows of a service (and its group's
 * members) and advertises what comes out in the demote byte.
 */

#include <sys/types.h>

#include <stddef.h>

#include "hafod.h"

/* The demote byte is one byte: the sum saturates. */
static uint8_t
demote_cap(unsigned int w)
{
	return (w > DEMOTE_MAX ? DEMOTE_MAX : w);
}

/*
 * The weight of a service's own reasons, before its group's: operator
 * maintenance, addresses it could not add, failing checks and tracked
 * interfaces down, late heartbeats.  The check, track and heartbeat
 * bits of *reasons are set from
 * the weights, so that hafoctl says which kind weighs.
 */
unsigned int
demote_own(uint32_t *reasons, const struct msg_weight *weights)
{
	unsigned int	w = 0;
	int		i, checks = 0, tracks = 0, heartbeats = 0;

	if (*reasons & (DEMOTE_OPERATOR | DEMOTE_PERSIST))
		w += DEMOTE_WEIGHT_OPERATOR;
	if (*reasons & DEMOTE_VIPFAIL)
		w += DEMOTE_WEIGHT_VIPFAIL;
	if (*reasons & DEMOTE_PROMOTE)
		w += DEMOTE_WEIGHT_PROMOTE;
	for (i = 0; i < SERVICE_WEIGHTS_MAX; i++) {
		if (weights[i].weight == 0)
			continue;
		w += weights[i].weight;
		if (weights[i].index >= WEIGHT_HEARTBEAT)
			heartbeats = 1;
		else if (weights[i].index >= WEIGHT_TRACK)
			tracks = 1;
		else
			checks = 1;
	}
	*reasons &= ~(DEMOTE_CHECK | DEMOTE_TRACK | DEMOTE_HEARTBEAT);
	if (checks)
		*reasons |= DEMOTE_CHECK;
	if (tracks)
		*reasons |= DEMOTE_TRACK;
	if (heartbeats)
		*reasons |= DEMOTE_HEARTBEAT;
	return (w);
}

/*
 * The demote byte of member self of a group of n (a service alone is a
 * group of one that is not a group).  The leader carries the demotion of
 * every member, a member whose link is down counting as the group
 * weight, so the group is elected by an ordinary election of its leader;
 * the followers are demoted by the group weight wherever the leader is
 * not master, so that they follow it.  DEMOTE_GROUP in the reasons says
 * that another member weighs on this one.
 */
uint8_t
demote_weight(struct demote_member *m, size_t n, size_t self)
{
	struct demote_member	*s = &m[self];
	unsigned int		 w;
	size_t			 i, leader = n;

	s->reasons &= ~DEMOTE_GROUP;
	if (!s->grouped)
		return (demote_cap(demote_own(&s->reasons, s->weights)));
	if (s->leader) {
		w = 0;
		for (i = 0; i < n; i++) {
			w += demote_own(&m[i].reasons, m[i].weights);
			if (i == self)
				continue;
			if (m[i].linkdown)
				w += DEMOTE_WEIGHT_GROUP;
			if (m[i].reasons & ~DEMOTE_GROUP)
				s->reasons |= DEMOTE_GROUP;
		}
		return (demote_cap(w));
	}
	w = demote_own(&s->reasons, s->weights);
	for (i = 0; i < n; i++)
		if (m[i].leader)
			leader = i;
	if (leader == n || !m[leader].master) {
		w += DEMOTE_WEIGHT_GROUP;
		s->reasons |= DEMOTE_GROUP;
	}
	return (demote_cap(w));
}
