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
 * Entities across sites as the parent runs them (hafod.8, SITES).  The
 * parent says where each of its services and groups across sites stands
 * here (state, health, whether it holds the role) to the quorum process,
 * which agrees with the other sites on one controller site per entity
 * and reports.  From the report, the local state and quorum, the parent
 * derives this node's role and runs the controller and standby hooks in
 * the entity's own hook queue, after its promote hook.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hafod.h"
#include "log.h"
#include "parent.h"

struct psite {
	TAILQ_ENTRY(psite)	 entry;
	char			 name[SERVICE_NAME_MAX];
	uint8_t			 kind;		/* SITE_KIND_* */
	struct site_conf	 conf;
	int			 retired;	/* no longer configured */
	int			 seen;		/* in psites_start()'s */

	/* The last whole report, and the one being read. */
	int			 grant;
	uint64_t		 term;
	char			 controller[SITE_NAME_MAX]; /* "": none */
	char			 target[SITE_NAME_MAX];	/* where it moves */
	int			 r_seen;
	int			 r_grant;
	uint64_t		 r_term;
	char			 r_controller[SITE_NAME_MAX];
	char			 r_target[SITE_NAME_MAX];

	/* This node's part. */
	enum site_role		 role;
	int			 holding;
	uint64_t		 gen;		/* controller hooks queued */
	uint64_t		 ending_gen;	/* letting go of that one */
	int			 ending;	/* hookq_then() still to call */
	int			 refs;		/* hookq_then() calls pending */
	int			 dead;		/* freed with the last ref */

	/* What the quorum process last heard. */
	int			 sent;
	uint8_t			 sent_state;
	uint8_t			 sent_healthy;
	uint8_t			 sent_holding;
};

/* A hookq_then() call: the role a hook queue lets go of. */
struct psite_end {
	struct psite		*e;
	uint64_t		 gen;
};

static TAILQ_HEAD(, psite)	 psites = TAILQ_HEAD_INITIALIZER(psites);
static char			 mysite[SITE_NAME_MAX];	/* "": sites off */
static int			 quorate;
static int			 have_report;	/* since the process started */
static int			 reading;	/* MSG_SITES came, not END */
static char			 rsites[SITES_MAX][SITE_NAME_MAX];
static uint8_t			 rnsites;
static int			 rfrozen;	/* joined, not synced: kept */
static uint8_t			 rlink;		/* of CPG, in the report */
static int			 dirty;		/* the set or a conf changed */
static int			 busy;		/* in psites_changed() */

static void	psites_flush(void);

static const char *
role_word(enum site_role role)
{
	switch (role) {
	case SITE_ROLE_CONTROLLER:
		return ("controller");
	case SITE_ROLE_STANDBY:
		return ("standby");
	default:
		return ("none");
	}
}

static struct psite *
psite_find(uint8_t kind, const char *name)
{
	struct psite	*e;

	TAILQ_FOREACH(e, &psites, entry)
		if (e->kind == kind && strcmp(e->name, name) == 0)
			return (e);
	return (NULL);
}

static void
psite_free(struct psite *e)
{
	TAILQ_REMOVE(&psites, e, entry);
	if (e->refs > 0)
		e->dead = 1;
	else
		free(e);
}

/* Whether the entity is master here, its promote hook released. */
static int
psite_master(const struct psite *e)
{
	struct pservice	*ps;

	if (e->retired)
		return (0);
	if (e->kind == SITE_KIND_GROUP)
		return (group_master(e->name));
	if ((ps = pservice_named(e->name)) == NULL)
		return (0);
	return (ps->state == CARP_MASTER && !ps->promote_held);
}

/*
 * Whether any service of that name still is master, one retired by a
 * reload included: until none is, its demote hook is still to come.
 */
