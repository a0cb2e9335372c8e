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
 * The engine's copy of the sites report (esites.c): only a whole report
 * is shown, a malformed one is fatal, and the role shown for this node
 * is hafod.8 SITES' rule applied to the services as they run here.
 * Each case is named after the rule it checks.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <atf-c.h>
#include <string.h>

#include "engine.h"
#include "hafod.h"

#define NSVC	3

/* The engine, as far as esites.c sees it: web alone, db and db2 a group. */
static struct eservice_head	services = TAILQ_HEAD_INITIALIZER(services);
static struct eservice		svc[NSVC];
static int			quorate = 1;
static struct msg		m;

struct eservice_head *
engine_services(void)
{
	return (&services);
}

void
engine_quorum_state(struct ctl_quorum *cq)
{
	memset(cq, 0, sizeof(*cq));
	cq->q.link = QUORUM_UP;
	cq->q.quorate = quorate;
}

/* 100 s since boot, in usec. */
uint64_t
engine_now(void)
{
	return (100ULL * 1000000);
}

static void
setup(enum carp_state web, enum carp_state db, enum carp_state db2)
{
	static const char	*names[NSVC] = { "web", "db", "db2" };
	enum carp_state		 states[NSVC] = { web, db, db2 };
	int			 i;

	TAILQ_INIT(&services);
	for (i = 0; i < NSVC; i++) {
		memset(&svc[i], 0, sizeof(svc[i]));
		strlcpy(svc[i].conf.name, names[i], sizeof(svc[i].conf.name));
		if (i > 0)
			strlcpy(svc[i].conf.group, "pair",
			    sizeof(svc[i].conf.group));
		svc[i].fsm.state = states[i];
		TAILQ_INSERT_TAIL(&services, &svc[i], entry);
	}
	quorate = 1;
}

static void
from_parent(uint32_t type, const void *data, size_t len)
{
	memset(&m, 0, sizeof(m));
	m.hdr.type = type;
	m.fd = -1;
	m.datalen = len;
	if (len > 0)
		memcpy(m.data, data, len);
	ATF_REQUIRE(msg_check_size(&m) == 0);
	engine_sites(&m);
}

/* Sites east (this node's) and west; nodes 1 here, 3 in west. */
static void
sites(uint32_t nroles, uint8_t link)
{
	struct msg_sites	ms;

	memset(&ms, 0, sizeof(ms));
	ms.link = link;
	ms.synced = 1;
	ms.nsites = 2;
	ms.nmembers = 2;
	ms.nodeid = 1;
	ms.nroles = nroles;
	ms.changed_ms = 88 * 1000;
	strlcpy(ms.sites[0], "east", sizeof(ms.sites[0]));
	strlcpy(ms.sites[1], "west", sizeof(ms.sites[1]));
	ms.members[0].nodeid = 1;
	strlcpy(ms.members[0].name, "n1", sizeof(ms.members[0].name));
	ms.members[1].nodeid = 3;
	ms.members[1].site = 1;
	strlcpy(ms.members[1].name, "n3", sizeof(ms.members[1].name));
	from_parent(MSG_SITES, &ms, sizeof(ms));
}

static void
role(const char *name, uint8_t kind, uint8_t controller, uint8_t grant)
{
	struct msg_site_role	mr;

	memset(&mr, 0, sizeof(mr));
	strlcpy(mr.name, name, sizeof(mr.name));
	mr.kind = kind;
	mr.controller = mr.target = controller;
	mr.grant = grant;
	mr.since_ms = 97 * 1000;
	from_parent(MSG_SITE_ROLE, &mr, sizeof(mr));
}

/* A whole report of one entity; the role this node is shown for it. */
static uint8_t
role_of(const char *name, uint8_t kind, uint8_t grant)
{
	struct ctl_sites	cs;
	struct ctl_site_role	cr;
	uint32_t		gen;

	sites(1, QUORUM_UP);
	role(name, kind, grant ? 0 : 1, grant);
	from_parent(MSG_SITES_END, NULL, 0);
	gen = engine_sites_state(&cs);
	ATF_REQUIRE_EQ(engine_site_role(gen, 0, &cr), 0);
	ATF_REQUIRE_EQ(engine_site_role(gen, 1, &cr), -1);
	return (cr.role);
}

