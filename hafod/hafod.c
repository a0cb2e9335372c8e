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
 * The parent: root, it reads the configuration, opens the sockets, forks
 * the unprivileged engine and then only acts on the host on the engine's
 * word: it adds and removes addresses and announces them.  It never reads
 * a byte from the network.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "hafod.h"
#include "log.h"

#define SHUTDOWN_TIMEOUT	10	/* seconds the engine gets to bow out */

/* What the parent knows of a service: which addresses it put where. */
struct pservice {
	TAILQ_ENTRY(pservice)	 entry;
	struct service_conf	 conf;
	unsigned int		 ifindex;
	enum carp_state		 state;
	uint8_t			 added[SERVICE_VIPS_MAX];
	struct event		*announce_ev;
	int			 announce_left;
	int			 retired;
	struct hooks_conf	 hooks;
	struct hook_queue	*hq;
};

/* A group as the parent sees it: its hooks fire for all members. */
struct pgroup {
	TAILQ_ENTRY(pgroup)	 entry;
	char			 name[SERVICE_NAME_MAX];
	struct hooks_conf	 hooks;
	struct hook_queue	*hq;
	int			 all_master;
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

static struct event_base	*base;
static struct msgchan		 chan;
static struct event		*chanev;
static struct event		*chanwev;	/* armed while a message waits */
TAILQ_HEAD(pservice_head, pservice);
static struct pservice_head	 pservices = TAILQ_HEAD_INITIALIZER(pservices);
/* Gone from the configuration, holding addresses until they let go. */
static struct pservice_head	 retired = TAILQ_HEAD_INITIALIZER(retired);

/* The CARP sockets handed to the engine, one per interface and family. */
struct psocket {
	TAILQ_ENTRY(psocket)	 entry;
	char			 ifname[IFNAMSIZ];
	int			 af;
};
static TAILQ_HEAD(, psocket)	 psockets = TAILQ_HEAD_INITIALIZER(psockets);

/* Services under maintenance that must stay so across restarts. */
struct pmaint {
	TAILQ_ENTRY(pmaint)	 entry;
	char			 name[SERVICE_NAME_MAX];
};
static TAILQ_HEAD(, pmaint)	 pmaints = TAILQ_HEAD_INITIALIZER(pmaints);
static uint32_t			 last_id;
static TAILQ_HEAD(, pgroup)	 pgroups = TAILQ_HEAD_INITIALIZER(pgroups);
static TAILQ_HEAD(, ptrack)	 ptracks = TAILQ_HEAD_INITIALIZER(ptracks);
static pid_t			 engine_pid;
static int			 announce_fd = -1;
static int			 control_fd = -1;
static int			 shutting_down;
static struct event		*shutdown_ev;
static struct config		*conf;
static const char		*conffile = HAFOD_CONF;

extern char			**environ;

static void	parent_reload(uint32_t);
static void	maint_update(const struct msg_persist *);
static void	link_changed(const struct msg_link *, void *);
static void	announce(int, short, void *);
static void	parent_write(int, short, void *);

static __dead void
usage(void)
{
	fprintf(stderr, "usage: %s [-dnv] [-D macro=value] [-f file]\n",
	    getprogname());
	exit(1);
}

/*
 * Queue for the engine and write what the socket takes now; the rest
 * goes when it is writable.  An engine that reads nothing of so many
 * messages is stuck: stop it, and so take down what we put up.
 */
static void
parent_send(uint32_t type, uint32_t peerid, int fd, const void *data,
    size_t len)
{
	if (msgchan_compose(&chan, type, peerid, getpid(), fd, data,
	    len) == -1) {
		if (errno == ENOBUFS) {
			kill(engine_pid, SIGKILL);
			fatalx("engine has not read %zu messages: it is stuck",
			    chan.wqlen);
		}
		fatal("msgchan_compose %s", msg_type_name(type));
	}
	parent_write(chan.fd, EV_WRITE, NULL);
}

/* An engine that exited is seen, and answered, by engine_gone(). */
static void
parent_write(int fd, short event, void *arg)
{
	int	rv;

	if ((rv = msgchan_write(&chan)) == -1 && errno != EPIPE &&
	    errno != ECONNRESET)
		fatal("write to engine");
	if (rv == 0) {
		if (event_add(chanwev, NULL) == -1)
			fatalx("event_add");
	} else if (event_del(chanwev) == -1)
		fatalx("event_del");
}

static struct pservice *
pservice_find(uint32_t id)
{
	struct pservice	*ps;

	TAILQ_FOREACH(ps, &pservices, entry)
		if (ps->conf.id == id)
			return (ps);
	TAILQ_FOREACH(ps, &retired, entry)
		if (ps->conf.id == id)
			return (ps);
	return (NULL);
}

/*
 * An address another of our services holds (one that re-joins under a
 * new configuration while its old self bows out) changes hands here,
 * rather than being added twice or removed from under the new owner.
 */
static int
vip_transfer(struct pservice *to, int i)
{
	struct pservice_head	*heads[] = { &pservices, &retired };
	struct pservice		*ps;
	size_t			 h;
	int			 j;

	for (h = 0; h < sizeof(heads) / sizeof(heads[0]); h++)
		TAILQ_FOREACH(ps, heads[h], entry) {
			if (ps == to || ps->ifindex != to->ifindex)
				continue;
			for (j = 0; j < ps->conf.nvips; j++) {
				if (!ps->added[j] || !addr_eq(&ps->conf.vips[j],
				    &to->conf.vips[i]) ||
				    ps->conf.vips[j].prefixlen !=
				    to->conf.vips[i].prefixlen)
					continue;
				ps->added[j] = 0;
				to->added[i] = 1;
				return (1);
			}
		}
	return (0);
}

/* Tell the engine what is really installed, for hafoctl show. */
static void
vips_report(struct pservice *ps)
{
	struct msg_vip_status	vs;
	int			i;

	memset(&vs, 0, sizeof(vs));
	vs.service = ps->conf.id;
	for (i = 0; i < ps->conf.nvips; i++)
		if (ps->added[i])
			vs.installed |= 1U << i;
	parent_send(MSG_VIP_STATUS, ps->conf.id, -1, &vs, sizeof(vs));
}

static void
vips_release(struct pservice *ps)
{
	char	err[128];
	int	i, rv;

	if (ps->announce_ev != NULL)
		evtimer_del(ps->announce_ev);
	ps->announce_left = 0;
	for (i = 0; i < ps->conf.nvips; i++) {
		if (!ps->added[i])
			continue;
		rv = vip_del(ps->ifindex, &ps->conf.vips[i], err, sizeof(err));
		if (rv == -1)
			log_warnx("%s: cannot remove %s/%u from %s: %s",
			    ps->conf.name, addr_ntop(&ps->conf.vips[i]),
			    ps->conf.vips[i].prefixlen, ps->conf.ifname, err);
		else
			log_debug("%s: %s %s from %s", ps->conf.name,
			    rv == 0 ? "removed" : "already gone:",
			    addr_ntop(&ps->conf.vips[i]), ps->conf.ifname);
		ps->added[i] = 0;
	}
}

static void
vips_release_all(void)
{
	struct pservice	*ps;

	TAILQ_FOREACH(ps, &pservices, entry)
		vips_release(ps);
	TAILQ_FOREACH(ps, &retired, entry)
		vips_release(ps);
}

static void
announce(int fd, short event, void *arg)
{
	struct pservice	*ps = arg;
	struct timeval	 tv;
	int		 i;

	if (ps->announce_left <= 0 || ps->state != CARP_MASTER)
		return;
	for (i = 0; i < ps->conf.nvips; i++)
		if (announce_vip(announce_fd, ps->ifindex,
		    &ps->conf.vips[i]) == -1)
			log_warnx("%s: cannot announce %s on %s",
			    ps->conf.name, addr_ntop(&ps->conf.vips[i]),
			    ps->conf.ifname);
	if (--ps->announce_left > 0) {
		tv.tv_sec = ps->conf.announce_interval / 1000;
		tv.tv_usec = (ps->conf.announce_interval % 1000) * 1000;
		evtimer_add(ps->announce_ev, &tv);
	}
}

static void
announce_start(struct pservice *ps)
{
	ps->announce_left = ps->conf.announce_count;
	announce(-1, 0, ps);
}

/*
 * Take every address of the service.  One that cannot be added makes the
 * node give up mastership rather than pretend: the engine is told.
 */
static void
vips_take(struct pservice *ps)
{
	struct msg_vip_failed	mv;
	char			err[128];
	int			i, rv;

	for (i = 0; i < ps->conf.nvips; i++) {
		if (ps->added[i] || vip_transfer(ps, i))
			continue;
		rv = vip_add(ps->ifindex, &ps->conf.vips[i], err, sizeof(err));
		if (rv == -1) {
			log_warnx("%s: cannot add %s/%u to %s: %s",
			    ps->conf.name, addr_ntop(&ps->conf.vips[i]),
			    ps->conf.vips[i].prefixlen, ps->conf.ifname, err);
			memset(&mv, 0, sizeof(mv));
			mv.service = ps->conf.id;
			snprintf(mv.reason, sizeof(mv.reason), "%s: %.40s",
			    addr_ntop(&ps->conf.vips[i]), err);
			parent_send(MSG_VIP_FAILED, ps->conf.id, -1, &mv,
			    sizeof(mv));
			return;
		}
		/* Someone else's address is not ours to remove later. */
		if (rv == 0)
			ps->added[i] = 1;
		else
			log_warnx("%s: %s already on %s; not taking it over",
			    ps->conf.name, addr_ntop(&ps->conf.vips[i]),
			    ps->conf.ifname);
		log_debug("%s: added %s/%u to %s", ps->conf.name,
		    addr_ntop(&ps->conf.vips[i]), ps->conf.vips[i].prefixlen,
		    ps->conf.ifname);
	}
	announce_start(ps);
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

static void
hooks_copy(struct hooks_conf *dst, const struct hooks_conf *src)
{
	int	i;

	*dst = *src;
	for (i = 0; i < HOOK_MAX; i++)
		if (src->cmd[i] != NULL &&
		    (dst->cmd[i] = strdup(src->cmd[i])) == NULL)
			fatal(NULL);
}

static void
hooks_clear(struct hooks_conf *h)
{
	int	i;

	for (i = 0; i < HOOK_MAX; i++)
		free(h->cmd[i]);
	memset(h, 0, sizeof(*h));
}

static void
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

static char **
service_env(struct pservice *ps, enum hook_event ev,
    const struct msg_state *st)
{
	char	vhid[8], vips[SERVICE_VIPS_MAX * (INET6_ADDRSTRLEN + 8)] = "";
	const char *const pairs[][2] = {
		{ "HAFOD_EVENT", hook_name(ev) },
		{ "HAFOD_SERVICE", ps->conf.name },
		{ "HAFOD_GROUP", ps->conf.group },
		{ "HAFOD_VHID", vhid },
		{ "HAFOD_INTERFACE", ps->conf.ifname },
		{ "HAFOD_STATE", state_name(st->state) },
		{ "HAFOD_PREVIOUS", state_name(st->prev) },
		{ "HAFOD_REASON", st->reason },
		{ "HAFOD_VIPS", vips },
	};

	snprintf(vhid, sizeof(vhid), "%u", ps->conf.vhid);
	vips_string(&ps->conf, vips, sizeof(vips));
	return (hook_env(pairs, sizeof(pairs) / sizeof(pairs[0])));
}

/*
 * A group's promote hook runs once every member is master here, its
 * demote hook when the first member leaves master after all were.
 */
static void
group_state(const char *name, const char *reason)
{
	struct pgroup	*g;
	struct pservice	*ps;
	char		 vhids[SERVICE_GROUP_MAX * 4] = "", one[8];
	char		 ifs[SERVICE_GROUP_MAX * (IFNAMSIZ + 1)] = "";
	char		 vips[SERVICE_GROUP_MAX * 2 * (INET6_ADDRSTRLEN + 8)] = "";
	int		 all = 1, any = 0;

	TAILQ_FOREACH(g, &pgroups, entry)
		if (strcmp(g->name, name) == 0)
			break;
	if (g == NULL)
		return;
	TAILQ_FOREACH(ps, &pservices, entry) {
		if (strcmp(ps->conf.group, name) != 0)
			continue;
		any = 1;
		if (ps->state != CARP_MASTER)
			all = 0;
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
	if (!any || all == g->all_master)
		return;
	g->all_master = all;
	{
		enum hook_event		 ev = all ? HOOK_PROMOTE : HOOK_DEMOTE;
		const char *const	 pairs[][2] = {
			{ "HAFOD_EVENT", hook_name(ev) },
			{ "HAFOD_SERVICE", g->name },
			{ "HAFOD_GROUP", g->name },
			{ "HAFOD_VHID", vhids },
			{ "HAFOD_INTERFACE", ifs },
			{ "HAFOD_STATE", all ? "MASTER" : "BACKUP" },
			{ "HAFOD_PREVIOUS", all ? "BACKUP" : "MASTER" },
			{ "HAFOD_REASON", reason },
			{ "HAFOD_VIPS", vips },
		};

		log_info("group %s: %s", g->name, all ? "every member is "
		    "master" : "no longer master everywhere");
		hook_queue(g->hq, ev, &g->hooks, hook_env(pairs,
		    sizeof(pairs) / sizeof(pairs[0])));
	}
}

static void
hook_result(uint32_t id, const char *text)
{
	struct msg_hook_result	hr;

	memset(&hr, 0, sizeof(hr));
	hr.service = id;
	strlcpy(hr.text, text, sizeof(hr.text));
	parent_send(MSG_HOOK_RESULT, id, -1, &hr, sizeof(hr));
}

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
static void
tracks_eval(int force)
{
	struct ptrack	*t;
	struct msg_link	 ml;
	char		 name[WEIGHT_NAME_MAX];
	int		 down;

	TAILQ_FOREACH(t, &ptracks, entry) {
		down = link_get(t->ifname, &ml) == -1 || !ml.up;
		if (down == t->down && !force)
			continue;
		if (down != t->down)
			log_info("%s: tracked interface %s is %s", t->target,
			    t->ifname, down ? "down: demoting" : "up again");
		t->down = down;
		snprintf(name, sizeof(name), "track %s", t->ifname);
		if (down || !force)
			weight_send(t->id, t->index, down, t->weight, name);
	}
}

static struct pservice *
pservice_named(const char *name)
{
	struct pservice	*ps;

	TAILQ_FOREACH(ps, &pservices, entry)
		if (strcmp(ps->conf.name, name) == 0)
			return (ps);
	return (NULL);
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

	return (hook_env(pairs, sizeof(pairs) / sizeof(pairs[0])));
}

/*
 * Checks, tracks and groups from the configuration, at start and on
 * reload.  A group's checks and tracks weigh on its leader, which carries
 * the demotion of the whole group.
 */
static void
weights_start(void)
{
	struct service		*s;
	struct group_conf	*gc;
	struct pservice		*ps, *leader;
	struct pgroup		*g;
	struct check_conf	*cc;
	struct track_conf	*tc;
	struct ptrack		*t;
	uint8_t			 i;

	while ((t = TAILQ_FIRST(&ptracks)) != NULL) {
		TAILQ_REMOVE(&ptracks, t, entry);
		free(t);
	}
	while ((g = TAILQ_FIRST(&pgroups)) != NULL) {
		TAILQ_REMOVE(&pgroups, g, entry);
		hookq_free(g->hq);
		hooks_clear(&g->hooks);
		free(g);
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
		if ((g = calloc(1, sizeof(*g))) == NULL)
			fatal(NULL);
		strlcpy(g->name, gc->name, sizeof(g->name));
		hooks_copy(&g->hooks, &gc->hooks);
		leader = pservice_named(gc->members[0]);
		g->hq = hookq_new(g->name, leader != NULL ? leader->conf.id : 0);
		TAILQ_INSERT_TAIL(&pgroups, g, entry);
		if (leader == NULL)
			continue;
		i = 50;
		TAILQ_FOREACH(cc, &gc->checks, entry)
			check_add(cc, gc->name, g->hooks.user,
			    check_env(gc->name, gc->name), leader->conf.id, i++);
		i = WEIGHT_TRACK + 50;
		TAILQ_FOREACH(tc, &gc->tracks, entry)
			track_add(tc, gc->name, leader->conf.id, i++);
		group_state(g->name, "configured");
	}
	check_flush();
	tracks_eval(1);
}

static void
parent_state(const struct msg_state *st)
{
	struct pservice	*ps;
	enum hook_event	 ev;

	if ((ps = pservice_find(st->service)) == NULL) {
		log_warnx("state change for unknown service %u", st->service);
		return;
	}
	ps->state = st->state;
	if (st->hold)
		vips_take(ps);
	else
		vips_release(ps);
	/* After the addresses: promote finds them up, demote gone. */
	if (st->state != st->prev && (ev = hook_event_of(st->prev,
	    st->state)) != HOOK_MAX)
		hook_queue(ps->hq, ev, &ps->hooks, service_env(ps, ev, st));
	if (ps->retired && st->state != CARP_MASTER) {
		TAILQ_REMOVE(&retired, ps, entry);
		event_free(ps->announce_ev);
		hookq_free(ps->hq);
		hooks_clear(&ps->hooks);
		free(ps);
		return;
	}
	vips_report(ps);
	if (ps->conf.group[0] != '\0')
		group_state(ps->conf.group, st->reason);
}

/* Every way out of the parent, fatal() included, removes our VIPs. */
static void
parent_atexit(void)
{
	vips_release_all();
	if (conf != NULL)
		unlink(conf->socket);
}

static __dead void
parent_exit(int status)
{
	log_info("exiting");
	exit(status);
}

static void
hooks_drain(int fd, short event, void *arg)
{
	static struct event	*ev;
	struct timeval		 tv = { 0, 100000 };

	if (hook_idle())
		parent_exit(0);
	if (ev == NULL && (ev = evtimer_new(base, hooks_drain, NULL)) == NULL)
		fatal("evtimer_new");
	evtimer_add(ev, &tv);
}

/* The engine is gone: say how, take down what we put up, and go. */
static void
engine_gone(void)
{
	static int	gone;
	int		status;

	if (gone)
		return;
	gone = 1;
	event_del(chanev);
	if (waitpid(engine_pid, &status, 0) == -1)
		fatal("waitpid");
	/*
	 * The engine exits 0 only once every service has let go; the demote
	 * and stop hooks of that still run, each within its timeout.
	 */
	if (shutting_down && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		if (shutdown_ev != NULL)
			evtimer_del(shutdown_ev);
		check_stop();
		hooks_drain(-1, 0, NULL);
		return;
	}
	if (WIFSIGNALED(status))
		log_warnx("engine died: killed by signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		log_warnx("engine died: exited with status %d",
		    WEXITSTATUS(status));
	parent_exit(1);
}

static void
parent_dispatch(int fd, short event, void *arg)
{
	struct msg		m;
	struct msg_state	st;
	struct msg_persist	mp;
	struct pservice		*ps;
	uint32_t		id;
	int32_t			verbose;
	ssize_t			n;

	if ((n = msgchan_read(&chan)) == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		/* A reset is the engine exiting; engine_gone() says how. */
		if (errno != ECONNRESET)
			log_warn("read from engine");
		engine_gone();
		return;
	}
	if (n == 0) {
		engine_gone();
		return;
	}
	for (;;) {
		if ((n = msgchan_get(&chan, &m)) == -1) {
			log_warn("message from engine");
			kill(engine_pid, SIGKILL);
			engine_gone();
			return;
		}
		if (n == 0)
			break;
		if (msg_check_size(&m) == -1 || m.fd != -1) {
			log_warnx("bad %s message from engine",
			    msg_type_name(m.hdr.type));
			kill(engine_pid, SIGKILL);
			engine_gone();
			return;
		}
		switch (m.hdr.type) {
		case MSG_STATE:
			memcpy(&st, m.data, sizeof(st));
			st.reason[sizeof(st.reason) - 1] = '\0';
			parent_state(&st);
			break;
		case MSG_ANNOUNCE:
			memcpy(&id, m.data, sizeof(id));
			if ((ps = pservice_find(id)) != NULL &&
			    ps->state == CARP_MASTER)
				announce_start(ps);
			break;
		case MSG_SHUTDOWN_DONE:
			log_debug("engine: every service has let go");
			break;
		case MSG_RELOAD:
			parent_reload(m.hdr.peerid);
			break;
		case MSG_VERBOSE:
			memcpy(&verbose, m.data, sizeof(verbose));
			log_setverbose(verbose);
			log_info("logging %s", verbose ? "verbose" : "brief");
			break;
		case MSG_PERSIST:
			memcpy(&mp, m.data, sizeof(mp));
			mp.name[sizeof(mp.name) - 1] = '\0';
			maint_update(&mp);
			break;
		default:
			log_warnx("unexpected %s message from engine",
			    msg_type_name(m.hdr.type));
			kill(engine_pid, SIGKILL);
			engine_gone();
			return;
		}
	}
}

static void
link_changed(const struct msg_link *ml, void *arg)
{
	struct pservice	*ps;
	int		 ours = 0;

	tracks_eval(0);
	TAILQ_FOREACH(ps, &pservices, entry) {
		if (strcmp(ps->conf.ifname, ml->ifname) != 0)
			continue;
		ps->ifindex = ml->ifindex;
		ours = 1;
	}
	if (ours)
		parent_send(MSG_LINK, 0, -1, ml, sizeof(*ml));
}

static void
link_event(int fd, short event, void *arg)
{
	link_monitor_dispatch(link_changed, NULL);
}

static void
shutdown_timeout(int fd, short event, void *arg)
{
	log_warnx("engine did not finish bowing out in %d seconds",
	    SHUTDOWN_TIMEOUT);
	kill(engine_pid, SIGKILL);
	parent_exit(1);
}

static void
parent_signal(int sig, short event, void *arg)
{
	struct timeval		 tv = { SHUTDOWN_TIMEOUT, 0 };
	siginfo_t		 si;

	switch (sig) {
	case SIGTERM:
	case SIGINT:
		if (shutting_down) {
			log_warnx("%s again: stopping at once",
			    strsignal(sig));
			kill(engine_pid, SIGKILL);
			parent_exit(1);
		}
		log_info("%s: shutting down", strsignal(sig));
		shutting_down = 1;
		parent_send(MSG_SHUTDOWN, 0, -1, NULL, 0);
		if ((shutdown_ev = evtimer_new(base, shutdown_timeout,
		    NULL)) == NULL || evtimer_add(shutdown_ev, &tv) == -1)
			fatal("evtimer");
		break;
	case SIGHUP:
		parent_reload(0);
		break;
	case SIGCHLD:
		hook_reap();
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, engine_pid, &si, WEXITED | WNOHANG |
		    WNOWAIT) == 0 && si.si_pid == engine_pid)
			engine_gone();
		break;
	}
}

/* The chroot must be root's and nobody else's to write to, as sshd's. */
static void
check_chroot(const char *dir)
{
	struct stat	st;

	if (stat(dir, &st) == -1) {
		if (errno != ENOENT || mkdir(dir, 0755) == -1 ||
		    stat(dir, &st) == -1)
			err(1, "chroot directory %s", dir);
	}
	if (!S_ISDIR(st.st_mode))
		errx(1, "chroot directory %s: not a directory", dir);
	if (st.st_uid != 0 || (st.st_mode & 022) != 0)
		errx(1, "chroot directory %s: must be owned by root and "
		    "not writable by others", dir);
}

/*
 * The control socket: created here, served by the engine.  Anyone may
 * connect; the engine reads each client's credentials to decide what it
 * may do.  A socket that answers means another hafod runs.
 */
static int
control_open(const char *path)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		errx(1, "control socket path %s is too long", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		err(1, "control socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		errx(1, "another hafod is running: %s answers", path);
	if (unlink(path) == -1 && errno != ENOENT)
		err(1, "remove stale %s", path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		err(1, "bind %s", path);
	if (chmod(path, 0666) == -1)
		err(1, "chmod %s", path);
	if (listen(fd, 16) == -1)
		err(1, "listen %s", path);
	if (fcntl(fd, F_SETFL, O_NONBLOCK) == -1)
		err(1, "fcntl %s", path);
	return (fd);
}

/*
 * Open the CARP sockets the services need and the engine does not have
 * yet: one per interface and family.
 */
static void
send_sockets(void)
{
	struct pservice		*ps;
	struct psocket		*sock;
	struct msg_socket	 ms;
	int			 af, fd;

	TAILQ_FOREACH(ps, &pservices, entry) {
		af = service_af(&ps->conf);
		TAILQ_FOREACH(sock, &psockets, entry)
			if (sock->af == af &&
			    strcmp(sock->ifname, ps->conf.ifname) == 0)
				break;
		if (sock != NULL)
			continue;
		if ((fd = net_open(af, ps->ifindex)) == -1)
			fatal("%s: CARP socket on %s", ps->conf.name,
			    ps->conf.ifname);
		if ((sock = calloc(1, sizeof(*sock))) == NULL)
			fatal(NULL);
		strlcpy(sock->ifname, ps->conf.ifname, sizeof(sock->ifname));
		sock->af = af;
		TAILQ_INSERT_TAIL(&psockets, sock, entry);
		memset(&ms, 0, sizeof(ms));
		ms.ifindex = ps->ifindex;
		ms.af = af;
		strlcpy(ms.ifname, ps->conf.ifname, sizeof(ms.ifname));
		parent_send(MSG_SOCKET, 0, fd, &ms, sizeof(ms));
	}
}

static struct pservice *
pservice_new(const struct service *s, unsigned int ifindex)
{
	struct pservice	*ps;

	if ((ps = calloc(1, sizeof(*ps))) == NULL)
		fatal(NULL);
	ps->conf = s->conf;
	ps->ifindex = ifindex;
	hooks_copy(&ps->hooks, &s->hooks);
	ps->hq = hookq_new(s->conf.name, s->conf.id);
	if (base != NULL && (ps->announce_ev = evtimer_new(base, announce,
	    ps)) == NULL)
		fatal("evtimer_new");
	return (ps);
}

/* Send the engine the services, their links and the maintenance kept. */
static void
send_config(void)
{
	struct pservice	*ps;
	struct pmaint	*pm;
	struct msg_link	 ml;
	struct msg_persist mp;

	send_sockets();
	TAILQ_FOREACH(ps, &pservices, entry) {
		if (link_get(ps->conf.ifname, &ml) == 0)
			link_changed(&ml, NULL);
		parent_send(MSG_CONF_SERVICE, ps->conf.id, -1, &ps->conf,
		    sizeof(ps->conf));
	}
	TAILQ_FOREACH(pm, &pmaints, entry) {
		memset(&mp, 0, sizeof(mp));
		strlcpy(mp.name, pm->name, sizeof(mp.name));
		mp.demoted = 1;
		parent_send(MSG_PERSIST, 0, -1, &mp, sizeof(mp));
	}
	parent_send(MSG_CONF_END, 0, -1, NULL, 0);
}

/* Services are the same but for the timing an engine can change live. */
static int
same_but_timing(const struct service_conf *a, const struct service_conf *b)
{
	struct service_conf	x = *a, y = *b;

	x.id = y.id = 0;
	x.advbase = y.advbase = 0;
	x.advskew = y.advskew = 0;
	x.preempt = y.preempt = 0;
	x.announce_count = y.announce_count = 0;
	x.announce_interval = y.announce_interval = 0;
	return (memcmp(&x, &y, sizeof(x)) == 0);
}

static void
reload_line(const char *line, void *arg)
{
	uint32_t		client = *(uint32_t *)arg;
	struct ctl_result	r;

	if (client == 0)
		return;
	memset(&r, 0, sizeof(r));
	strlcpy(r.text, line, sizeof(r.text));
	parent_send(MSG_RELOAD_RESULT, client, -1, &r, sizeof(r));
}

static void
reload_end(uint32_t client, int status)
{
	struct ctl_end	end;

	log_capture(NULL, NULL);
	if (client == 0)
		return;
	memset(&end, 0, sizeof(end));
	end.status = status;
	parent_send(MSG_RELOAD_END, client, -1, &end, sizeof(end));
}

/*
 * SIGHUP or hafoctl reload.  Any error keeps the running configuration
 * untouched.  Otherwise services are matched by name: unchanged ones keep
 * their id, state and addresses with no blip; a change of timing alone is
 * applied in place; any other change re-joins under a new id while the
 * old one bows out; removed services bow out; new ones start as backup.
 */
static void
parent_reload(uint32_t client)
{
	struct pservice_head	 next = TAILQ_HEAD_INITIALIZER(next);
	struct config		*nconf;
	struct service		*s;
	struct pservice		*ps;
	struct msg_link		 ml;
	int			 errors = 0, kept = 0, tuned = 0, joined = 0;
	int			 removed = 0;

	log_capture(reload_line, &client);
	log_info("reloading %s", conffile);
	if ((nconf = parse_config(conffile, conf->opts)) == NULL) {
		log_warnx("%s has errors: keeping the running configuration",
		    conffile);
		reload_end(client, 1);
		return;
	}
	TAILQ_FOREACH(s, &nconf->services, entry)
		if (link_get(s->conf.ifname, &ml) == -1) {
			log_warnx("service %s: interface %s: %s", s->conf.name,
			    s->conf.ifname, strerror(errno));
			errors++;
		}
	if (TAILQ_EMPTY(&nconf->services)) {
		log_warnx("%s: no service configured", conffile);
		errors++;
	}
	if (errors) {
		log_warnx("keeping the running configuration");
		config_free(nconf);
		reload_end(client, 1);
		return;
	}
	if (strcmp(nconf->user, conf->user) != 0 ||
	    strcmp(nconf->chroot, conf->chroot) != 0 ||
	    strcmp(nconf->socket, conf->socket) != 0 ||
	    strcmp(nconf->state, conf->state) != 0)
		log_warnx("user, chroot, socket and state take effect at the "
		    "next start");

	TAILQ_FOREACH(s, &nconf->services, entry) {
		TAILQ_FOREACH(ps, &pservices, entry)
			if (strcmp(ps->conf.name, s->conf.name) == 0)
				break;
		if (ps != NULL && same_but_timing(&ps->conf, &s->conf)) {
			s->conf.id = ps->conf.id;
			if (memcmp(&ps->conf, &s->conf, sizeof(s->conf)) == 0)
				kept++;
			else
				tuned++;
			ps->conf = s->conf;
			hooks_clear(&ps->hooks);
			hooks_copy(&ps->hooks, &s->hooks);
			TAILQ_REMOVE(&pservices, ps, entry);
			TAILQ_INSERT_TAIL(&next, ps, entry);
			continue;
		}
		s->conf.id = ++last_id;
		if (link_get(s->conf.ifname, &ml) == -1)
			fatal("%s", s->conf.ifname);
		ps = pservice_new(s, ml.ifindex);
		TAILQ_INSERT_TAIL(&next, ps, entry);
		joined++;
	}
	while ((ps = TAILQ_FIRST(&pservices)) != NULL) {
		TAILQ_REMOVE(&pservices, ps, entry);
		ps->retired = 1;
		TAILQ_INSERT_TAIL(&retired, ps, entry);
		removed++;
	}
	TAILQ_CONCAT(&pservices, &next, entry);
	nconf->opts = conf->opts;
	strlcpy(nconf->socket, conf->socket, sizeof(nconf->socket));
	strlcpy(nconf->state, conf->state, sizeof(nconf->state));
	config_free(conf);
	conf = nconf;

	send_config();
	weights_start();
	log_info("reloaded: %d unchanged, %d retimed, %d joined, %d left",
	    kept, tuned, joined, removed);
	reload_end(client, 0);
}

/* The maintenance file: one service name a line, kept by the parent. */
static void
maint_load(void)
{
	struct pmaint	*pm;
	FILE		*f;
	char		 line[256];

	if ((f = fopen(conf->state, "r")) == NULL) {
		if (errno != ENOENT)
			log_warn("%s", conf->state);
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if ((pm = calloc(1, sizeof(*pm))) == NULL)
			fatal(NULL);
		strlcpy(pm->name, line, sizeof(pm->name));
		TAILQ_INSERT_TAIL(&pmaints, pm, entry);
	}
	fclose(f);
}

static void
maint_save(void)
{
	struct pmaint	*pm;
	char		 tmp[PATH_MAX], dir[PATH_MAX], *slash;
	FILE		*f;
	int		 fd;

	strlcpy(dir, conf->state, sizeof(dir));
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
			log_warn("cannot keep maintenance state: mkdir %s",
			    dir);
			return;
		}
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", conf->state) >=
	    sizeof(tmp) || (fd = mkstemp(tmp)) == -1) {
		log_warn("cannot keep maintenance state in %s", conf->state);
		return;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		log_warn("%s", tmp);
		close(fd);
		unlink(tmp);
		return;
	}
	fprintf(f, "# services under maintenance (hafoctl demote -p)\n");
	TAILQ_FOREACH(pm, &pmaints, entry)
		fprintf(f, "%s\n", pm->name);
	if (fflush(f) == EOF || fsync(fd) == -1 || fclose(f) == EOF ||
	    rename(tmp, conf->state) == -1) {
		log_warn("cannot keep maintenance state in %s", conf->state);
		unlink(tmp);
	}
}

static void
maint_update(const struct msg_persist *mp)
{
	struct pmaint	*pm;

	TAILQ_FOREACH(pm, &pmaints, entry)
		if (strcmp(pm->name, mp->name) == 0)
			break;
	if (mp->demoted && pm == NULL) {
		if ((pm = calloc(1, sizeof(*pm))) == NULL)
			fatal(NULL);
		strlcpy(pm->name, mp->name, sizeof(pm->name));
		TAILQ_INSERT_TAIL(&pmaints, pm, entry);
	} else if (!mp->demoted && pm != NULL) {
		TAILQ_REMOVE(&pmaints, pm, entry);
		free(pm);
	} else
		return;
	log_info("%s: maintenance %s", mp->name,
	    mp->demoted ? "kept across restarts" : "lifted");
	maint_save();
}

/*
 * Addresses of ours that a crash left behind would answer for a service
 * some other node may hold: remove them before joining the election.
 */
static void
remove_stale(struct pservice *ps)
{
	struct hafod_addr	stale;
	char			err[128];
	int			i;

	for (i = 0; i < ps->conf.nvips; i++) {
		/* As it was left, perhaps with another prefix length. */
		stale = ps->conf.vips[i];
		if (vip_present(ps->ifindex, &stale, &stale.prefixlen) != 1)
			continue;
		if (vip_del(ps->ifindex, &stale, err, sizeof(err)) != 0)
			fatalx("%s: cannot remove stale %s/%u from %s: %s",
			    ps->conf.name, addr_ntop(&stale), stale.prefixlen,
			    ps->conf.ifname, err);
		log_warnx("%s: removed %s/%u from %s: left behind by an "
		    "earlier run", ps->conf.name, addr_ntop(&stale),
		    stale.prefixlen, ps->conf.ifname);
	}
}

int
main(int argc, char *argv[])
{
	struct service		*s;
	struct pservice		*ps;
	struct msg_link		 ml;
	struct passwd		*pw;
	struct event		*ev;
	int			 ch, debug = 0, verbose = 0, noaction = 0;
	int			 fds[2], sig;
	const int		 sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD };

