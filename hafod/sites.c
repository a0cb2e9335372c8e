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
 * Sites: the replicated rules (hafod.8, ACROSS SITES).  Every member of
 * the CPG group applies these functions to the same ordered stream of
 * membership changes (sites_confchg) and words (sites_deliver, decoded
 * by sites_wire.c), so every member holds the same decisions: nothing
 * here may depend on this node, its clock (but for since_ms and the
 * left-while-holding bound, which only the report reads) or the order
 * of anything but the stream.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hafod.h"
#include "sites.h"

void
sites_init(struct sites_table *t, uint32_t myid, uint32_t mypid)
{
	memset(t, 0, sizeof(*t));
	t->myid = myid;
	t->mypid = mypid;
}

static const struct sites_entity *
word_entity(const struct sites_word *w, const char *name)
{
	size_t	lo = 0, hi = w->nentities, mid;
	int	c;

	/* Words are sorted by name: sites_decode() made sure. */
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = strcmp(name, w->entities[mid].name)) == 0)
			return (&w->entities[mid]);
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return (NULL);
}

static const char *
word_site(const struct sites_word *w, uint8_t i)
{
	return (i == SITE_NONE || i >= w->nsites ? "" : w->sites[i]);
}

/* Decisions are kept in order of name (entities_update()). */
static ssize_t
decision_index(const struct sites_table *t, const char *name)
{
	size_t	lo = 0, hi = t->ndecisions, mid;
	int	c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = strcmp(name, t->decisions[mid].name)) == 0)
			return ((ssize_t)mid);
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return (-1);
}

static struct sites_decision *
decision_find(struct sites_table *t, const char *name)
{
	ssize_t	i;

	return ((i = decision_index(t, name)) == -1 ? NULL :
	    &t->decisions[i]);
}

const struct sites_decision *
sites_decision(const struct sites_table *t, const char *name)
{
	ssize_t	i;

	return ((i = decision_index(t, name)) == -1 ? NULL :
	    &t->decisions[i]);
}

static int
member_cmp(uint32_t n1, uint32_t p1, uint32_t n2, uint32_t p2)
{
	if (n1 != n2)
		return (n1 < n2 ? -1 : 1);
	if (p1 != p2)
		return (p1 < p2 ? -1 : 1);
	return (0);
}

static int
all_quorate(const struct sites_table *t)
{
	size_t	i;

	for (i = 0; i < t->nmembers; i++)
		if (!t->members[i].word.quorate)
			return (0);
	return (1);
}

/*
 * A new membership (CPG's member list, as nodeids and pids).  Rows of
 * members that left go; every member must speak again before any
 * decision changes.  A member that left while holding an entity starts
 * that entity's release bound here, on this node's clock.
 *
 * The agreement that ends here, if every member was quorate in it, goes
 * on granting until the next one is made (kept): nobody else can be
 * granted before every member has heard the holder say it holds the
 * role, or before the release bound if the holder is gone, so a change
 * of membership elsewhere does not make the controller let go and take
 * the role again.
 */