ATF_TC_WITHOUT_HEAD(no_report_is_off);
ATF_TC_BODY(no_report_is_off, tc)
{
	struct ctl_sites	cs;
	struct ctl_site_role	cr;
	uint32_t		gen;

	setup(CARP_MASTER, CARP_MASTER, CARP_MASTER);
	gen = engine_sites_state(&cs);
	ATF_CHECK_EQ(cs.s.link, QUORUM_OFF);
	ATF_CHECK_EQ(cs.s.mysite, SITE_NONE);
	ATF_CHECK_EQ(cs.s.nsites, 0);
	ATF_CHECK_EQ(cs.s.nroles, 0);
	ATF_CHECK_EQ(engine_site_role(gen, 0, &cr), -1);
}

ATF_TC_WITHOUT_HEAD(master_granted_is_controller);
ATF_TC_BODY(master_granted_is_controller, tc)
{
	setup(CARP_MASTER, CARP_BACKUP, CARP_BACKUP);
	ATF_CHECK_EQ(role_of("web", SITE_KIND_SERVICE, 1),
	    SITE_ROLE_CONTROLLER);
}

ATF_TC_WITHOUT_HEAD(master_not_granted_is_standby);
ATF_TC_BODY(master_not_granted_is_standby, tc)
{
	setup(CARP_MASTER, CARP_BACKUP, CARP_BACKUP);
	ATF_CHECK_EQ(role_of("web", SITE_KIND_SERVICE, 0), SITE_ROLE_STANDBY);
}

ATF_TC_WITHOUT_HEAD(not_master_is_none_even_granted);
ATF_TC_BODY(not_master_is_none_even_granted, tc)
{
	setup(CARP_BACKUP, CARP_BACKUP, CARP_BACKUP);
	ATF_CHECK_EQ(role_of("web", SITE_KIND_SERVICE, 1), SITE_ROLE_NONE);
	setup(CARP_INIT, CARP_BACKUP, CARP_BACKUP);
	ATF_CHECK_EQ(role_of("web", SITE_KIND_SERVICE, 0), SITE_ROLE_NONE);
}

ATF_TC_WITHOUT_HEAD(not_quorate_is_never_controller);
ATF_TC_BODY(not_quorate_is_never_controller, tc)
{
	setup(CARP_MASTER, CARP_BACKUP, CARP_BACKUP);
	quorate = 0;
	ATF_CHECK_EQ(role_of("web", SITE_KIND_SERVICE, 1), SITE_ROLE_STANDBY);
}

ATF_TC_WITHOUT_HEAD(group_is_master_once_every_member_is);
ATF_TC_BODY(group_is_master_once_every_member_is, tc)
{
	setup(CARP_BACKUP, CARP_MASTER, CARP_BACKUP);
	ATF_CHECK_EQ(role_of("pair", SITE_KIND_GROUP, 1), SITE_ROLE_NONE);
	setup(CARP_BACKUP, CARP_MASTER, CARP_MASTER);
	ATF_CHECK_EQ(role_of("pair", SITE_KIND_GROUP, 1),
	    SITE_ROLE_CONTROLLER);
	ATF_CHECK_EQ(role_of("pair", SITE_KIND_GROUP, 0), SITE_ROLE_STANDBY);
}

/* A service of that name is not the group, nor the group a service. */
ATF_TC_WITHOUT_HEAD(kind_tells_service_from_group);
ATF_TC_BODY(kind_tells_service_from_group, tc)
{
	setup(CARP_MASTER, CARP_MASTER, CARP_MASTER);
	ATF_CHECK_EQ(role_of("pair", SITE_KIND_SERVICE, 1), SITE_ROLE_NONE);
	ATF_CHECK_EQ(role_of("web", SITE_KIND_GROUP, 1), SITE_ROLE_NONE);
	ATF_CHECK_EQ(role_of("nosuch", SITE_KIND_SERVICE, 1),
	    SITE_ROLE_NONE);
}

ATF_TC_WITHOUT_HEAD(ages_from_the_monotonic_clock);
ATF_TC_BODY(ages_from_the_monotonic_clock, tc)
{
	struct ctl_sites	cs;
	struct ctl_site_role	cr;
	uint32_t		gen;

	setup(CARP_MASTER, CARP_BACKUP, CARP_BACKUP);
	(void)role_of("web", SITE_KIND_SERVICE, 1);
	gen = engine_sites_state(&cs);
	ATF_CHECK_EQ(cs.age_ms, 12 * 1000);
	ATF_CHECK(cs.quorate);
	ATF_REQUIRE_EQ(engine_site_role(gen, 0, &cr), 0);
	ATF_CHECK_EQ(cr.age_ms, 3 * 1000);
}

