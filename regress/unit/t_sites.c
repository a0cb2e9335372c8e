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
 * Sites (hafod.8, SITES): the replicated rules of sites.c, driven by a
 * fake CPG.  Nodes sit in views (a partition each); a multicast reaches,
 * in one total order, every node of the sender's view, itself included,
 * and every node sends its word after each membership change and
 * whenever its word changes, as cpg.c does.  After every delivery all
 * the nodes of a view must hold the same decisions.  Each case is named
 * after the rule it checks.
 */

#include <sys/types.h>

#include <atf-c.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hafod.h"
#include "sites.h"

#define NODES		6
#define QMAX		256
#define RELEASE		5000		/* ms: the release bound */
#define T0		1000000		/* ms */

struct node {
	uint32_t		 id;
	const char		*site;
	int			 quorate;
	int			 up;		/* in a view */
	uint32_t		 view;		/* bit i: node i */
	struct sites_table	*t;
	struct msg_site_local	 ent;		/* "db" */
	uint8_t			 last[SITES_WORD_MAX];
	ssize_t			 lastlen;
};

struct sent {
	int			 from;
	uint32_t		 view;
	ssize_t			 len;
	uint8_t			*buf;
};

static struct node	 nodes[NODES];
static int		 nnodes;
static uint64_t		 now;
static struct sent	 q[QMAX];
static size_t		 qhead, qtail;

static void
setup(const char *const *sites, int n, const char *p1, const char *p2,
    int failback)
{
	struct node	*nd;
	int		 i;

	nnodes = n;
	now = T0;
	qhead = qtail = 0;
	for (i = 0; i < n; i++) {
		nd = &nodes[i];
		memset(nd, 0, sizeof(*nd));
		nd->id = i + 1;
		nd->site = sites[i];
		nd->quorate = 1;
		ATF_REQUIRE((nd->t = malloc(sizeof(*nd->t))) != NULL);
		sites_init(nd->t, nd->id, nd->id);
		strlcpy(nd->ent.name, "db", sizeof(nd->ent.name));
		nd->ent.kind = SITE_KIND_SERVICE;
		nd->ent.state = CARP_INIT;
		nd->ent.healthy = 1;
		nd->ent.conf.across = 1;
		nd->ent.conf.failback = failback;
		if (p1 != NULL)
			strlcpy(nd->ent.conf.prefer[nd->ent.conf.nprefer++],
			    p1, SITE_NAME_MAX);
		if (p2 != NULL)
			strlcpy(nd->ent.conf.prefer[nd->ent.conf.nprefer++],
			    p2, SITE_NAME_MAX);
	}
}

/* Messages lost: sent in a view that no longer is. */
static void
drop_queue(void)
{
	while (qhead != qtail)
		free(q[qhead++ % QMAX].buf);
}

static void
teardown(void)
{
	int	i;

	for (i = 0; i < nnodes; i++)
		free(nodes[i].t);
	drop_queue();
}

static void
enqueue(int i, int force)
{
	struct node		*nd = &nodes[i];
	struct sites_word	*w;
	uint8_t			 buf[SITES_WORD_MAX];
	ssize_t			 len;
	struct sent		*s;

	ATF_REQUIRE((w = malloc(sizeof(*w))) != NULL);
	sites_word(nd->t, nd->site, nd->quorate, &nd->ent, 1, w);
	len = sites_encode(w, buf, sizeof(buf));
	free(w);
	ATF_REQUIRE(len > 0);
	if (!force && len == nd->lastlen && memcmp(buf, nd->last, len) == 0)
		return;
	memcpy(nd->last, buf, len);
	nd->lastlen = len;
	ATF_REQUIRE(qtail - qhead < QMAX);
	s = &q[qtail++ % QMAX];
	s->from = i;
	s->view = nd->view;
	s->len = len;
	ATF_REQUIRE((s->buf = malloc(len)) != NULL);
	memcpy(s->buf, buf, len);
}

/*
 * Every node of a view holds the same decisions once synced.  Before,
 * the nodes of two partitions that merge may still hold what each
 * partition decided: nobody acts on that, since nobody is granted.
 */