static int
psite_any_master(const struct psite *e)
{
	struct pservice	*ps;

	if (e->kind == SITE_KIND_GROUP)
		return (e->retired ? 0 : group_master(e->name));
	/* No longer across sites but still configured: nothing to wait. */
	if (!e->retired)
		TAILQ_FOREACH(ps, &pservices, entry)
			if (strcmp(ps->conf.name, e->name) == 0 &&
			    ps->state == CARP_MASTER)
				return (1);
	TAILQ_FOREACH(ps, &pretired, entry)
		if (strcmp(ps->conf.name, e->name) == 0 &&
		    ps->state == CARP_MASTER)
			return (1);
	return (0);
}

/*
 * The state the other sites hear: a service's CARP state; a group is
 * MASTER once every member is (group.c), BACKUP while every member is
 * master or backup, else the state of its first member that is neither.
 */
static uint8_t
psite_state(const struct psite *e)
{
	struct pservice	*ps;
	uint8_t		 state = CARP_INIT;
	int		 any = 0;

	if (e->kind == SITE_KIND_SERVICE) {
		if (!e->retired && (ps = pservice_named(e->name)) != NULL)
			return (ps->state);
		TAILQ_FOREACH(ps, &pretired, entry)
			if (strcmp(ps->conf.name, e->name) == 0)
				return (ps->state);
		return (CARP_INIT);
	}
	if (e->retired)
		return (CARP_INIT);
	if (group_master(e->name))
		return (CARP_MASTER);
	TAILQ_FOREACH(ps, &pservices, entry) {
		if (strcmp(ps->conf.group, e->name) != 0)
			continue;
		if (ps->state != CARP_MASTER && ps->state != CARP_BACKUP)
			return (ps->state);
		any = 1;
	}
	if (any)
		state = CARP_BACKUP;
	return (state);
}

/*
 * Healthy: no check of it fails and no interface it tracks is down.  A
 * group weighs with every member's (each one's demotes the group) and
 * with its own, which weigh on its leader.
 */
static uint8_t
psite_healthy(const struct psite *e)
{
	struct pservice	*ps;

	if (e->retired)
		return (0);
	if (e->kind == SITE_KIND_SERVICE)
		return ((ps = pservice_named(e->name)) != NULL &&
		    !check_failing(ps->conf.name, ps->conf.id));
	TAILQ_FOREACH(ps, &pservices, entry) {
		if (strcmp(ps->conf.group, e->name) != 0)
			continue;
		if (check_failing(ps->conf.name, ps->conf.id) ||
		    (ps->conf.group_leader &&
		    check_failing(e->name, ps->conf.id)))
			return (0);
	}
	return (1);
}

/*
 * The role: the controller is the master of the granted site; another
 * master stands by.  Not quorate, or no report yet from this quorum
 * process joined to the synced group, no role at all.
 */
static enum site_role
psite_role(const struct psite *e, int master)
{
	if (e->retired || !master || !quorate || !have_report)
		return (SITE_ROLE_NONE);
	return (e->grant ? SITE_ROLE_CONTROLLER : SITE_ROLE_STANDBY);
}

/* What this node says of its entities: all of them, then commit. */
static void
psites_send(int force)
{
	struct msg_site_local	 sl;
	struct msg_site_commit	 sc;
	struct psite		*e;
	uint32_t		 n = 0;
	int			 changed = force || dirty;

	if (mysite[0] == '\0')
		return;
	TAILQ_FOREACH(e, &psites, entry)
		if (!e->sent || e->sent_state != psite_state(e) ||
		    e->sent_healthy != psite_healthy(e) ||
		    e->sent_holding != (e->holding != 0))
			changed = 1;
	if (!changed)
		return;
	dirty = 0;
	TAILQ_FOREACH(e, &psites, entry) {
		memset(&sl, 0, sizeof(sl));
		strlcpy(sl.name, e->name, sizeof(sl.name));
		sl.kind = e->kind;
		sl.state = e->sent_state = psite_state(e);
		sl.healthy = e->sent_healthy = psite_healthy(e);
		sl.holding = e->sent_holding = e->holding != 0;
		sl.conf = e->conf;
		e->sent = 1;
		n++;
		if (quorum_send_site(MSG_SITE_LOCAL, &sl, sizeof(sl)) == -1)
			goto unsent;
	}
	memset(&sc, 0, sizeof(sc));
	strlcpy(sc.site, mysite, sizeof(sc.site));
	sc.nentities = n;
	if (quorum_send_site(MSG_SITE_COMMIT, &sc, sizeof(sc)) == -1)
		goto unsent;
	return;
 unsent:
	/* No quorum process: psites_connected() says it all again. */
	log_debug("sites: no quorum process to tell");
}