	setproctitle_init(argc, argv, environ);
	log_init(1, LOG_DAEMON);	/* stderr until we know better */

	while ((ch = getopt(argc, argv, "dD:f:nv")) != -1) {
		switch (ch) {
		case 'd':
			debug = 1;
			break;
		case 'D':
			if (cmdline_symset(optarg) < 0)
				errx(1, "could not parse macro definition %s",
				    optarg);
			break;
		case 'f':
			conffile = optarg;
			break;
		case 'n':
			noaction = 1;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	if (argc > 0)
		usage();
	log_setverbose(verbose);

	/* Checking a configuration is for anyone; running is for root. */
	if (!noaction && geteuid() != 0)
		errx(1, "need root privileges");
	if ((conf = parse_config(conffile, verbose ? HAFOD_OPT_VERBOSE :
	    0)) == NULL)
		exit(1);
	if (noaction) {
		if (verbose)
			print_config(conf);
		fprintf(stderr, "configuration OK\n");
		exit(0);
	}

	if ((pw = getpwnam(conf->user)) == NULL)
		errx(1, "unknown user %s", conf->user);
	check_chroot(conf->chroot);
	if (TAILQ_EMPTY(&conf->services))
		errx(1, "%s: no service configured", conffile);
	if (vip_init() == -1)
		errx(1, "cannot open netlink");
	TAILQ_FOREACH(s, &conf->services, entry) {
		if (link_get(s->conf.ifname, &ml) == -1)
			errx(1, "service %s: interface %s: %s", s->conf.name,
			    s->conf.ifname, strerror(errno));
		ps = pservice_new(s, ml.ifindex);
		TAILQ_INSERT_TAIL(&pservices, ps, entry);
		if (s->conf.id > last_id)
			last_id = s->conf.id;
	}
	maint_load();
	if ((announce_fd = announce_open()) == -1)
		err(1, "cannot open a packet socket for announcements");
	control_fd = control_open(conf->socket);

	log_init(debug, LOG_DAEMON);
	log_setverbose(verbose);
	log_procinit("parent");
	if (!debug && daemon(1, 0) == -1)
		fatal("daemon");

	TAILQ_FOREACH(ps, &pservices, entry)
		remove_stale(ps);

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0,
	    fds) == -1)
		fatal("socketpair");
	switch (engine_pid = fork()) {
	case -1:
		fatal("fork");
	case 0:
		close(fds[0]);
		close(announce_fd);
		close(control_fd);
		vip_close();
		engine_main(fds[1], pw, conf->chroot);
	}
	close(fds[1]);
	if (atexit(parent_atexit) != 0)
		fatal("atexit");
	setproctitle("parent");
	log_info("started; engine is pid %ld", (long)engine_pid);

	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new");
	msgchan_init(&chan, fds[0]);
	if ((chanev = event_new(base, fds[0], EV_READ | EV_PERSIST,
	    parent_dispatch, NULL)) == NULL || event_add(chanev, NULL) == -1 ||
	    (chanwev = event_new(base, fds[0], EV_WRITE | EV_PERSIST,
	    parent_write, NULL)) == NULL)
		fatalx("event_new");
	for (sig = 0; sig < (int)(sizeof(sigs) / sizeof(sigs[0])); sig++)
		if ((ev = evsignal_new(base, sigs[sig], parent_signal,
		    NULL)) == NULL || evsignal_add(ev, NULL) == -1)
			fatalx("evsignal_new");
	signal(SIGPIPE, SIG_IGN);
	if ((ev = event_new(base, link_monitor_fd(), EV_READ | EV_PERSIST,
	    link_event, NULL)) == NULL || event_add(ev, NULL) == -1)
		fatalx("link monitor");

	TAILQ_FOREACH(ps, &pservices, entry)
		if ((ps->announce_ev = evtimer_new(base, announce,
		    ps)) == NULL)
			fatal("evtimer_new");
	hook_init(base, hook_result, weight_send);
	parent_send(MSG_CONTROL, 0, control_fd, NULL, 0);
	send_config();
	weights_start();

	if (event_base_dispatch(base) == -1)
		fatalx("event_base_dispatch");
	parent_exit(1);
}