static void
check_agree(uint32_t view)
{
	const struct sites_table	*a = NULL, *b;
	size_t				 k;
	int				 i;

	for (i = 0; i < nnodes; i++) {
		if (!(view & (1U << i)) || nodes[i].view != view)
			continue;
		b = nodes[i].t;
		if (a == NULL) {
			a = b;
			continue;
		}
		ATF_REQUIRE_EQ(a->synced, b->synced);
		if (!a->synced)
			continue;
		ATF_REQUIRE_EQ(a->ndecisions, b->ndecisions);
		for (k = 0; k < a->ndecisions; k++) {
			ATF_REQUIRE_STREQ(a->decisions[k].name,
			    b->decisions[k].name);
			ATF_REQUIRE_STREQ(a->decisions[k].controller,
			    b->decisions[k].controller);
			ATF_REQUIRE_STREQ(a->decisions[k].target,
			    b->decisions[k].target);
			ATF_REQUIRE_EQ(a->decisions[k].term,
			    b->decisions[k].term);
		}
	}
}

/* Deliver everything in order, with the words it makes nodes send. */
static void
run(void)
{
	struct sent	 s;
	char		 why[128];
	int		 i;

	while (qhead != qtail) {
		s = q[qhead++ % QMAX];
		for (i = 0; i < nnodes; i++)
			if ((s.view & (1U << i)) && nodes[i].view == s.view &&
			    nodes[i].up)
				ATF_REQUIRE_EQ(sites_deliver(nodes[i].t,
				    nodes[s.from].id, nodes[s.from].id, s.buf,
				    s.len, now, why, sizeof(why)), 1);
		free(s.buf);
		check_agree(s.view);
		for (i = 0; i < nnodes; i++)
			if ((s.view & (1U << i)) && nodes[i].view == s.view &&
			    nodes[i].up)
				enqueue(i, 0);
	}
}

/* A membership change seen by the nodes of view, as one partition. */
static void
confchg(uint32_t view)
{
	uint32_t	ids[NODES];
	size_t		n = 0;
	int		i;

	for (i = 0; i < nnodes; i++)
		if (view & (1U << i))
			ids[n++] = nodes[i].id;
	for (i = 0; i < nnodes; i++)
		if (view & (1U << i)) {
			nodes[i].up = 1;
			nodes[i].view = view;
			sites_confchg(nodes[i].t, ids, ids, n, now);
		}
	for (i = 0; i < nnodes; i++)
		if (view & (1U << i))
			enqueue(i, 1);
}

/* A node leaves every view: it hears nothing more (crash, cut off). */
static void
down(int i)
{
	nodes[i].up = 0;
	nodes[i].view = 0;
}

static void
set(int i, int state, int healthy, int holding)
{
	nodes[i].ent.state = state;
	nodes[i].ent.healthy = healthy;
	nodes[i].ent.holding = holding;
	if (nodes[i].up)
		enqueue(i, 0);
}

static const char *
controller(int i)
{
	const struct sites_decision	*d;

	if ((d = sites_decision(nodes[i].t, "db")) == NULL)
		return ("(none)");
	return (d->controller);
}

static uint64_t
term(int i)
{
	const struct sites_decision	*d;

	ATF_REQUIRE((d = sites_decision(nodes[i].t, "db")) != NULL);
	return (d->term);
}

/* This node's report for "db". */
static struct msg_site_role
role(int i, uint64_t *next)
{
	struct msg_sites	s;
	struct msg_site_role	r[4];
	uint64_t		nx;
	size_t			n;

	n = sites_report(nodes[i].t, nodes[i].site, nodes[i].quorate, now,
	    RELEASE, &s, r, 4, next != NULL ? next : &nx);
	ATF_REQUIRE_EQ(n, 1);
	ATF_REQUIRE_EQ(s.nroles, 1);
	ATF_REQUIRE_STREQ(r[0].name, "db");
	return (r[0]);
}

static int
grant(int i)
{
	return (role(i, NULL).grant);
}

/* For random streams: the grant, if the node knows the entity yet. */
static int
may_grant(int i)
{
	struct msg_sites	s;
	struct msg_site_role	r[4];
	uint64_t		nx;

	if (sites_report(nodes[i].t, nodes[i].site, nodes[i].quorate, now,
	    RELEASE, &s, r, 4, &nx) != 1)
		return (0);
	return (r[0].grant);
}

static const char *const two_sites[] = { "east", "east", "west", "west" };

/*
 * Two sites of two nodes, east first in prefer, n1 master and holding,
 * the role at east: where most cases start.
 */
static void
start_east(int failback)
{
	setup(two_sites, 4, "east", "west", failback);
	confchg(0xf);
	run();
	set(0, CARP_MASTER, 1, 0);
	set(2, CARP_MASTER, 1, 0);
	run();
	ATF_REQUIRE_STREQ(controller(0), "east");
	ATF_REQUIRE_EQ(term(0), 1);
	ATF_REQUIRE(grant(0));
	ATF_REQUIRE(!grant(2));
	set(0, CARP_MASTER, 1, 1);
	run();
}