/* Every hook queued before the role ended has finished. */
static void
psite_ended(void *arg, int failed)
{
	struct psite_end	*pe = arg;
	struct psite		*e = pe->e;

	e->refs--;
	if (pe->gen == e->gen && e->ending > 0 && --e->ending == 0 &&
	    e->holding) {
		e->holding = 0;
		if (failed)
			log_warnx("%s: a hook failed letting go of the role; "
			    "released all the same", e->name);
		else
			log_info("%s: released the role", e->name);
	}
	free(pe);
	if (e->dead && e->refs == 0)
		free(e);
	else if (!busy)
		psites_flush();
}

static void
psite_then(struct psite *e, struct hook_queue *q)
{
	struct psite_end	*pe;

	if ((pe = calloc(1, sizeof(*pe))) == NULL)
		fatal(NULL);
	pe->e = e;
	pe->gen = e->gen;
	e->ending++;
	e->refs++;
	hookq_then(q, psite_ended, pe);
}

/*
 * This node lets go of the role: it holds it until the hooks queued so
 * far have finished, the one that ends the role the last of them (its
 * standby hook, or its demote or stop hook), in every queue the entity
 * has: a service retired by a reload keeps its own until it is gone.
 */
static void
psite_let_go(struct psite *e)
{
	struct pservice	*ps;

	e->ending_gen = e->gen;
	/* Not released by a queue that is idle before the others are. */
	e->ending = 1;
	e->refs++;
	if (e->kind == SITE_KIND_GROUP)
		psite_then(e, group_hookq(e->name));
	else {
		TAILQ_FOREACH(ps, &pservices, entry)
			if (strcmp(ps->conf.name, e->name) == 0)
				psite_then(e, ps->hq);
		TAILQ_FOREACH(ps, &pretired, entry)
			if (strcmp(ps->conf.name, e->name) == 0)
				psite_then(e, ps->hq);
	}
	e->refs--;
	if (--e->ending == 0 && e->holding) {
		e->holding = 0;
		log_info("%s: released the role", e->name);
	}
}

static void
psite_hook(struct psite *e, enum hook_event ev, const char *reason)
{
	struct pservice	*ps;

	if (e->kind == SITE_KIND_GROUP)
		group_site_hook(e->name, ev, reason);
	else if ((ps = pservice_named(e->name)) != NULL)
		hook_site(ps, ev, reason);
}

/* A change of role: one line, and its hook. */
static void
psite_role_changed(struct psite *e, enum site_role role, int master)
{
	char	why[STATE_REASON_MAX];

	switch (role) {
	case SITE_ROLE_CONTROLLER:
		snprintf(why, sizeof(why), "controller in site %s (term %llu)",
		    mysite, (unsigned long long)e->term);
		break;
	case SITE_ROLE_STANDBY:
		if (strcmp(e->controller, mysite) == 0 &&
		    e->target[0] != '\0' && strcmp(e->target, mysite) != 0)
			snprintf(why, sizeof(why), "standby, site %s lets the "
			    "role go to site %s", mysite, e->target);
		else if (e->controller[0] != '\0')
			snprintf(why, sizeof(why), "standby, site %s is the "
			    "controller", e->controller);
		else
			snprintf(why, sizeof(why), "standby, no site is the "
			    "controller");
		break;
	default:
		snprintf(why, sizeof(why), "no role: %s",
		    e->retired ? "no longer across sites" :
		    !master ? "not master here" :
		    !quorate ? "not quorate" : "no word from the sites yet");
		break;
	}
	log_info("%s: %s", e->name, why);
	e->role = role;
	if (role == SITE_ROLE_CONTROLLER) {
		e->gen++;
		e->holding = 1;
		psite_hook(e, HOOK_CONTROLLER, why);
	} else if (role == SITE_ROLE_STANDBY)
		psite_hook(e, HOOK_STANDBY, why);
}

