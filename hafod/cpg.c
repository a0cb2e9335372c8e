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
 * Sites' CPG client, in the quorum process (quorum.c): joins the CPG
 * group "hafod-sites" of the local corosync, multicasts this node's word
 * (sites.c's codec) when it changes and after each membership change,
 * feeds sites.c's rules with the group's ordered stream, and reports to
 * the parent after every change: MSG_SITES, a MSG_SITE_ROLE per entity,
 * MSG_SITES_END.
 *
 * It starts only when the parent names this node's site (the first
 * MSG_SITE_COMMIT): without a site nothing joins.  An idle cluster sends
 * nothing here; corosync's token is all the traffic.
 *
 * The bound for a holder that left the membership is local: sites.c
 * notes when, the report says how long is left, and a timer reports
 * again when it has passed.
 */

#include <sys/types.h>
#include <sys/uio.h>

#include <corosync/corotypes.h>
#include <corosync/cpg.h>

#include <errno.h>
#include <event2/event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hafod.h"
#include "log.h"
#include "parent.h"
#include "sites.h"

#define CPG_GROUP		"hafod-sites"
#define CPG_RETRY_SEC		1	/* between attempts to join */
#define CPG_BUSY_MS		100	/* flow control: send again */
#define CPG_SETTLE_MS		50	/* changes that come together */
#define CPG_REFUSED_LOG		10	/* refused words logged, then 1/1000 */

static struct event_base	*base;
static struct event		*cpgev;		/* CPG's descriptor */
static struct event		*retry_ev;
static struct event		*send_ev;	/* flow control */
static struct event		*bound_ev;	/* a release bound ends */
static struct event		*settle_ev;	/* changes come together */
static cpg_handle_t		 handle;
static int			 cpg_open;
static int			 joined;	/* our confchg seen */
static int			 must_send;	/* a confchg: speak again */
static char			 reason[STATE_REASON_MAX] = "not joined yet";

/* The parent's word: staged by MSG_SITE_LOCAL, taken at the commit. */
static struct msg_site_local	*staged, *local;
static size_t			 nstaged, nlocal;
static char			 mysite[SITE_NAME_MAX];

/* From quorum.c: this node's id, whether quorate, the bound. */
static uint32_t			 mynodeid;
static int			 quorate;
static uint32_t			 release_ms;

static struct sites_table	*table;
static struct sites_word	*word;
static uint8_t			 wire[SITES_WORD_MAX];
static uint8_t			 sent[SITES_WORD_MAX];
static ssize_t			 sentlen = -1;
static uint64_t			 refused;

/* The report as last sent, to send only what is news. */
static struct msg_sites		 rep, lastrep;
static struct msg_site_role	 roles[SITES_ENTITIES_MAX];
static struct msg_site_role	 lastroles[SITES_ENTITIES_MAX];
static int			 reported;

static void	cpg_connect(int, short, void *);
static void	cpg_speak(int, short, void *);
static void	cpg_report(void);
static void	cpg_soon(void);

