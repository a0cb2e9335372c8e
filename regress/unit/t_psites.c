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
 * The parent's roles across sites (psites.c), as hafod.8 SITES states
 * them: which hook a change of role runs, in which order after the
 * promote hook, and when this node stops holding the role.  The rest of
 * the parent is faked here: services, groups, hook queues that run
 * only when a case says a hook has finished, the quorum process and
 * the engine as lists of the messages they were sent.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <atf-c.h>
#include <stdlib.h>
#include <string.h>

#include "hafod.h"
#include "parent.h"

#define JOBS_MAX	32

/* A fake hook queue: what was queued, in order, and the callbacks. */
struct fjob {
	int			 ev;		/* HOOK_MAX: hookq_then() */
	char			 role[16];	/* HAFOD_ROLE it was given */
	char			 controller[SITE_NAME_MAX];
	void			(*fn)(void *, int);
	void			*arg;
};

struct hook_queue {
	struct fjob		 jobs[JOBS_MAX];
	int			 n;
	int			 done;		/* finished, from the first */
};

struct pservice_head	 pservices = TAILQ_HEAD_INITIALIZER(pservices);
struct pservice_head	 pretired = TAILQ_HEAD_INITIALIZER(pretired);

static struct pservice	 db;
static struct hook_queue dbq, grpq;
static int		 grp_master, db_failing;
static struct msg_site_local locals[64];
static int		 nlocals, ncommits;
static uint32_t		 last_commit_n;
static int		 nforwarded;

/* Run what is queued and not started: callbacks at the queue's head. */
static void
fq_settle(struct hook_queue *q)
{
	struct fjob	*j;

	while (q->done < q->n && q->jobs[q->done].ev == HOOK_MAX) {
		j = &q->jobs[q->done++];
		j->fn(j->arg, 0);
	}
}

static void
fq_push(struct hook_queue *q, int ev, const char *name, uint8_t kind,
    int master)
{
	struct site_env	se;

	ATF_REQUIRE(q->n < JOBS_MAX);
	memset(&q->jobs[q->n], 0, sizeof(q->jobs[q->n]));
	q->jobs[q->n].ev = ev;
	if (psites_env(kind, name, master, &se)) {
		strlcpy(q->jobs[q->n].role, se.role,
		    sizeof(q->jobs[q->n].role));
		strlcpy(q->jobs[q->n].controller, se.controller,
		    sizeof(q->jobs[q->n].controller));
	}
	q->n++;
}

/* The hook at the head of the queue has finished. */
static void
fq_finish(struct hook_queue *q)
{
	ATF_REQUIRE(q->done < q->n && q->jobs[q->done].ev != HOOK_MAX);
	q->done++;
	fq_settle(q);
}

/* The hooks queued, in order, as "promote controller ...". */
static const char *
fq_events(const struct hook_queue *q)
{
	static char	buf[512];
	int		i;

	buf[0] = '\0';
	for (i = 0; i < q->n; i++) {
		if (q->jobs[i].ev == HOOK_MAX)
			continue;
		if (buf[0] != '\0')
			strlcat(buf, " ", sizeof(buf));
		strlcat(buf, hook_name(q->jobs[i].ev), sizeof(buf));
	}
	return (buf);
}

static const struct fjob *
fq_last(const struct hook_queue *q)
{
	int	i;

	for (i = q->n - 1; i >= 0; i--)
		if (q->jobs[i].ev != HOOK_MAX)
			return (&q->jobs[i]);
	return (NULL);
}

/* The parent's functions psites.c calls. */
struct pservice *
pservice_named(const char *name)
{
	struct pservice	*ps;

	TAILQ_FOREACH(ps, &pservices, entry)
		if (strcmp(ps->conf.name, name) == 0)
			return (ps);
	return (NULL);
}

int
group_master(const char *name)
{
	return (strcmp(name, "grp") == 0 && grp_master);
}

struct hook_queue *
group_hookq(const char *name)
{
	return (strcmp(name, "grp") == 0 ? &grpq : NULL);
}

void
group_site_hook(const char *name, enum hook_event ev, const char *reason)
{
	fq_push(&grpq, ev, name, SITE_KIND_GROUP, 1);
}

void
hook_site(struct pservice *ps, enum hook_event ev, const char *reason)
{
	fq_push(ps->hq, ev, ps->conf.name, SITE_KIND_SERVICE, 1);
}

