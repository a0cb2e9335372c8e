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
 * What weighs on the election from the host: health checks, each a
 * command on its own timer, and tracked interfaces.  A failing check or a
 * tracked link down demotes its service (a group's, its leader) by its
 * weight; the engine adds the weights up.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/wait.h>

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hafod.h"
#include "log.h"
#include "parent.h"

/* Where a group's checks and tracks count among its leader's weights. */
#define GROUP_WEIGHT_BASE	50

struct check {
	TAILQ_ENTRY(check)	 entry;
	struct check_conf	 conf;		/* cmd is our own copy */
	char			 target[SERVICE_NAME_MAX];
	char			 user[LOGIN_NAME_MAX];
	char			**env;
	uint32_t		 id;		/* service told of its weight */
	uint8_t			 index;
	struct child		 child;
	struct event		*tick;
	int			 passes;
	int			 fails;
	int			 failing;
	char			 label[SERVICE_NAME_MAX + 48];
};

/* A tracked interface and the service its state weighs on. */
struct ptrack {
	TAILQ_ENTRY(ptrack)	 entry;
	char			 ifname[IFNAMSIZ];
	char			 target[SERVICE_NAME_MAX];
	uint8_t			 weight;
	uint8_t			 index;
	uint32_t		 id;
	int			 down;
};

static TAILQ_HEAD(, check)	 checks = TAILQ_HEAD_INITIALIZER(checks);
static TAILQ_HEAD(, ptrack)	 ptracks = TAILQ_HEAD_INITIALIZER(ptracks);

static void
weight_send(uint32_t id, uint8_t index, int on, uint8_t weight,
    const char *name)
{
	struct msg_weight	mw;

	memset(&mw, 0, sizeof(mw));
	mw.service = id;
	mw.index = index;
	mw.on = on;
	mw.weight = weight;
	strlcpy(mw.name, name, sizeof(mw.name));
	parent_send(MSG_WEIGHT, id, -1, &mw, sizeof(mw));
}

/* Tracked interfaces: down, or gone, weighs; force resends them all. */
void
tracks_eval(int force)
{
	struct ptrack	*t;
	struct msg_link	 ml;
	char		 name[WEIGHT_NAME_MAX];
	int		 down, changed = 0;

	TAILQ_FOREACH(t, &ptracks, entry) {
		down = link_get(t->ifname, &ml) == -1 || !ml.up;
		if (down == t->down && !force)
			continue;
		if (down != t->down) {
			log_info("%s: tracked interface %s is %s", t->target,
			    t->ifname, down ? "down: demoting" : "up again");
			changed = 1;
		}
		t->down = down;
		snprintf(name, sizeof(name), "track %s", t->ifname);
		if (down || !force)
			weight_send(t->id, t->index, down, t->weight, name);
	}
	/* An entity across sites: its site's eligibility may change. */
	if (changed)
		psites_changed();
}

static void
track_add(const struct track_conf *tc, const char *target, uint32_t id,
    uint8_t index)
{
	struct ptrack	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		fatal(NULL);
	strlcpy(t->ifname, tc->ifname, sizeof(t->ifname));
	strlcpy(t->target, target, sizeof(t->target));
	t->weight = tc->weight;
	t->index = index;
	t->id = id;
	TAILQ_INSERT_TAIL(&ptracks, t, entry);
}

static char **
check_env(const char *service, const char *group)
{
	const char *const pairs[][2] = {
		{ "HAFOD_SERVICE", service },
		{ "HAFOD_GROUP", group },
	};

	return (child_env(pairs, sizeof(pairs) / sizeof(pairs[0])));
}

/* Checks: each on its own timer, never two runs of one at a time. */
static void
check_tick(int fd, short event, void *arg)
{
	struct check	*ck = arg;
	struct timeval	 tv = { ck->conf.every, 0 };

	evtimer_add(ck->tick, &tv);
	if (ck->child.pid != 0) {
		log_debug("%s: still running, not started again", ck->label);
		return;
	}
	if (child_spawn(&ck->child, ck->conf.cmd, ck->env, ck->user, 0) == -1)
		return;
	child_arm(&ck->child, ck->conf.timeout);
}

static void
check_finished(struct check *ck, int status)
{
	char	result[64];
	int	ok;

	ok = child_ok(&ck->child, status);
	child_status(&ck->child, status, ck->conf.timeout, result,
	    sizeof(result));
	child_done(&ck->child);
	if (ok) {
		ck->fails = 0;
		ck->passes++;
	} else {
		ck->passes = 0;
		ck->fails++;
		log_debug("%s: failed (%s), %d in a row", ck->label, result,
		    ck->fails);
	}
	if (!ck->failing && ck->fails >= ck->conf.fall) {
		ck->failing = 1;
		log_warnx("%s: failing (%s): demoting %s by %u", ck->label,
		    result, ck->target, ck->conf.weight);
		weight_send(ck->id, ck->index, 1, ck->conf.weight, ck->label);
	} else if (ck->failing && ck->passes >= ck->conf.rise) {
		ck->failing = 0;
		log_info("%s: passing again: lifting the demotion of %s",
		    ck->label, ck->target);
		weight_send(ck->id, ck->index, 0, ck->conf.weight, ck->label);
	} else
		return;
	psites_changed();
}

/*
 * Whether a check of target, weighing on service id, fails or a tracked
 * interface of it is down: an entity across sites is then not healthy.
 */
int
check_failing(const char *target, uint32_t id)
{
	struct check	*ck;
	struct ptrack	*t;

	TAILQ_FOREACH(ck, &checks, entry)
		if (ck->failing && ck->id == id &&
		    strcmp(ck->target, target) == 0)
			return (1);
	TAILQ_FOREACH(t, &ptracks, entry)
		if (t->down && t->id == id && strcmp(t->target, target) == 0)
			return (1);
	return (0);
}

/*
 * Start a check for the service with id.  A check with the same target
 * and command from before a reload keeps its counts, so a reload neither
 * lifts nor repeats a demotion.
 */
static void
check_add(const struct check_conf *cc, const char *target, const char *user,
    char **env, uint32_t id, uint8_t index)
{
	struct check	*ck, *old;
	struct timeval	 tv = { 0, 0 };

	if ((ck = calloc(1, sizeof(*ck))) == NULL ||
	    (ck->conf.cmd = strdup(cc->cmd)) == NULL)
		fatal(NULL);
	ck->conf.every = cc->every;
	ck->conf.timeout = cc->timeout;
	ck->conf.weight = cc->weight;
	ck->conf.rise = cc->rise;
	ck->conf.fall = cc->fall;
	strlcpy(ck->target, target, sizeof(ck->target));
	strlcpy(ck->user, user, sizeof(ck->user));
	ck->env = env;
	ck->id = id;
	ck->index = index;
	ck->child.outfd = -1;
	snprintf(ck->label, sizeof(ck->label), "%s: check %u", target,
	    index + 1);
	strlcpy(ck->child.label, ck->label, sizeof(ck->child.label));
	TAILQ_FOREACH(old, &checks, entry)
		if (old->id == 0 && strcmp(old->target, target) == 0 &&
		    strcmp(old->conf.cmd, cc->cmd) == 0) {
			ck->failing = old->failing;
			ck->passes = old->passes;
			ck->fails = old->fails;
			old->failing = 0;
			break;
		}
	if ((ck->tick = evtimer_new(parent_base(), check_tick, ck)) == NULL)
		fatal("evtimer_new");
	TAILQ_INSERT_TAIL(&checks, ck, entry);
	if (ck->failing)
		weight_send(ck->id, ck->index, 1, ck->conf.weight, ck->label);
	evtimer_add(ck->tick, &tv);
}

static void
check_free(struct check *ck)
{
	child_free(&ck->child);
	TAILQ_REMOVE(&checks, ck, entry);
	event_free(ck->tick);
	child_env_free(ck->env);
	free(ck->conf.cmd);
	free(ck);
}

/*
 * Before a reload: mark every check old (id 0) so check_add can take
 * over their counts; check_flush then drops what was not taken over.
 */
static void
check_mark(void)
{
	struct check	*ck;

	TAILQ_FOREACH(ck, &checks, entry) {
		ck->id = 0;
		evtimer_del(ck->tick);
	}
}

static void
check_flush(void)
{
	struct check	*ck, *next;

	TAILQ_FOREACH_SAFE(ck, &checks, entry, next)
		if (ck->id == 0)
			check_free(ck);
}

/*
 * Checks and tracks from the configuration, at start and on reload.  A
 * group's checks and tracks weigh on its leader, which carries the
 * demotion of the whole group.
 */
void
checks_start(const struct config *conf)
{
	const struct service	*s;
	const struct group_conf	*gc;
	const struct check_conf	*cc;
	const struct track_conf	*tc;
	struct pservice		*ps;
	struct ptrack		*t;
	uint8_t			 i;

	while ((t = TAILQ_FIRST(&ptracks)) != NULL) {
		TAILQ_REMOVE(&ptracks, t, entry);
		free(t);
	}
	TAILQ_FOREACH(ps, &pservices, entry)
		weight_send(ps->conf.id, WEIGHT_CLEAR, 0, 0, "");
	check_mark();
	TAILQ_FOREACH(s, &conf->services, entry) {
		if ((ps = pservice_named(s->conf.name)) == NULL)
			continue;
		i = 0;
		TAILQ_FOREACH(cc, &s->checks, entry)
			check_add(cc, s->conf.name, ps->hooks.user,
			    check_env(s->conf.name, s->conf.group),
			    ps->conf.id, i++);
		i = WEIGHT_TRACK;
		TAILQ_FOREACH(tc, &s->tracks, entry)
			track_add(tc, s->conf.name, ps->conf.id, i++);
	}
	TAILQ_FOREACH(gc, &conf->groups, entry) {
		if ((ps = group_leader(gc)) == NULL)
			continue;
		i = GROUP_WEIGHT_BASE;
		TAILQ_FOREACH(cc, &gc->checks, entry)
			check_add(cc, gc->name, gc->hooks.user,
			    check_env(gc->name, gc->name), ps->conf.id, i++);
		i = WEIGHT_TRACK + GROUP_WEIGHT_BASE;
		TAILQ_FOREACH(tc, &gc->tracks, entry)
			track_add(tc, gc->name, ps->conf.id, i++);
	}
	check_flush();
	tracks_eval(1);
}

/* Stop every check, e.g. when exiting: their runs are killed. */
void
checks_stop(void)
{
	check_mark();
	check_flush();
}

/* SIGCHLD: collect every check that has finished. */
void
check_reap(void)
{
	struct check	*ck, *next;
	int		 status;

	TAILQ_FOREACH_SAFE(ck, &checks, entry, next)
		if (ck->child.pid != 0 &&
		    waitpid(ck->child.pid, &status, WNOHANG) == ck->child.pid) {
			if (ck->id == 0)
				check_free(ck);
			else
				check_finished(ck, status);
		}
}