void
sites_confchg(struct sites_table *t, const uint32_t *nodeids,
    const uint32_t *pids, size_t n, uint64_t now)
{
	struct sites_member		*old, *m;
	const struct sites_entity	*e;
	struct sites_decision		*d;
	size_t				 i, j, k, nold;

	if (t->synced)
		t->kept = all_quorate(t);
	if ((old = calloc(t->nmembers ? t->nmembers : 1, sizeof(*old))) ==
	    NULL)
		abort();
	nold = t->nmembers;
	memcpy(old, t->members, nold * sizeof(*old));
	t->nmembers = 0;
	/* Sorted by (nodeid, pid), the first QUORUM_MEMBERS_MAX only. */
	for (i = 0; i < n; i++) {
		for (j = 0; j < t->nmembers; j++)
			if (member_cmp(nodeids[i], pids[i],
			    t->members[j].nodeid, t->members[j].pid) <= 0)
				break;
		if (j < t->nmembers && t->members[j].nodeid == nodeids[i] &&
		    t->members[j].pid == pids[i])
			continue;
		if (j == QUORUM_MEMBERS_MAX)
			continue;
		if (t->nmembers == QUORUM_MEMBERS_MAX)
			t->nmembers--;
		memmove(&t->members[j + 1], &t->members[j],
		    (t->nmembers - j) * sizeof(t->members[0]));
		m = &t->members[j];
		memset(m, 0, sizeof(*m));
		m->nodeid = nodeids[i];
		m->pid = pids[i];
		for (k = 0; k < nold; k++)
			if (old[k].nodeid == m->nodeid && old[k].pid == m->pid)
				m->word = old[k].word;
		t->nmembers++;
	}
	for (k = 0; k < nold; k++) {
		for (j = 0; j < t->nmembers; j++)
			if (old[k].nodeid == t->members[j].nodeid &&
			    old[k].pid == t->members[j].pid)
				break;
		if (j < t->nmembers)
			continue;
		/*
		 * A member that held the role, or of the site that holds
		 * it: a node of that site may have taken the role from a
		 * dead one and not been heard since, so the bound counts
		 * from the last of them to leave.
		 */
		for (i = 0; i < t->ndecisions; i++) {
			d = &t->decisions[i];
			e = word_entity(&old[k].word, d->name);
			if ((e == NULL || !e->holding) &&
			    (old[k].word.nsites == 0 || d->controller[0] ==
			    '\0' || strcmp(old[k].word.sites[0],
			    d->controller) != 0))
				continue;
			d->left_at_ms = now;
			strlcpy(d->left_site, old[k].word.sites[0],
			    sizeof(d->left_site));
		}
	}
	free(old);
	for (j = 0; j < t->nmembers; j++)
		t->members[j].synced = 0;
	t->synced = 0;
	t->changed_ms = now;
}

/*
 * Who holds the role after a membership change: the site of a member
 * that says it holds it (several: the highest term, then the lowest
 * name), else the belief of the highest term (then the lowest name).
 * The term is the highest any member knows.
 */
static void
merge(const struct sites_table *t, const char *name, char *controller,
    uint64_t *term)
{
	const struct sites_member	*m;
	const struct sites_entity	*e;
	const char			*s;
	uint64_t			 hterm = 0, bterm = 0;
	char				 hsite[SITE_NAME_MAX] = "";
	char				 bsite[SITE_NAME_MAX] = "";
	size_t				 i;

	*term = 0;
	for (i = 0; i < t->nmembers; i++) {
		m = &t->members[i];
		if ((e = word_entity(&m->word, name)) == NULL)
			continue;
		if (e->term > *term)
			*term = e->term;
		s = m->word.sites[0];
		if (e->holding && (hsite[0] == '\0' || e->term > hterm ||
		    (e->term == hterm && strcmp(s, hsite) < 0))) {
			strlcpy(hsite, s, sizeof(hsite));
			hterm = e->term;
		}
		s = word_site(&m->word, e->belief);
		if (s[0] != '\0' && (bsite[0] == '\0' || e->term > bterm ||
		    (e->term == bterm && strcmp(s, bsite) < 0))) {
			strlcpy(bsite, s, sizeof(bsite));
			bterm = e->term;
		}
	}
	strlcpy(controller, hsite[0] != '\0' ? hsite : bsite, SITE_NAME_MAX);
}

/*
 * The entities the members' words name, in order of name, the first
 * SITES_ENTITIES_MAX; each keeps its decision, a new one (or every one,
 * after a membership change) starts from the members' beliefs.
 */
static void
entities_update(struct sites_table *t, int remerge, uint64_t now)
{
	struct sites_decision		*nd, *d, *od;
	const struct sites_word		*w;
	const char			*next;
	char				 controller[SITE_NAME_MAX];
	uint64_t			 term;
	size_t				 cur[QUORUM_MEMBERS_MAX];
	size_t				 i, n = 0;

	if ((nd = calloc(SITES_ENTITIES_MAX, sizeof(*nd))) == NULL)
		abort();
	memset(cur, 0, sizeof(cur));
	/* A merge of the members' sorted lists. */
	while (n < SITES_ENTITIES_MAX) {
		next = NULL;
		for (i = 0; i < t->nmembers; i++) {
			w = &t->members[i].word;
			if (cur[i] < w->nentities && (next == NULL ||
			    strcmp(w->entities[cur[i]].name, next) < 0))
				next = w->entities[cur[i]].name;
		}
		if (next == NULL)
			break;
		d = &nd[n++];
		if ((od = decision_find(t, next)) != NULL)
			*d = *od;
		strlcpy(d->name, next, sizeof(d->name));
		d->kind = SITE_KIND_SERVICE;
		for (i = 0; i < t->nmembers; i++) {
			w = &t->members[i].word;
			if (cur[i] < w->nentities &&
			    strcmp(w->entities[cur[i]].name, d->name) == 0) {
				if (d->kind == SITE_KIND_SERVICE)
					d->kind = w->entities[cur[i]].kind;
				cur[i]++;
			}
		}
		if (remerge || od == NULL) {
			merge(t, d->name, controller, &term);
			if (od == NULL || strcmp(controller,
			    d->controller) != 0)
				d->since_ms = now;
			strlcpy(d->controller, controller,
			    sizeof(d->controller));
			strlcpy(d->target, controller, sizeof(d->target));
			d->term = term;
		}
	}
	memcpy(t->decisions, nd, n * sizeof(*nd));
	t->ndecisions = n;
	free(nd);
}