void
hookq_then(struct hook_queue *q, void (*fn)(void *, int), void *arg)
{
	if (q == NULL) {
		fn(arg, 0);
		return;
	}
	ATF_REQUIRE(q->n < JOBS_MAX);
	memset(&q->jobs[q->n], 0, sizeof(q->jobs[q->n]));
	q->jobs[q->n].ev = HOOK_MAX;
	q->jobs[q->n].fn = fn;
	q->jobs[q->n].arg = arg;
	q->n++;
	fq_settle(q);
}

int
check_failing(const char *target, uint32_t id)
{
	return (db_failing && strcmp(target, "db") == 0);
}

int
quorum_send_site(enum msg_type type, const void *data, size_t len)
{
	const struct msg_site_commit	*sc = data;

	if (type == MSG_SITE_LOCAL) {
		ATF_REQUIRE_EQ(len, sizeof(locals[0]));
		ATF_REQUIRE((size_t)nlocals < sizeof(locals) /
		    sizeof(locals[0]));
		memcpy(&locals[nlocals++], data, len);
	} else {
		ATF_REQUIRE_EQ(type, MSG_SITE_COMMIT);
		ATF_REQUIRE_EQ(len, sizeof(*sc));
		ATF_CHECK_STREQ(sc->site, "east");
		last_commit_n = sc->nentities;
		ncommits++;
	}
	return (0);
}

void
parent_send(uint32_t type, uint32_t peerid, int fd, const void *data,
    size_t len)
{
	nforwarded++;
}

/* What this node last said of an entity. */
static const struct msg_site_local *
said(const char *name)
{
	int	i;

	for (i = nlocals - 1; i >= 0; i--)
		if (strcmp(locals[i].name, name) == 0)
			return (&locals[i]);
	atf_tc_fail("nothing said of %s", name);
	return (NULL);
}

static struct config	 conf;
static struct service	 sdb;
static struct group_conf ggrp;

/* One service db across sites in site east, prefer east west. */
static void
setup(int with_group)
{
	memset(&db, 0, sizeof(db));
	memset(&dbq, 0, sizeof(dbq));
	memset(&grpq, 0, sizeof(grpq));
	grp_master = db_failing = 0;
	nlocals = ncommits = nforwarded = 0;
	strlcpy(db.conf.name, "db", sizeof(db.conf.name));
	db.conf.id = 1;
	db.state = CARP_BACKUP;
	db.hq = &dbq;
	TAILQ_INIT(&pservices);
	TAILQ_INIT(&pretired);
	TAILQ_INSERT_TAIL(&pservices, &db, entry);

	memset(&conf, 0, sizeof(conf));
	TAILQ_INIT(&conf.services);
	TAILQ_INIT(&conf.groups);
	strlcpy(conf.site, "east", sizeof(conf.site));
	memset(&sdb, 0, sizeof(sdb));
	sdb.conf = db.conf;
	sdb.conf.site.across = 1;
	sdb.conf.site.nprefer = 2;
	strlcpy(sdb.conf.site.prefer[0], "east", SITE_NAME_MAX);
	strlcpy(sdb.conf.site.prefer[1], "west", SITE_NAME_MAX);
	TAILQ_INSERT_TAIL(&conf.services, &sdb, entry);
	if (with_group) {
		memset(&ggrp, 0, sizeof(ggrp));
		strlcpy(ggrp.name, "grp", sizeof(ggrp.name));
		ggrp.site.across = 1;
		TAILQ_INSERT_TAIL(&conf.groups, &ggrp, entry);
	}
	psites_start(&conf);
	psites_changed();
}

static void
quorum(int quorate)
{
	struct msg_quorum	q;

	memset(&q, 0, sizeof(q));
	q.link = QUORUM_UP;
	q.quorate = quorate;
	psites_quorum(&q);
}

/*
 * A whole report: controller site of db (and grp), granted or not, from
 * a quorum process joined to CPG (link) whose members all spoke since
 * the last change (synced).
 */
