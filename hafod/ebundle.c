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
 * The engine's side of the bundle format (hafod.8, BUNDLE FORMAT): the
 * datagrams pending in a wake-up, the reports every node sends, the
 * receive path with its replay table, and the drift of peers that run a
 * service's vhid otherwise.  bundle.c is the codec; the election is the
 * same fsm.c as CARP's, fed through engine_heard().
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "hafod.h"
#include "log.h"

#define PENDING_MAX		16	/* datagrams building in one wake-up */
#define REPLAY_MAX		64	/* senders remembered per interface */
#define REPLAY_STALE_US		(60 * 1000000ULL)
#define DRIFT_STALE_US		(60 * 1000000ULL)
#define BUNDLE_REPORT_US	(10 * 1000000ULL)
#define DIGEST_EVERY		8	/* an advert's digest, so often */
#define DIGEST_FIRST		3	/* and on the first sends */
#define SEQ_MASK		((1ULL << BUNDLE_SEQ_BITS) - 1)

/* The highest counter accepted from a sender under a key. */
struct ereplay_slot {
	struct hafod_addr	 src;		/* af 0: free */
	uint8_t			 keyid[BUNDLE_KEYID_LEN];
	uint64_t		 counter;
	uint64_t		 heard;		/* usec, monotonic */
};

struct ereplay {
	struct ereplay_slot	 slot[REPLAY_MAX];
};

/*
 * A datagram being filled: the services of one interface with the same
 * key and the same unicast peers go out together.
 */
struct pending {
	struct eif		*eif;
	struct bundle_key	 key;
	uint8_t			 npeers;
	struct hafod_addr	 peers[SERVICE_PEERS_MAX];
	size_t			 len;		/* header and entries */
	struct bundle		 b;
};

static struct pending	 pending[PENDING_MAX];
static unsigned int	 npending;
static uint64_t		 epoch;
static uint64_t		 seq;
static uint16_t		 port = BUNDLE_PORT_DEFAULT;
static uint64_t		 next_report;	/* usec; 0: none yet */

static void	ebundle_recv(int, short, void *);

/* A fresh start (engine_init()): nothing pending, nothing reported. */
void
ebundle_init(void)
{
	npending = 0;
	seq = 0;
	next_report = 0;
	port = BUNDLE_PORT_DEFAULT;
}

/* The counters of this run: the parent's epoch above the sequence. */
void
ebundle_epoch(uint64_t e)
{
	epoch = e;
}

void
ebundle_socket(struct event_base *base, struct eif *eif, int fd,
    uint16_t p)
{
	if (eif->replay == NULL &&
	    (eif->replay = calloc(1, sizeof(*eif->replay))) == NULL)
		fatal(NULL);
	eif->bfd = fd;
	if (p != 0)
		port = p;
	if ((eif->bev = event_new(base, fd, EV_READ | EV_PERSIST,
	    ebundle_recv, eif)) == NULL || event_add(eif->bev, NULL) == -1)
		fatal("event_new");
}

/* A service's base in ms: its interval, else its advbase in seconds. */
static uint16_t
base_ms(const struct service_conf *conf)
{
	uint32_t	ms = conf->interval;

	if (ms == 0)
		ms = conf->advbase != 0 ? conf->advbase * 1000U : 1000U;
	if (ms < BUNDLE_INTERVAL_MIN)
		ms = BUNDLE_INTERVAL_MIN;
	if (ms > BUNDLE_INTERVAL_MAX)
		ms = BUNDLE_INTERVAL_MAX;
	return (ms);
}

/* A service starts or takes a new configuration: its timing and digest. */
void
ebundle_service(struct eservice *s, uint64_t now)
{
	if (s->conf.protocol != PROTO_BUNDLE) {
		s->fsm.base_us = 0;
		return;
	}
	s->fsm.base_us = base_ms(&s->conf) * 1000U;
	s->bdigest = bundle_digest(&s->conf);
	s->bsends = 0;
	/* Peers hear of every node at its start. */
	if (next_report == 0)
		next_report = now;
}