static void
psite_update(struct psite *e)
{
	enum site_role	role;
	int		master;

	master = psite_master(e);
	if ((role = psite_role(e, master)) != e->role)
		psite_role_changed(e, role, master);
	/*
	 * The role ends with the standby hook, or with leaving master
	 * (demote or stop hook); not quorate while still master, with the
	 * demote that the engine does then.
	 */
	if (e->holding && e->role != SITE_ROLE_CONTROLLER &&
	    e->ending_gen != e->gen &&
	    (e->role == SITE_ROLE_STANDBY || !psite_any_master(e)))
		psite_let_go(e);
}

/* Entities gone and let go are forgotten; the rest is told. */
static void
psites_flush(void)
{
	struct psite	*e, *next;

	TAILQ_FOREACH_SAFE(e, &psites, entry, next)
		if (e->retired && !e->holding) {
			psite_free(e);
			dirty = 1;
		}
	psites_send(0);
}

/*
 * Something this node's roles depend on may have changed: a state, a
 * check, a track, quorum, a report.  Cheap: a few entities.
 */
void
psites_changed(void)
{
	struct psite	*e;

	if (mysite[0] == '\0' || busy)
		return;
	busy = 1;
	TAILQ_FOREACH(e, &psites, entry)
		psite_update(e);
	busy = 0;
	psites_flush();
}

static struct psite *
psite_configured(uint8_t kind, const char *name, const struct site_conf *sc)
{
	struct psite	*e;

	if ((e = psite_find(kind, name)) == NULL) {
		if ((e = calloc(1, sizeof(*e))) == NULL)
			fatal(NULL);
		strlcpy(e->name, name, sizeof(e->name));
		e->kind = kind;
		e->role = SITE_ROLE_NONE;
		TAILQ_INSERT_TAIL(&psites, e, entry);
	}
	e->conf = *sc;
	e->retired = 0;
	e->seen = 1;
	return (e);
}

/*
 * The entities of the configuration, at start and on reload, before
 * groups_start(): an entity no longer configured ends its role now, in
 * the queue of a group that goes (groups_start() lets it drain), or
 * with the demote or stop hook of a service that goes.
 * psites_changed() then says it all to the quorum process.
 */
void
psites_start(const struct config *conf)
{
	const struct service	*s;
	const struct group_conf	*gc;
	struct psite		*e;

	TAILQ_FOREACH(e, &psites, entry)
		e->seen = 0;
	strlcpy(mysite, conf->site, sizeof(mysite));
	if (mysite[0] != '\0') {
		TAILQ_FOREACH(s, &conf->services, entry)
			if (s->conf.site.across)
				psite_configured(SITE_KIND_SERVICE,
				    s->conf.name, &s->conf.site);
		TAILQ_FOREACH(gc, &conf->groups, entry)
			if (gc->site.across)
				psite_configured(SITE_KIND_GROUP, gc->name,
				    &gc->site);
	}
	busy = 1;
	TAILQ_FOREACH(e, &psites, entry)
		if (!e->seen && !e->retired) {
			e->retired = 1;
			psite_update(e);
		}
	busy = 0;
	dirty = 1;
	/* No site: nothing more to say; entities holding drain quietly. */
}

/* Quorum from the quorum process (pquorum.c): lost, no role at once. */
void
psites_quorum(const struct msg_quorum *q)
{
	int	now = q->link == QUORUM_UP && q->quorate;

	if (now == quorate)
		return;
	quorate = now;
	psites_changed();
}

/* A new quorum process knows nothing yet: it hears everything. */
void
psites_connected(void)
{
	struct psite	*e;

	have_report = 0;
	reading = 0;
	TAILQ_FOREACH(e, &psites, entry) {
		e->grant = 0;
		e->controller[0] = e->target[0] = '\0';
	}
	dirty = 1;
	psites_changed();
}