static void
report_as(uint8_t link, int synced, const char *ctl, int grant,
    uint64_t term)
{
	struct msg_sites	ms;
	struct msg_site_role	mr;

	memset(&ms, 0, sizeof(ms));
	ms.link = link;
	ms.synced = synced;
	ms.nsites = 2;
	strlcpy(ms.sites[0], "east", sizeof(ms.sites[0]));
	strlcpy(ms.sites[1], "west", sizeof(ms.sites[1]));
	ms.nroles = 2;
	psites_report(MSG_SITES, &ms, sizeof(ms));
	memset(&mr, 0, sizeof(mr));
	strlcpy(mr.name, "db", sizeof(mr.name));
	mr.kind = SITE_KIND_SERVICE;
	mr.controller = ctl == NULL ? SITE_NONE :
	    strcmp(ctl, "east") == 0 ? 0 : 1;
	mr.grant = grant;
	mr.term = term;
	psites_report(MSG_SITE_ROLE, &mr, sizeof(mr));
	strlcpy(mr.name, "grp", sizeof(mr.name));
	mr.kind = SITE_KIND_GROUP;
	psites_report(MSG_SITE_ROLE, &mr, sizeof(mr));
	psites_report(MSG_SITES_END, NULL, 0);
}

static void
report(const char *ctl, int grant, uint64_t term)
{
	report_as(QUORUM_UP, 1, ctl, grant, term);
}

/* The engine's MSG_STATE, as parent_state() passes it on. */
static void
db_state(enum carp_state state)
{
	enum carp_state	prev = db.state;

	db.state = state;
	if (state == CARP_MASTER && prev != CARP_MASTER)
		fq_push(&dbq, HOOK_PROMOTE, "db", SITE_KIND_SERVICE, 1);
	else if (prev == CARP_MASTER && state != CARP_MASTER)
		fq_push(&dbq, HOOK_DEMOTE, "db", SITE_KIND_SERVICE, 0);
	psites_changed();
}

/* A granted master: promote, then controller, and it holds the role. */
static void
controller_here(void)
{
	quorum(1);
	report("east", 1, 3);
	db_state(CARP_MASTER);
	ATF_REQUIRE_STREQ(fq_events(&dbq), "promote controller");
	ATF_REQUIRE(said("db")->holding);
}

ATF_TC_WITHOUT_HEAD(granted_master_runs_controller_after_promote);
ATF_TC_BODY(granted_master_runs_controller_after_promote, tc)
{
	setup(0);
	controller_here();
	/* The promote hook already says the role it leads to. */
	ATF_CHECK_STREQ(dbq.jobs[0].role, "controller");
	ATF_CHECK_STREQ(fq_last(&dbq)->role, "controller");
	ATF_CHECK_STREQ(fq_last(&dbq)->controller, "east");
}

ATF_TC_WITHOUT_HEAD(grant_after_master_runs_controller);
ATF_TC_BODY(grant_after_master_runs_controller, tc)
{
	setup(0);
	quorum(1);
	report("east", 0, 1);
	db_state(CARP_MASTER);
	ATF_CHECK_STREQ(fq_events(&dbq), "promote standby");
	ATF_CHECK(!said("db")->holding);
	report("east", 1, 1);
	ATF_CHECK_STREQ(fq_events(&dbq), "promote standby controller");
	ATF_CHECK(said("db")->holding);
}

ATF_TC_WITHOUT_HEAD(master_not_granted_stands_by);
ATF_TC_BODY(master_not_granted_stands_by, tc)
{
	setup(0);
	quorum(1);
	report("west", 0, 2);
	db_state(CARP_MASTER);
	ATF_CHECK_STREQ(fq_events(&dbq), "promote standby");
	ATF_CHECK_STREQ(fq_last(&dbq)->role, "standby");
	ATF_CHECK_STREQ(fq_last(&dbq)->controller, "west");
	ATF_CHECK(!said("db")->holding);
}

ATF_TC_WITHOUT_HEAD(backup_has_no_role_and_runs_nothing);
ATF_TC_BODY(backup_has_no_role_and_runs_nothing, tc)
{
	setup(0);
	quorum(1);
	report("east", 1, 1);
	ATF_CHECK_STREQ(fq_events(&dbq), "");
	ATF_CHECK_EQ(said("db")->state, CARP_BACKUP);
}

ATF_TC_WITHOUT_HEAD(no_role_before_the_first_report);
ATF_TC_BODY(no_role_before_the_first_report, tc)
{
	setup(0);
	quorum(1);
	db_state(CARP_MASTER);
	ATF_CHECK_STREQ(fq_events(&dbq), "promote");
	ATF_CHECK_STREQ(dbq.jobs[0].role, "none");
}

