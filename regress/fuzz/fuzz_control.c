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
 * The control protocol as the engine reads it: hafod/control.c itself,
 * on its own libevent loop, with a client on a real UNIX socket sending
 * the input.  Only the engine around it is stood in for (engine_*()
 * below, over three services).  Whatever the client sends, every reply
 * frame must be one a client may receive, whole and NUL-terminated; the
 * engine must end the connection once the client has finished sending
 * (answering first if it asked properly); and no descriptor may leak.
 *
 * Input: pieces of [flags][length, 2 bytes][bytes].  Flags bit 0: send
 * a descriptor with the piece; bit 1: run the engine's loop before the
 * next piece; bit 2: stop sending here; bit 3: a new sites report comes
 * from the parent (esites.c, real too) before the piece.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <arpa/inet.h>

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "hafod.h"
#include "fuzz.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define F_FD		0x01
#define F_LOOP		0x02
#define F_STOP		0x04
#define F_REPORT	0x08
#define NSERVICES	3
#define PUMP_MAX	10000	/* loop turns before a client counts as stuck */
#define RELOADS_MAX	64
#define SITES_OTHERS	80	/* > control.c CONTROL_QUEUE_HIGH */

static struct event_base	*base;
static struct eservice_head	 services = TAILQ_HEAD_INITIALIZER(services);
static struct eservice		 svc[NSERVICES];
static struct eif		 eif;
static struct msg		 pmsg;		/* one from the parent */
static struct eif_head		 eifs = TAILQ_HEAD_INITIALIZER(eifs);
static char			 sockpath[PATH_MAX];
static int			 devnull = -1;
static uint32_t			 reloads[RELOADS_MAX];
static int			 nreloads;

/* The engine, as far as control.c sees it. */

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

void
engine_demote(struct eservice *s, uint32_t reason, int on)
{
	if (on)
		s->demote_reasons |= reason;
	else
		s->demote_reasons &= ~reason;
}

void
engine_demote_detail(struct eservice *s, char *buf, size_t len)
{
	strlcpy(buf, s->demote_reasons ? "operator" : "", len);
}

int
engine_promote(struct eservice *s, char *why, size_t len)
{
	if (s->fsm.state == CARP_MASTER) {
		strlcpy(why, "already master", len);
		return (-1);
	}
	return (0);
}

/* The parent answers later, from the loop: see pump(). */
void
engine_reload(uint32_t id)
{
	if (nreloads == RELOADS_MAX)
		fuzz_fail("%d reloads pending", nreloads);
	reloads[nreloads++] = id;
}

void
engine_verbose(int verbose)
{
}

/* heartbeat.c's show is real; what it weighs does not reach control.c. */
int
weight_set(struct eservice *s, const struct msg_weight *mw)
{
	return (0);
}

void
engine_weigh(struct eservice *s, const struct msg_weight *mw)
{
}

void
engine_advertise(struct eservice *s)
{
}

void
engine_hook_run(struct eservice *s, const struct msg_hook_run *hr)
{
}