/* Drift (hafod.8, BUNDLE FORMAT): the operator's view of a peer. */
static void
drift_text(const struct eservice *s, const struct edrift *d, char *buf,
    size_t len)
{
	const char	*peer = addr_ntop(&d->peer);

	switch (d->what) {
	case DRIFT_ADDRESSES:
		snprintf(buf, len, "peer %s has other addresses for vhid %u",
		    peer, s->conf.vhid);
		break;
	case DRIFT_INTERVAL:
		snprintf(buf, len, "peer %s has interval %ums for vhid %u, "
		    "here %ums", peer, d->value, s->conf.vhid,
		    base_ms(&s->conf));
		break;
	case DRIFT_PASSWORD:
		snprintf(buf, len, "peer %s sends vhid %u under another "
		    "password or key", peer, s->conf.vhid);
		break;
	case DRIFT_PROTOCOL:
		snprintf(buf, len, "peer %s sends CARP for vhid %u, here "
		    "bundle", peer, s->conf.vhid);
		break;
	default:
		snprintf(buf, len, "peer %s: %s", peer, drift_name(d->what));
		break;
	}
}

static struct edrift *
drift_find(struct eservice *s, const struct hafod_addr *peer,
    enum drift_kind what)
{
	int	i;

	for (i = 0; i < SERVICE_DRIFT_MAX; i++)
		if (s->drift[i].peer.af != 0 && s->drift[i].what == what &&
		    addr_eq(&s->drift[i].peer, peer))
			return (&s->drift[i]);
	return (NULL);
}

/* Said once when it appears or changes, not at every datagram. */
static void
drift_set(struct eservice *s, const struct hafod_addr *peer,
    enum drift_kind what, uint32_t value, uint64_t now)
{
	struct edrift	*d, *slot = NULL;
	char		 text[160];
	int		 i;

	if ((d = drift_find(s, peer, what)) != NULL) {
		d->seen = now;
		if (d->value == value)
			return;
	} else {
		for (i = 0; i < SERVICE_DRIFT_MAX; i++) {
			d = &s->drift[i];
			if (d->peer.af == 0) {
				slot = d;
				break;
			}
			if (slot == NULL || d->seen < slot->seen)
				slot = d;
		}
		d = slot;
		d->peer = *peer;
		d->what = what;
	}
	d->value = value;
	d->seen = now;
	drift_text(s, d, text, sizeof(text));
	log_warnx("%s: drift: %s", s->conf.name, text);
}

/* Said by kind, not by the text: the config here may have moved. */
static void
drift_clear(struct eservice *s, struct edrift *d, const char *why)
{
	if (d == NULL)
		return;
	log_info("%s: drift gone: %s of peer %s for vhid %u (%s)",
	    s->conf.name, drift_name(d->what), addr_ntop(&d->peer),
	    s->conf.vhid, why);
	memset(d, 0, sizeof(*d));
}

/* A peer still speaking CARP for a vhid that runs the bundle here. */
void
ebundle_carp_heard(struct eservice *s, const struct hafod_addr *src,
    uint64_t now)
{
	drift_set(s, src, DRIFT_PROTOCOL, 0, now);
}

static void
drift_expire(uint64_t now)
{
	struct eservice	*s;
	int		 i;

	TAILQ_FOREACH(s, engine_services(), entry)
		for (i = 0; i < SERVICE_DRIFT_MAX; i++)
			if (s->drift[i].peer.af != 0 &&
			    now - s->drift[i].seen > DRIFT_STALE_US)
				drift_clear(s, &s->drift[i],
				    "no news for 60 s");
}

/* An accepted entry of s from src: what it says of the peer's config. */
static void
drift_check(struct eservice *s, const struct bundle_entry *e,
    const struct hafod_addr *src, uint64_t now)
{
	drift_clear(s, drift_find(s, src, DRIFT_PASSWORD), "agrees now");
	drift_clear(s, drift_find(s, src, DRIFT_PROTOCOL), "agrees now");
	if (e->base != base_ms(&s->conf))
		drift_set(s, src, DRIFT_INTERVAL, e->base, now);
	else
		drift_clear(s, drift_find(s, src, DRIFT_INTERVAL),
		    "agrees now");
	if (!(e->flags & BUNDLE_F_DIGEST))
		return;
	if (e->digest != s->bdigest)
		drift_set(s, src, DRIFT_ADDRESSES, 0, now);
	else
		drift_clear(s, drift_find(s, src, DRIFT_ADDRESSES),
		    "agrees now");
}

