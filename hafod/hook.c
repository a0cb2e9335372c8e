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
 * Hooks, run by the parent: one at a time per queue, in the order the
 * transitions happened, each bounded by its timeout.  A slow hook delays
 * the next one and never reorders it; the engine never waits for any.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/wait.h>

#include <arpa/inet.h>

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hafod.h"
#include "log.h"
#include "parent.h"

#define HOOK_QUEUE_MAX		64

struct hook_job {
	TAILQ_ENTRY(hook_job)	 entry;
	enum hook_event		 event;
	char			*cmd;
	char			**env;
	char			 user[LOGIN_NAME_MAX];
	uint32_t		 timeout;
	uint32_t		 pfail_hold;	/* its block's promote failure */
	uint32_t		 pfail_limit;
	/* hookq_then(): a call, no command */
	void			(*then)(void *, int);
	void			*arg;
};

struct hook_queue {
	TAILQ_ENTRY(hook_queue)	 entry;
	TAILQ_HEAD(, hook_job)	 jobs;
	int			 njobs;
	struct hook_job		*running;
	struct child		 child;
	char			 label[SERVICE_NAME_MAX + 32];
	uint32_t		 id;		/* for the results */
	int			 dead;		/* freed once idle */
	int			 holding;	/* held: see hold_demote() */
	struct msg_hook_result	 held;
	int			 failed;	/* a hook since the last then */
};

static TAILQ_HEAD(, hook_queue)	 queues = TAILQ_HEAD_INITIALIZER(queues);

static void	hook_next(struct hook_queue *);
static void	hook_flush(void);

/*
 * The engine shows the last hook's result in hafoctl show, and a failed
 * promote hook may demote the service (on promote failure demote).
 */
static void
fill_result(struct msg_hook_result *hr, uint32_t id,
    const struct hook_job *job, int failed, const char *text)
{
	memset(hr, 0, sizeof(*hr));
	hr->service = id;
	strlcpy(hr->text, text, sizeof(hr->text));
	hr->event = job->event;
	hr->failed = failed != 0;
	hr->pfail_hold = job->pfail_hold;
	hr->pfail_limit = job->pfail_limit;
}

static void
report(uint32_t id, const struct hook_job *job, int failed,
    const char *text)
{
	struct msg_hook_result	hr;

	if (id == 0)
		return;
	fill_result(&hr, id, job, failed, text);
	parent_send(MSG_HOOK_RESULT, id, -1, &hr, sizeof(hr));
}

/*
 * handover exclusive: a finished demote hook tells the engine that the
 * service has released, and so that its successor may promote.  For a
 * member of a group that is not so until the group's demote hook, run
 * alongside in the group's queue, has finished too; a group's result
 * goes to its leader, which waits likewise for its own.  Both are
 * bounded by their timeouts.
 */
static int
hold_demote(uint32_t id)
{
	struct pservice	*ps;

	if ((ps = pservice_find(id)) == NULL || ps->conf.group[0] == '\0' ||
	    ps->conf.handover != HANDOVER_EXCLUSIVE)
		return (0);
	return (group_busy(ps->conf.group) || !hookq_idle(ps->hq));
}

/* The demote results held back whose group has now finished. */
static void
hook_flush(void)
{
	struct hook_queue	*q;

	TAILQ_FOREACH(q, &queues, entry) {
		if (!q->holding || hold_demote(q->id))
			continue;
		q->holding = 0;
		log_debug("%s: demote hook and group's finished", q->label);
		parent_send(MSG_HOOK_RESULT, q->id, -1, &q->held,
		    sizeof(q->held));
	}
}

struct hook_queue *
hookq_new(const char *name, uint32_t id)
{
	struct hook_queue	*q;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		fatal(NULL);
	TAILQ_INIT(&q->jobs);
	strlcpy(q->label, name, sizeof(q->label));
	q->id = id;
	q->child.outfd = -1;
	TAILQ_INSERT_TAIL(&queues, q, entry);
	return (q);
}