ATF_TC_WITHOUT_HEAD(unsynced_report_keeps_roles);
ATF_TC_BODY(unsynced_report_keeps_roles, tc)
{
	setup(0);
	controller_here();
	/* A member joined somewhere: nothing granted until all spoke. */
	report_as(QUORUM_UP, 0, "east", 0, 3);
	ATF_CHECK_STREQ(fq_events(&dbq), "promote controller");
	ATF_CHECK(said("db")->holding);
	report("east", 1, 3);
	ATF_CHECK_STREQ(fq_events(&dbq), "promote controller");
	report_as(QUORUM_UP, 0, "east", 0, 3);
	report("west", 0, 4);
	ATF_CHECK_STREQ(fq_events(&dbq), "promote controller standby");
}

ATF_TC_WITHOUT_HEAD(unsynced_first_report_no_role);
ATF_TC_BODY(unsynced_first_report_no_role, tc)
{
	setup(0);
	quorum(1);
	report_as(QUORUM_DOWN, 0, NULL, 0, 0);
	report_as(QUORUM_UP, 0, "east", 0, 0);
	db_state(CARP_MASTER);
	ATF_CHECK_STREQ(fq_events(&dbq), "promote");
	report("east", 1, 1);
	ATF_CHECK_STREQ(fq_events(&dbq), "promote controller");
}

ATF_TC_WITHOUT_HEAD(out_of_the_group_stands_by);
ATF_TC_BODY(out_of_the_group_stands_by, tc)
{
	setup(0);
	controller_here();
	/* CPG lost, corosync quorate: the others may grant after the bound. */
	report_as(QUORUM_DOWN, 1, "east", 0, 3);
	ATF_CHECK_STREQ(fq_events(&dbq), "promote controller standby");
}

ATF_TC_WITHOUT_HEAD(not_quorate_no_role_at_once);
ATF_TC_BODY(not_quorate_no_role_at_once, tc)
{
	setup(0);
	controller_here();
	fq_finish(&dbq);
	fq_finish(&dbq);
	quorum(0);
	/* No hook: the demote hook that follows says it. */
	ATF_CHECK_STREQ(fq_events(&dbq), "promote controller");
	/* Still master: it holds the role until its demote hook ends. */
	ATF_CHECK(said("db")->holding);
	db_state(CARP_BACKUP);
	ATF_CHECK_STREQ(fq_events(&dbq), "promote controller demote");
	ATF_CHECK_STREQ(fq_last(&dbq)->role, "none");
	ATF_CHECK(said("db")->holding);
	fq_finish(&dbq);
	ATF_CHECK(!said("db")->holding);
}

ATF_TC_WITHOUT_HEAD(grant_withdrawn_runs_standby_then_releases);
ATF_TC_BODY(grant_withdrawn_runs_standby_then_releases, tc)
{
	setup(0);
	controller_here();
	report("west", 0, 4);
	ATF_CHECK_STREQ(fq_events(&dbq), "promote controller standby");
	ATF_CHECK_STREQ(fq_last(&dbq)->controller, "west");
	fq_finish(&dbq);
	fq_finish(&dbq);
	/* The standby hook ends the role: held until it has finished. */
	ATF_CHECK(said("db")->holding);
	fq_finish(&dbq);
	ATF_CHECK(!said("db")->holding);
}

ATF_TC_WITHOUT_HEAD(leaving_master_releases_after_demote_hook);
ATF_TC_BODY(leaving_master_releases_after_demote_hook, tc)
{
	setup(0);
	controller_here();
	db_state(CARP_BACKUP);
	/* No standby hook: demote says it, with role none. */
	ATF_CHECK_STREQ(fq_events(&dbq), "promote controller demote");
	ATF_CHECK_STREQ(fq_last(&dbq)->role, "none");
	fq_finish(&dbq);
	fq_finish(&dbq);
	ATF_CHECK(said("db")->holding);
	fq_finish(&dbq);
	ATF_CHECK(!said("db")->holding);
}