ATF_TC_WITHOUT_HEAD(first_grant_goes_to_first_preferred_eligible);
ATF_TC_BODY(first_grant_goes_to_first_preferred_eligible, tc)
{
	setup(two_sites, 4, "west", NULL, 0);
	confchg(0xf);
	run();
	ATF_CHECK_STREQ(controller(0), "");
	ATF_CHECK(!grant(0));
	set(0, CARP_MASTER, 1, 0);
	run();
	/* Only east eligible: east, though west is preferred. */
	ATF_CHECK_STREQ(controller(1), "east");
	set(2, CARP_MASTER, 1, 0);
	run();
	/* west eligible now, but no failback: the role stays. */
	ATF_CHECK_STREQ(controller(3), "east");
	ATF_CHECK(grant(0) && grant(1) && !grant(2) && !grant(3));
	teardown();
}

/* Members that disagree (a reload half done): the lowest nodeid's. */
ATF_TC_WITHOUT_HEAD(prefer_of_lowest_nodeid_member);
ATF_TC_BODY(prefer_of_lowest_nodeid_member, tc)
{
	int	i;

	setup(two_sites, 4, "east", NULL, 0);
	for (i = 1; i < 4; i++)
		strlcpy(nodes[i].ent.conf.prefer[0], "west", SITE_NAME_MAX);
	set(1, CARP_MASTER, 1, 0);
	set(2, CARP_MASTER, 1, 0);
	confchg(0xf);
	run();
	/* Both eligible at once: n1 says east. */
	ATF_CHECK_STREQ(controller(3), "east");
	teardown();
}

ATF_TC_WITHOUT_HEAD(holder_keeps_role_through_local_master_change);
ATF_TC_BODY(holder_keeps_role_through_local_master_change, tc)
{
	start_east(0);
	/* n1 falls back to backup, n2 becomes east's master. */
	set(0, CARP_BACKUP, 1, 1);
	set(1, CARP_MASTER, 1, 0);
	run();
	ATF_CHECK_STREQ(controller(2), "east");
	ATF_CHECK_EQ(term(2), 1);
	/* n2 is granted at once, with no round trip needed. */
	ATF_CHECK(grant(1));
	ATF_CHECK(!role(0, NULL).release);
	/* n1 crashes while holding: its own site keeps the role at once. */
	down(0);
	confchg(0xe);
	run();
	ATF_CHECK_STREQ(controller(2), "east");
	ATF_CHECK(grant(1));
	ATF_CHECK_EQ(role(1, NULL).wait_ms, 0);
	teardown();
}

ATF_TC_WITHOUT_HEAD(site_lost_moves_by_prefer_after_bound_only);
ATF_TC_BODY(site_lost_moves_by_prefer_after_bound_only, tc)
{
	static const char *const three[] = { "east", "west", "north",
	    "south" };
	uint64_t	next, left;

	setup(three, 4, "east", "south", 0);
	confchg(0xf);
	run();
	set(0, CARP_MASTER, 1, 0);
	set(1, CARP_MASTER, 1, 0);
	set(2, CARP_MASTER, 1, 0);
	set(3, CARP_MASTER, 1, 0);
	run();
	set(0, CARP_MASTER, 1, 1);
	run();
	ATF_REQUIRE_STREQ(controller(1), "east");
	/* east is lost while holding. */
	now += 100;
	left = now;
	down(0);
	confchg(0xe);
	run();
	/* south is preferred over north and west, though last by name. */
	ATF_CHECK_STREQ(controller(1), "south");
	ATF_CHECK_EQ(term(1), 2);
	ATF_CHECK(!grant(3));
	ATF_CHECK_EQ(role(3, &next).wait_ms, RELEASE);
	ATF_CHECK_EQ(next, left + RELEASE);
	now = left + RELEASE - 1;
	ATF_CHECK(!grant(3));
	ATF_CHECK_EQ(role(3, NULL).wait_ms, 1);
	now = left + RELEASE;
	ATF_CHECK(grant(3));
	ATF_CHECK(!grant(1) && !grant(2));
	/* With south gone too: the lowest name of the rest, north. */
	set(3, CARP_MASTER, 1, 1);
	run();
	down(3);
	confchg(0x6);
	run();
	ATF_CHECK_STREQ(controller(1), "north");
	teardown();
}