/* How a datagram queued by pending_out() fared (engine_outq_flush()). */
void
ebundle_sent(void *arg, const struct hafod_addr *dst, int error)
{
	struct eif	*eif = arg;

	if (error == 0)
		return;
	errno = error;
	log_warn("bundle: send to %s on %s",
	    dst->af == 0 ? "the group" : addr_ntop(dst), eif->ifname);
}

/* Encode p and queue it to the group or to each of its peers. */
static void
pending_out(struct pending *p)
{
	struct net_batch	*q = engine_outq();
	struct eif		*eif = p->eif;
	uint8_t			 buf[NET_DATA_MAX];
	ssize_t			 n;
	int			 i, ndst;

	if (p->b.nentries == 0)
		return;
	/* Signed with the source address: none, no datagram. */
	if (!eif->up || eif->self.af == 0 || eif->bfd == -1) {
		p->b.nentries = 0;
		p->len = BUNDLE_HDR_LEN;
		return;
	}
	p->b.counter = epoch << BUNDLE_SEQ_BITS | (++seq & SEQ_MASK);
	n = bundle_encode(&p->b, &p->key, &eif->self, buf, sizeof(buf));
	p->b.nentries = 0;
	p->len = BUNDLE_HDR_LEN;
	if (n == -1) {
		log_warnx("bundle: cannot encode a datagram for %s",
		    eif->ifname);
		return;
	}
	ndst = p->npeers == 0 ? 1 : p->npeers;
	for (i = 0; i < ndst; i++) {
		if (q->n == NET_BATCH_MAX || (q->n > 0 && q->fd != eif->bfd))
			engine_outq_flush();
		q->port = port;
		net_queue(q, eif->bfd, eif->af, eif->ifindex, &eif->self,
		    p->npeers == 0 ? NULL : &p->peers[i], buf, n, eif);
	}
}

static int
pending_has(const struct pending *p, uint8_t vhid)
{
	unsigned int	i;

	for (i = 0; i < p->b.nentries; i++)
		if (p->b.entries[i].vhid == vhid)
			return (1);
	return (0);
}

static struct pending *
pending_get(const struct eservice *s)
{
	struct pending	*p;
	unsigned int	 i;

	for (i = 0; i < npending; i++) {
		p = &pending[i];
		if (p->eif == s->eif && p->npeers == s->conf.npeers &&
		    memcmp(&p->key, &s->conf.bkey, sizeof(p->key)) == 0 &&
		    memcmp(p->peers, s->conf.peers,
		    p->npeers * sizeof(p->peers[0])) == 0)
			return (p);
	}
	if (npending == PENDING_MAX)
		ebundle_flush();
	p = &pending[npending++];
	memset(p, 0, sizeof(*p));
	p->eif = s->eif;
	p->key = s->conf.bkey;
	p->npeers = s->conf.npeers;
	memcpy(p->peers, s->conf.peers, p->npeers * sizeof(p->peers[0]));
	p->len = BUNDLE_HDR_LEN;
	return (p);
}

/*
 * s's entry in its pending datagram: an advertisement (fa: what fsm.c
 * says, a bow-out or not), or a report's entry (fa NULL).  The datagram
 * goes out in engine_flush(), with those of every service due now.
 */