/* Until its end comes, the last whole report is the one shown. */
ATF_TC_WITHOUT_HEAD(half_a_report_is_never_shown);
ATF_TC_BODY(half_a_report_is_never_shown, tc)
{
	struct ctl_sites	cs;
	struct ctl_site_role	cr;
	uint32_t		gen, gen2;

	setup(CARP_MASTER, CARP_BACKUP, CARP_BACKUP);
	(void)role_of("web", SITE_KIND_SERVICE, 1);
	gen = engine_sites_state(&cs);
	sites(2, QUORUM_UP);
	role("pair", SITE_KIND_GROUP, 1, 0);
	ATF_CHECK_EQ(engine_sites_state(&cs), gen);
	ATF_CHECK_EQ(cs.s.nroles, 1);
	ATF_REQUIRE_EQ(engine_site_role(gen, 0, &cr), 0);
	ATF_CHECK_STREQ(cr.r.name, "web");
	/* Cut short: the quorum process started again. */
	(void)role_of("db", SITE_KIND_SERVICE, 0);
	gen2 = engine_sites_state(&cs);
	ATF_CHECK(gen2 != gen);
	ATF_CHECK_EQ(cs.s.nroles, 1);
	/* A reply begun on the old report stops rather than mix them. */
	ATF_CHECK_EQ(engine_site_role(gen, 0, &cr), -1);
	ATF_REQUIRE_EQ(engine_site_role(gen2, 0, &cr), 0);
	ATF_CHECK_STREQ(cr.r.name, "db");
}

ATF_TC_WITHOUT_HEAD(link_off_shows_nothing);
ATF_TC_BODY(link_off_shows_nothing, tc)
{
	struct ctl_sites	cs;
	struct ctl_site_role	cr;
	uint32_t		gen;

	setup(CARP_MASTER, CARP_BACKUP, CARP_BACKUP);
	sites(1, QUORUM_OFF);
	role("web", SITE_KIND_SERVICE, 0, 1);
	from_parent(MSG_SITES_END, NULL, 0);
	gen = engine_sites_state(&cs);
	ATF_CHECK_EQ(cs.s.link, QUORUM_OFF);
	ATF_CHECK_EQ(cs.s.nsites, 0);
	ATF_CHECK_EQ(cs.s.mysite, SITE_NONE);
	ATF_CHECK_EQ(engine_site_role(gen, 0, &cr), -1);
}

/* The parent passes on what the quorum process checked: else, fatal. */
ATF_TC_WITHOUT_HEAD(malformed_is_fatal);
ATF_TC_BODY(malformed_is_fatal, tc)
{
	struct msg_site_role	mr;

	setup(CARP_MASTER, CARP_BACKUP, CARP_BACKUP);
	sites(1, QUORUM_UP);
	memset(&mr, 0, sizeof(mr));
	strlcpy(mr.name, "web", sizeof(mr.name));
	mr.controller = 2;		/* only east and west */
	atf_tc_expect_exit(1, "a site out of the report");
	from_parent(MSG_SITE_ROLE, &mr, sizeof(mr));
}

ATF_TC_WITHOUT_HEAD(end_before_every_role_is_fatal);
ATF_TC_BODY(end_before_every_role_is_fatal, tc)
{
	setup(CARP_MASTER, CARP_BACKUP, CARP_BACKUP);
	sites(2, QUORUM_UP);
	role("web", SITE_KIND_SERVICE, 0, 1);
	atf_tc_expect_exit(1, "one role of two");
	from_parent(MSG_SITES_END, NULL, 0);
}

ATF_TC_WITHOUT_HEAD(role_outside_a_report_is_fatal);
ATF_TC_BODY(role_outside_a_report_is_fatal, tc)
{
	setup(CARP_MASTER, CARP_BACKUP, CARP_BACKUP);
	(void)role_of("web", SITE_KIND_SERVICE, 1);
	atf_tc_expect_exit(1, "a role after the end");
	role("web", SITE_KIND_SERVICE, 0, 1);
}

