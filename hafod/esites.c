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
 * The engine's copy of the sites report (hafod.8, SITES), for hafoctl
 * show sites and nothing else: the parent, not the engine, acts on the
 * report.  The quorum process sends it whole, MSG_SITES, a MSG_SITE_ROLE
 * per entity and MSG_SITES_END, and the parent passes it on unchanged;
 * the engine keeps the last whole one, so that a client never sees half
 * of one report and half of the next.
 *
 * The role of this node shown for an entity is worked out here, from
 * the engine's own services as they run now, not from the report: the
 * report says which site may hold the role, the engine knows whether
 * this node is its site's master.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "hafod.h"
#include "log.h"

/* A report: the last whole one, and the one being received. */
struct report {
	struct msg_sites	 s;
	struct msg_site_role	*roles;
	size_t			 nroles;
	size_t			 cap;
};

static struct report	 cur;		/* link QUORUM_OFF: no site */
static struct report	 next;
static int		 receiving;	/* next is under way */
static uint32_t		 generation;	/* of cur, for replies */

static void	sites_begin(const struct msg_sites *);
static void	sites_role(const struct msg_site_role *);
static void	sites_end(void);
static int	entity_master(const struct msg_site_role *);
static int	node_quorate(void);
static uint64_t	age_ms(uint64_t);

/* Sizes were checked by the caller; everything else is checked here. */
void
engine_sites(const struct msg *m)
{
	struct msg_sites	ms;
	struct msg_site_role	mr;

	switch (m->hdr.type) {
	case MSG_SITES:
		memcpy(&ms, m->data, sizeof(ms));
		sites_begin(&ms);
		break;
	case MSG_SITE_ROLE:
		memcpy(&mr, m->data, sizeof(mr));
		sites_role(&mr);
		break;
	case MSG_SITES_END:
		sites_end();
		break;
	default:
		fatalx("sites: not a sites message: %s",
		    msg_type_name(m->hdr.type));
	}
}

/*
 * A new report.  One cut short is dropped: the quorum process may have
 * died in the middle of a report and been started again.
 */
static void
sites_begin(const struct msg_sites *in)
{
	if (receiving)
		log_debug("sites: a report cut short after %zu of %u "
		    "entities: dropped", next.nroles, next.s.nroles);
	if (msg_sites_check(in) == -1)
		fatalx("malformed sites report from parent");
	next.s = *in;
	next.nroles = 0;
	receiving = 1;
}

static void
sites_role(const struct msg_site_role *in)
{
	void	*p;
	size_t	 cap;

	if (!receiving || next.nroles >= next.s.nroles)
		fatalx("site role outside a report from parent");
	if (msg_site_role_check(in, next.s.nsites) == -1)
		fatalx("malformed site role from parent");
	if (next.nroles == next.cap) {
		cap = next.cap == 0 ? 8 : next.cap * 2;
		if ((p = reallocarray(next.roles, cap,
		    sizeof(*next.roles))) == NULL)
			fatal(NULL);
		next.roles = p;
		next.cap = cap;
	}
	next.roles[next.nroles++] = *in;
}

/* The report is whole: it replaces the last, roles array and all. */
static void
sites_end(void)
{
	struct report	tmp;

	if (!receiving || next.nroles != next.s.nroles)
		fatalx("sites report ended early from parent");
	receiving = 0;
	tmp = cur;
	cur = next;
	next = tmp;
	next.nroles = 0;
	generation++;
}

/* hafoctl show sites: the report, with ages and this node's quorum. */
uint32_t
engine_sites_state(struct ctl_sites *cs)
{
	memset(cs, 0, sizeof(*cs));
	cs->s.mysite = SITE_NONE;
	/* Off: no site, before any report or after one that says so. */
	if (cur.s.link != QUORUM_OFF) {
		cs->s = cur.s;
		cs->s.nroles = cur.nroles;
		cs->age_ms = age_ms(cur.s.changed_ms);
	}
	cs->quorate = node_quorate();
	return (generation);
}

/*
 * Entity pos of the report of that generation, with this node's role;
 * -1 past the end, or if another report has come since.
 */
int
engine_site_role(uint32_t gen, unsigned int pos, struct ctl_site_role *cr)
{
	const struct msg_site_role	*r;
	int				 master;

	if (gen != generation || cur.s.link == QUORUM_OFF ||
	    pos >= cur.nroles)
		return (-1);
	r = &cur.roles[pos];
	memset(cr, 0, sizeof(*cr));
	cr->r = *r;
	if (r->controller != SITE_NONE)
		cr->age_ms = age_ms(r->since_ms);
	master = entity_master(r);
	if (!master)
		cr->role = SITE_ROLE_NONE;
	else if (r->grant && node_quorate())
		cr->role = SITE_ROLE_CONTROLLER;
	else
		cr->role = SITE_ROLE_STANDBY;
	return (0);
}

/*
 * Is this node its site's master of the entity: of the service, or of
 * every member of the group (group.c's rule for a group's state)?
 */
static int
entity_master(const struct msg_site_role *r)
{
	struct eservice	*s;
	int		 members = 0;

	TAILQ_FOREACH(s, engine_services(), entry) {
		if (r->kind == SITE_KIND_SERVICE) {
			if (strcmp(s->conf.name, r->name) == 0)
				return (s->fsm.state == CARP_MASTER);
			continue;
		}
		if (strcmp(s->conf.group, r->name) != 0)
			continue;
		if (s->fsm.state != CARP_MASTER)
			return (0);
		members++;
	}
	return (members > 0);
}

/* Quorate as the engine applies it: in contact with corosync, quorate. */
static int
node_quorate(void)
{
	struct ctl_quorum	cq;

	engine_quorum_state(&cq);
	return (cq.q.link == QUORUM_UP && cq.q.quorate);
}

/*
 * Milliseconds since a CLOCK_MONOTONIC time of the quorum process: one
 * clock for every process of the host.  0: not known.
 */
static uint64_t
age_ms(uint64_t then)
{
	uint64_t	now = engine_now() / 1000;

	if (then == 0 || then > now)
		return (0);
	return (now - then);
}