ATF_TC_WITHOUT_HEAD(no_ending_hook_releases_at_once);
ATF_TC_BODY(no_ending_hook_releases_at_once, tc)
{
	setup(0);
	controller_here();
	fq_finish(&dbq);
	fq_finish(&dbq);
	/* Leaving master with no demote hook configured: nothing queued. */
	db.state = CARP_BACKUP;
	psites_changed();
	ATF_CHECK(!said("db")->holding);
}

ATF_TC_WITHOUT_HEAD(controller_again_before_release_keeps_holding);
ATF_TC_BODY(controller_again_before_release_keeps_holding, tc)
{
	setup(0);
	controller_here();
	report("west", 0, 4);
	report("east", 1, 5);
	ATF_CHECK_STREQ(fq_events(&dbq),
	    "promote controller standby controller");
	fq_finish(&dbq);
	fq_finish(&dbq);
	fq_finish(&dbq);
	ATF_CHECK(said("db")->holding);
	fq_finish(&dbq);
	ATF_CHECK(said("db")->holding);
}

ATF_TC_WITHOUT_HEAD(held_promote_hook_no_role_until_released);
ATF_TC_BODY(held_promote_hook_no_role_until_released, tc)
{
	setup(0);
	quorum(1);
	report("east", 1, 1);
	/* handover exclusive: master, its promote hook held back. */
	db.state = CARP_MASTER;
	db.promote_held = 1;
	psites_changed();
	ATF_CHECK_STREQ(fq_events(&dbq), "");
	ATF_CHECK_EQ(said("db")->state, CARP_MASTER);
	/* MSG_HOOK_RUN: hook_run() queues promote and releases it. */
	fq_push(&dbq, HOOK_PROMOTE, "db", SITE_KIND_SERVICE, 1);
	db.promote_held = 0;
	psites_changed();
	ATF_CHECK_STREQ(fq_events(&dbq), "promote controller");
}

ATF_TC_WITHOUT_HEAD(group_is_master_when_every_member_is);
ATF_TC_BODY(group_is_master_when_every_member_is, tc)
{
	setup(1);
	quorum(1);
	report("east", 1, 1);
	ATF_CHECK_STREQ(fq_events(&grpq), "");
	ATF_CHECK_EQ(said("grp")->kind, SITE_KIND_GROUP);
	grp_master = 1;
	fq_push(&grpq, HOOK_PROMOTE, "grp", SITE_KIND_GROUP, 1);
	psites_changed();
	ATF_CHECK_STREQ(fq_events(&grpq), "promote controller");
	ATF_CHECK_EQ(said("grp")->state, CARP_MASTER);
	ATF_CHECK(said("grp")->holding);
	ATF_CHECK_EQ(last_commit_n, 2);
}

ATF_TC_WITHOUT_HEAD(local_word_said_on_change_only);
ATF_TC_BODY(local_word_said_on_change_only, tc)
{
	int	n;

	setup(0);
	ATF_CHECK_EQ(ncommits, 1);
	ATF_CHECK_EQ(last_commit_n, 1);
	ATF_CHECK(said("db")->healthy);
	ATF_CHECK(said("db")->conf.across);
	ATF_CHECK_STREQ(said("db")->conf.prefer[1], "west");
	n = ncommits;
	psites_changed();
	ATF_CHECK_EQ(ncommits, n);
	db_failing = 1;
	psites_changed();
	ATF_CHECK_EQ(ncommits, n + 1);
	ATF_CHECK(!said("db")->healthy);
	/* A new quorum process hears it all again. */
	psites_connected();
	ATF_CHECK_EQ(ncommits, n + 2);
}

ATF_TC_WITHOUT_HEAD(new_quorum_process_no_role_until_it_reports);
ATF_TC_BODY(new_quorum_process_no_role_until_it_reports, tc)
{
	setup(0);
	controller_here();
	psites_connected();
	ATF_CHECK_STREQ(fq_events(&dbq), "promote controller");
	report("east", 1, 3);
	ATF_CHECK_STREQ(fq_events(&dbq), "promote controller controller");
}