static void
report_sites(const struct msg_sites *ms)
{
	struct psite	*e;
	uint8_t		 i;

	/*
	 * After a change of membership the quorum process grants nothing
	 * until every member has spoken, while no decision may change:
	 * roles stay as they are, or every change of membership anywhere
	 * would run standby then controller here.  Out of the group, no
	 * grant holds.
	 */
	rlink = ms->link;
	rfrozen = ms->link == QUORUM_UP && !ms->synced;
	rnsites = ms->nsites <= SITES_MAX ? ms->nsites : SITES_MAX;
	for (i = 0; i < rnsites; i++) {
		memcpy(rsites[i], ms->sites[i], sizeof(rsites[i]));
		rsites[i][sizeof(rsites[i]) - 1] = '\0';
	}
	TAILQ_FOREACH(e, &psites, entry) {
		e->r_seen = 0;
		e->r_grant = 0;
		e->r_term = 0;
		e->r_controller[0] = '\0';
		e->r_target[0] = '\0';
	}
	reading = 1;
}

static void
report_role(const struct msg_site_role *mr)
{
	struct psite	*e;
	char		 name[SERVICE_NAME_MAX];

	memcpy(name, mr->name, sizeof(name));
	name[sizeof(name) - 1] = '\0';
	if ((e = psite_find(mr->kind, name)) == NULL || e->retired)
		return;
	e->r_seen = 1;
	e->r_grant = mr->grant != 0;
	e->r_term = mr->term;
	if (mr->controller < rnsites)
		strlcpy(e->r_controller, rsites[mr->controller],
		    sizeof(e->r_controller));
	if (mr->target < rnsites)
		strlcpy(e->r_target, rsites[mr->target], sizeof(e->r_target));
}

/*
 * A whole report: an entity it does not name is granted nothing.  Roles
 * are taken only from a report of the joined, synced group.
 */
static void
report_end(void)
{
	struct psite	*e;

	reading = 0;
	if (rfrozen) {
		log_debug("sites: members not all heard since the last "
		    "change: roles kept");
		return;
	}
	TAILQ_FOREACH(e, &psites, entry) {
		e->grant = e->r_seen && e->r_grant;
		e->term = e->r_term;
		strlcpy(e->controller, e->r_controller,
		    sizeof(e->controller));
		strlcpy(e->target, e->r_target, sizeof(e->target));
	}
	if (rlink == QUORUM_UP)
		have_report = 1;
	psites_changed();
}

/*
 * A message of the quorum process's report, checked by pquorum.c.  It
 * goes to the engine as it came, for hafoctl show sites; a message out
 * of a report's order does not.
 */
void
psites_report(enum msg_type type, const void *data, size_t len)
{
	switch (type) {
	case MSG_SITES:
		if (len != sizeof(struct msg_sites))
			return;
		report_sites(data);
		break;
	case MSG_SITE_ROLE:
		if (!reading || len != sizeof(struct msg_site_role)) {
			log_warnx("sites: a role outside a report, ignored");
			return;
		}
		report_role(data);
		break;
	case MSG_SITES_END:
		if (!reading) {
			log_warnx("sites: the end of no report, ignored");
			return;
		}
		break;
	default:
		return;
	}
	parent_send(type, 0, -1, data, len);
	if (type == MSG_SITES_END)
		report_end();
}

/*
 * The environment of a hook of an entity across sites (hook.c,
 * group.c): the role after the event, the node master then or not.
 * 0: not across sites, no such variables.
 */
int
psites_env(uint8_t kind, const char *name, int master, struct site_env *se)
{
	struct psite	*e;

	memset(se, 0, sizeof(*se));
	if (mysite[0] == '\0' || (e = psite_find(kind, name)) == NULL)
		return (0);
	strlcpy(se->site, mysite, sizeof(se->site));
	strlcpy(se->role, role_word(psite_role(e, master)), sizeof(se->role));
	strlcpy(se->controller, e->controller, sizeof(se->controller));
	return (1);
}