uint64_t
engine_now(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fuzz_fail("clock_gettime");
	return ((uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

/* A quorate node of three, with a qdevice: every field of the reply. */
void
engine_quorum_state(struct ctl_quorum *cq)
{
	struct msg_quorum	*q = &cq->q;
	int			 i;

	memset(cq, 0, sizeof(*cq));
	q->link = QUORUM_UP;
	q->quorate = 1;
	q->policy = QUORUM_POLICY_STRICT;
	q->qdevice = q->qdevice_alive = q->qdevice_vote = 1;
	q->qdevice_votes = 1;
	strlcpy(q->qdevice_name, "net", sizeof(q->qdevice_name));
	q->nodeid = 1;
	q->node_votes = 1;
	q->expected_votes = q->total_votes = 4;
	q->quorum = 3;
	q->nnodes = 3;
	for (i = 0; i < q->nnodes; i++) {
		q->nodes[i].nodeid = i + 1;
		q->nodes[i].votes = 1;
		q->nodes[i].member = 1;
		q->nodes[i].addr = svc[0].conf.vips[0];
	}
	cq->since_ms = 1234;
}

static void
service_init(struct eservice *s, const char *name, const char *group,
    int leader, enum carp_state state)
{
	memset(s, 0, sizeof(*s));
	strlcpy(s->conf.name, name, sizeof(s->conf.name));
	strlcpy(s->conf.ifname, "eth0", sizeof(s->conf.ifname));
	strlcpy(s->conf.group, group, sizeof(s->conf.group));
	s->conf.group_leader = leader;
	s->conf.vhid = 7;
	s->conf.advbase = 1;
	s->conf.nvips = 1;
	s->conf.vips[0].af = AF_INET;
	s->conf.vips[0].prefixlen = 24;
	inet_pton(AF_INET, "192.0.2.50", &s->conf.vips[0].u.v4);
	fsm_init(&s->fsm);
	s->fsm.state = state;
	s->eif = &eif;
	s->since = engine_now();
	TAILQ_INSERT_TAIL(&services, s, entry);
}

static void
parent_send(uint32_t type, const void *data, size_t len)
{
	memset(&pmsg.hdr, 0, sizeof(pmsg.hdr));
	pmsg.hdr.type = type;
	pmsg.fd = -1;
	pmsg.datalen = len;
	if (len > 0)
		memcpy(pmsg.data, data, len);
	if (msg_check_size(&pmsg) == -1)
		fuzz_fail("a %s of %zu bytes", msg_type_name(type), len);
	engine_sites(&pmsg);
}

/*
 * A sites report as the parent passes it on: web held by this node's
 * site, east, whose master it is; the group pair moving to west; and
 * services configured elsewhere only, more than the engine queues for a
 * client at once, so that show sites answers in more than one step.
 */
static void
sites_report(void)
{
	static uint64_t		term;
	struct msg_sites	ms;
	struct msg_site_role	mr;
	int			i;

	memset(&ms, 0, sizeof(ms));
	ms.link = QUORUM_UP;
	ms.synced = 1;
	ms.nsites = 2;
	ms.nmembers = 2;
	ms.mysite = 0;
	ms.nodeid = 1;
	ms.nroles = 2 + SITES_OTHERS;
	ms.changed_ms = engine_now() / 1000;
	strlcpy(ms.sites[0], "east", sizeof(ms.sites[0]));
	strlcpy(ms.sites[1], "west", sizeof(ms.sites[1]));
	ms.members[0].nodeid = 1;
	ms.members[0].quorate = 1;
	strlcpy(ms.members[0].name, "n1", sizeof(ms.members[0].name));
	ms.members[1].nodeid = 3;
	ms.members[1].site = 1;
	strlcpy(ms.members[1].name, "n3", sizeof(ms.members[1].name));
	parent_send(MSG_SITES, &ms, sizeof(ms));

	memset(&mr, 0, sizeof(mr));
	strlcpy(mr.name, "web", sizeof(mr.name));
	mr.kind = SITE_KIND_SERVICE;
	mr.grant = 1;
	mr.holder = 1;
	mr.term = ++term;
	mr.since_ms = ms.changed_ms;
	mr.masters[0] = 1;
	mr.masters[1] = 3;
	parent_send(MSG_SITE_ROLE, &mr, sizeof(mr));
	strlcpy(mr.name, "pair", sizeof(mr.name));
	mr.kind = SITE_KIND_GROUP;
	mr.target = 1;
	mr.grant = 0;
	mr.release = 1;
	mr.wait_ms = 1500;
	parent_send(MSG_SITE_ROLE, &mr, sizeof(mr));
	mr.kind = SITE_KIND_SERVICE;
	for (i = 0; i < SITES_OTHERS; i++) {
		snprintf(mr.name, sizeof(mr.name), "other%d", i);
		parent_send(MSG_SITE_ROLE, &mr, sizeof(mr));
	}
	parent_send(MSG_SITES_END, NULL, 0);
}

/*
 * A role as the engine works it out: web is master here and granted,
 * the group pair is not master here (db is backup), nor are services
 * this node does not run.
 */
static void
check_site_role(const struct ctl_site_role *cr)
{
	const struct msg_site_role	*r = &cr->r;

	if (memchr(r->name, '\0', sizeof(r->name)) == NULL)
		fuzz_fail("unterminated entity name");
	if (strcmp(r->name, "web") == 0 && r->kind == SITE_KIND_SERVICE) {
		if (cr->role != SITE_ROLE_CONTROLLER)
			fuzz_fail("web: role %u, not controller", cr->role);
	} else if (strcmp(r->name, "pair") == 0 &&
	    r->kind == SITE_KIND_GROUP) {
		if (cr->role != SITE_ROLE_NONE)
			fuzz_fail("pair: role %u, not none", cr->role);
	} else if (strncmp(r->name, "other", 5) == 0) {
		if (cr->role != SITE_ROLE_NONE)
			fuzz_fail("%s: role %u, not none", r->name, cr->role);
	} else
		fuzz_fail("an entity never reported: %s", r->name);
	if ((r->controller >= 2 && r->controller != SITE_NONE) ||
	    (r->target >= 2 && r->target != SITE_NONE))
		fuzz_fail("%s: a site out of the report", r->name);
}

/* What the engine sends: only reply frames, each whole and terminated. */
static void
check_reply(const struct msg *m)
{
	struct ctl_service	cs;
	struct ctl_result	cr;
	struct ctl_quorum	cq;
	struct ctl_iface	ci;
	struct ctl_heartbeat	ch;
	struct ctl_sites	st;
	struct ctl_site_role	sr;
	int			i;

	if (m->fd != -1)
		fuzz_fail("the engine sent a descriptor");
	if (msg_check_size(m) == -1)
		fuzz_fail("reply %s of %zu bytes", msg_type_name(m->hdr.type),
		    m->datalen);
	switch (m->hdr.type) {
	case MSG_CTL_SERVICE:
		memcpy(&cs, m->data, sizeof(cs));
		if (memchr(cs.name, '\0', sizeof(cs.name)) == NULL ||
		    memchr(cs.group, '\0', sizeof(cs.group)) == NULL ||
		    memchr(cs.demote_detail, '\0',
		    sizeof(cs.demote_detail)) == NULL)
			fuzz_fail("unterminated string in a service");
		break;
	case MSG_CTL_RESULT:
		memcpy(&cr, m->data, sizeof(cr));
		if (memchr(cr.text, '\0', sizeof(cr.text)) == NULL)
			fuzz_fail("unterminated result");
		break;
	case MSG_CTL_QUORUM_STATE:
		memcpy(&cq, m->data, sizeof(cq));
		if (memchr(cq.q.reason, '\0', sizeof(cq.q.reason)) == NULL ||
		    memchr(cq.q.qdevice_name, '\0',
		    sizeof(cq.q.qdevice_name)) == NULL ||
		    cq.q.nnodes > QUORUM_MEMBERS_MAX)
			fuzz_fail("malformed quorum state");
		break;
	case MSG_CTL_IFACE:
		memcpy(&ci, m->data, sizeof(ci));
		if (memchr(ci.ifname, '\0', sizeof(ci.ifname)) == NULL ||
		    (ci.unknown_src.af != 0 && ci.unknown_src.af != ci.af))
			fuzz_fail("malformed interface");
		break;
	case MSG_CTL_HEARTBEAT:
		memcpy(&ch, m->data, sizeof(ch));
		if (memchr(ch.name, '\0', sizeof(ch.name)) == NULL ||
		    memchr(ch.service, '\0', sizeof(ch.service)) == NULL)
			fuzz_fail("unterminated string in a heartbeat");
		break;
	case MSG_CTL_SITES_STATE:
		memcpy(&st, m->data, sizeof(st));
		if (st.s.link != QUORUM_UP || st.s.nsites != 2 ||
		    st.s.nroles != 2 + SITES_OTHERS || st.s.mysite != 0 ||
		    !st.quorate)
			fuzz_fail("sites state not as reported");
		for (i = 0; i < st.s.nsites; i++)
			if (memchr(st.s.sites[i], '\0',
			    sizeof(st.s.sites[i])) == NULL)
				fuzz_fail("unterminated site name");
		for (i = 0; i < st.s.nmembers; i++)
			if (memchr(st.s.members[i].name, '\0',
			    sizeof(st.s.members[i].name)) == NULL)
				fuzz_fail("unterminated member name");
		break;
	case MSG_CTL_SITE_ROLE:
		memcpy(&sr, m->data, sizeof(sr));
		check_site_role(&sr);
		break;
	case MSG_CTL_PEER:
	case MSG_CTL_END:
		break;
	default:
		fuzz_fail("the engine sent a %s", msg_type_name(m->hdr.type));
	}
}

/*
 * One turn of the engine's loop, the parent's answers to reloads, and
 * the client reading its replies.  Returns 1 once the engine has closed
 * the connection.
 */
static int
pump(struct msgchan *client)
{
	struct ctl_result	r;
	struct ctl_end		e;
	struct msg		m;
	ssize_t			n;
	int			i, closed = 0;

	if (event_base_loop(base, EVLOOP_NONBLOCK) == -1)
		fuzz_fail("event_base_loop");
	for (i = 0; i < nreloads; i++) {
		memset(&r, 0, sizeof(r));
		strlcpy(r.text, "reloaded", sizeof(r.text));
		memset(&e, 0, sizeof(e));
		(void)control_reply(reloads[i], MSG_CTL_RESULT, &r, sizeof(r));
		(void)control_reply(reloads[i], MSG_CTL_END, &e, sizeof(e));
	}
	nreloads = 0;
	if ((n = msgchan_read(client)) == 0 ||
	    (n == -1 && errno == ECONNRESET))
		closed = 1;
	else if (n == -1 && errno != EAGAIN)
		fuzz_fail("client read: %s", strerror(errno));
	while ((n = msgchan_get(client, &m)) > 0) {
		check_reply(&m);
		if (m.fd != -1)
			close(m.fd);
	}
	if (n == -1)
		fuzz_fail("bad frame from the engine");
	return (closed);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sockaddr_un	sun;
	int			lfd;

	fuzz_quiet();
	if ((devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		fuzz_fail("cannot open /dev/null");
	if ((base = event_base_new()) == NULL)
		fuzz_fail("event_base_new");
	service_init(&svc[0], "web", "", 0, CARP_MASTER);
	service_init(&svc[1], "db", "pair", 1, CARP_BACKUP);
	service_init(&svc[2], "db2", "pair", 0, CARP_INIT);
	svc[0].peers[0].addr = svc[0].conf.vips[0];
	svc[0].peers[0].seen = engine_now();
	/* One heard, one never: both ways of show service. */
	svc[0].conf.nheartbeats = 2;
	strlcpy(svc[0].conf.heartbeats[0].name, "app",
	    sizeof(svc[0].conf.heartbeats[0].name));
	svc[0].conf.heartbeats[0].ttl = 100;
	svc[0].hbs[0].last = engine_now();
	strlcpy(svc[0].conf.heartbeats[1].name, "worker",
	    sizeof(svc[0].conf.heartbeats[1].name));
	svc[0].conf.heartbeats[1].ttl = 1000;
	svc[0].hbs[1].failed = 1;
	eif.af = AF_INET;
	eif.self = svc[0].conf.vips[0];
	strlcpy(eif.ifname, "eth0", sizeof(eif.ifname));
	eif.drops[DROP_VHID] = 3;
	eif.unknown_vhid = 9;
	eif.unknown_src = svc[0].conf.vips[0];
	TAILQ_INSERT_TAIL(&eifs, &eif, entry);
	sites_report();

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strlcpy(sockpath, fuzz_path("ctl.sock"), sizeof(sockpath));
	if (strlcpy(sun.sun_path, sockpath, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		fuzz_fail("socket path too long: %s", sockpath);
	if ((lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1 ||
	    bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(lfd, 16) == -1)
		fuzz_fail("control socket: %s", strerror(errno));
	control_init(base, lfd);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_un	 sun;
	struct msgchan		 client;
	size_t			 len;
	uint8_t			 flags;
	int			 c, i, fd0, closed = 0;

	fd0 = fuzz_lowest_fd();
	for (i = 0; i < NSERVICES; i++)
		svc[i].demote_reasons = 0;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, sockpath, sizeof(sun.sun_path));
	if ((c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(c, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    fcntl(c, F_SETFL, O_NONBLOCK) == -1)
		fuzz_fail("client: %s", strerror(errno));
	msgchan_init(&client, c);

	while (size >= 3 && !closed) {
		flags = data[0];
		len = data[1] | data[2] << 8;
		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		if (flags & F_STOP)
			break;
		if (flags & F_REPORT)
			sites_report();
		/* A full socket: let the engine read, then try once more. */
		if (fuzz_send(c, data, len, flags & F_FD ? devnull : -1) == -1) {
			if (errno != EAGAIN)
				break;
			closed = pump(&client);
			(void)fuzz_send(c, data, len, flags & F_FD ? devnull : -1);
		}
		if (flags & F_LOOP)
			closed = pump(&client);
		data += len;
		size -= len;
	}

	if (!closed && shutdown(c, SHUT_WR) == -1 && errno != ENOTCONN)
		fuzz_fail("shutdown: %s", strerror(errno));
	for (i = 0; !closed && i < PUMP_MAX; i++)
		closed = pump(&client);
	if (!closed)
		fuzz_fail("the engine kept a client that had finished");
	msgchan_clear(&client);
	close(c);
	if (fuzz_lowest_fd() != fd0)
		fuzz_fail("a descriptor leaked");
	return (0);
}
