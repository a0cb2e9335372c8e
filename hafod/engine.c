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
 * The engine: unprivileged and chrooted, it owns the CARP sockets, the
 * election of every service and its timers.  It decides; the parent acts
 * on the host (addresses, announcements, hooks) on its word.
 */

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/queue.h>

#include <errno.h>
#include <event2/event.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "hafod.h"
#include "log.h"

#define DROP_LOG_INTERVAL	(10 * 1000000ULL)	/* usec */
#define ENGINE_DRAIN_MS		5000	/* last words to the parent */
#define LOG_QUEUE_MAX		1000	/* log lines the parent may owe */
#define LOG_FATAL_MS		1000	/* for a fatal error to reach it */


static struct event_base	*base;
static struct msgchan		 chan;
static struct event		*chanev;
static struct event		*chanwev;	/* armed while one waits */
static struct event		*tick;		/* the earliest deadline */
static struct event		*alive_ev;	/* the watchdog's proof */
static struct net_batch		 outq;		/* adverts of this wake-up */
static struct eif_head		 eifs = TAILQ_HEAD_INITIALIZER(eifs);
static struct eservice_head	 services = TAILQ_HEAD_INITIALIZER(services);
static struct eservice_head	 incoming = TAILQ_HEAD_INITIALIZER(incoming);
static struct eservice_head	 retiring = TAILQ_HEAD_INITIALIZER(retiring);

/* Maintenance the parent kept from the last run, until configured. */
struct persisted {
	TAILQ_ENTRY(persisted)	 entry;
	struct msg_persist	 m;
};
static TAILQ_HEAD(, persisted)	 persisted = TAILQ_HEAD_INITIALIZER(persisted);
static int			 configured;
static int			 shutting_down;
static int			 regroup;	/* a group member changed */
static uint64_t			 log_dropped;	/* lines the parent owed */

static void	engine_dispatch(int, short, void *);
static void	engine_write(int, short, void *);
static void	engine_recv(int, short, void *);
static void	engine_tick(int, short, void *);
static void	engine_signal(int, short, void *);
static void	service_act(struct eservice *, int, enum carp_state);
static void	service_free(struct eservice *);
static void	shutdown_check(void);
static struct eservice *service_find(struct eservice_head *, uint32_t);