ATF_TC_WITHOUT_HEAD(no_flap_back_by_default);
ATF_TC_BODY(no_flap_back_by_default, tc)
{
	start_east(0);
	set(0, CARP_INIT, 1, 1);
	set(1, CARP_INIT, 1, 0);
	run();
	/* east not eligible: the role moves once east let go. */
	ATF_CHECK_STREQ(controller(2), "east");
	ATF_CHECK_STREQ(nodes[2].t->decisions[0].target, "west");
	ATF_CHECK(role(0, NULL).release);
	set(0, CARP_INIT, 1, 0);
	run();
	ATF_CHECK_STREQ(controller(2), "west");
	ATF_CHECK(grant(2));
	set(2, CARP_MASTER, 1, 1);
	set(0, CARP_MASTER, 1, 0);
	run();
	/* east is back and preferred: without failback, west keeps it. */
	ATF_CHECK_STREQ(controller(0), "west");
	ATF_CHECK_STREQ(nodes[0].t->decisions[0].target, "west");
	ATF_CHECK(grant(2) && !grant(0));
	teardown();
}

ATF_TC_WITHOUT_HEAD(failback_waits_for_release_handshake);
ATF_TC_BODY(failback_waits_for_release_handshake, tc)
{
	start_east(1);
	set(0, CARP_INIT, 1, 0);
	set(1, CARP_INIT, 1, 0);
	run();
	ATF_REQUIRE_STREQ(controller(2), "west");
	set(2, CARP_MASTER, 1, 1);
	run();
	ATF_REQUIRE_EQ(term(2), 2);
	/* east eligible again: it is preferred, west must let go first. */
	set(0, CARP_MASTER, 1, 0);
	run();
	ATF_CHECK_STREQ(controller(0), "west");
	ATF_CHECK_STREQ(nodes[0].t->decisions[0].target, "east");
	ATF_CHECK(role(2, NULL).release);
	ATF_CHECK(!grant(2));
	ATF_CHECK(!grant(0));
	/* west's standby hook runs; until it is done, no grant to east. */
	set(3, CARP_BACKUP, 1, 0);
	run();
	ATF_CHECK(!grant(0));
	set(2, CARP_MASTER, 1, 0);
	run();
	ATF_CHECK_STREQ(controller(0), "east");
	ATF_CHECK_EQ(term(0), 3);
	ATF_CHECK(grant(0));
	ATF_CHECK(!grant(2));
	ATF_CHECK(!role(2, NULL).release);
	teardown();
}

ATF_TC_WITHOUT_HEAD(unhealthy_site_loses_eligibility);
ATF_TC_BODY(unhealthy_site_loses_eligibility, tc)
{
	start_east(0);
	/* east's master fails a check, its backup is down. */
	set(1, CARP_INIT, 1, 0);
	set(0, CARP_MASTER, 0, 1);
	run();
	ATF_CHECK_STREQ(nodes[0].t->decisions[0].target, "west");
	ATF_CHECK(role(0, NULL).release);
	set(0, CARP_MASTER, 0, 0);
	run();
	ATF_CHECK_STREQ(controller(0), "west");
	/* A healthy backup alone makes a site eligible. */
	set(2, CARP_MASTER, 1, 1);
	set(1, CARP_BACKUP, 1, 0);
	run();
	ATF_CHECK_STREQ(controller(0), "west");
	set(2, CARP_MASTER, 0, 1);
	set(3, CARP_INIT, 1, 0);
	run();
	ATF_CHECK_STREQ(nodes[0].t->decisions[0].target, "east");
	teardown();
}

ATF_TC_WITHOUT_HEAD(not_quorate_freezes_and_never_grants);
ATF_TC_BODY(not_quorate_freezes_and_never_grants, tc)
{
	start_east(0);
	/* This node not quorate: no grant, whatever the table says. */
	nodes[0].quorate = 0;
	ATF_CHECK(!grant(0));
	nodes[0].quorate = 1;
	/* A member says it is not quorate: nothing moves. */
	nodes[3].quorate = 0;
	set(3, CARP_BACKUP, 1, 0);
	set(0, CARP_INIT, 1, 0);
	set(1, CARP_INIT, 1, 0);
	run();
	ATF_CHECK_STREQ(controller(0), "east");
	ATF_CHECK_STREQ(nodes[0].t->decisions[0].target, "east");
	ATF_CHECK_EQ(term(0), 1);
	nodes[3].quorate = 1;
	set(3, CARP_BACKUP, 1, 0);
	run();
	ATF_CHECK_STREQ(controller(0), "west");
	teardown();
}