ATF_TC_WITHOUT_HEAD(report_forwarded_whole_to_the_engine);
ATF_TC_BODY(report_forwarded_whole_to_the_engine, tc)
{
	struct msg_site_role	mr;

	setup(0);
	report("east", 0, 1);
	ATF_CHECK_EQ(nforwarded, 4);
	/* A role out of a report goes nowhere and changes nothing. */
	memset(&mr, 0, sizeof(mr));
	strlcpy(mr.name, "db", sizeof(mr.name));
	mr.grant = 1;
	psites_report(MSG_SITE_ROLE, &mr, sizeof(mr));
	psites_report(MSG_SITES_END, NULL, 0);
	ATF_CHECK_EQ(nforwarded, 4);
	quorum(1);
	db_state(CARP_MASTER);
	ATF_CHECK_STREQ(fq_events(&dbq), "promote standby");
}

ATF_TC_WITHOUT_HEAD(entity_removed_lets_go_through_its_queue);
ATF_TC_BODY(entity_removed_lets_go_through_its_queue, tc)
{
	struct config	empty;

	setup(0);
	controller_here();
	memset(&empty, 0, sizeof(empty));
	TAILQ_INIT(&empty.services);
	TAILQ_INIT(&empty.groups);
	strlcpy(empty.site, "east", sizeof(empty.site));
	/* No longer across sites, the service stays: its queue drains. */
	psites_start(&empty);
	psites_changed();
	ATF_CHECK_STREQ(fq_events(&dbq), "promote controller");
	ATF_CHECK_EQ(last_commit_n, 1);
	ATF_CHECK(said("db")->holding);
	fq_finish(&dbq);
	fq_finish(&dbq);
	ATF_CHECK_EQ(last_commit_n, 0);
}

ATF_TC_WITHOUT_HEAD(service_removed_lets_go_with_its_demote_hook);
ATF_TC_BODY(service_removed_lets_go_with_its_demote_hook, tc)
{
	struct config	empty;

	setup(0);
	controller_here();
	memset(&empty, 0, sizeof(empty));
	TAILQ_INIT(&empty.services);
	TAILQ_INIT(&empty.groups);
	strlcpy(empty.site, "east", sizeof(empty.site));
	/* Gone from the configuration: retired, master until it bows out. */
	TAILQ_REMOVE(&pservices, &db, entry);
	db.retired = 1;
	TAILQ_INSERT_TAIL(&pretired, &db, entry);
	psites_start(&empty);
	psites_changed();
	fq_finish(&dbq);
	fq_finish(&dbq);
	ATF_CHECK_EQ(last_commit_n, 1);
	ATF_CHECK(said("db")->holding);
	db_state(CARP_INIT);
	ATF_CHECK_STREQ(fq_events(&dbq), "promote controller demote");
	ATF_CHECK_EQ(last_commit_n, 1);
	fq_finish(&dbq);
	ATF_CHECK_EQ(last_commit_n, 0);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, granted_master_runs_controller_after_promote);
	ATF_TP_ADD_TC(tp, grant_after_master_runs_controller);
	ATF_TP_ADD_TC(tp, master_not_granted_stands_by);
	ATF_TP_ADD_TC(tp, backup_has_no_role_and_runs_nothing);
	ATF_TP_ADD_TC(tp, no_role_before_the_first_report);
	ATF_TP_ADD_TC(tp, unsynced_report_keeps_roles);
	ATF_TP_ADD_TC(tp, unsynced_first_report_no_role);
	ATF_TP_ADD_TC(tp, out_of_the_group_stands_by);
	ATF_TP_ADD_TC(tp, not_quorate_no_role_at_once);
	ATF_TP_ADD_TC(tp, grant_withdrawn_runs_standby_then_releases);
	ATF_TP_ADD_TC(tp, leaving_master_releases_after_demote_hook);
	ATF_TP_ADD_TC(tp, no_ending_hook_releases_at_once);
	ATF_TP_ADD_TC(tp, controller_again_before_release_keeps_holding);
	ATF_TP_ADD_TC(tp, held_promote_hook_no_role_until_released);
	ATF_TP_ADD_TC(tp, group_is_master_when_every_member_is);
	ATF_TP_ADD_TC(tp, local_word_said_on_change_only);
	ATF_TP_ADD_TC(tp, new_quorum_process_no_role_until_it_reports);
	ATF_TP_ADD_TC(tp, report_forwarded_whole_to_the_engine);
	ATF_TP_ADD_TC(tp, entity_removed_lets_go_through_its_queue);
	ATF_TP_ADD_TC(tp, service_removed_lets_go_with_its_demote_hook);
	return (atf_no_error());
}