/*
 * A site with a healthy member in state master or backup; with
 * need_master, a healthy master: the role goes back to a preferred site
 * only once that site has elected, so that no site holds it meanwhile.
 */
static int
eligible(const struct sites_table *t, const char *name, const char *site,
    int need_master)
{
	const struct sites_entity	*e;
	size_t				 i;

	if (site[0] == '\0')
		return (0);
	for (i = 0; i < t->nmembers; i++) {
		if (strcmp(t->members[i].word.sites[0], site) != 0 ||
		    (e = word_entity(&t->members[i].word, name)) == NULL)
			continue;
		if ((e->state == CARP_MASTER ||
		    (e->state == CARP_BACKUP && !need_master)) && e->healthy)
			return (1);
	}
	return (0);
}

static void
decide(struct sites_table *t, struct sites_decision *d, uint64_t now)
{
	const struct sites_member	*rep = NULL, *m;
	const struct sites_entity	*e, *re = NULL;
	const char			*s, *best = NULL;
	char				 target[SITE_NAME_MAX];
	size_t				 i, cpos;
	int				 keep;

	/* prefer and failback: the lowest nodeid's that has the entity. */
	for (i = 0; i < t->nmembers && rep == NULL; i++)
		if ((re = word_entity(&t->members[i].word, d->name)) != NULL)
			rep = &t->members[i];
	if (rep == NULL)
		return;
	cpos = re->nprefer;
	for (i = 0; i < re->nprefer; i++)
		if (strcmp(word_site(&rep->word, re->prefer[i]),
		    d->controller) == 0)
			cpos = i;
	keep = eligible(t, d->name, d->controller, 0);
	if (keep && re->failback)
		for (i = 0; i < cpos; i++)
			if (eligible(t, d->name, word_site(&rep->word,
			    re->prefer[i]), 1))
				keep = 0;
	if (keep)
		strlcpy(target, d->controller, sizeof(target));
	else {
		/* The first eligible in prefer, else the lowest name. */
		for (i = 0; i < re->nprefer && best == NULL; i++)
			if (eligible(t, d->name, word_site(&rep->word,
			    re->prefer[i]), 0))
				best = word_site(&rep->word, re->prefer[i]);
		if (best == NULL)
			for (i = 0; i < t->nmembers; i++) {
				s = t->members[i].word.sites[0];
				if (eligible(t, d->name, s, 0) &&
				    (best == NULL || strcmp(s, best) < 0))
					best = s;
			}
		strlcpy(target, best != NULL ? best : d->controller,
		    sizeof(target));
	}
	strlcpy(d->target, target, sizeof(d->target));
	if (strcmp(target, d->controller) == 0)
		return;
	/* The old site must have let go: nobody elsewhere holds it. */
	for (i = 0; i < t->nmembers; i++) {
		m = &t->members[i];
		if (strcmp(m->word.sites[0], target) != 0 &&
		    (e = word_entity(&m->word, d->name)) != NULL && e->holding)
			return;
	}
	strlcpy(d->controller, target, sizeof(d->controller));
	d->term++;
	d->since_ms = now;
}

/*
 * A word from a member, in CPG's order.  1: taken; 0: not from a member,
 * ignored; -1: malformed, ignored, the reason in why.  Once every member
 * has spoken since the last membership change, beliefs are merged; from
 * then on, each word may move the role, but only while every member says
 * it is quorate.
 */
