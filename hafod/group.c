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
 * Groups as the parent sees them: services that fail over together get
 * the group's hooks too, promote once every member is master here and
 * demote when the first member leaves master after all were.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hafod.h"
#include "log.h"
#include "parent.h"

struct pgroup {
	TAILQ_ENTRY(pgroup)	 entry;
	char			 name[SERVICE_NAME_MAX];
	struct hooks_conf	 hooks;
	struct hook_queue	*hq;
	int			 all_master;
};

static TAILQ_HEAD(, pgroup)	 pgroups = TAILQ_HEAD_INITIALIZER(pgroups);

/* The service that leads a group: its first member. */
struct pservice *
group_leader(const struct group_conf *gc)
{
	return (pservice_named(gc->members[0]));
}

static struct pgroup *
group_find(const char *name)
{
	struct pgroup	*g;

	TAILQ_FOREACH(g, &pgroups, entry)
		if (strcmp(g->name, name) == 0)
			return (g);
	return (NULL);
}

/*
 * Groups from the configuration, at start and on reload.  A group that
 * stays keeps its hook queue and what it last told its hooks, so that
 * a reload runs no hook for a group whose members kept their state
 * (hafod.8, SIGNALS) and never runs two of its hooks at once; only its
 * hooks and its leader are taken from the new configuration.
 */
void
groups_start(const struct config *conf)
{
	TAILQ_HEAD(, pgroup)	 kept = TAILQ_HEAD_INITIALIZER(kept);
	const struct group_conf	*gc;
	struct pservice		*leader;
	struct pgroup		*g;
	uint32_t		 id;

	TAILQ_FOREACH(gc, &conf->groups, entry) {
		leader = group_leader(gc);
		id = leader != NULL ? leader->conf.id : 0;
		if ((g = group_find(gc->name)) != NULL) {
			TAILQ_REMOVE(&pgroups, g, entry);
			hooks_clear(&g->hooks);
			hookq_owner(g->hq, id);
		} else {
			if ((g = calloc(1, sizeof(*g))) == NULL)
				fatal(NULL);
			strlcpy(g->name, gc->name, sizeof(g->name));
			g->hq = hookq_new(g->name, id);
		}
		hooks_copy(&g->hooks, &gc->hooks);
		TAILQ_INSERT_TAIL(&kept, g, entry);
	}
	while ((g = TAILQ_FIRST(&pgroups)) != NULL) {
		TAILQ_REMOVE(&pgroups, g, entry);
		hookq_free(g->hq);
		hooks_clear(&g->hooks);
		free(g);
	}
	TAILQ_CONCAT(&pgroups, &kept, entry);
	TAILQ_FOREACH(gc, &conf->groups, entry)
		if (group_leader(gc) != NULL)
			group_state(gc->name, "configured");
}

/*
 * The environment of a group's hook, with what its members hold; across
 * sites, the role after the event too.
 */
static char **
group_env(struct pgroup *g, enum hook_event ev, int master, const char *prev,
    const char *reason)
{
	struct pservice		*ps;
	struct site_env		 se;
	char			 vhids[SERVICE_GROUP_MAX * 4] = "", one[8];
	char			 ifs[SERVICE_GROUP_MAX * (IFNAMSIZ + 1)] = "";
	char			 vips[SERVICE_GROUP_MAX * 2 *
				    (INET6_ADDRSTRLEN + 8)] = "";
	const char *const	 pairs[][2] = {
		{ "HAFOD_EVENT", hook_name(ev) },
		{ "HAFOD_SERVICE", g->name },
		{ "HAFOD_GROUP", g->name },
		{ "HAFOD_VHID", vhids },
		{ "HAFOD_INTERFACE", ifs },
		{ "HAFOD_STATE", master ? "MASTER" : "BACKUP" },
		{ "HAFOD_PREVIOUS", prev },
		{ "HAFOD_REASON", reason },
		{ "HAFOD_VIPS", vips },
		{ "HAFOD_SITE", se.site },
		{ "HAFOD_ROLE", se.role },
		{ "HAFOD_CONTROLLER_SITE", se.controller },
	};
	int			 n = sizeof(pairs) / sizeof(pairs[0]);

	TAILQ_FOREACH(ps, &pservices, entry) {
		if (strcmp(ps->conf.group, g->name) != 0)
			continue;
		snprintf(one, sizeof(one), "%s%u", vhids[0] ? " " : "",
		    ps->conf.vhid);
		strlcat(vhids, one, sizeof(vhids));
		if (ifs[0] != '\0')
			strlcat(ifs, " ", sizeof(ifs));
		strlcat(ifs, ps->conf.ifname, sizeof(ifs));
		if (vips[0] != '\0')
			strlcat(vips, " ", sizeof(vips));
		vips_string(&ps->conf, vips, sizeof(vips));
	}
	if (!psites_env(SITE_KIND_GROUP, g->name, master, &se))
		n -= SITE_ENV_VARS;
	return (child_env(pairs, n));
}

static void
group_hook(struct pgroup *g, int all, const char *reason)
{
	enum hook_event		 ev = all ? HOOK_PROMOTE : HOOK_DEMOTE;

	log_info("group %s: %s", g->name, all ? "every member is master" :
	    "no longer master everywhere");
	hook_queue(g->hq, ev, &g->hooks, group_env(g, ev, all,
	    all ? "BACKUP" : "MASTER", reason));
}

/*
 * A group's promote hook runs once every member is master here, with
 * its promote hook released (handover exclusive), its demote hook when
 * the first member leaves master after all were.
 */
void
group_state(const char *name, const char *reason)
{
	struct pgroup	*g;
	struct pservice	*ps;
	int		 all = 1, any = 0;

	if ((g = group_find(name)) == NULL)
		return;
	TAILQ_FOREACH(ps, &pservices, entry) {
		if (strcmp(ps->conf.group, name) != 0)
			continue;
		any = 1;
		if (ps->state != CARP_MASTER || ps->promote_held)
			all = 0;
	}
	if (!any || all == g->all_master)
		return;
	g->all_master = all;
	group_hook(g, all, reason);
}

/*
 * Whether a group's hooks are running or waiting: an exclusive member
 * has not released (hook.c) until its group's demote hook has finished.
 */
int
group_busy(const char *name)
{
	struct pgroup	*g;

	if ((g = group_find(name)) == NULL)
		return (0);
	return (!hookq_idle(g->hq));
}

/* Whether every member is master here, its promote hook released. */
int
group_master(const char *name)
{
	struct pgroup	*g;

	if ((g = group_find(name)) == NULL)
		return (0);
	return (g->all_master);
}

/* The hook queue of a group, for what must wait for its hooks. */
struct hook_queue *
group_hookq(const char *name)
{
	struct pgroup	*g;

	if ((g = group_find(name)) == NULL)
		return (NULL);
	return (g->hq);
}

/* The controller or standby hook of a group across sites (psites.c). */
void
group_site_hook(const char *name, enum hook_event ev, const char *reason)
{
	struct pgroup	*g;

	if ((g = group_find(name)) == NULL)
		return;
	hook_queue(g->hq, ev, &g->hooks, group_env(g, ev, g->all_master,
	    g->all_master ? "MASTER" : "BACKUP", reason));
}