/*
 * After a membership change, nothing moves until every member has
 * spoken; the site that was granted keeps its grant meanwhile, nobody
 * else gains one.
 */
ATF_TC_WITHOUT_HEAD(unsynced_changes_nothing_keeps_grant);
ATF_TC_BODY(unsynced_changes_nothing_keeps_grant, tc)
{
	char	why[64];

	start_east(0);
	confchg(0xf);
	drop_queue();
	ATF_CHECK(!nodes[0].t->synced);
	ATF_CHECK(grant(0));
	ATF_CHECK(grant(1));
	ATF_CHECK(!grant(2));
	set(0, CARP_INIT, 1, 0);
	set(1, CARP_INIT, 1, 0);
	ATF_REQUIRE_EQ(sites_deliver(nodes[0].t, 1, 1, nodes[0].last,
	    nodes[0].lastlen, now, why, sizeof(why)), 1);
	ATF_REQUIRE_EQ(sites_deliver(nodes[0].t, 2, 2, nodes[1].last,
	    nodes[1].lastlen, now, why, sizeof(why)), 1);
	ATF_REQUIRE_EQ(sites_deliver(nodes[0].t, 3, 3, nodes[2].last,
	    nodes[2].lastlen, now, why, sizeof(why)), 1);
	ATF_CHECK_STREQ(controller(0), "east");
	ATF_CHECK(!nodes[0].t->synced);
	/* Not a member: ignored. */
	ATF_CHECK_EQ(sites_deliver(nodes[0].t, 9, 9, nodes[2].last,
	    nodes[2].lastlen, now, why, sizeof(why)), 0);
	ATF_REQUIRE_EQ(sites_deliver(nodes[0].t, 4, 4, nodes[3].last,
	    nodes[3].lastlen, now, why, sizeof(why)), 1);
	ATF_CHECK(nodes[0].t->synced);
	ATF_CHECK_STREQ(controller(0), "west");
	ATF_CHECK(!grant(0));
	/* n3 heard nothing since the first change: still not granted. */
	nodes[2].quorate = 1;
	confchg(0xf);
	drop_queue();
	ATF_CHECK(!grant(2));
	ATF_CHECK(!grant(0));
	teardown();
}

ATF_TC_WITHOUT_HEAD(merge_takes_holder_then_highest_term);
ATF_TC_BODY(merge_takes_holder_then_highest_term, tc)
{
	start_east(0);
	/* Split: east (n1 n2) and west (n3 n4); east is the minority. */
	nodes[0].quorate = nodes[1].quorate = 0;
	confchg(0x3);
	confchg(0xc);
	run();
	/* The minority froze; west's side moves the role. */
	ATF_CHECK_STREQ(controller(0), "east");
	ATF_CHECK(!grant(0));
	/* Quorate again before its word says so: still no grant. */
	nodes[0].quorate = 1;
	ATF_CHECK(!grant(0));
	nodes[0].quorate = 0;
	ATF_CHECK_STREQ(controller(2), "west");
	ATF_CHECK_EQ(term(2), 2);
	now += RELEASE;
	ATF_CHECK(grant(2));
	set(2, CARP_MASTER, 1, 1);
	set(0, CARP_MASTER, 1, 0);
	run();
	/* Healed: east lost quorum and let go; west holds, term 2 wins. */
	nodes[0].quorate = nodes[1].quorate = 1;
	confchg(0xf);
	/* The minority's frozen belief grants nothing until synced. */
	ATF_CHECK(!grant(0));
	ATF_CHECK(grant(2));
	run();
	ATF_CHECK_STREQ(controller(0), "west");
	ATF_CHECK_EQ(term(0), 2);
	ATF_CHECK(grant(2) && !grant(0));
	/*
	 * No holder anywhere: the belief of the highest term wins, even
	 * against the lower name of a belief with a lower term.
	 */
	set(2, CARP_MASTER, 1, 0);
	set(0, CARP_MASTER, 1, 0);
	run();
	ATF_CHECK_STREQ(controller(0), "west");
	confchg(0xf);
	run();
	ATF_CHECK_STREQ(controller(0), "west");
	ATF_CHECK_EQ(term(1), 2);
	teardown();
}

/*
 * One table, two members, each with a word whose belief and term the
 * case sets: what the merge after the membership change makes of them.
 */