/*
 * msg.c's check, shared by every receiver of a report: a table of what
 * is refused, each row one fault in an otherwise good report.
 */
ATF_TC_WITHOUT_HEAD(check_refuses_each_fault);
ATF_TC_BODY(check_refuses_each_fault, tc)
{
	struct msg_sites	good, s;
	struct msg_site_role	r;
	int			i;

	memset(&good, 0, sizeof(good));
	good.link = QUORUM_UP;
	good.nsites = 2;
	good.nmembers = 1;
	strlcpy(good.sites[0], "east", sizeof(good.sites[0]));
	strlcpy(good.sites[1], "west", sizeof(good.sites[1]));
	strlcpy(good.members[0].name, "n1", sizeof(good.members[0].name));
	ATF_REQUIRE_EQ(msg_sites_check(&good), 0);
	for (i = 0; i < 9; i++) {
		s = good;
		switch (i) {
		case 0:	/* zeroed but for the link: site 0 of none */
			memset(&s, 0, sizeof(s));
			s.link = QUORUM_DOWN;
			break;
		case 1:
			s.link = QUORUM_REFUSED + 1;
			break;
		case 2:
			s.nsites = SITES_MAX + 1;
			break;
		case 3:
			s.nmembers = QUORUM_MEMBERS_MAX + 1;
			break;
		case 4:
			s.mysite = 2;
			break;
		case 5:
			strlcpy(s.sites[1], "east", sizeof(s.sites[1]));
			break;
		case 6:
			s.sites[1][0] = '\0';
			break;
		case 7:
			s.members[0].site = 2;
			break;
		case 8:
			memset(s.reason, 'x', sizeof(s.reason));
			break;
		}
		ATF_CHECK_MSG(msg_sites_check(&s) == -1, "fault %d passed", i);
	}
	s = good;
	memset(&s, 0, sizeof(s));
	s.mysite = SITE_NONE;
	ATF_CHECK_EQ(msg_sites_check(&s), 0);
	/* A member not heard since it joined has no site yet. */
	s = good;
	s.members[0].site = SITE_NONE;
	ATF_CHECK_EQ(msg_sites_check(&s), 0);

	memset(&r, 0, sizeof(r));
	strlcpy(r.name, "db", sizeof(r.name));
	r.controller = r.target = SITE_NONE;
	ATF_REQUIRE_EQ(msg_site_role_check(&r, 2), 0);
	r.masters[1] = 3;
	ATF_CHECK_EQ(msg_site_role_check(&r, 2), 0);
	ATF_CHECK_EQ(msg_site_role_check(&r, 1), -1);
	r.masters[1] = 0;
	r.target = 2;
	ATF_CHECK_EQ(msg_site_role_check(&r, 2), -1);
	r.target = 1;
	r.kind = SITE_KIND_GROUP + 1;
	ATF_CHECK_EQ(msg_site_role_check(&r, 2), -1);
	r.kind = SITE_KIND_GROUP;
	r.grant = 2;
	ATF_CHECK_EQ(msg_site_role_check(&r, 2), -1);
	r.grant = 1;
	r.name[0] = '\0';
	ATF_CHECK_EQ(msg_site_role_check(&r, 2), -1);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, check_refuses_each_fault);
	ATF_TP_ADD_TC(tp, no_report_is_off);
	ATF_TP_ADD_TC(tp, master_granted_is_controller);
	ATF_TP_ADD_TC(tp, master_not_granted_is_standby);
	ATF_TP_ADD_TC(tp, not_master_is_none_even_granted);
	ATF_TP_ADD_TC(tp, not_quorate_is_never_controller);
	ATF_TP_ADD_TC(tp, group_is_master_once_every_member_is);
	ATF_TP_ADD_TC(tp, kind_tells_service_from_group);
	ATF_TP_ADD_TC(tp, ages_from_the_monotonic_clock);
	ATF_TP_ADD_TC(tp, half_a_report_is_never_shown);
	ATF_TP_ADD_TC(tp, link_off_shows_nothing);
	ATF_TP_ADD_TC(tp, malformed_is_fatal);
	ATF_TP_ADD_TC(tp, end_before_every_role_is_fatal);
	ATF_TP_ADD_TC(tp, role_outside_a_report_is_fatal);
	return (atf_no_error());
}