static void
hookq_destroy(struct hook_queue *q)
{
	struct hook_job	*job;

	/* Its owner has gone: the engine must not wait for it. */
	if (q->holding)
		parent_send(MSG_HOOK_RESULT, q->id, -1, &q->held,
		    sizeof(q->held));
	while ((job = TAILQ_FIRST(&q->jobs)) != NULL) {
		TAILQ_REMOVE(&q->jobs, job, entry);
		if (job->then != NULL)
			job->then(job->arg, 1);
		child_env_free(job->env);
		free(job->cmd);
		free(job);
	}
	if (q->child.killev != NULL)
		event_free(q->child.killev);
	TAILQ_REMOVE(&queues, q, entry);
	free(q);
}

/* A group's leader changed on reload: its results go to the new one. */
void
hookq_owner(struct hook_queue *q, uint32_t id)
{
	q->id = id;
}

/* The queue's owner is gone: its hooks still run, in order, then it goes. */
void
hookq_free(struct hook_queue *q)
{
	if (q == NULL)
		return;
	q->dead = 1;
	if (q->running == NULL && TAILQ_EMPTY(&q->jobs))
		hookq_destroy(q);
}

/*
 * Queue the hook of a transition.  It runs when those before it have
 * finished: a slow hook delays the next, never reorders it.
 */
void
hook_queue(struct hook_queue *q, enum hook_event ev,
    const struct hooks_conf *hc, char **env)
{
	struct hook_job	*job;

	if (hc->cmd[ev] == NULL) {
		child_env_free(env);
		return;
	}
	if (q->njobs >= HOOK_QUEUE_MAX) {
		log_warnx("%s: %d hooks waiting: not running the %s hook",
		    q->label, q->njobs, hook_name(ev));
		child_env_free(env);
		return;
	}
	if ((job = calloc(1, sizeof(*job))) == NULL ||
	    (job->cmd = strdup(hc->cmd[ev])) == NULL)
		fatal(NULL);
	job->event = ev;
	job->env = env;
	job->timeout = hc->timeout;
	job->pfail_hold = hc->pfail_hold;
	job->pfail_limit = hc->pfail_limit;
	strlcpy(job->user, hc->user, sizeof(job->user));
	TAILQ_INSERT_TAIL(&q->jobs, job, entry);
	q->njobs++;
	hook_next(q);
}

/*
 * Call fn once every hook queued before has finished, failed or timed
 * out (psites.c: a site lets go of its role only then).  Not bounded by
 * HOOK_QUEUE_MAX: dropped, it would never be called.  fn must queue no
 * hook on this queue.
 */
void
hookq_then(struct hook_queue *q, void (*fn)(void *, int), void *arg)
{
	struct hook_job	*job;

	if (q == NULL) {
		fn(arg, 0);
		return;
	}
	if ((job = calloc(1, sizeof(*job))) == NULL)
		fatal(NULL);
	job->event = HOOK_MAX;
	job->then = fn;
	job->arg = arg;
	TAILQ_INSERT_TAIL(&q->jobs, job, entry);
	q->njobs++;
	hook_next(q);
}

static void
hook_next(struct hook_queue *q)
{
	struct hook_job	*job;
	char		 text[96];
	int		 failed;

	while (q->running == NULL && (job = TAILQ_FIRST(&q->jobs)) != NULL) {
		TAILQ_REMOVE(&q->jobs, job, entry);
		q->njobs--;
		if (job->then != NULL) {
			failed = q->failed;
			q->failed = 0;
			job->then(job->arg, failed);
			free(job);
			continue;
		}
		snprintf(q->child.label, sizeof(q->child.label),
		    "%s: %s hook", q->label, hook_name(job->event));
		if (child_spawn(&q->child, job->cmd, job->env, job->user,
		    1) == -1) {
			q->failed = 1;
			if (q->id != 0) {
				snprintf(text, sizeof(text), "%s: could not "
				    "start", hook_name(job->event));
				report(q->id, job, 1, text);
			}
			child_env_free(job->env);
			free(job->cmd);
			free(job);
			continue;
		}
		log_debug("%s: started, pid %ld", q->child.label,
		    (long)q->child.pid);
		child_arm(&q->child, job->timeout);
		q->running = job;
	}
	if (q->dead && q->running == NULL)
		hookq_destroy(q);
}

