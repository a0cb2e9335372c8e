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
 * The engine with a fake network: hafod/engine.c itself, with fsm.c,
 * carp.c, demote.c, config.c, msg.c and control.c, fed by a parent
 * played here over a real socketpair, and by advertisements injected
 * through fake_net.c.  Time is the harness's: the engine reads
 * CLOCK_MONOTONIC, here a counter the input moves.
 *
 * engine.c is included rather than linked, for two reasons: every input
 * must start from a fresh engine, and its state is static (the harness
 * frees it all between inputs); and its clock_gettime() and exit() are
 * renamed to the harness's, which leaves engine.c without a hook of any
 * kind for testing.  exit(0) after a shutdown returns here through a
 * longjmp (it is only called from engine_settle(), which the harness
 * calls itself); any other exit is a failure.
 *
 * Each wake-up is what the daemon's loop does: one handler
 * (engine_dispatch, engine_recv or engine_tick), then engine_settle().
 * After each, what the engine wrote to the parent is read and checked,
 * and so are these invariants:
 * - every frame has its type's size and carries no descriptor;
 * - a state report names a service the parent configured, its prev is
 *   the state last reported for it, and hold is set exactly for master;
 * - the state the parent was told is the one the engine runs;
 * - at most one service per vhid and interface is master, bar one that
 *   bows out (a retired one whose successor under a new id is ours too:
 *   it cannot hear that successor, and the parent hands the addresses
 *   over, vip.c's vip_transfer());
 * - every advertisement sent decodes, and verifies with its service's
 *   key, for its service's vhid, on its service's interface;
 * - every bundle datagram sent decodes and verifies with the key of a
 *   bundle service on its interface, and lists only such services;
 * - at the end of an input, with every service removed, retired ones
 *   are freed within LEAVE_MAX and none was freed as master.
 *
 * Input: a script of operations, each a byte (see the OP_ names) and
 * its arguments.  Missing bytes read as zero.
 */

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <arpa/inet.h>

#include <errno.h>
#include <event2/event.h>
#include <grp.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "hafod.h"
#include "log.h"
#include "fuzz.h"

static uint64_t	fake_now;
static jmp_buf	exit_jmp;
static int	in_settle;

static int	fuzz_clock_gettime(clockid_t, struct timespec *);
static void	fuzz_exit(int) __attribute__((__noreturn__));

#define clock_gettime	fuzz_clock_gettime
#define exit		fuzz_exit
#include "../../hafod/engine.c"
#include "../../hafod/edemote.c"
#include "../../hafod/epromote.c"
#include "../../hafod/ehandover.c"
#include "../../hafod/equorum.c"
#undef clock_gettime
#undef exit

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NIFS		3	/* eth0 IPv4, eth0 IPv6, eth1 IPv4 */
#define IDS_MAX		128	/* service ids per input */
#define CONF_MAX	8	/* services per configuration */
#define WAKES_MAX	4000	/* timer wake-ups per time step */
#define START_US	(1000ULL * 1000000)
#define END_US		(30ULL * 1000000) /* > LEAVE_MAX: retired go */

enum op {
	OP_CONF,	/* count, then 4 bytes a service */
	OP_LINK,	/* flags */
	OP_ADVERT,	/* id, advbase, advskew, demote, flags, counter */
	OP_GARBAGE,	/* length, interface and TTL, bytes */
	OP_TIME,	/* 2 bytes: 100 us units */
	OP_DEADLINE,	/* usec after the next deadline */
	OP_WEIGHT,	/* id, index, weight, on */
	OP_VIP_FAILED,	/* id */
	OP_VIP_STATUS,	/* id, installed */
	OP_PERSIST,	/* name and on */
	OP_PROMOTE,	/* id */
	OP_DEMOTE,	/* id, flags */
	OP_HOOK,	/* id */
	OP_SHUTDOWN,
	OP_STALL,	/* 2 bytes: 1 ms units the loop sleeps through */
	OP_QUORUM,	/* link, flags, release, nodes: member bits */
	OP_BUNDLE,	/* id, flags, count, counter, base, entries */
	OP_MAX
};

static const struct {
	const char	*name;
	int		 af;
	const char	*self;
	const char	*peer;
} ifs[NIFS] = {
	{ "eth0", AF_INET, "192.0.2.1", "192.0.2.2" },
	{ "eth0", AF_INET6, "fe80::1", "fe80::2" },
	{ "eth1", AF_INET, "198.51.100.1", "198.51.100.2" },
};

/* What the parent knows of each service id. */
struct known {
	struct service_conf	conf;
	int			ifi;	/* index in ifs */
	enum carp_state		state;	/* as last reported */
};

static struct known	known[IDS_MAX];
static uint32_t		next_id;
static uint32_t		cur[CONF_MAX];	/* the current configuration */
static int		ncur;
static struct msgchan	parent;
static int		ifpeer[NIFS];	/* the far ends of the eif sockets */
static int		bpeer[NIFS];	/* and of the bundle sockets */
static uint64_t		bcounter;	/* the injected datagrams' */
static int		exited;
static int		shutdown_done;
static const uint8_t	*in;
static size_t		 inlen;

static int
fuzz_clock_gettime(clockid_t clock, struct timespec *ts)
{
	if (clock != CLOCK_MONOTONIC)
		fuzz_fail("the engine read clock %d", (int)clock);
	ts->tv_sec = fake_now / 1000000;
	ts->tv_nsec = fake_now % 1000000 * 1000;
	return (0);
}

static void
fuzz_exit(int status)
{
	if (status != 0 || !in_settle)
		fuzz_fail("the engine exited %d", status);
	longjmp(exit_jmp, 1);
}

/* engine_main() is never called; what it needs beyond engine.c. */
void
sandbox_engine(void)
{
	fuzz_fail("sandbox_engine");
}

static uint8_t
next(void)
{
	uint8_t	b;

	if (inlen == 0)
		return (0);
	b = *in++;
	inlen--;
	return (b);
}

static void
addr_set(struct hafod_addr *a, int af, const char *s)
{
	memset(a, 0, sizeof(*a));
	a->af = af;
	if (inet_pton(af, s, &a->u) != 1)
		fuzz_fail("inet_pton %s", s);
}

static int
if_index(const char *ifname, int af)
{
	int	i;

	for (i = 0; i < NIFS; i++)
		if (ifs[i].af == af && strcmp(ifs[i].name, ifname) == 0)
			return (i);
	fuzz_fail("no interface %s", ifname);
}

static struct known *
known_find(uint32_t id)
{
	if (id == 0 || id > next_id)
		return (NULL);
	return (&known[id]);
}

/* The parent's checks of what the engine told it. */
static void
check_frame(struct msg *m)
{
	struct msg_state	 st;
	struct known		*k;
	uint32_t		 id;

	if (m->fd != -1)
		fuzz_fail("the engine sent a descriptor");
	if (msg_check_size(m) == -1)
		fuzz_fail("%s of %zu bytes", msg_type_name(m->hdr.type),
		    m->datalen);
	switch (m->hdr.type) {
	case MSG_STATE:
		memcpy(&st, m->data, sizeof(st));
		if ((k = known_find(st.service)) == NULL)
			fuzz_fail("state of unknown service %u", st.service);
		if (st.state > CARP_LINKDOWN || st.prev != k->state)
			fuzz_fail("%s: reported %u -> %u, last reported %s",
			    k->conf.name, st.prev, st.state,
			    state_name(k->state));
		if (st.hold != (st.state == CARP_MASTER))
			fuzz_fail("%s: hold %u in %s", k->conf.name, st.hold,
			    state_name(st.state));
		if (memchr(st.reason, '\0', sizeof(st.reason)) == NULL)
			fuzz_fail("unterminated reason");
		k->state = st.state;
		break;
	case MSG_ANNOUNCE:
	case MSG_QUIET:
		memcpy(&id, m->data, sizeof(id));
		if ((k = known_find(id)) == NULL)
			fuzz_fail("%s of unknown service %u",
			    msg_type_name(m->hdr.type), id);
		/* Only a master announces, or stops to bow out. */
		if (k->state != CARP_MASTER)
			fuzz_fail("%s: %s in %s", k->conf.name,
			    msg_type_name(m->hdr.type), state_name(k->state));
		break;
	case MSG_SHUTDOWN_DONE:
		shutdown_done = 1;
		break;
	case MSG_PERSIST:
		break;
	default:
		fuzz_fail("the engine sent a %s", msg_type_name(m->hdr.type));
	}
}

static void
parent_read(void)
{
	struct msg	m;
	ssize_t		n;

	for (;;) {
		if ((n = msgchan_read(&parent)) == -1 && errno == EAGAIN)
			break;
		if (n <= 0)
			fuzz_fail("read from the engine: %s",
			    n == 0 ? "closed" : strerror(errno));
		while ((n = msgchan_get(&parent, &m)) > 0)
			check_frame(&m);
		if (n == -1)
			fuzz_fail("bad frame from the engine");
	}
}

static void
check_list(struct eservice_head *head, int *masters)
{
	struct eservice	*s;
	struct known	*k;
	int		 i;

	TAILQ_FOREACH(s, head, entry) {
		if ((k = known_find(s->conf.id)) == NULL)
			fuzz_fail("the engine runs unknown id %u",
			    s->conf.id);
		if (k->state != s->fsm.state)
			fuzz_fail("%s: parent told %s, engine is %s",
			    s->conf.name, state_name(k->state),
			    state_name(s->fsm.state));
		if (s->fsm.state != CARP_MASTER || s->fsm.leaving)
			continue;
		i = k->ifi * 256 + s->conf.vhid;
		if (masters[i]++ > 0)
			fuzz_fail("two masters for vhid %u on %s",
			    s->conf.vhid, s->eif->ifname);
	}
}

static void
check_engine(void)
{
	static int	 masters[NIFS * 256];
	struct eservice	*s;

	memset(masters, 0, sizeof(masters));
	check_list(&services, masters);
	check_list(&retiring, masters);
	/* hafod.8 ELECTION, Quorum: without it, master of nothing. */
	if (quorum_held()) {
		TAILQ_FOREACH(s, &services, entry)
			if (s->fsm.state == CARP_MASTER)
				fuzz_fail("%s: master without quorum",
				    s->conf.name);
		TAILQ_FOREACH(s, &retiring, entry)
			if (s->fsm.state == CARP_MASTER)
				fuzz_fail("%s: retiring master without quorum",
				    s->conf.name);
	}
}

static struct eservice *
retiring_find_bundle(struct eif *eif, uint8_t vhid)
{
	struct eservice	*s;

	TAILQ_FOREACH(s, &retiring, entry)
		if (s->eif == eif && s->conf.vhid == vhid &&
		    s->conf.protocol == PROTO_BUNDLE)
			return (s);
	return (NULL);
}

/* A bundle datagram: signed with one of its services' keys, theirs. */
static void
check_bundle_sent(struct eif *eif, const uint8_t *buf, size_t len)
{
	static struct bundle	 b;
	struct eservice		*s, *k = NULL;
	enum carp_drop		 why;
	unsigned int		 i;
	int			 vhid;

	if (!eif->up || eif->self.af == 0)
		fuzz_fail("%s: bundle sent without link or address",
		    eif->ifname);
	if ((why = bundle_decode(buf, len, CARP_TTL, &b)) != DROP_NONE)
		fuzz_fail("%s: sent a bundle that does not decode: %s (%zu "
		    "bytes)", eif->ifname, carp_drop_name(why), len);
	for (vhid = 1; vhid < 256 && k == NULL; vhid++) {
		s = eif->byvhid[vhid];
		if (s != NULL && s->conf.protocol == PROTO_BUNDLE &&
		    memcmp(s->conf.bkey.id, b.keyid, sizeof(b.keyid)) == 0)
			k = s;
	}
	TAILQ_FOREACH(s, &retiring, entry)
		if (k == NULL && s->eif == eif &&
		    s->conf.protocol == PROTO_BUNDLE &&
		    memcmp(s->conf.bkey.id, b.keyid, sizeof(b.keyid)) == 0)
			k = s;
	if (k == NULL || !bundle_verify(buf, len, &k->conf.bkey, &eif->self))
		fuzz_fail("%s: sent a bundle under no key of its own",
		    eif->ifname);
	for (i = 0; i < b.nentries; i++) {
		/* A retired one bows out beside its successor. */
		s = eif->byvhid[b.entries[i].vhid];
		if (s == NULL || s->conf.protocol != PROTO_BUNDLE)
			s = retiring_find_bundle(eif, b.entries[i].vhid);
		if (s == NULL || s->conf.protocol != PROTO_BUNDLE)
			fuzz_fail("%s: sent a bundle entry for vhid %u, not "
			    "a bundle service", eif->ifname,
			    b.entries[i].vhid);
	}
}

/* Every advertisement the engine sends: its own, properly signed. */
static void
check_sent(int fd, const struct hafod_addr *dst, const uint8_t *buf,
    size_t len, void *arg)
{
	struct eservice		*s = arg;
	struct carp_advert	 adv;
	struct eif		*eif;

	TAILQ_FOREACH(eif, &eifs, entry)
		if (eif->bfd == fd) {
			check_bundle_sent(eif, buf, len);
			return;
		}
	if (len != CARP_ADVERT_LEN)
		fuzz_fail("%s: sent %zu bytes of CARP", s->conf.name, len);

	if (s->eif->fd != fd)
		fuzz_fail("%s: sent on another socket", s->conf.name);
	if (!s->eif->up || s->eif->self.af == 0)
		fuzz_fail("%s: sent without link or address", s->conf.name);
	if (carp_decode(buf, CARP_ADVERT_LEN, CARP_TTL, &adv) != DROP_NONE)
		fuzz_fail("%s: sent an advert that does not decode",
		    s->conf.name);
	if (adv.vhid != s->conf.vhid || !carp_verify(&s->key, &adv))
		fuzz_fail("%s: sent an advert for vhid %u, not its own",
		    s->conf.name, adv.vhid);
}

/* One wake-up of the engine's loop: a handler, then the settle step. */
static void
wake(void (*handler)(int, short, void *), int fd, void *arg)
{
	if (exited)
		return;
	if (setjmp(exit_jmp) == 0) {
		if (handler != NULL)
			handler(fd, EV_READ, arg);
		in_settle = 1;
		engine_settle();
		in_settle = 0;
	} else {
		in_settle = 0;
		exited = 1;
		if (!shutdown_done)
			parent_read();
		if (!shutdown_done)
			fuzz_fail("exit without MSG_SHUTDOWN_DONE");
	}
	parent_read();
	check_engine();
}

/* The parent sends; the engine reads until its socket is empty. */
static void
send_parent(uint32_t type, int fd, const void *data, size_t len)
{
	if (msgchan_compose(&parent, type, 0, 1, fd, data, len) == -1 ||
	    msgchan_flush(&parent, -1) == -1)
		fuzz_fail("send %s: %s", msg_type_name(type),
		    strerror(errno));
}

static void
deliver(void)
{
	int	i, n;

	for (i = 0; i < 100 && !exited; i++) {
		if (ioctl(chan.fd, FIONREAD, &n) == -1)
			fuzz_fail("FIONREAD: %s", strerror(errno));
		if (n == 0)
			break;
		wake(engine_dispatch, chan.fd, NULL);
	}
}

/*
 * Timer wake-ups, each at its deadline, until the clock reads until.
 * After WAKES_MAX of them the clock stays at the last: 0, call again.
 */
static int
run_until(uint64_t until)
{
	uint64_t	dl;
	int		i;

	for (i = 0; i < WAKES_MAX && !exited; i++) {
		dl = ebundle_deadline(earliest(&retiring,
		    earliest(&services, 0)));
		if (dl == 0 || dl > until)
			break;
		if (dl > fake_now)
			fake_now = dl;
		wake(engine_tick, -1, NULL);
	}
	if (i == WAKES_MAX)
		return (0);
	if (until > fake_now)
		fake_now = until;
	return (1);
}

/* Up to until however many wake-ups it takes, within reason. */
static void
run_all(uint64_t until)
{
	int	i;

	for (i = 0; i < 100 && !exited; i++)
		if (run_until(until))
			return;
	if (exited)
		return;
	fuzz_fail("%d timer wake-ups and not %llu us yet", i * WAKES_MAX,
	    (unsigned long long)until);
}

static void
op_conf(void)
{
	struct service_conf	 c[CONF_MAX], *s;
	struct known		*k;
	uint32_t		 ids[CONF_MAX];
	uint8_t			 b0, b1, b2, b3;
	int			 n, want, i, j, ifi, g;

	want = next() % (CONF_MAX + 1);
	for (n = 0, i = 0; i < want; i++) {
		b0 = next();
		b1 = next();
		b2 = next();
		b3 = next();
		s = &c[n];
		memset(s, 0, sizeof(*s));
		snprintf(s->name, sizeof(s->name), "s%u", b0 & 7);
		ifi = (b0 >> 3) % NIFS;
		strlcpy(s->ifname, ifs[ifi].name, sizeof(s->ifname));
		s->vhid = 1 + (b1 & 3);
		s->advbase = (b1 >> 2) & 3;
		if (b1 & 0x10) {
			s->protocol = PROTO_BUNDLE;
			s->interval = b1 & 0x20 ? 10 : s->advbase != 0 ?
			    s->advbase * 1000U : 250;
		}
		s->advskew = b2 == 255 ? 254 : b2;
		s->preempt = b3 & 1;
		if ((g = (b3 >> 1) % 3) != 0)
			snprintf(s->group, sizeof(s->group), "g%d", g);
		if (b3 & 0x08) {
			s->passlen = strlcpy(s->pass, "secret",
			    sizeof(s->pass));
		}
		s->nvips = 1 + ((b3 >> 5) & 1);
		for (j = 0; j < s->nvips; j++) {
			addr_set(&s->vips[j], ifs[ifi].af, ifs[ifi].af ==
			    AF_INET ? "192.0.2.100" : "2001:db8::100");
			s->vips[j].u.bytes[ifs[ifi].af == AF_INET ? 3 : 15] +=
			    s->vhid * 2 + j;
			s->vips[j].prefixlen = ifs[ifi].af == AF_INET ?
			    24 : 64;
		}
		if (b3 & 0x10) {
			s->npeers = 1;
			addr_set(&s->peers[0], ifs[ifi].af, ifs[ifi].peer);
		}
		s->announce_count = b3 >> 6;
		s->announce_interval = 100;
		if (s->protocol == PROTO_BUNDLE)
			bundle_key_derive((const uint8_t *)s->pass,
			    s->passlen, &s->bkey);
		/* The parent refuses these: the engine is never sent them. */
		for (j = 0; j < n; j++)
			if (strcmp(c[j].name, s->name) == 0 ||
			    (c[j].vhid == s->vhid &&
			    strcmp(c[j].ifname, s->ifname) == 0 &&
			    service_af(&c[j]) == service_af(s)))
				break;
		if (j < n)
			continue;
		/* The first of a group leads it. */
		for (j = 0; j < n; j++)
			if (strcmp(c[j].group, s->group) == 0)
				break;
		s->group_leader = s->group[0] != '\0' && j == n;
		n++;
	}

	/* Ids as the parent gives them: kept where config_match() allows. */
	for (i = 0; i < n; i++) {
		ids[i] = 0;
		for (j = 0; j < ncur; j++) {
			k = &known[cur[j]];
			if (strcmp(k->conf.name, c[i].name) == 0 &&
			    config_match(&k->conf, &c[i]) <= MATCH_RETIME)
				ids[i] = cur[j];
		}
		if (ids[i] == 0) {
			if (next_id + 1 >= IDS_MAX)
				return;
			ids[i] = ++next_id;
			known[ids[i]].state = CARP_INIT;
		}
	}
	for (i = 0; i < n; i++) {
		c[i].id = ids[i];
		known[ids[i]].conf = c[i];
		known[ids[i]].ifi = if_index(c[i].ifname, service_af(&c[i]));
		send_parent(MSG_CONF_SERVICE, -1, &c[i], sizeof(c[i]));
		cur[i] = ids[i];
	}
	ncur = n;
	send_parent(MSG_CONF_END, -1, NULL, 0);
	deliver();
}

static void
op_link(uint8_t f)
{
	struct msg_link	ml;
	int		eth1 = f & 1;

	memset(&ml, 0, sizeof(ml));
	strlcpy(ml.ifname, eth1 ? "eth1" : "eth0", sizeof(ml.ifname));
	ml.ifindex = eth1 ? 3 : 2;
	ml.up = (f & 2) != 0;
	if (f & 4)
		addr_set(&ml.primary4, AF_INET, eth1 ? ifs[2].self :
		    ifs[0].self);
	if ((f & 8) && !eth1)
		addr_set(&ml.primary6, AF_INET6, ifs[1].self);
	/* The address moved: a new one of the same family. */
	if (f & 16)
		ml.primary4.u.bytes[3] += 10;
	send_parent(MSG_LINK, -1, &ml, sizeof(ml));
	deliver();
}

static struct eif *
eif_of(int ifi)
{
	struct eif	*eif;

	if ((eif = eif_find(ifs[ifi].name, ifs[ifi].af)) == NULL)
		fuzz_fail("no eif for %s", ifs[ifi].name);
	return (eif);
}

static void
op_advert(void)
{
	struct carp_advert	 adv;
	struct carp_key		 key;
	struct hafod_addr	 src;
	struct known		*k;
	struct eif		*eif;
	uint8_t			 buf[CARP_ADVERT_LEN], id, f;

	id = next();
	memset(&adv, 0, sizeof(adv));
	adv.version = CARP_VERSION;
	adv.type = CARP_TYPE_ADVERT;
	adv.authlen = CARP_AUTHLEN;
	adv.advbase = next();
	adv.advskew = next();
	adv.demote = next();
	f = next();
	adv.counter = next();
	if (next_id == 0)
		return;
	k = &known[1 + id % next_id];
	adv.vhid = k->conf.vhid;
	carp_key_init(&key, &k->conf);
	carp_sign(&key, &adv);
	carp_encode(&adv, buf);
	if (f & 1)
		buf[20 + f % 16] ^= 1;		/* bad HMAC */
	switch ((f >> 1) & 3) {
	case 0:
	case 1:
		addr_set(&src, ifs[k->ifi].af, ifs[k->ifi].peer);
		break;
	case 2:
		addr_set(&src, ifs[k->ifi].af, ifs[k->ifi].self);
		break;
	default:
		addr_set(&src, ifs[k->ifi].af, ifs[k->ifi].peer);
		src.u.bytes[ifs[k->ifi].af == AF_INET ? 3 : 15] += 7;
		break;
	}
	eif = eif_of(k->ifi);
	fake_net_inject(eif->fd, buf, sizeof(buf), &src,
	    f & 8 ? 64 : CARP_TTL);
	/* Two in one wake-up, as a burst of bow-outs comes. */
	if (f & 16)
		fake_net_inject(eif->fd, buf, sizeof(buf), &src, CARP_TTL);
	wake(engine_recv, eif->fd, eif);
}

/*
 * A bundle datagram from a peer: entries for known services (of any
 * protocol, on any interface: the engine sorts them out), signed with
 * the key of the first one's service, or a wrong one.
 */
static void
op_bundle(void)
{
	static struct bundle	 b;
	struct bundle_key	 key;
	struct hafod_addr	 src;
	struct known		*k, *e;
	struct eif		*eif;
	uint8_t			 buf[NET_DATA_MAX], id, f, n;
	ssize_t			 len;
	unsigned int		 i;

	id = next();
	f = next();
	n = 1 + next() % 6;
	memset(&b, 0, sizeof(b));
	/* Mostly rising, as a live sender's; now and then a replay. */
	bcounter += next();
	b.counter = bcounter;
	b.base = 1 + next() * 4;
	if (next_id == 0)
		return;
	k = &known[1 + id % next_id];
	for (i = 0; i < n; i++) {
		e = &known[1 + next() % next_id];
		b.entries[i].vhid = e->conf.vhid;
		b.entries[i].flags = next() & (BUNDLE_F_MASTER |
		    BUNDLE_F_BOWOUT | BUNDLE_F_DIGEST);
		b.entries[i].advskew = next();
		b.entries[i].demote = next();
		b.entries[i].base = f & 0x40 ? b.base : e->conf.interval != 0 ?
		    e->conf.interval : 1000;
		b.entries[i].digest = f & 0x80 ? bundle_digest(&e->conf) :
		    (uint32_t)next();
	}
	b.nentries = n;
	key = k->conf.bkey;
	if (f & 1)
		key.id[0] ^= 1;		/* a key this interface lacks */
	switch ((f >> 1) & 3) {
	case 0:
	case 1:
		addr_set(&src, ifs[k->ifi].af, ifs[k->ifi].peer);
		break;
	case 2:
		addr_set(&src, ifs[k->ifi].af, ifs[k->ifi].self);
		break;
	default:
		addr_set(&src, ifs[k->ifi].af, ifs[k->ifi].peer);
		src.u.bytes[ifs[k->ifi].af == AF_INET ? 3 : 15] += 7;
		break;
	}
	if ((len = bundle_encode(&b, &key, &src, buf, sizeof(buf))) == -1)
		return;
	if (f & 0x20)
		buf[len - 1] ^= 1;	/* bad MAC */
	eif = eif_of(k->ifi);
	fake_net_inject(eif->bfd, buf, len, &src, f & 8 ? 64 : CARP_TTL);
	if (f & 16)
		fake_net_inject(eif->bfd, buf, len, &src, CARP_TTL);
	wake(event_get_callback(eif->bev), eif->bfd, eif);
}

static void
op_garbage(void)
{
	struct hafod_addr	 src;
	struct eif		*eif;
	uint8_t			 buf[64], len, f;
	int			 i, ifi;

	len = next() % sizeof(buf);
	f = next();
	for (i = 0; i < len; i++)
		buf[i] = next();
	ifi = f % NIFS;
	addr_set(&src, ifs[ifi].af, ifs[ifi].peer);
	eif = eif_of(ifi);
	fake_net_inject(eif->fd, buf, len, &src, f & 4 ? f : CARP_TTL);
	wake(engine_recv, eif->fd, eif);
}

static uint32_t
pick_id(void)
{
	/* Now and then one the parent never configured. */
	return (next() % (next_id + 2));
}

static void
op_weight(void)
{
	struct msg_weight	mw;

	memset(&mw, 0, sizeof(mw));
	mw.service = pick_id();
	mw.index = next();
	mw.weight = next();
	mw.on = next() & 1;
	if (mw.index > 200)
		mw.index = WEIGHT_CLEAR;
	snprintf(mw.name, sizeof(mw.name), "check%u", mw.index);
	send_parent(MSG_WEIGHT, -1, &mw, sizeof(mw));
	deliver();
}

static void
op_vip(int failed)
{
	struct msg_vip_failed	mv;
	struct msg_vip_status	vs;

	if (failed) {
		memset(&mv, 0, sizeof(mv));
		mv.service = pick_id();
		strlcpy(mv.reason, "File exists", sizeof(mv.reason));
		send_parent(MSG_VIP_FAILED, -1, &mv, sizeof(mv));
	} else {
		memset(&vs, 0, sizeof(vs));
		vs.service = pick_id();
		vs.installed = next();
		send_parent(MSG_VIP_STATUS, -1, &vs, sizeof(vs));
	}
	deliver();
}

static void
op_persist(void)
{
	struct msg_persist	mp;
	uint8_t			b = next();

	memset(&mp, 0, sizeof(mp));
	snprintf(mp.name, sizeof(mp.name), "s%u", b & 7);
	mp.demoted = (b & 8) != 0;
	send_parent(MSG_PERSIST, -1, &mp, sizeof(mp));
	deliver();
}

static void
op_hook(void)
{
	struct msg_hook_result	hr;

	memset(&hr, 0, sizeof(hr));
	hr.service = pick_id();
	strlcpy(hr.text, "promote: exit 0", sizeof(hr.text));
	/* Promote failures that hold down, for a second or until undemote. */
	hr.event = next() % (HOOK_MAX + 1);
	hr.failed = next() & 1;
	hr.pfail_hold = next() % 3;
	hr.pfail_limit = next() % 4;
	send_parent(MSG_HOOK_RESULT, -1, &hr, sizeof(hr));
	deliver();
}

/*
 * What the quorum process says, through the parent: the nodes are the
 * peers of the fake wire, so that the strict policy has masters to find
 * in the membership.
 */
static void
op_quorum(void)
{
	struct msg_quorum	q;
	uint8_t			b, members;
	int			i;

	memset(&q, 0, sizeof(q));
	b = next();
	q.link = QUORUM_DOWN + b % 3;
	q.quorate = (b >> 2) & 1;
	q.policy = (b >> 3) & 1;
	q.release_ms = next() * 10;
	members = next();
	q.ring_seq = members >> 4;
	q.nodeid = 1;
	q.nnodes = NIFS + 1;
	addr_set(&q.nodes[0].addr, AF_INET, ifs[0].self);
	q.nodes[0].nodeid = 1;
	q.nodes[0].member = 1;
	for (i = 0; i < NIFS; i++) {
		addr_set(&q.nodes[i + 1].addr, ifs[i].af, ifs[i].peer);
		q.nodes[i + 1].nodeid = i + 2;
		q.nodes[i + 1].member = (members >> i) & 1;
	}
	strlcpy(q.reason, "fuzzed", sizeof(q.reason));
	send_parent(MSG_QUORUM, -1, &q, sizeof(q));
	deliver();
}

/* hafoctl promote and demote, as control.c calls them. */
static struct eservice	*ctl_target;
static uint8_t		 ctl_flags;

static void
ctl_promote(int fd, short event, void *arg)
{
	char	why[128];

	(void)engine_promote(ctl_target, why, sizeof(why));
}

static void
ctl_demote(int fd, short event, void *arg)
{
	uint32_t	reason = ctl_flags & 1 ? DEMOTE_PERSIST :
			    DEMOTE_OPERATOR;

	engine_demote(ctl_target, reason, (ctl_flags & 2) != 0);
}

static void
op_ctl(int promote)
{
	uint32_t	id = pick_id();

	ctl_flags = promote ? 0 : next();
	if ((ctl_target = service_find(&services, id)) == NULL)
		return;
	wake(promote ? ctl_promote : ctl_demote, -1, NULL);
}

static void
op_shutdown(void)
{
	send_parent(MSG_SHUTDOWN, -1, NULL, 0);
	deliver();
	run_all(fake_now + END_US);
	if (!exited)
		fuzz_fail("shutdown did not finish");
}

static void
setup(void)
{
	struct msg_socket	ms;
	int			sp[2], i;

	fake_now = START_US;
	bcounter = 0;
	next_id = 0;
	ncur = 0;
	exited = 0;
	shutdown_done = 0;
	memset(known, 0, sizeof(known));
	fake_net_reset();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0, sp) == -1)
		fuzz_fail("socketpair: %s", strerror(errno));
	msgchan_init(&parent, sp[0]);
	engine_init(sp[1]);
	for (i = 0; i < NIFS; i++) {
		/* A socket libevent can watch; the fake network reads none. */
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0, sp) == -1)
			fuzz_fail("socketpair: %s", strerror(errno));
		ifpeer[i] = sp[0];
		memset(&ms, 0, sizeof(ms));
		ms.ifindex = i + 2;
		ms.af = ifs[i].af;
		strlcpy(ms.ifname, ifs[i].name, sizeof(ms.ifname));
		send_parent(MSG_SOCKET, sp[1], &ms, sizeof(ms));
		/* And every interface has a bundle socket, used or not. */
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0, sp) == -1)
			fuzz_fail("socketpair: %s", strerror(errno));
		bpeer[i] = sp[0];
		ms.kind = SOCKET_BUNDLE;
		ms.port = BUNDLE_PORT_DEFAULT;
		send_parent(MSG_SOCKET, sp[1], &ms, sizeof(ms));
	}
	deliver();
	op_link(2 | 4 | 8);
	op_link(1 | 2 | 4);
}

