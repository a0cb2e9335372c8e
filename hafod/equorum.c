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
 * The engine's side of quorum: what corosync's word, as the quorum
 * process reports it, means for each service (hafod.8 ELECTION, Quorum).
 * The rules themselves are fsm.c's (fsm_hold(), fsm_claim_after()); this
 * file decides when they apply.
 *
 * Without quorum, or without contact with corosync, every service is
 * held: master of nothing.  Under the strict policy a backup whose
 * master went silent may claim only once corosync has dropped that
 * master's node from the membership and the release bound has passed
 * since, by which time the node, if it still runs, has lost quorum and
 * let go.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "hafod.h"
#include "log.h"

static struct msg_quorum	 quorum;	/* link QUORUM_OFF at first */
static uint64_t			 since;		/* usec of the last change */
static uint64_t			 changed;	/* membership changed, usec */
/* When each node of quorum.nodes[] was last seen leave the membership. */
static uint64_t			 left[QUORUM_MEMBERS_MAX];

static int
quorum_held(void)
{
	return (quorum.link != QUORUM_OFF &&
	    (quorum.link != QUORUM_UP || !quorum.quorate));
}

/* The node of the cluster that has this address, or -1. */
static int
node_of(const struct hafod_addr *a)
{
	int	i;

	if (a->af == 0)
		return (-1);
	for (i = 0; i < quorum.nnodes; i++)
		if (quorum.nodes[i].addr.af == a->af &&
		    addr_eq(&quorum.nodes[i].addr, a))
			return (i);
	return (-1);
}

/*
 * Under the strict policy, when a backup of s may claim on its
 * master-down timer.  A master still in the membership may be alive
 * and cut off from us alone: corosync will say.  One that left may
 * still hold the addresses until it noticed it lost quorum, release_ms
 * after.  A master that is no node of the cluster, or none heard, is
 * given the bound from the last change we saw.
 */
static uint64_t
claim_after(const struct eservice *s)
{
	uint64_t	 bound = (uint64_t)quorum.release_ms * 1000;
	uint64_t	 from;
	int		 i;

	if (quorum.link == QUORUM_OFF || quorum.policy != QUORUM_POLICY_STRICT)
		return (0);
	from = since > changed ? since : changed;
	if ((i = node_of(&s->fsm.master)) != -1) {
		if (quorum.nodes[i].member &&
		    quorum.nodes[i].nodeid != quorum.nodeid)
			return (FSM_NEVER);
		if (left[i] != 0)
			from = left[i];
	}
	return (from + bound);
}

/* Apply the quorum as it stands to one service. */
void
quorum_service(struct eservice *s, uint64_t now)
{
	enum carp_state	 prev = s->fsm.state;
	char		 why[STATE_REASON_MAX] = "";
	int		 held = quorum_held();

	if (held) {
		s->demote_reasons |= DEMOTE_QUORUM;
		snprintf(why, sizeof(why), "quorum lost: %.*s",
		    (int)sizeof(why) - 14, quorum.reason[0] != '\0' ?
		    quorum.reason : "not quorate");
	} else
		s->demote_reasons &= ~DEMOTE_QUORUM;
	engine_act(s, fsm_hold(&s->fsm, held, why, now), prev);
	prev = s->fsm.state;
	engine_act(s, fsm_claim_after(&s->fsm, claim_after(s), now), prev);
}

/* The membership as it was and is: note who left, and when. */
static void
quorum_membership(const struct msg_quorum *q, uint64_t now)
{
	uint64_t	 was[QUORUM_MEMBERS_MAX];
	int		 i, j;

	memset(was, 0, sizeof(was));
	for (i = 0; i < q->nnodes; i++)
		for (j = 0; j < quorum.nnodes; j++) {
			if (q->nodes[i].nodeid != quorum.nodes[j].nodeid)
				continue;
			was[i] = left[j];
			if (quorum.nodes[j].member && !q->nodes[i].member) {
				was[i] = now;
				changed = now;
			} else if (!quorum.nodes[j].member &&
			    q->nodes[i].member)
				changed = now;
		}
	memcpy(left, was, sizeof(left));
	if (q->ring_seq != quorum.ring_seq)
		changed = now;
}

/* A word from the quorum process, passed on by the parent. */
void
engine_quorum(const struct msg_quorum *in)
{
	struct msg_quorum	 q = *in;
	struct eservice		*s;
	uint64_t		 now = engine_now();
	int			 was = quorum_held(), said;

	q.qdevice_name[sizeof(q.qdevice_name) - 1] = '\0';
	q.reason[sizeof(q.reason) - 1] = '\0';
	if (q.nnodes > QUORUM_MEMBERS_MAX || q.link > QUORUM_REFUSED ||
	    q.policy > QUORUM_POLICY_STRICT)
		fatalx("malformed quorum message from parent");
	if (q.link == QUORUM_OFF) {
		log_warnx("quorum: the parent turned quorum off: ignored");
		return;
	}
	quorum_membership(&q, now);
	if (quorum.link == QUORUM_OFF || quorum.link != q.link ||
	    quorum.quorate != q.quorate)
		since = now;
	/* Without quorum, every new reason is worth a line. */
	said = strcmp(quorum.reason, q.reason) == 0;
	quorum = q;
	if (was != quorum_held() || since == now ||
	    (quorum_held() && !said)) {
		if (quorum_held())
			log_warnx("quorum: not quorate: %s: master of nothing",
			    quorum.reason[0] != '\0' ? quorum.reason :
			    "no reason given");
		else
			log_info("quorum: quorate: %s%s", quorum.reason,
			    quorum.policy == QUORUM_POLICY_STRICT ?
			    ", strict" : "");
	}
	TAILQ_FOREACH(s, engine_services(), entry)
		quorum_service(s, now);
	/* One bowing out of the configuration holds addresses too. */
	TAILQ_FOREACH(s, engine_retiring(), entry)
		quorum_service(s, now);
}

/* A master heard anew: the strict bound depends on who it is. */
void
quorum_master_heard(struct eservice *s, const struct hafod_addr *before)
{
	if (quorum.policy == QUORUM_POLICY_STRICT &&
	    quorum.link != QUORUM_OFF && !addr_eq(before, &s->fsm.master))
		quorum_service(s, engine_now());
}

/* hafoctl show quorum. */
void
engine_quorum_state(struct ctl_quorum *cq)
{
	uint64_t	now = engine_now();

	memset(cq, 0, sizeof(*cq));
	cq->q = quorum;
	if (quorum.link != QUORUM_OFF && since != 0)
		cq->since_ms = (now - since) / 1000;
}