static void
hook_finished(struct hook_queue *q, int status)
{
	struct hook_job	*job = q->running;
	char		 result[64], text[96];
	int		 ok;

	child_status(&q->child, status, job->timeout, result, sizeof(result));
	child_done(&q->child);
	ok = child_ok(&q->child, status);
	if (ok)
		log_info("%s: %s hook: %s", q->label, hook_name(job->event),
		    result);
	else {
		log_warnx("%s: %s hook failed: %s", q->label,
		    hook_name(job->event), result);
		q->failed = 1;
	}
	snprintf(text, sizeof(text), "%s: %s", hook_name(job->event), result);
	if (q->id != 0 && job->event == HOOK_DEMOTE && hold_demote(q->id)) {
		/* Sent by hook_flush(), once it and its group are idle. */
		fill_result(&q->held, q->id, job, !ok, text);
		q->holding = 1;
	} else if (q->id != 0)
		report(q->id, job, !ok, text);
	q->running = NULL;
	child_env_free(job->env);
	free(job->cmd);
	free(job);
	hook_next(q);
	hook_flush();
}

/* Nothing of this queue running or waiting. */
int
hookq_idle(const struct hook_queue *q)
{
	return (q == NULL || (q->running == NULL && TAILQ_EMPTY(&q->jobs)));
}

/* Nothing running or waiting: the parent may exit. */
int
hook_idle(void)
{
	struct hook_queue	*q;

	TAILQ_FOREACH(q, &queues, entry)
		if (q->running != NULL || !TAILQ_EMPTY(&q->jobs))
			return (0);
	return (1);
}

/* The hook that a transition runs; HOOK_MAX for none. */
static enum hook_event
hook_event_of(enum carp_state prev, enum carp_state state)
{
	if (state == CARP_MASTER)
		return (HOOK_PROMOTE);
	if (prev == CARP_MASTER)
		return (HOOK_DEMOTE);
	if (state == CARP_BACKUP)
		return (HOOK_BACKUP);
	if (state == CARP_LINKDOWN)
		return (HOOK_FAULT);
	if (state == CARP_INIT)
		return (HOOK_STOP);
	return (HOOK_MAX);
}

void
hooks_copy(struct hooks_conf *dst, const struct hooks_conf *src)
{
	int	i;

	*dst = *src;
	for (i = 0; i < HOOK_MAX; i++)
		if (src->cmd[i] != NULL &&
		    (dst->cmd[i] = strdup(src->cmd[i])) == NULL)
			fatal(NULL);
}

void
hooks_clear(struct hooks_conf *h)
{
	int	i;

	for (i = 0; i < HOOK_MAX; i++)
		free(h->cmd[i]);
	memset(h, 0, sizeof(*h));
}

void
vips_string(const struct service_conf *sc, char *buf, size_t len)
{
	char	one[INET6_ADDRSTRLEN + 8];
	int	i;

	for (i = 0; i < sc->nvips; i++) {
		snprintf(one, sizeof(one), "%s%s/%u", i > 0 ? " " : "",
		    addr_ntop(&sc->vips[i]), sc->vips[i].prefixlen);
		strlcat(buf, one, len);
	}
}

/*
 * The environment of a service's hook.  Across sites it says the role
 * after the event: the node is master then unless it leaves master or
 * fences before its promote hook.
 */
static char **
service_env(struct pservice *ps, enum hook_event ev,
    const struct msg_state *st, const char *fence)
{
	struct site_env	 se;
	char	vhid[8], vips[SERVICE_VIPS_MAX * (INET6_ADDRSTRLEN + 8)] = "";
	const char *const pairs[][2] = {
		{ "HAFOD_FENCE_PEER", fence },
		{ "HAFOD_EVENT", hook_name(ev) },
		{ "HAFOD_SERVICE", ps->conf.name },
		{ "HAFOD_GROUP", ps->conf.group },
		{ "HAFOD_VHID", vhid },
		{ "HAFOD_INTERFACE", ps->conf.ifname },
		{ "HAFOD_STATE", state_name(st->state) },
		{ "HAFOD_PREVIOUS", state_name(st->prev) },
		{ "HAFOD_REASON", st->reason },
		{ "HAFOD_VIPS", vips },
		{ "HAFOD_SITE", se.site },
		{ "HAFOD_ROLE", se.role },
		{ "HAFOD_CONTROLLER_SITE", se.controller },
	};
	int	n = sizeof(pairs) / sizeof(pairs[0]);

	snprintf(vhid, sizeof(vhid), "%u", ps->conf.vhid);
	vips_string(&ps->conf, vips, sizeof(vips));
	if (!psites_env(SITE_KIND_SERVICE, ps->conf.name,
	    st->state == CARP_MASTER && ev != HOOK_FENCE, &se))
		n -= SITE_ENV_VARS;
	/* Only a fence hook is told of a peer. */
	if (fence == NULL)
		return (child_env(pairs + 1, n - 1));
	return (child_env(pairs, n));
}