/* Everything the engine holds, freed: the next input starts afresh. */
static void
teardown(void)
{
	memset(&quorum, 0, sizeof(quorum));
	memset(left, 0, sizeof(left));
	since = changed = 0;
	struct eservice		*s;
	struct eif		*eif;
	struct persisted	*p;
	int			 i;

	while ((s = TAILQ_FIRST(&services)) != NULL) {
		TAILQ_REMOVE(&services, s, entry);
		free(s);
	}
	while ((s = TAILQ_FIRST(&retiring)) != NULL) {
		TAILQ_REMOVE(&retiring, s, entry);
		free(s);
	}
	while ((s = TAILQ_FIRST(&incoming)) != NULL) {
		TAILQ_REMOVE(&incoming, s, entry);
		free(s);
	}
	while ((p = TAILQ_FIRST(&persisted)) != NULL) {
		TAILQ_REMOVE(&persisted, p, entry);
		free(p);
	}
	while ((eif = TAILQ_FIRST(&eifs)) != NULL) {
		TAILQ_REMOVE(&eifs, eif, entry);
		event_free(eif->ev);
		close(eif->fd);
		if (eif->bev != NULL)
			event_free(eif->bev);
		if (eif->bfd != -1)
			close(eif->bfd);
		free(eif->replay);
		free(eif);
	}
	event_free(chanev);
	event_free(chanwev);
	event_free(tick);
	event_base_free(base);
	msgchan_clear(&chan);
	close(chan.fd);
	msgchan_clear(&parent);
	close(parent.fd);
	for (i = 0; i < NIFS; i++) {
		close(ifpeer[i]);
		close(bpeer[i]);
	}
	outq.n = 0;
	configured = 0;
	shutting_down = 0;
	regroup = 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	/* To read a crash: the engine's debug lines too. */
	if (getenv("FUZZ_LOG") != NULL)
		log_setverbose(1);
	signal(SIGPIPE, SIG_IGN);
	fake_net_sent = check_sent;
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t	id;
	int		fd0;
	uint8_t		b;

	fd0 = fuzz_lowest_fd();
	in = data;
	inlen = size;
	setup();
	while (inlen > 0 && !exited) {
		switch (next() % OP_MAX) {
		case OP_CONF:
			op_conf();
			break;
		case OP_LINK:
			op_link(next());
			break;
		case OP_ADVERT:
			op_advert();
			break;
		case OP_GARBAGE:
			op_garbage();
			break;
		case OP_TIME:
			b = next();
			(void)run_until(fake_now + (b | next() << 8) * 100ULL);
			break;
		case OP_DEADLINE:
			b = next();
			(void)run_until(earliest(&retiring,
			    earliest(&services, 0)) + b);
			break;
		case OP_WEIGHT:
			op_weight();
			break;
		case OP_VIP_FAILED:
			op_vip(1);
			break;
		case OP_VIP_STATUS:
			op_vip(0);
			break;
		case OP_PERSIST:
			op_persist();
			break;
		case OP_PROMOTE:
			op_ctl(1);
			break;
		case OP_DEMOTE:
			op_ctl(0);
			break;
		case OP_HOOK:
			op_hook();
			break;
		case OP_SHUTDOWN:
			op_shutdown();
			break;
		case OP_STALL:
			/* A late wake-up: several deadlines overdue at once. */
			b = next();
			fake_now += (b | next() << 8) * 1000ULL;
			wake(engine_tick, -1, NULL);
			break;
		case OP_QUORUM:
			op_quorum();
			break;
		case OP_BUNDLE:
			op_bundle();
			break;
		}
	}

	/* Every service removed: the retired must let go, and be freed. */
	if (!exited) {
		ncur = 0;
		send_parent(MSG_CONF_END, -1, NULL, 0);
		deliver();
		run_all(fake_now + END_US);
		if (!TAILQ_EMPTY(&retiring))
			fuzz_fail("%s: retired, never freed",
			    TAILQ_FIRST(&retiring)->conf.name);
		for (id = 1; id <= next_id; id++)
			if (known[id].state == CARP_MASTER)
				fuzz_fail("%s: freed as master",
				    known[id].conf.name);
	}
	teardown();
	if (fuzz_lowest_fd() != fd0)
		fuzz_fail("a descriptor leaked");
	return (0);
}