static void
merge_two(int hold1, uint64_t term1, int hold2, uint64_t term2,
    const char *expect, uint64_t expect_term)
{
	struct sites_table	*t;
	struct sites_word	*w;
	struct msg_site_local	 l;
	uint8_t			 buf[SITES_WORD_MAX];
	uint32_t		 ids[2] = { 1, 2 };
	ssize_t			 len;
	char			 why[64];

	ATF_REQUIRE((t = malloc(sizeof(*t))) != NULL);
	ATF_REQUIRE((w = malloc(sizeof(*w))) != NULL);
	sites_init(t, 1, 1);
	sites_confchg(t, ids, ids, 2, T0);
	memset(&l, 0, sizeof(l));
	strlcpy(l.name, "db", sizeof(l.name));
	l.state = CARP_MASTER;
	l.healthy = 1;
	l.holding = hold1;
	sites_word(t, "west", 1, &l, 1, w);
	w->entities[0].belief = 0;
	w->entities[0].term = term1;
	len = sites_encode(w, buf, sizeof(buf));
	ATF_REQUIRE(len > 0);
	ATF_REQUIRE_EQ(sites_deliver(t, 1, 1, buf, len, T0, why,
	    sizeof(why)), 1);
	l.holding = hold2;
	sites_word(t, "east", 1, &l, 1, w);
	w->entities[0].belief = 0;
	w->entities[0].term = term2;
	len = sites_encode(w, buf, sizeof(buf));
	ATF_REQUIRE(len > 0);
	ATF_REQUIRE_EQ(sites_deliver(t, 2, 2, buf, len, T0, why,
	    sizeof(why)), 1);
	ATF_CHECK_STREQ(sites_decision(t, "db")->controller, expect);
	ATF_CHECK_EQ(sites_decision(t, "db")->term, expect_term);
	free(w);
	free(t);
}

ATF_TC_WITHOUT_HEAD(merge_holders_and_beliefs_by_term_then_name);
ATF_TC_BODY(merge_holders_and_beliefs_by_term_then_name, tc)
{
	/* A holder wins over a belief of a higher term. */
	merge_two(1, 3, 0, 9, "west", 9);
	merge_two(0, 9, 1, 3, "east", 9);
	/* Two holders: the higher term, then the lower name. */
	merge_two(1, 7, 1, 5, "west", 7);
	merge_two(1, 5, 1, 5, "east", 5);
	/* No holder: the belief of the higher term, then the lower name. */
	merge_two(0, 7, 0, 5, "west", 7);
	merge_two(0, 5, 0, 7, "east", 7);
	merge_two(0, 6, 0, 6, "east", 6);
}

/* A partition is quorate with 4 of the 6 nodes, as votequorum says. */
static void
split(uint32_t view)
{
	int	i;

	if (view == 0)
		return;
	for (i = 0; i < nnodes; i++)
		if (view & (1U << i))
			nodes[i].quorate = __builtin_popcount(view) >= 4;
	confchg(view);
}

/* Whatever happens, the nodes granted the role are of one site. */
static void
one_site_granted(void)
{
	const char	*site = NULL;
	int		 i;

	for (i = 0; i < nnodes; i++) {
		if (!nodes[i].up || !may_grant(i))
			continue;
		if (site == NULL)
			site = nodes[i].site;
		ATF_REQUIRE_STREQ(site, nodes[i].site);
	}
}

/*
 * A stream of random events: the members of a view never disagree, and
 * never are two sites granted the role at once.
 */
ATF_TC_WITHOUT_HEAD(determinism_random_streams);
ATF_TC_BODY(determinism_random_streams, tc)
{
	static const char *const sites6[] = { "a", "a", "b", "b", "c", "c" };
	unsigned int	seed;
	int		step, i, r;
	uint32_t	view;

	for (seed = 1; seed <= 20; seed++) {
		srandom(seed);
		setup(sites6, 6, "b", "c", seed & 1);
		/* Not all agree on prefer. */
		strlcpy(nodes[seed % 6].ent.conf.prefer[0], "a",
		    SITE_NAME_MAX);
		confchg(0x3f);
		run();
		for (step = 0; step < 300; step++) {
			r = random() % 10;
			i = random() % 6;
			now += random() % 3000;
			if (r == 0) {
				view = (random() % 63) + 1;
				split(view);
				split(0x3f & ~view);
			} else if (r == 1) {
				split(0x3f);
			} else {
				/* holding only where granted, as psites.c */
				nodes[i].ent.state = random() % 3;
				set(i, nodes[i].ent.state, random() % 4 != 0,
				    nodes[i].up &&
				    nodes[i].ent.state == CARP_MASTER &&
				    may_grant(i));
			}
			/* Some messages delivered, the rest later. */
			if (random() % 2)
				run();
			one_site_granted();
		}
		run();
		teardown();
	}
}