static uint64_t
now_us(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return ((uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

/*
 * Queue for the parent and write what the socket takes now; the rest
 * goes when it is writable.  The engine never waits for the parent: a
 * parent that is slow or stopped must not stop the advertisements.  A
 * full queue means the parent has read nothing for a very long time: it
 * cannot be acting on our states, so the engine goes, and with it the
 * advertisements, so that a peer takes over.
 */
void
engine_send(uint32_t type, uint32_t peerid, const void *data, size_t len)
{
	if (msgchan_compose(&chan, type, peerid, getpid(), -1, data,
	    len) == -1) {
		if (errno == ENOBUFS)
			fatalx("parent has not read %zu messages: it is stuck",
			    chan.wqlen);
		fatal("msgchan_compose %s", msg_type_name(type));
	}
	engine_write(chan.fd, EV_WRITE, NULL);
}

/*
 * A log line for the parent to log (log_forward()).  The lines wait in
 * the queue to the parent like any message, but a flood of them must
 * neither grow it without bound nor fill it, which stops the engine
 * (engine_send()): past LOG_QUEUE_MAX they are dropped and counted, and
 * the count is logged once there is room again.
 */
static int
engine_log(int pri, const char *line)
{
	struct msg_log	ml;

	/* Debugging lines go first, so that a state change still fits. */
	if (chan.wqlen >= (pri >= LOG_DEBUG ? LOG_QUEUE_MAX / 2 :
	    LOG_QUEUE_MAX)) {
		log_dropped++;
		return (0);
	}
	if (log_dropped > 0) {
		memset(&ml, 0, sizeof(ml));
		ml.pri = LOG_WARNING;
		snprintf(ml.line, sizeof(ml.line), "%llu log lines dropped: "
		    "the parent did not keep up",
		    (unsigned long long)log_dropped);
		if (msgchan_compose(&chan, MSG_LOG, 0, getpid(), -1, &ml,
		    sizeof(ml)) == -1)
			return (-1);
		log_dropped = 0;
	}
	memset(&ml, 0, sizeof(ml));
	ml.pri = pri;
	strlcpy(ml.line, line, sizeof(ml.line));
	if (msgchan_compose(&chan, MSG_LOG, 0, getpid(), -1, &ml,
	    sizeof(ml)) == -1)
		return (-1);
	engine_write(chan.fd, EV_WRITE, NULL);
	return (0);
}

/* A fatal error: its line, and those before it, to the parent first. */
static void
engine_log_flush(void)
{
	(void)msgchan_flush(&chan, LOG_FATAL_MS);
}

static void
engine_write(int fd, short event, void *arg)
{
	if (msgev_write(&chan, chanwev) == -1)
		fatal("write to parent");
}

static struct eif *
eif_find(const char *ifname, int af)
{
	struct eif	*eif;

	TAILQ_FOREACH(eif, &eifs, entry)
		if (eif->af == af && strcmp(eif->ifname, ifname) == 0)
			return (eif);
	return (NULL);
}

void
engine_drop(struct eif *eif, struct eservice *s, enum carp_drop why,
    const struct hafod_addr *src, uint64_t now)
{
	uint64_t	*last;

	if (s != NULL) {
		s->drops[why]++;
		last = &s->droplog[why];
	} else {
		eif->drops[why]++;
		last = &eif->droplog[why];
	}
	/* Once per reason per interval: a flood must not become a log flood. */
	if (*last != 0 && now - *last < DROP_LOG_INTERVAL)
		return;
	*last = now;
	log_warnx("%s: dropped advertisement from %s on %s: %s",
	    s != NULL ? s->conf.name : "-", addr_ntop(src), eif->ifname,
	    carp_drop_name(why));
}

int
engine_is_peer(const struct service_conf *conf, const struct hafod_addr *src)
{
	int	i;

	for (i = 0; i < conf->npeers; i++)
		if (addr_eq(&conf->peers[i], src))
			return (1);
	return (0);
}

/* Remember who we hear, for hafoctl: the oldest entry makes room. */
struct epeer *
engine_peer_seen(struct eservice *s, const struct hafod_addr *src,
    uint8_t advbase, uint8_t advskew, uint8_t demote, uint64_t now)
{
	struct epeer	*p, *slot = &s->peers[0];
	int		 i;

	for (i = 0; i < CTL_PEERS_MAX; i++) {
		p = &s->peers[i];
		if (p->addr.af != 0 && addr_eq(&p->addr, src)) {
			slot = p;
			break;
		}
		if (p->seen < slot->seen)
			slot = p;
	}
	slot->addr = *src;
	slot->advbase = advbase;
	slot->advskew = advskew;
	slot->demote = demote;
	slot->base_ms = 0;
	slot->seen = now;
	return (slot);
}

struct eservice *
engine_retiring_find(struct eif *eif, uint8_t vhid)
{
	struct eservice	*s;

	TAILQ_FOREACH(s, &retiring, entry)
		if (s->eif == eif && s->conf.vhid == vhid)
			return (s);
	return (NULL);
}

/*
 * An advertisement of s's master, or of a candidate, that passed every
 * check, in either format: what it means for the handover, the election
 * and the quorum.
 */
void
engine_heard(struct eservice *s, const struct fsm_advert *fa, uint64_t now)
{
	struct hafod_addr	master;
	enum carp_state		prev;

	prev = s->fsm.state;
	master = s->fsm.master;
	handover_heard(s, fa, now);
	service_act(s, fsm_input(&s->fsm, fa, now), prev);
	quorum_master_heard(s, &master);
}

static void
engine_recv(int fd, short event, void *arg)
{
	struct eif		*eif = arg;
	struct eservice		*s, *r;
	struct carp_advert	 adv;
	struct fsm_advert	 fa;
	struct hafod_addr	 src;
	enum carp_drop		 why;
	enum carp_state		 prev;
	uint8_t			 buf[2048];
	unsigned int		 ifindex;
	uint64_t		 now;
	ssize_t			 n;
	int			 ttl, budget;

	/* Bounded, so a flood on one interface cannot starve the rest. */
	for (budget = 64; budget > 0; budget--) {
		n = net_recv(fd, eif->af, buf, sizeof(buf), &src, &ttl,
		    &ifindex);
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("%s: recv", eif->ifname);
			return;
		}
		now = now_us();
		s = n >= 2 ? eif->byvhid[buf[1]] : NULL;
		if ((why = carp_decode(buf, n, ttl, &adv)) != DROP_NONE) {
			engine_drop(eif, s, why, &src, now);
			continue;
		}
		if (s == NULL &&
		    (s = engine_retiring_find(eif, adv.vhid)) == NULL) {
			/* Which one, and whose: what an operator asks next. */
			eif->unknown_vhid = adv.vhid;
			eif->unknown_src = src;
			engine_drop(eif, NULL, DROP_VHID, &src, now);
			continue;
		}
		if (eif->self.af != 0 && addr_eq(&src, &eif->self))
			why = DROP_OWN;
		else if (s->conf.npeers > 0 && !engine_is_peer(&s->conf, &src))
			why = DROP_SOURCE;
		else if (s->conf.protocol == PROTO_BUNDLE) {
			/* A peer still on CARP: worth a word, not a vote. */
			ebundle_carp_heard(s, &src, now);
			why = DROP_FORMAT;
		} else if (!carp_verify(&s->key, &adv))
			why = DROP_HMAC;
		if (why != DROP_NONE) {
			engine_drop(eif, s, why, &src, now);
			continue;
		}
		s->received++;
		(void)engine_peer_seen(s, &src, adv.advbase, adv.advskew,
		    adv.demote, now);
		memset(&fa, 0, sizeof(fa));
		fa.advbase = adv.advbase;
		fa.advskew = adv.advskew;
		fa.demote = adv.demote;
		fa.src = src;
		engine_heard(s, &fa, now);
		/* One that re-joined under a new config waits for this too. */
		if (!s->retired && (r = engine_retiring_find(eif, adv.vhid)) !=
		    NULL && carp_verify(&r->key, &adv)) {
			prev = r->fsm.state;
			service_act(r, fsm_input(&r->fsm, &fa, now), prev);
		}
	}
}

static void
engine_sent(void *arg, const struct hafod_addr *dst, int error)
{
	struct eservice	*s = arg;

	if (error == 0) {
		s->sent++;
		return;
	}
	errno = error;
	log_warn("%s: send to %s on %s", s->conf.name,
	    dst->af == 0 ? "the group" : addr_ntop(dst), s->eif->ifname);
}

/*
 * Advertisements wait until the end of the wake-up, so that all those
 * due at one instant leave in one system call.
 */
static void
engine_flush(void)
{
	engine_outq_flush();
	ebundle_flush();
}

/* ebundle.c queues its datagrams here too, in batches of their own. */
struct net_batch *
engine_outq(void)
{
	return (&outq);
}

/*
 * A batch holds CARP adverts (port 0, each for a service) or bundle
 * datagrams (each for an interface): each kind has its own report.
 */
void
engine_outq_flush(void)
{
	if (outq.n > 0)
		net_flush(&outq, outq.port == 0 ? engine_sent : ebundle_sent);
}

static void
engine_queue(struct eservice *s, const struct hafod_addr *dst,
    const uint8_t *buf)
{
	if (outq.n == NET_BATCH_MAX || (outq.n > 0 && outq.fd != s->eif->fd))
		engine_outq_flush();
	outq.port = 0;
	net_queue(&outq, s->eif->fd, s->eif->af, s->eif->ifindex,
	    &s->eif->self, dst, buf, CARP_ADVERT_LEN, s);
}

/*
 * One timer for the engine, at the earliest deadline of any service: the
 * services whose adverts fall due together are served in one wake-up.
 */
static uint64_t
earliest(struct eservice_head *head, uint64_t min)
{
	struct eservice	*s;
	uint64_t	 dl;

	TAILQ_FOREACH(s, head, entry) {
		if ((dl = fsm_deadline(&s->fsm)) != 0 && (min == 0 ||
		    dl < min))
			min = dl;
		if ((dl = heartbeat_deadline(s)) != 0 && (min == 0 ||
		    dl < min))
			min = dl;
	}
	return (min);
}

static void
engine_arm(void)
{
	struct timeval	tv;
	uint64_t	deadline, delta, now;

	deadline = earliest(&retiring, earliest(&services, 0));
	deadline = holddown_deadline(&services, deadline);
	deadline = handover_deadline(&services, deadline);
	deadline = ebundle_deadline(deadline);
	if (deadline == 0) {
		evtimer_del(tick);
		return;
	}
	now = now_us();
	delta = deadline > now ? deadline - now : 0;
	tv.tv_sec = delta / 1000000;
	tv.tv_usec = delta % 1000000;
	if (evtimer_add(tick, &tv) == -1)
		fatalx("evtimer_add");
}

/* Retired services that have let go. */
static void
engine_reap(void)
{
	struct eservice	*s, *next;

	TAILQ_FOREACH_SAFE(s, &retiring, entry, next)
		if (s->fsm.state != CARP_MASTER)
			service_free(s);
}

/*
 * After every wake-up, once its handlers have run: the demotion of the
 * groups whose members changed state, which may change more states (a
 * follower leaves master with its leader), until nothing changes; then
 * retired services that let go are freed, and what the wake-up queued
 * goes out; and the timer follows whatever deadlines it moved.  Nothing
 * here runs inside a walk of the lists it changes.
 */
static void
engine_settle(void)
{
	struct eservice	*s;
	int		 rounds;

	/* A group converges in two rounds: the leader, then followers. */
	for (rounds = 0; regroup && rounds < SERVICE_GROUP_MAX; rounds++) {
		regroup = 0;
		TAILQ_FOREACH(s, &services, entry)
			if (s->conf.group[0] != '\0' && s->conf.group_leader)
				edemote_update(s);
	}
	if (regroup)
		log_warnx("group demotion did not settle: will retry");
	engine_reap();
	shutdown_check();
	engine_flush();
	engine_arm();
}

static void
service_send(struct eservice *s)
{
	struct carp_advert	adv;
	struct fsm_advert	fa;
	uint8_t			buf[CARP_ADVERT_LEN];
	int			i;

	if (!s->eif->up || s->eif->self.af == 0)
		return;
	fsm_advert(&s->fsm, &fa);
	if (handover_releasing(s)) {
		fa.advbase = CARP_BOWOUT;
		fa.advskew = CARP_BOWOUT;
	}
	if (s->conf.protocol == PROTO_BUNDLE) {
		/* An entry in its datagram, encoded in engine_flush(). */
		ebundle_send(s, &fa);
		return;
	}
	memset(&adv, 0, sizeof(adv));
	adv.version = CARP_VERSION;
	adv.type = CARP_TYPE_ADVERT;
	adv.vhid = s->conf.vhid;
	adv.advskew = fa.advskew;
	adv.authlen = CARP_AUTHLEN;
	adv.demote = fa.demote;
	adv.advbase = fa.advbase;
	/* Ours alone, never a peer's: OpenBSD drops its own counter. */
	adv.counter = ++s->counter;
	carp_sign(&s->key, &adv);
	carp_encode(&adv, buf);

	if (s->conf.npeers == 0) {
		engine_queue(s, NULL, buf);
		return;
	}
	for (i = 0; i < s->conf.npeers; i++)
		engine_queue(s, &s->conf.peers[i], buf);
}

static void
shutdown_check(void)
{
	struct eservice	*s;

	if (!shutting_down)
		return;
	if (!TAILQ_EMPTY(&retiring))
		return;
	/* Bounded by the hook timeout: the successors count on it. */
	if (handover_busy(&services))
		return;
	TAILQ_FOREACH(s, &services, entry)
		if (s->fsm.state != CARP_INIT &&
		    s->fsm.state != CARP_LINKDOWN)
			return;
	log_info("every service has let go");
	engine_flush();
	engine_send(MSG_SHUTDOWN_DONE, 0, NULL, 0);
	/*
	 * Nothing is left to do but tell the parent, which releases the
	 * addresses on these messages; it gives us 10 s to bow out, so
	 * wait for its socket a while, but not for ever.
	 */
	if (msgchan_flush(&chan, ENGINE_DRAIN_MS) == -1)
		fatal("last messages to parent");
	exit(0);
}

static void
service_act(struct eservice *s, int actions, enum carp_state prev)
{
	struct msg_state	st;

	/*
	 * The parent hears of a new master before the wire does, so that it
	 * is adding the addresses while the old master hears our first
	 * advertisement; the old one keeps its own for a short grace more.
	 */
	if ((actions & FSM_STATE) && s->fsm.state != prev) {
		s->since = now_us();
		if (s->fsm.state < CARP_STATE_MAX)
			s->transitions[s->fsm.state]++;
		log_info("%s: %s -> %s: %s", s->conf.name, state_name(prev),
		    state_name(s->fsm.state), s->fsm.reason);
		memset(&st, 0, sizeof(st));
		st.service = s->conf.id;
		st.state = s->fsm.state;
		st.prev = prev;
		st.hold = s->fsm.state == CARP_MASTER;
		st.defer = handover_defer(s);
		strlcpy(st.reason, s->fsm.reason, sizeof(st.reason));
		engine_send(MSG_STATE, s->conf.id, &st, sizeof(st));
		handover_changed(s, prev, st.defer, s->since);
	} else if (actions & FSM_ANNOUNCE) {
		log_debug("%s: announcing again", s->conf.name);
		engine_send(MSG_ANNOUNCE, s->conf.id, &s->conf.id,
		    sizeof(s->conf.id));
	}
	/*
	 * A master that starts to bow out stops announcing, so that its
	 * successor's announcements are the last the neighbours hear; one
	 * that stays after all announces again (vip_quiet()).
	 */
	if (s->fsm.state != CARP_MASTER)
		s->quiet = 0;
	else if (s->fsm.leaving != s->quiet) {
		s->quiet = s->fsm.leaving;
		engine_send(s->quiet ? MSG_QUIET : MSG_ANNOUNCE, s->conf.id,
		    &s->conf.id, sizeof(s->conf.id));
	}
	if (actions & FSM_SEND)
		service_send(s);
	/* Its group's weights follow its state; engine_settle() sees to it. */
	if ((actions & FSM_STATE) && !s->retired && s->conf.group[0] != '\0')
		regroup = 1;
}

static void
engine_due(struct eservice_head *head, uint64_t now)
{
	struct eservice	*s, *next;
	enum carp_state	 prev;
	uint64_t	 dl;

	/* service_act() may free a retiring service, never the next. */
	TAILQ_FOREACH_SAFE(s, head, entry, next) {
		if ((dl = fsm_deadline(&s->fsm)) == 0 || dl > now)
			continue;
		prev = s->fsm.state;
		service_act(s, fsm_timeout(&s->fsm, now), prev);
	}
}

static void
engine_tick(int fd, short event, void *arg)
{
	struct eservice	*s;
	uint64_t	 now = now_us();

	/* A late heartbeat demotes before the adverts due now go out. */
	TAILQ_FOREACH(s, &services, entry)
		heartbeat_due(s, now);
	engine_due(&services, now);
	engine_due(&retiring, now);
	holddown_due(&services, now);
	handover_due(&services, now);
	ebundle_due(now);
}

/*
 * The parent feeds the service manager's watchdog only while these come:
 * a timer of this loop sends them, so a wedged loop stops them.  The
 * first answers at once, after all the parent sent before it.
 */
static void
engine_alive(int fd, short event, void *arg)
{
	engine_send(MSG_ALIVE, 0, NULL, 0);
}

static void
engine_watchdog(uint32_t ms)
{
	struct timeval	tv;

	engine_alive(-1, 0, NULL);
	if (alive_ev != NULL) {
		event_free(alive_ev);
		alive_ev = NULL;
	}
	if (ms == 0)
		return;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = ms % 1000 * 1000;
	if ((alive_ev = event_new(base, -1, EV_PERSIST, engine_alive,
	    NULL)) == NULL || event_add(alive_ev, &tv) == -1)
		fatalx("watchdog timer");
}

/* Link state or addresses changed: follow them in every service there. */
static void
engine_link(const struct msg_link *ml)
{
	struct eif	*eif;
	struct eservice	*s;
	enum carp_state	 prev;
	uint64_t	 now = now_us();
	int		 usable;

	TAILQ_FOREACH(eif, &eifs, entry) {
		if (strcmp(eif->ifname, ml->ifname) != 0)
			continue;
		eif->ifindex = ml->ifindex;
		eif->up = ml->up;
		eif->self = eif->af == AF_INET ? ml->primary4 : ml->primary6;
		usable = eif->up && eif->self.af != 0;
		log_debug("%s: link %s, %s address %s", eif->ifname,
		    eif->up ? "up" : "down",
		    eif->af == AF_INET ? "IPv4" : "IPv6",
		    addr_ntop(&eif->self));
		if (!configured)
			continue;
		TAILQ_FOREACH(s, &services, entry) {
			if (s->eif != eif)
				continue;
			s->fsm.self = eif->self;
			prev = s->fsm.state;
			if (usable && prev == CARP_LINKDOWN &&
			    (s->demote_reasons & DEMOTE_VIPFAIL))
				engine_demote(s, DEMOTE_VIPFAIL, 0);
			if (usable && (prev == CARP_LINKDOWN ||
			    prev == CARP_INIT) && !shutting_down)
				service_act(s, prev == CARP_INIT ?
				    fsm_start(&s->fsm, now) :
				    fsm_link(&s->fsm, 1, now), prev);
			else if (!usable && prev != CARP_LINKDOWN)
				service_act(s, fsm_link(&s->fsm, 0, now),
				    prev);
		}
	}
}

/*
 * The parent's weights: checks and tracks.  Heartbeats are the
 * engine's own, and a reload's WEIGHT_CLEAR leaves them be.
 */
static void
engine_weight(const struct msg_weight *mw)
{
	struct eservice		*s;
	int			 i;

	if ((s = service_find(&services, mw->service)) == NULL)
		return;
	if (mw->index == WEIGHT_CLEAR) {
		for (i = 0; i < SERVICE_WEIGHTS_MAX; i++)
			if (s->weights[i].index < WEIGHT_HEARTBEAT)
				memset(&s->weights[i], 0,
				    sizeof(s->weights[i]));
	} else if (mw->index >= WEIGHT_HEARTBEAT) {
		log_warnx("%s: parent sent weight %u, a heartbeat's: ignored",
		    s->conf.name, mw->index);
		return;
	} else
		(void)weight_set(s, mw);
	edemote_update(s);
}

/* hafoctl reload: the parent reads the file; its answer goes to id. */
void
engine_reload(uint32_t id)
{
	engine_send(MSG_RELOAD, id, NULL, 0);
}

void
engine_verbose(int verbose)
{
	int32_t	v = verbose;

	log_setverbose(verbose);
	engine_send(MSG_VERBOSE, 0, &v, sizeof(v));
}

struct eservice_head *
engine_services(void)
{
	return (&services);
}

struct eif_head *
engine_ifaces(void)
{
	return (&eifs);
}

/* Gone from the configuration, still bowing out. */
struct eservice_head *
engine_retiring(void)
{
	return (&retiring);
}

uint64_t
engine_now(void)
{
	return (now_us());
}

void
engine_act(struct eservice *s, int actions, enum carp_state prev)
{
	service_act(s, actions, prev);
}

/* A bow-out of a releasing old master (ehandover.c). */
void
engine_advertise(struct eservice *s)
{
	service_send(s);
}

void
engine_hook_run(struct eservice *s, const struct msg_hook_run *hr)
{
	engine_send(MSG_HOOK_RUN, s->conf.id, hr, sizeof(*hr));
}

static void
service_start(struct eservice *s, uint64_t now)
{
	struct eif	*eif = s->eif;

	if (eif->up && eif->self.af != 0)
		service_act(s, fsm_start(&s->fsm, now), CARP_INIT);
	else {
		log_warnx("%s: %s is down or has no %s address; waiting",
		    s->conf.name, eif->ifname,
		    eif->af == AF_INET ? "IPv4" : "IPv6 link-local");
		service_act(s, fsm_link(&s->fsm, 0, now), CARP_INIT);
	}
}

static struct eservice *
service_find(struct eservice_head *head, uint32_t id)
{
	struct eservice	*s;

	TAILQ_FOREACH(s, head, entry)
		if (s->conf.id == id)
			return (s);
	return (NULL);
}

/*
 * A service that left the configuration, or changed what it is (its
 * interface, vhid, addresses, passphrase or peers), bows out like a node
 * that stops, and is freed once it has let go.
 */
static void
service_retire(struct eservice *s, uint64_t now)
{
	enum carp_state	prev = s->fsm.state;

	TAILQ_REMOVE(&services, s, entry);
	TAILQ_INSERT_TAIL(&retiring, s, entry);
	s->retired = 1;
	if (s->eif->byvhid[s->conf.vhid] == s)
		s->eif->byvhid[s->conf.vhid] = NULL;
	log_info("%s: removed from the configuration: %s", s->conf.name,
	    prev == CARP_MASTER ? "bowing out" : "stopping");
	service_act(s, fsm_leave(&s->fsm, 1, now), prev);
}

static void
service_free(struct eservice *s)
{
	/* Its last advertisement may be queued still. */
	engine_flush();
	TAILQ_REMOVE(&retiring, s, entry);
	explicit_bzero(&s->key, sizeof(s->key));
	free(s);
}

/*
 * The same id again: the parent matched it by config_match(), and so
 * does the engine, so that a rule lives in one place.  Anything but
 * keep or retime under the same id is the parent breaking the protocol.
 */
static void
service_retime(struct eservice *s, const struct service_conf *conf,
    uint64_t now)
{
	switch (config_match(&s->conf, conf)) {
	case MATCH_KEEP:
		return;
	case MATCH_RETIME:
		break;
	default:
		fatalx("%s: parent kept id %u for another service",
		    conf->name, conf->id);
	}
	if (conf->protocol == PROTO_BUNDLE)
		log_info("%s: new timing: interval %ums advskew %u preempt %s",
		    conf->name, conf->interval, conf->advskew,
		    conf->preempt ? "yes" : "no");
	else
		log_info("%s: new timing: advbase %u advskew %u preempt %s",
		    conf->name, conf->advbase, conf->advskew,
		    conf->preempt ? "yes" : "no");
	heartbeat_reconf(s, conf, now);
	s->conf = *conf;
	s->fsm.advbase = conf->advbase;
	s->fsm.advskew = conf->advskew;
	s->fsm.preempt = conf->preempt;
	ebundle_service(s, now);
	/* Peers learn the new interval at once. */
	service_act(s, fsm_set_demote(&s->fsm, s->fsm.demote, now),
	    s->fsm.state);
}

/*
 * A new configuration, at start or on reload.  The parent has already
 * matched services by name: an unchanged one keeps its id, and with it
 * its state and addresses, untouched; one whose timing alone changed
 * keeps its id too and takes the new timing in place; any other change
 * comes as a new id, so the old one retires and the new one joins.
 */
static void
engine_configure(void)
{
	struct eservice	*s, *old, *next;
	struct eif	*eif;
	struct persisted	*mp;
	uint64_t	 now = now_us();

	TAILQ_FOREACH_SAFE(old, &services, entry, next)
		if (service_find(&incoming, old->conf.id) == NULL)
			service_retire(old, now);

	while ((s = TAILQ_FIRST(&incoming)) != NULL) {
		TAILQ_REMOVE(&incoming, s, entry);
		if ((old = service_find(&services, s->conf.id)) != NULL) {
			service_retime(old, &s->conf, now);
			free(s);
			continue;
		}
		eif = eif_find(s->conf.ifname, service_af(&s->conf));
		if (eif == NULL)
			fatalx("%s: no socket for %s", s->conf.name,
			    s->conf.ifname);
		if (eif->byvhid[s->conf.vhid] != NULL)
			fatalx("%s: vhid %u taken on %s", s->conf.name,
			    s->conf.vhid, eif->ifname);
		s->eif = eif;
		eif->byvhid[s->conf.vhid] = s;
		carp_key_init(&s->key, &s->conf);
		arc4random_buf(&s->counter, sizeof(s->counter));
		fsm_init(&s->fsm);
		s->fsm.advbase = s->conf.advbase;
		s->fsm.advskew = s->conf.advskew;
		s->fsm.preempt = s->conf.preempt;
		s->fsm.self = eif->self;
		ebundle_service(s, now);
		s->since = now;
		TAILQ_INSERT_TAIL(&services, s, entry);
		/* Maintenance stored by the parent holds before we start. */
		TAILQ_FOREACH(mp, &persisted, entry)
			if (strcmp(mp->m.name, s->conf.name) == 0) {
				log_info("%s: under maintenance (hafoctl "
				    "demote -p): staying backup", s->conf.name);
				s->demote_reasons |= DEMOTE_OPERATOR |
				    DEMOTE_PERSIST;
			}
		heartbeat_start(s);
		s->fsm.demote = edemote_weight(s);
		quorum_service(s, now);
		service_start(s, now);
	}
	/* Groups: the followers' weight follows their leader's state. */
	TAILQ_FOREACH(s, &services, entry)
		edemote_update(s);
	while ((mp = TAILQ_FIRST(&persisted)) != NULL) {
		TAILQ_REMOVE(&persisted, mp, entry);
		free(mp);
	}
	configured = 1;
}

static void
engine_shutdown(void)
{
	struct eservice	*s;
	enum carp_state	 prev;
	uint64_t	 now = now_us();

	if (shutting_down)
		return;
	shutting_down = 1;
	log_info("shutting down: bowing out");
	TAILQ_FOREACH(s, &services, entry) {
		prev = s->fsm.state;
		service_act(s, fsm_leave(&s->fsm, 1, now), prev);
	}
}

/*
 * A socket from the parent for an interface and a family: its raw CARP
 * socket, or the UDP socket of the bundle format.
 */
static void
engine_socket(struct msg *m)
{
	struct msg_socket	 ms;
	struct eif		*eif;

	memcpy(&ms, m->data, sizeof(ms));
	ms.ifname[sizeof(ms.ifname) - 1] = '\0';
	if ((ms.af != AF_INET && ms.af != AF_INET6) || m->fd == -1 ||
	    (ms.kind != SOCKET_CARP && ms.kind != SOCKET_BUNDLE))
		fatalx("malformed socket from parent");
	if ((eif = eif_find(ms.ifname, ms.af)) == NULL) {
		if ((eif = calloc(1, sizeof(*eif))) == NULL)
			fatal(NULL);
		strlcpy(eif->ifname, ms.ifname, sizeof(eif->ifname));
		eif->ifindex = ms.ifindex;
		eif->af = ms.af;
		eif->fd = -1;
		eif->bfd = -1;
		TAILQ_INSERT_TAIL(&eifs, eif, entry);
	}
	if (ms.kind == SOCKET_BUNDLE) {
		if (eif->bfd != -1)
			fatalx("%s: a second bundle socket", eif->ifname);
		ebundle_socket(base, eif, m->fd, ms.port);
		m->fd = -1;
		return;
	}
	if (eif->fd != -1)
		fatalx("%s: a second CARP socket", eif->ifname);
	eif->fd = m->fd;
	m->fd = -1;
	if ((eif->ev = event_new(base, eif->fd, EV_READ | EV_PERSIST,
	    engine_recv, eif)) == NULL || event_add(eif->ev, NULL))
		fatal("event_new");
}

/* A service of the configuration to come, checked as far as it can be. */
static void
engine_incoming(const struct msg *m)
{
	struct eservice		*s;
	struct heartbeat_conf	*hc;
	int			 i;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		fatal(NULL);
	memcpy(&s->conf, m->data, sizeof(s->conf));
	s->conf.name[sizeof(s->conf.name) - 1] = '\0';
	s->conf.ifname[sizeof(s->conf.ifname) - 1] = '\0';
	if (s->conf.nvips > SERVICE_VIPS_MAX ||
	    s->conf.npeers > SERVICE_PEERS_MAX ||
	    s->conf.passlen > CARP_PASS_MAX || s->conf.vhid == 0 ||
	    s->conf.nheartbeats > SERVICE_HEARTBEATS_MAX)
		fatalx("malformed service from parent");
	for (i = 0; i < s->conf.nheartbeats; i++) {
		hc = &s->conf.heartbeats[i];
		hc->name[sizeof(hc->name) - 1] = '\0';
		if (hc->ttl < HEARTBEAT_TTL_MIN || hc->ttl > HEARTBEAT_TTL_MAX)
			fatalx("malformed heartbeat from parent");
	}
	TAILQ_INSERT_TAIL(&incoming, s, entry);
}

/*
 * One switch over what the parent may send, each case a few lines: read
 * best whole, as the protocol it is.
 */
static void
engine_msg(struct msg *m)
{
	struct eservice		*s;
	struct msg_link		 ml;
	struct msg_vip_failed	 mv;
	struct msg_vip_status	 vs;
	struct msg_weight	 mw;
	struct msg_hook_result	 hr;
	struct msg_quorum	 q;
	struct persisted	*p;
	uint32_t		 ms;

	if (msg_check_size(m) == -1)
		fatalx("bad %s message from parent (%zu bytes)",
		    msg_type_name(m->hdr.type), m->datalen);
	switch (m->hdr.type) {
	case MSG_SOCKET:
		engine_socket(m);
		break;
	case MSG_CONF_SERVICE:
		engine_incoming(m);
		break;
	case MSG_CONF_END:
		engine_configure();
		break;
	case MSG_PERSIST:
		if ((p = calloc(1, sizeof(*p))) == NULL)
			fatal(NULL);
		memcpy(&p->m, m->data, sizeof(p->m));
		p->m.name[sizeof(p->m.name) - 1] = '\0';
		TAILQ_INSERT_TAIL(&persisted, p, entry);
		break;
	case MSG_LINK:
		memcpy(&ml, m->data, sizeof(ml));
		ml.ifname[sizeof(ml.ifname) - 1] = '\0';
		engine_link(&ml);
		break;
	case MSG_VIP_FAILED:
		memcpy(&mv, m->data, sizeof(mv));
		mv.reason[sizeof(mv.reason) - 1] = '\0';
		/*
		 * A master that cannot hold its addresses must not pretend
		 * to: bow out, and stay demoted until its link comes back
		 * (OpenBSD counts errors in the demote byte the same way).
		 */
		if ((s = service_find(&services, mv.service)) != NULL) {
			log_warnx("%s: cannot hold the addresses (%s): "
			    "giving up mastership", s->conf.name, mv.reason);
			engine_demote(s, DEMOTE_VIPFAIL, 1);
		}
		break;
	case MSG_VIP_STATUS:
		memcpy(&vs, m->data, sizeof(vs));
		TAILQ_FOREACH(s, &services, entry)
			if (s->conf.id == vs.service)
				s->vips_installed = vs.installed;
		break;
	case MSG_SHUTDOWN:
		engine_shutdown();
		break;
	case MSG_WEIGHT:
		memcpy(&mw, m->data, sizeof(mw));
		mw.name[sizeof(mw.name) - 1] = '\0';
		engine_weight(&mw);
		break;
	case MSG_HOOK_RESULT:
		memcpy(&hr, m->data, sizeof(hr));
		hr.text[sizeof(hr.text) - 1] = '\0';
		if ((s = service_find(&services, hr.service)) != NULL) {
			strlcpy(s->last_hook, hr.text, sizeof(s->last_hook));
			if (hr.event < HOOK_MAX) {
				s->hooks[hr.event]++;
				if (hr.failed)
					s->hook_failures[hr.event]++;
			}
			holddown_result(s, &hr);
			handover_result(s, &hr, now_us());
		}
		break;
	case MSG_QUORUM:
		memcpy(&q, m->data, sizeof(q));
		engine_quorum(&q);
		break;
	case MSG_SITES:
	case MSG_SITE_ROLE:
	case MSG_SITES_END:
		engine_sites(m);
		break;
	case MSG_CONTROL:
		control_init(base, m->fd);
		m->fd = -1;
		break;
	case MSG_WATCHDOG:
		memcpy(&ms, m->data, sizeof(ms));
		engine_watchdog(ms);
		break;
	case MSG_HEARTBEAT:
		heartbeat_init(base, m->fd);
		m->fd = -1;
		break;
	case MSG_RELOAD_RESULT:
	case MSG_RELOAD_END:
		/* The client may have gone; the reload happened anyway. */
		(void)control_reply(m->hdr.peerid, m->hdr.type ==
		    MSG_RELOAD_RESULT ? MSG_CTL_RESULT : MSG_CTL_END,
		    m->data, m->datalen);
		break;
	default:
		fatalx("unexpected %s message from parent",
		    msg_type_name(m->hdr.type));
	}
	if (m->fd != -1)
		close(m->fd);
}

static void
engine_dispatch(int fd, short event, void *arg)
{
	struct msg	m;
	ssize_t		n;

	if ((n = msgchan_read(&chan)) == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		fatal("read from parent");
	}
	if (n == 0)
		fatalx("parent exited: stopping");
	for (;;) {
		if ((n = msgchan_get(&chan, &m)) == -1)
			fatal("message from parent");
		if (n == 0)
			break;
		engine_msg(&m);
	}
}

static void
engine_signal(int sig, short event, void *arg)
{
	/* SIGTERM sent to the engine alone: stop as the parent would. */
	if (sig == SIGTERM)
		engine_shutdown();
}

static void
drop_privileges(const struct passwd *pw, const char *dir)
{
	if (chroot(dir) == -1)
		fatal("chroot %s", dir);
	if (chdir("/") == -1)
		fatal("chdir /");
	if (setgroups(1, &pw->pw_gid) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
		fatal("cannot drop privileges to %s", pw->pw_name);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("PR_SET_NO_NEW_PRIVS");
}

/*
 * What needs no privilege: the loop, the parent's channel, the timer.
 * Apart from engine_main() so that regress/fuzz/fuzz_engine.c can run
 * the engine in its own process.
 */
void
engine_init(int fd)
{
	struct event_config	*cfg;

	/*
	 * Without this libevent keeps time with CLOCK_MONOTONIC_COARSE, one
	 * jiffy (4 ms at HZ=250) coarse: at advbase 0 an advertisement
	 * could skip its slot and the master-down timer fire a jiffy late.
	 * The price is a timerfd_settime(2) per wake-up.
	 */
	if ((cfg = event_config_new()) == NULL ||
	    event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER) == -1 ||
	    (base = event_base_new_with_config(cfg)) == NULL)
		fatalx("event_base_new");
	/*
	 * Three priorities, every event in the middle one but the heartbeat
	 * socket's, below: a flood of heartbeats waits while advertisements
	 * and the timer are served.
	 */
	if (event_base_priority_init(base, 3) == -1)
		fatalx("event_base_priority_init");
	event_config_free(cfg);
	msgchan_init(&chan, fd);
	if ((chanev = event_new(base, fd, EV_READ | EV_PERSIST,
	    engine_dispatch, NULL)) == NULL || event_add(chanev, NULL) == -1 ||
	    (chanwev = event_new(base, fd, EV_WRITE | EV_PERSIST,
	    engine_write, NULL)) == NULL)
		fatalx("event_new");
	if ((tick = evtimer_new(base, engine_tick, NULL)) == NULL)
		fatalx("evtimer_new");
	ebundle_init();
}

__dead void
engine_main(int fd, const struct passwd *pw, const char *dir,
    uint64_t epoch)
{
	struct event		*sigterm;

	log_procinit("engine");
	setproctitle("engine");
	drop_privileges(pw, dir);

	/* Ctrl-C and SIGHUP reach the whole group: the parent leads. */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);

	engine_init(fd);
	ebundle_epoch(epoch);
	/* Until now syslog's socket, opened before the chroot, served. */
	log_forward(engine_log, engine_log_flush);
	if ((sigterm = evsignal_new(base, SIGTERM, engine_signal, NULL)) ==
	    NULL || evsignal_add(sigterm, NULL) == -1)
		fatalx("evsignal_new");

	log_debug("running as %s in %s", pw->pw_name, dir);
	sandbox_engine();
	for (;;) {
		if (event_base_loop(base, EVLOOP_ONCE) == -1)
			fatalx("event_base_loop");
		engine_settle();
	}
}