int
sites_deliver(struct sites_table *t, uint32_t nodeid, uint32_t pid,
    const void *buf, size_t len, uint64_t now, char *why, size_t whylen)
{
	struct sites_member	*m = NULL;
	struct sites_word	*w;
	size_t			 i;
	int			 remerge = 0;

	for (i = 0; i < t->nmembers; i++)
		if (t->members[i].nodeid == nodeid &&
		    t->members[i].pid == pid)
			m = &t->members[i];
	if (m == NULL)
		return (0);
	if ((w = malloc(sizeof(*w))) == NULL)
		abort();
	if (sites_decode(buf, len, w, why, whylen) == -1) {
		free(w);
		return (-1);
	}
	memcpy(&m->word, w, sizeof(*w));
	free(w);
	m->synced = 1;
	if (!t->synced) {
		for (i = 0; i < t->nmembers; i++)
			if (!t->members[i].synced)
				return (1);
		t->synced = 1;
		remerge = 1;
	}
	entities_update(t, remerge, now);
	if (!all_quorate(t))
		return (1);
	for (i = 0; i < t->ndecisions; i++)
		decide(t, &t->decisions[i], now);
	return (1);
}

/* The index of name in a word's site table, added if room; or none. */
static uint8_t
word_site_add(struct sites_word *w, const char *name)
{
	uint8_t	i;

	if (!sites_cstr_ok(name, SITE_NAME_MAX))
		return (SITE_NONE);
	for (i = 0; i < w->nsites; i++)
		if (strcmp(w->sites[i], name) == 0)
			return (i);
	if (w->nsites == SITES_MAX)
		return (SITE_NONE);
	strlcpy(w->sites[w->nsites], name, sizeof(w->sites[0]));
	return (w->nsites++);
}

/*
 * This node's word: its site, whether it is quorate, its entities as the
 * parent said, each with this node's belief of where the role is.
 * Entities with a bad name or a name seen before are left out; so are
 * preferred sites beyond the room of the table.
 */
void
sites_word(const struct sites_table *t, const char *mysite, int quorate,
    const struct msg_site_local *l, size_t n, struct sites_word *w)
{
	const struct sites_decision	*d;
	struct sites_entity		*e;
	char				 name[SITE_NAME_MAX];
	size_t				 i, j, k, m, np;
	uint8_t				 si;

	memset(w, 0, offsetof(struct sites_word, entities));
	w->quorate = quorate != 0;
	(void)word_site_add(w, mysite);
	for (i = 0; i < n; i++) {
		if (!sites_cstr_ok(l[i].name, SERVICE_NAME_MAX))
			continue;
		/* In order of name: insertion, there are few. */
		for (j = 0; j < w->nentities; j++)
			if (strcmp(l[i].name, w->entities[j].name) <= 0)
				break;
		if (j < w->nentities &&
		    strcmp(l[i].name, w->entities[j].name) == 0)
			continue;
		if (w->nentities == SITES_ENTITIES_MAX)
			break;
		memmove(&w->entities[j + 1], &w->entities[j],
		    (w->nentities - j) * sizeof(w->entities[0]));
		w->nentities++;
		e = &w->entities[j];
		memset(e, 0, sizeof(*e));
		strlcpy(e->name, l[i].name, sizeof(e->name));
		e->kind = l[i].kind == SITE_KIND_GROUP ? SITE_KIND_GROUP :
		    SITE_KIND_SERVICE;
		e->state = l[i].state < CARP_STATE_MAX ? l[i].state : CARP_INIT;
		e->healthy = l[i].healthy != 0;
		e->holding = l[i].holding != 0;
		e->failback = l[i].conf.failback != 0;
		np = l[i].conf.nprefer > SITES_MAX ? SITES_MAX :
		    l[i].conf.nprefer;
		for (k = 0; k < np; k++) {
			strlcpy(name, l[i].conf.prefer[k], sizeof(name));
			if ((si = word_site_add(w, name)) == SITE_NONE)
				continue;
			for (m = 0; m < e->nprefer; m++)
				if (e->prefer[m] == si)
					break;
			if (m == e->nprefer)
				e->prefer[e->nprefer++] = si;
		}
		e->belief = SITE_NONE;
		if ((d = sites_decision(t, e->name)) != NULL) {
			e->term = d->term;
			if (d->controller[0] != '\0')
				e->belief = word_site_add(w, d->controller);
		}
	}
}