/* What a service's change of state runs, once its addresses are set. */
void
hook_transition(struct pservice *ps, const struct msg_state *st)
{
	enum hook_event	ev;

	if (st->state == st->prev || (ev = hook_event_of(st->prev,
	    st->state)) == HOOK_MAX)
		return;
	/* handover exclusive: the engine says when (hook_run()). */
	if (ev == HOOK_PROMOTE && st->defer)
		return;
	hook_queue(ps->hq, ev, &ps->hooks, service_env(ps, ev, st, NULL));
}

/*
 * The controller or standby hook of a service across sites (psites.c),
 * a master that stays master.
 */
void
hook_site(struct pservice *ps, enum hook_event ev, const char *reason)
{
	struct msg_state	st;

	memset(&st, 0, sizeof(st));
	st.service = ps->conf.id;
	st.state = st.prev = ps->state;
	strlcpy(st.reason, reason, sizeof(st.reason));
	hook_queue(ps->hq, ev, &ps->hooks, service_env(ps, ev, &st, NULL));
}

/*
 * A hook the engine held back: the promote hook of a master whose old
 * master has released (or the fence hook that makes sure it has).  A
 * service that is no longer master by now runs neither.
 */
void
hook_run(struct pservice *ps, const struct msg_hook_run *hr)
{
	struct msg_state	 st;
	struct msg_hook_result	 res;
	char			 peer[INET6_ADDRSTRLEN];

	if (ps->state != CARP_MASTER || (hr->event != HOOK_PROMOTE &&
	    hr->event != HOOK_FENCE))
		return;
	memset(&st, 0, sizeof(st));
	st.service = ps->conf.id;
	st.state = CARP_MASTER;
	st.prev = hr->prev;
	strlcpy(st.reason, hr->reason, sizeof(st.reason));
	if (hr->event == HOOK_PROMOTE) {
		hook_queue(ps->hq, HOOK_PROMOTE, &ps->hooks,
		    service_env(ps, HOOK_PROMOTE, &st, NULL));
		/* Its group's promote waited for it (group_state()). */
		ps->promote_held = 0;
		if (ps->conf.group[0] != '\0')
			group_state(ps->conf.group, st.reason);
		return;
	}
	if (ps->hooks.cmd[HOOK_FENCE] == NULL) {
		/* Gone on a reload: the engine must not wait for it. */
		memset(&res, 0, sizeof(res));
		res.service = ps->conf.id;
		res.event = HOOK_FENCE;
		res.failed = 1;
		strlcpy(res.text, "fence: no fence hook", sizeof(res.text));
		parent_send(MSG_HOOK_RESULT, ps->conf.id, -1, &res,
		    sizeof(res));
		return;
	}
	strlcpy(peer, hr->peer.af != 0 ? addr_ntop(&hr->peer) : "",
	    sizeof(peer));
	hook_queue(ps->hq, HOOK_FENCE, &ps->hooks,
	    service_env(ps, HOOK_FENCE, &st, peer));
}

/* SIGCHLD: collect every hook that has finished. */
void
hook_reap(void)
{
	struct hook_queue	*q, *qnext;
	int			 status;

	TAILQ_FOREACH_SAFE(q, &queues, entry, qnext)
		if (q->running != NULL &&
		    waitpid(q->child.pid, &status, WNOHANG) == q->child.pid)
			hook_finished(q, status);
}