void
ebundle_send(struct eservice *s, const struct fsm_advert *fa)
{
	struct bundle_entry	 e;
	struct pending		*p;
	size_t			 elen;

	memset(&e, 0, sizeof(e));
	e.vhid = s->conf.vhid;
	e.base = base_ms(&s->conf);
	e.advskew = s->fsm.advskew;
	e.demote = s->fsm.demote;
	if (fa != NULL) {
		if (fa->advbase == CARP_BOWOUT && fa->advskew == CARP_BOWOUT)
			e.flags = BUNDLE_F_BOWOUT;
		else {
			e.flags = BUNDLE_F_MASTER;
			e.advskew = fa->advskew;
		}
		e.demote = fa->demote;
		/* Rotating by vhid: a datagram carries few digests. */
		if (s->bsends < DIGEST_FIRST ||
		    (s->bsends + s->conf.vhid) % DIGEST_EVERY == 0)
			e.flags |= BUNDLE_F_DIGEST;
		s->bsends++;
		s->sent++;
	} else
		e.flags = BUNDLE_F_DIGEST;
	if (e.flags & BUNDLE_F_DIGEST)
		e.digest = s->bdigest;

	p = pending_get(s);
	if (p->b.nentries == 0)
		p->b.base = e.base;
	elen = bundle_entry_len(&e, p->b.base);
	/*
	 * A vhid appears once in a datagram: a second entry for it in
	 * one wake-up (an advert after a report, a retired service's
	 * bow-out beside its successor) goes in the next, after it.
	 */
	if (p->b.nentries == BUNDLE_ENTRIES_MAX ||
	    p->len + elen > BUNDLE_DATAGRAM_MAX ||
	    pending_has(p, e.vhid)) {
		pending_out(p);
		p->b.base = e.base;
		elen = bundle_entry_len(&e, p->b.base);
	}
	p->b.entries[p->b.nentries++] = e;
	p->len += elen;
}

/* At the end of a wake-up, after the CARP adverts (engine_flush()). */
void
ebundle_flush(void)
{
	unsigned int	 i;

	for (i = 0; i < npending; i++)
		pending_out(&pending[i]);
	npending = 0;
	engine_outq_flush();
}

/* The report: every bundle service here that is not advertising. */
static void
report(void)
{
	struct eservice	*s;

	TAILQ_FOREACH(s, engine_services(), entry) {
		if (s->conf.protocol != PROTO_BUNDLE || s->retired ||
		    !s->eif->up || s->eif->self.af == 0 ||
		    s->fsm.state == CARP_MASTER)
			continue;
		ebundle_send(s, NULL);
	}
}

static int
bundle_running(void)
{
	struct eservice	*s;

	TAILQ_FOREACH(s, engine_services(), entry)
		if (s->conf.protocol == PROTO_BUNDLE)
			return (1);
	return (0);
}

void
ebundle_due(uint64_t now)
{
	if (next_report == 0 || now < next_report)
		return;
	next_report = now + BUNDLE_REPORT_US;
	drift_expire(now);
	report();
}

uint64_t
ebundle_deadline(uint64_t min)
{
	if (next_report == 0 || !bundle_running())
		return (min);
	return (min == 0 || next_report < min ? next_report : min);
}

/*
 * Replay: the counter must be above the last accepted from this sender
 * under this key.  A new sender takes a free slot, or the one unheard
 * for longest if that is stale; a table full of live senders is a flood.
 */
static enum carp_drop
replay_check(struct eif *eif, const struct hafod_addr *src,
    const struct bundle *b, uint64_t now)
{
	struct ereplay_slot	*r, *slot = NULL, *old = NULL;
	int			 i;

	for (i = 0; i < REPLAY_MAX; i++) {
		r = &eif->replay->slot[i];
		if (r->src.af == 0) {
			if (slot == NULL)
				slot = r;
			continue;
		}
		if (addr_eq(&r->src, src) &&
		    memcmp(r->keyid, b->keyid, sizeof(r->keyid)) == 0) {
			if (b->counter <= r->counter)
				return (DROP_REPLAY);
			r->counter = b->counter;
			r->heard = now;
			return (DROP_NONE);
		}
		if (old == NULL || r->heard < old->heard)
			old = r;
	}
	if (slot == NULL) {
		if (old == NULL || now - old->heard <= REPLAY_STALE_US)
			return (DROP_PEERS);
		slot = old;
	}
	slot->src = *src;
	memcpy(slot->keyid, b->keyid, sizeof(slot->keyid));
	slot->counter = b->counter;
	slot->heard = now;
	return (DROP_NONE);
}

/* The key of a datagram, by its id, among this interface's services. */
static const struct bundle_key *
key_find(struct eif *eif, const uint8_t *keyid)
{
	struct eservice	*s;
	int		 vhid;

	for (vhid = 1; vhid < 256; vhid++) {
		s = eif->byvhid[vhid];
		if (s != NULL && s->conf.protocol == PROTO_BUNDLE &&
		    memcmp(s->conf.bkey.id, keyid, BUNDLE_KEYID_LEN) == 0)
			return (&s->conf.bkey);
	}
	return (NULL);
}