/* The word of the codec cases: two sites, entities "a" and "b". */
static struct sites_word *
small_word(void)
{
	struct sites_word	*w;
	int			 i;

	ATF_REQUIRE((w = calloc(1, sizeof(*w))) != NULL);
	w->quorate = 1;
	w->nsites = 2;
	strlcpy(w->sites[0], "east", SITE_NAME_MAX);
	strlcpy(w->sites[1], "west", SITE_NAME_MAX);
	w->nentities = 2;
	for (i = 0; i < 2; i++) {
		w->entities[i].name[0] = 'a' + i;
		w->entities[i].kind = i;
		w->entities[i].state = CARP_MASTER;
		w->entities[i].healthy = 1;
		w->entities[i].holding = i;
		w->entities[i].failback = 1;
		w->entities[i].nprefer = 2;
		w->entities[i].prefer[0] = 1;
		w->entities[i].prefer[1] = 0;
		w->entities[i].belief = 1;
		w->entities[i].term = 0x0102030405060708ULL;
	}
	return (w);
}

static int
same_word(const struct sites_word *a, const struct sites_word *b)
{
	return (a->nentities == b->nentities &&
	    memcmp(a, b, offsetof(struct sites_word, entities) +
	    a->nentities * sizeof(a->entities[0])) == 0);
}

ATF_TC_WITHOUT_HEAD(codec_round_trip);
ATF_TC_BODY(codec_round_trip, tc)
{
	struct sites_word	*w, *d;
	uint8_t			 buf[SITES_WORD_MAX];
	ssize_t			 len;
	char			 why[64];
	int			 i, j;

	w = small_word();
	ATF_REQUIRE((d = malloc(sizeof(*d))) != NULL);
	len = sites_encode(w, buf, sizeof(buf));
	ATF_REQUIRE_EQ(len, 52);
	/* Big-endian, as documented. */
	ATF_CHECK_EQ(buf[0], SITES_WORD_VERSION);
	ATF_CHECK_EQ(buf[27], 0x01);
	ATF_CHECK_EQ(buf[34], 0x08);
	ATF_REQUIRE_EQ(sites_decode(buf, len, d, why, sizeof(why)), 0);
	ATF_CHECK(same_word(w, d));
	/* No room: refused, not cut. */
	ATF_CHECK_EQ(sites_encode(w, buf, 51), -1);

	/* The largest word: every field at its longest. */
	memset(w, 0, sizeof(*w));
	w->nsites = SITES_MAX;
	for (i = 0; i < SITES_MAX; i++) {
		memset(w->sites[i], 'a' + i, SITE_NAME_MAX - 1);
		w->sites[i][SITE_NAME_MAX - 1] = '\0';
	}
	w->nentities = SITES_ENTITIES_MAX;
	for (i = 0; i < SITES_ENTITIES_MAX; i++) {
		memset(w->entities[i].name, 'x', SERVICE_NAME_MAX - 1);
		(void)snprintf(w->entities[i].name + 20, 11, "%010d", i);
		w->entities[i].state = CARP_LINKDOWN;
		w->entities[i].kind = SITE_KIND_GROUP;
		w->entities[i].nprefer = SITES_MAX;
		for (j = 0; j < SITES_MAX; j++)
			w->entities[i].prefer[j] = SITES_MAX - 1 - j;
		w->entities[i].belief = SITE_NONE;
		w->entities[i].term = UINT64_MAX - i;
	}
	len = sites_encode(w, buf, sizeof(buf));
	ATF_REQUIRE(len > 0 && len <= SITES_WORD_MAX);
	ATF_REQUIRE_EQ(sites_decode(buf, len, d, why, sizeof(why)), 0);
	ATF_CHECK(same_word(w, d));
	/* Out of order or a bad name: the encoder refuses it too. */
	w->entities[1].name[20] = '/';
	ATF_CHECK_EQ(sites_encode(w, buf, sizeof(buf)), -1);
	w->nsites = 0;
	ATF_CHECK_EQ(sites_encode(w, buf, sizeof(buf)), -1);
	free(w);
	free(d);
}