/* The report's site table: every site it names, in order of name. */
static void
report_site(struct msg_sites *s, const char *name)
{
	size_t	i;

	if (name[0] == '\0')
		return;
	for (i = 0; i < s->nsites; i++) {
		if (strcmp(s->sites[i], name) == 0)
			return;
		if (strcmp(s->sites[i], name) > 0)
			break;
	}
	if (s->nsites == SITES_MAX)
		return;
	memmove(&s->sites[i + 1], &s->sites[i],
	    (s->nsites - i) * sizeof(s->sites[0]));
	strlcpy(s->sites[i], name, sizeof(s->sites[0]));
	s->nsites++;
}

static uint8_t
report_index(const struct msg_sites *s, const char *name)
{
	uint8_t	i;

	for (i = 0; i < s->nsites; i++)
		if (strcmp(s->sites[i], name) == 0)
			return (i);
	return (SITE_NONE);
}

/*
 * What this node makes of the table now: the report for the parent,
 * with at most maxroles roles (their number is returned).  Local: grant
 * says whether this node's site may hold the role now, which needs this
 * node and every member's word quorate, the group synced (or the role
 * kept from before the change), and, when a holder of another site, or
 * the last node of the controller's, left the membership, release_ms
 * since.  *next_ms: when a bound ends that a grant waits for (0: none),
 * for a timer to report again.
 */
size_t
sites_report(const struct sites_table *t, const char *mysite, int quorate,
    uint64_t now, uint32_t release_ms, struct msg_sites *s,
    struct msg_site_role *roles, size_t maxroles, uint64_t *next_ms)
{
	const struct sites_decision	*d;
	const struct sites_member	*m;
	const struct sites_entity	*e;
	struct msg_site_role		*r;
	struct site_member		*sm;
	uint64_t			 end;
	size_t				 i, j, n;
	uint8_t				 si;

	memset(s, 0, sizeof(*s));
	*next_ms = 0;
	report_site(s, mysite);
	for (i = 0; i < t->nmembers; i++)
		if (t->members[i].word.nsites > 0)
			report_site(s, t->members[i].word.sites[0]);
	for (i = 0; i < t->ndecisions; i++) {
		report_site(s, t->decisions[i].controller);
		report_site(s, t->decisions[i].target);
	}
	s->synced = t->synced;
	s->mysite = report_index(s, mysite);
	s->nodeid = t->myid;
	s->changed_ms = t->changed_ms;
	for (i = 0; i < t->nmembers; i++) {
		m = &t->members[i];
		sm = &s->members[s->nmembers++];
		sm->nodeid = m->nodeid;
		sm->site = m->word.nsites > 0 ?
		    report_index(s, m->word.sites[0]) : SITE_NONE;
		sm->quorate = m->word.quorate;
		sm->synced = m->synced;
	}
	n = t->ndecisions < maxroles ? t->ndecisions : maxroles;
	s->nroles = n;
	for (i = 0; i < n; i++) {
		d = &t->decisions[i];
		r = &roles[i];
		memset(r, 0, sizeof(*r));
		strlcpy(r->name, d->name, sizeof(r->name));
		r->kind = d->kind;
		r->controller = report_index(s, d->controller);
		r->target = report_index(s, d->target);
		r->term = d->term;
		r->since_ms = d->since_ms;
		r->release = d->controller[0] != '\0' &&
		    strcmp(d->controller, mysite) == 0 &&
		    strcmp(d->target, d->controller) != 0;
		if (d->left_site[0] != '\0' && d->controller[0] != '\0' &&
		    strcmp(d->left_site, d->controller) != 0) {
			end = d->left_at_ms + release_ms;
			if (now < end) {
				r->wait_ms = end - now > UINT32_MAX ?
				    UINT32_MAX : (uint32_t)(end - now);
				if (*next_ms == 0 || end < *next_ms)
					*next_ms = end;
			}
		}
		/* Every member's word too: a minority that merges back. */
		r->grant = (t->synced ? all_quorate(t) : t->kept) &&
		    quorate && d->controller[0] != '\0' &&
		    strcmp(d->controller, mysite) == 0 && !r->release &&
		    r->wait_ms == 0;
		for (j = 0; j < t->nmembers; j++) {
			m = &t->members[j];
			if ((e = word_entity(&m->word, d->name)) == NULL)
				continue;
			if (e->holding && r->holder == 0)
				r->holder = m->nodeid;
			si = report_index(s, m->word.sites[0]);
			if (e->state == CARP_MASTER && si != SITE_NONE &&
			    r->masters[si] == 0)
				r->masters[si] = m->nodeid;
		}
	}
	return (n);
}