/* Unauthenticated, so for the operator's eyes and never the election. */
static void
unknown_key(struct eif *eif, const struct bundle *b,
    const struct hafod_addr *src, uint64_t now)
{
	struct eservice	*s;
	unsigned int	 i;

	engine_drop(eif, NULL, DROP_HMAC, src, now);
	for (i = 0; i < b->nentries; i++) {
		s = eif->byvhid[b->entries[i].vhid];
		if (s != NULL && s->conf.protocol == PROTO_BUNDLE)
			drift_set(s, src, DRIFT_PASSWORD, 0, now);
	}
}

static int
same_key(const struct eservice *s, const struct bundle_key *key)
{
	return (s->conf.protocol == PROTO_BUNDLE &&
	    memcmp(&s->conf.bkey, key, sizeof(*key)) == 0);
}

/* One entry of an authentic datagram: the checks CARP's advert takes. */
static void
entry_heard(struct eif *eif, const struct bundle_entry *e,
    const struct bundle_key *key, const struct hafod_addr *src,
    uint64_t now)
{
	struct eservice		*s, *r;
	struct fsm_advert	 fa;
	enum carp_drop		 why = DROP_NONE;
	enum carp_state		 prev;

	if ((s = eif->byvhid[e->vhid]) == NULL &&
	    (s = engine_retiring_find(eif, e->vhid)) == NULL) {
		eif->unknown_vhid = e->vhid;
		eif->unknown_src = *src;
		engine_drop(eif, NULL, DROP_VHID, src, now);
		return;
	}
	if (s->conf.protocol != PROTO_BUNDLE)
		why = DROP_FORMAT;
	else if (!same_key(s, key)) {
		drift_set(s, src, DRIFT_PASSWORD, 0, now);
		why = DROP_HMAC;
	} else if (eif->self.af != 0 && addr_eq(src, &eif->self))
		why = DROP_OWN;
	else if (s->conf.npeers > 0 && !engine_is_peer(&s->conf, src))
		why = DROP_SOURCE;
	if (why != DROP_NONE) {
		engine_drop(eif, s, why, src, now);
		return;
	}
	s->received++;
	engine_peer_seen(s, src, 0, e->advskew, e->demote, now)->base_ms =
	    e->base;
	drift_check(s, e, src, now);
	if (!(e->flags & (BUNDLE_F_MASTER | BUNDLE_F_BOWOUT)))
		return;

	memset(&fa, 0, sizeof(fa));
	if (e->flags & BUNDLE_F_BOWOUT) {
		fa.advbase = CARP_BOWOUT;
		fa.advskew = CARP_BOWOUT;
	} else
		fa.advskew = e->advskew;
	fa.demote = e->demote;
	fa.base_us = e->base * 1000U;
	fa.src = *src;
	engine_heard(s, &fa, now);
	/* One that re-joined under a new config waits for this too. */
	if (!s->retired && (r = engine_retiring_find(eif, e->vhid)) != NULL &&
	    same_key(r, key)) {
		prev = r->fsm.state;
		engine_act(r, fsm_input(&r->fsm, &fa, now), prev);
	}
}

static void
ebundle_recv(int fd, short event, void *arg)
{
	static struct bundle	 b;
	struct eif		*eif = arg;
	const struct bundle_key	*key;
	struct hafod_addr	 src;
	enum carp_drop		 why;
	uint8_t			 buf[2048];
	unsigned int		 ifindex, i;
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
		now = engine_now();
		if ((why = bundle_decode(buf, n, ttl, &b)) != DROP_NONE) {
			engine_drop(eif, NULL, why, &src, now);
			continue;
		}
		if ((key = key_find(eif, b.keyid)) == NULL) {
			unknown_key(eif, &b, &src, now);
			continue;
		}
		if (!bundle_verify(buf, n, key, &src))
			why = DROP_HMAC;
		else
			why = replay_check(eif, &src, &b, now);
		if (why != DROP_NONE) {
			engine_drop(eif, NULL, why, &src, now);
			continue;
		}
		for (i = 0; i < b.nentries; i++)
			entry_heard(eif, &b.entries[i], key, &src, now);
	}
}