/* The word of small_word() with byte off set to v: refused. */
static void
refused(int off, uint8_t v, const char *expect)
{
	struct sites_word	*w, *d;
	uint8_t			 buf[SITES_WORD_MAX];
	ssize_t			 len;
	char			 why[64];

	w = small_word();
	ATF_REQUIRE((d = malloc(sizeof(*d))) != NULL);
	len = sites_encode(w, buf, sizeof(buf));
	ATF_REQUIRE_EQ(len, 52);
	buf[off] = v;
	ATF_CHECK_EQ_MSG(sites_decode(buf, len, d, why, sizeof(why)), -1,
	    "byte %d = %u accepted", off, v);
	ATF_CHECK_MSG(strstr(why, expect) != NULL,
	    "byte %d = %u: \"%s\", not \"%s\"", off, v, why, expect);
	free(w);
	free(d);
}

ATF_TC_WITHOUT_HEAD(codec_rejects_every_malformed_shape);
ATF_TC_BODY(codec_rejects_every_malformed_shape, tc)
{
	struct sites_word	*w, *d;
	uint8_t			 buf[SITES_WORD_MAX + 1];
	ssize_t			 len, n;
	char			 why[64];

	refused(0, 2, "version");
	refused(0, 0, "version");
	refused(1, 3, "reserved");
	refused(3, 1, "reserved");
	refused(6, 1, "reserved");
	refused(7, 1, "reserved");
	refused(2, 0, "number of sites");
	refused(2, 9, "number of sites");
	refused(4, 2, "too many");		/* 514 */
	refused(5, 3, "truncated");
	refused(5, 1, "trailing");
	refused(8, 0, "name length");
	refused(8, 32, "name length");
	refused(9, '#', "bad name");
	refused(14, '/', "bad name");
	refused(18, 0, "name length");
	refused(19, ' ', "bad name");
	refused(36, 'a', "out of order");
	refused(36, '0', "out of order");
	refused(20, 2, "kind");
	refused(21, CARP_STATE_MAX, "state");
	refused(22, 0x08, "reserved");
	refused(23, 9, "preferred sites");
	refused(24, 2, "site index");
	refused(25, 1, "preferred twice");
	refused(26, 2, "site index");
	refused(26, 254, "site index");

	w = small_word();
	ATF_REQUIRE((d = malloc(sizeof(*d))) != NULL);
	/* A site named twice. */
	strlcpy(w->sites[1], "east", SITE_NAME_MAX);
	len = sites_encode(w, buf, sizeof(buf));
	ATF_REQUIRE(len > 0);
	ATF_CHECK_EQ(sites_decode(buf, len, d, why, sizeof(why)), -1);
	ATF_CHECK(strstr(why, "site twice") != NULL);
	strlcpy(w->sites[1], "west", SITE_NAME_MAX);
	/* Every truncation, and a byte too many. */
	len = sites_encode(w, buf, sizeof(buf));
	for (n = 0; n < len; n++)
		ATF_CHECK_EQ_MSG(sites_decode(buf, n, d, why, sizeof(why)),
		    -1, "%zd bytes of %zd accepted", n, len);
	buf[len] = 0;
	ATF_CHECK_EQ(sites_decode(buf, len + 1, d, why, sizeof(why)), -1);
	/* No belief is fine. */
	buf[26] = SITE_NONE;
	ATF_CHECK_EQ(sites_decode(buf, len, d, why, sizeof(why)), 0);
	free(w);
	free(d);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, first_grant_goes_to_first_preferred_eligible);
	ATF_TP_ADD_TC(tp, prefer_of_lowest_nodeid_member);
	ATF_TP_ADD_TC(tp, holder_keeps_role_through_local_master_change);
	ATF_TP_ADD_TC(tp, site_lost_moves_by_prefer_after_bound_only);
	ATF_TP_ADD_TC(tp, no_flap_back_by_default);
	ATF_TP_ADD_TC(tp, failback_waits_for_release_handshake);
	ATF_TP_ADD_TC(tp, unhealthy_site_loses_eligibility);
	ATF_TP_ADD_TC(tp, not_quorate_freezes_and_never_grants);
	ATF_TP_ADD_TC(tp, unsynced_changes_nothing_keeps_grant);
	ATF_TP_ADD_TC(tp, merge_takes_holder_then_highest_term);
	ATF_TP_ADD_TC(tp, merge_holders_and_beliefs_by_term_then_name);
	ATF_TP_ADD_TC(tp, determinism_random_streams);
	ATF_TP_ADD_TC(tp, codec_round_trip);
	ATF_TP_ADD_TC(tp, codec_rejects_every_malformed_shape);
	return (atf_no_error());
}