static uint64_t
now_ms(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return ((uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static void
cpg_disconnect(void)
{
	if (cpgev != NULL) {
		event_free(cpgev);
		cpgev = NULL;
	}
	if (cpg_open)
		(void)cpg_finalize(handle);
	cpg_open = joined = must_send = 0;
	sentlen = -1;
	if (event_del(send_ev) == -1 || event_del(bound_ev) == -1)
		fatalx("event_del");
}

/* Out of the group: say why, report, and try again in a second. */
static void
cpg_fail(const char *fmt, ...)
{
	struct timeval	tv = { CPG_RETRY_SEC, 0 };
	va_list		ap;
	char		why[STATE_REASON_MAX];

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (strcmp(why, reason) != 0)
		log_warnx("sites: %s", why);
	strlcpy(reason, why, sizeof(reason));
	cpg_disconnect();
	sites_init(table, mynodeid, (uint32_t)getpid());
	cpg_report();
	if (evtimer_add(retry_ev, &tv) == -1)
		fatalx("evtimer_add");
}

/* A member's word, in the group's order. */
static void
cpg_deliver(cpg_handle_t h, const struct cpg_name *group, uint32_t nodeid,
    uint32_t pid, void *msg, size_t len)
{
	char	why[128];

	if (sites_deliver(table, nodeid, pid, msg, len, now_ms(), why,
	    sizeof(why)) != -1)
		return;
	refused++;
	if (refused <= CPG_REFUSED_LOG || refused % 1000 == 0)
		log_warnx("sites: word of node %u pid %u refused (%s); "
		    "%llu so far", nodeid, pid, why,
		    (unsigned long long)refused);
}

static void
cpg_confchg(cpg_handle_t h, const struct cpg_name *group,
    const struct cpg_address *members, size_t nmembers,
    const struct cpg_address *left, size_t nleft,
    const struct cpg_address *joined_list, size_t njoined)
{
	uint32_t	ids[CPG_MEMBERS_MAX], pids[CPG_MEMBERS_MAX];
	size_t		i, n = 0;
	int		in = 0;

	for (i = 0; i < nmembers && n < CPG_MEMBERS_MAX; i++) {
		ids[n] = members[i].nodeid;
		pids[n++] = members[i].pid;
		if (members[i].nodeid == mynodeid &&
		    members[i].pid == (uint32_t)getpid())
			in = 1;
	}
	if (nmembers > QUORUM_MEMBERS_MAX)
		log_warnx("sites: %zu members in CPG group %s, hafod counts "
		    "the first %d", nmembers, CPG_GROUP, QUORUM_MEMBERS_MAX);
	sites_confchg(table, ids, pids, n, now_ms());
	if (in && !joined)
		log_info("sites: joined CPG group %s as node %u in site %s",
		    CPG_GROUP, mynodeid, mysite);
	joined = in;
	must_send = 1;
	log_debug("sites: membership of %zu (%zu left, %zu joined)",
	    nmembers, nleft, njoined);
}

static void
cpg_dispatch_cb(int fd, short event, void *arg)
{
	cs_error_t	err;

	if ((err = cpg_dispatch(handle, CS_DISPATCH_ALL)) != CS_OK) {
		cpg_fail("lost contact with corosync's CPG: %s",
		    quorum_cs_name(err));
		return;
	}
	cpg_soon();
}

/*
 * Join, at the first commit and a second after each failure.  The group
 * answers with a membership change that includes us; we speak then.
 */
static void
cpg_connect(int unused, short event, void *arg)
{
	cpg_model_v1_data_t	 model;
	struct cpg_name		 group;
	unsigned int		 nodeid;
	cs_error_t		 err;
	int			 fd;

	if (mysite[0] == '\0' || cpg_open)
		return;
	memset(&model, 0, sizeof(model));
	model.model = CPG_MODEL_V1;
	model.cpg_deliver_fn = cpg_deliver;
	model.cpg_confchg_fn = cpg_confchg;
	if ((err = cpg_model_initialize(&handle, CPG_MODEL_V1,
	    (cpg_model_data_t *)&model, NULL)) != CS_OK) {
		cpg_fail("cannot connect to corosync's CPG: %s",
		    quorum_cs_name(err));
		return;
	}
	cpg_open = 1;
	if ((err = cpg_local_get(handle, &nodeid)) != CS_OK) {
		cpg_fail("cannot ask CPG for our node id: %s",
		    quorum_cs_name(err));
		return;
	}
	mynodeid = nodeid;
	sites_init(table, mynodeid, (uint32_t)getpid());
	memset(&group, 0, sizeof(group));
	group.length = strlen(CPG_GROUP);
	memcpy(group.value, CPG_GROUP, group.length);
	if ((err = cpg_join(handle, &group)) != CS_OK) {
		cpg_fail("cannot join CPG group %s: %s", CPG_GROUP,
		    quorum_cs_name(err));
		return;
	}
	if ((err = cpg_fd_get(handle, &fd)) != CS_OK) {
		cpg_fail("cannot follow CPG: %s", quorum_cs_name(err));
		return;
	}
	if ((cpgev = event_new(base, fd, EV_READ | EV_PERSIST,
	    cpg_dispatch_cb, NULL)) == NULL || event_add(cpgev, NULL) == -1)
		fatalx("event_new");
	strlcpy(reason, "joining", sizeof(reason));
	log_debug("sites: joining CPG group %s", CPG_GROUP);
}

/*
 * Our word to the group, if it changed or the membership did.  Under
 * corosync's flow control, again a moment later.
 */
static void
cpg_speak(int unused, short event, void *arg)
{
	struct timeval	 tv = { 0, CPG_BUSY_MS * 1000 };
	struct iovec	 iov;
	ssize_t		 len;
	cs_error_t	 err;

	if (!joined)
		return;
	sites_word(table, mysite, quorate, local, nlocal, word);
	if ((len = sites_encode(word, wire, sizeof(wire))) == -1)
		fatalx("sites: our own word does not encode");
	if (!must_send && len == sentlen && memcmp(wire, sent, len) == 0)
		return;
	iov.iov_base = wire;
	iov.iov_len = len;
	err = cpg_mcast_joined(handle, CPG_TYPE_AGREED, &iov, 1);
	if (err == CS_ERR_TRY_AGAIN) {
		if (evtimer_add(send_ev, &tv) == -1)
			fatalx("evtimer_add");
		return;
	}
	if (err != CS_OK) {
		cpg_fail("cannot multicast to CPG group %s: %s", CPG_GROUP,
		    quorum_cs_name(err));
		return;
	}
	memcpy(sent, wire, len);
	sentlen = len;
	must_send = 0;
}

static void
cpg_bound(int fd, short event, void *arg)
{
	cpg_report();
}

static void
cpg_settled(int fd, short event, void *arg)
{
	cpg_speak(-1, 0, NULL);
	cpg_report();
}

/*
 * Our word and the report, once the changes that come together have
 * come: 255 services that change state at start are one word and one
 * report, not 255 of each (a report is a message per entity).
 */
static void
cpg_soon(void)
{
	struct timeval	tv = { 0, CPG_SETTLE_MS * 1000 };

	if (!evtimer_pending(settle_ev, NULL) &&
	    evtimer_add(settle_ev, &tv) == -1)
		fatalx("evtimer_add");
}

/* Member names as corosync's nodelist has them, else "node <id>". */
static void
name_members(struct msg_sites *s)
{
	size_t	i;

	for (i = 0; i < s->nmembers; i++)
		if (quorum_node_name(s->members[i].nodeid,
		    s->members[i].name, sizeof(s->members[i].name)) == -1)
			(void)snprintf(s->members[i].name,
			    sizeof(s->members[i].name), "node %u",
			    s->members[i].nodeid);
}

/* The report to the parent, when it says anything new. */
static void
cpg_report(void)
{
	struct timeval	tv;
	uint64_t	now, next;
	size_t		n, i;

	if (mysite[0] == '\0')
		return;
	now = now_ms();
	n = sites_report(table, mysite, joined && quorate, now, release_ms,
	    &rep, roles, SITES_ENTITIES_MAX, &next);
	rep.link = joined ? QUORUM_UP : QUORUM_DOWN;
	rep.nodeid = mynodeid;
	if (!joined)
		strlcpy(rep.reason, reason, sizeof(rep.reason));
	name_members(&rep);
	if (event_del(bound_ev) == -1)
		fatalx("event_del");
	if (next != 0) {
		next -= now;
		tv.tv_sec = next / 1000;
		tv.tv_usec = (next % 1000) * 1000;
		if (evtimer_add(bound_ev, &tv) == -1)
			fatalx("evtimer_add");
	}
	if (reported && memcmp(&rep, &lastrep, sizeof(rep)) == 0 &&
	    memcmp(roles, lastroles, n * sizeof(roles[0])) == 0)
		return;
	quorum_to_parent(MSG_SITES, &rep, sizeof(rep));
	for (i = 0; i < n; i++)
		quorum_to_parent(MSG_SITE_ROLE, &roles[i], sizeof(roles[i]));
	quorum_to_parent(MSG_SITES_END, NULL, 0);
	lastrep = rep;
	memcpy(lastroles, roles, n * sizeof(roles[0]));
	reported = 1;
}

/* quorum.c: where this node stands, at each change. */
void
cpg_quorum(const struct msg_quorum *q)
{
	int	was = quorate;

	quorate = q->link == QUORUM_UP && q->quorate;
	release_ms = q->release_ms;
	if (q->nodeid != 0 && mynodeid == 0)
		mynodeid = q->nodeid;
	if (quorate != was) {
		cpg_speak(-1, 0, NULL);
		cpg_report();
	}
}

/* Changes only: each staged entity replaces its own, or is added. */
static void
merge_staged(void)
{
	size_t	i, j;

	for (i = 0; i < nstaged; i++) {
		for (j = 0; j < nlocal; j++)
			if (local[j].kind == staged[i].kind &&
			    strcmp(local[j].name, staged[i].name) == 0)
				break;
		if (j == nlocal) {
			if (nlocal == SITES_ENTITIES_MAX)
				fatalx("sites: more than %d entities from "
				    "the parent", SITES_ENTITIES_MAX);
			nlocal++;
		}
		local[j] = staged[i];
	}
}

/* The parent's word: entities one by one, then the commit. */
void
cpg_parent(const struct msg *m)
{
	struct msg_site_commit	c;
	struct msg_site_local	*tmp;
	size_t			 n;

	if (m->hdr.type == MSG_SITE_LOCAL) {
		if (nstaged == SITES_ENTITIES_MAX)
			fatalx("sites: more than %d entities from the parent",
			    SITES_ENTITIES_MAX);
		memcpy(&staged[nstaged++], m->data, sizeof(staged[0]));
		return;
	}
	memcpy(&c, m->data, sizeof(c));
	if (c.nentities != nstaged || c.whole > 1)
		fatalx("sites: the parent committed %u entities of %zu",
		    c.nentities, nstaged);
	n = strnlen(c.site, sizeof(c.site));
	if (n == sizeof(c.site) || (n > 0 && !sites_name_ok(c.site,
	    sizeof(c.site))))
		fatalx("sites: bad site name from the parent");
	if (c.whole) {
		tmp = local;
		local = staged;
		staged = tmp;
		nlocal = nstaged;
	} else
		merge_staged();
	nstaged = 0;
	if (strcmp(c.site, mysite) != 0) {
		if (mysite[0] != '\0')
			log_info("sites: this node's site is now \"%s\"",
			    c.site);
		strlcpy(mysite, c.site, sizeof(mysite));
		if (mysite[0] == '\0') {
			cpg_disconnect();
			if (event_del(retry_ev) == -1)
				fatalx("event_del");
			return;
		}
		must_send = 1;
		reported = 0;
	}
	if (!cpg_open && !evtimer_pending(retry_ev, NULL))
		cpg_connect(-1, 0, NULL);
	cpg_soon();
}

void
cpg_init(struct event_base *b)
{
	base = b;
	if ((retry_ev = evtimer_new(base, cpg_connect, NULL)) == NULL ||
	    (send_ev = evtimer_new(base, cpg_speak, NULL)) == NULL ||
	    (bound_ev = evtimer_new(base, cpg_bound, NULL)) == NULL ||
	    (settle_ev = evtimer_new(base, cpg_settled, NULL)) == NULL)
		fatalx("evtimer_new");
	if ((table = malloc(sizeof(*table))) == NULL ||
	    (word = malloc(sizeof(*word))) == NULL ||
	    (staged = calloc(SITES_ENTITIES_MAX, sizeof(*staged))) == NULL ||
	    (local = calloc(SITES_ENTITIES_MAX, sizeof(*local))) == NULL)
		fatal("sites");
	sites_init(table, 0, (uint32_t)getpid());
}
