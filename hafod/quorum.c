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
 * The quorum process: a client of the local corosync (libvotequorum for
 * the quorum and the membership, libcmap for the set-up), which tells the
 * parent where this node stands in a struct msg_quorum on every change.
 * It decides nothing; the parent adds the policy and the engine applies
 * it to the election.  With sites, it also runs their CPG client
 * (cpg.c), which the parent feeds with this node's entities.
 *
 * A process of its own, because libqb's IPC calls wait until corosync
 * answers, and neither the parent (which acts on the host) nor the engine
 * (which advertises on time) may wait for another process.  It runs as
 * the engine's user, which corosync's uidgid must allow, with no new
 * privileges.  It is not chrooted: libqb keeps its ring buffers in
 * /dev/shm and finds corosync by an abstract socket, and the names of
 * cmap's nodelist may need /etc/hosts or DNS.  It reads only corosync's
 * answers, and the parent checks what it says before the engine sees it.
 */

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <corosync/cmap.h>
#include <corosync/corotypes.h>
#include <corosync/votequorum.h>

#include <errno.h>
#include <event2/event.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "hafod.h"
#include "log.h"
#include "parent.h"

#define QUORUM_RETRY_SEC	1	/* between attempts to reach corosync */
#define QUORUM_LOG_SEC		60	/* then say it again */
#define QUORUM_FD		3	/* the parent's socket, once alone */

/* corosync 3's defaults, for keys a running corosync should always have. */
#define TOKEN_DEFAULT_MS	3000
#define CONSENSUS_FACTOR	12	/* tenths of the token */
#define PROVIDER_VOTEQUORUM	"corosync_votequorum"

static struct event_base	*base;
static struct msgchan		 chan;
static struct event		*chanev;
static struct event		*chanwev;	/* armed while one waits */
static struct event		*vqev;		/* votequorum's descriptor */
static struct event		*retry_ev;
static votequorum_handle_t	 vq;
static cmap_handle_t		 cm;
static int			 vq_open, cm_open;

/* What the notifications said, until refresh() reads the rest. */
static int			 dirty;
static int			 reread;	/* the membership changed */
static uint32_t			 members[QUORUM_MEMBERS_MAX];
static size_t			 nmembers;
static uint64_t			 ring_seq;

/* From cmap, read at each (re)connect and membership change. */
static struct msg_quorum	 setup;
/* nodelist.node.N.ring0_addr as resolved before, by N. */
static char			 resolved[QUORUM_MEMBERS_MAX][NI_MAXHOST];
static struct hafod_addr	 resolved_addr[QUORUM_MEMBERS_MAX];

static struct msg_quorum	 last;		/* sent to the parent */
static int			 sent_any;

/* nodelist.node.N.name, for sites' reports, by nodeid. */
static uint32_t			 name_ids[QUORUM_MEMBERS_MAX];
static char			 names[QUORUM_MEMBERS_MAX][QUORUM_NAME_MAX];

static void	quorum_write(int, short, void *);
static void	quorum_connect(int, short, void *);

/* With -v: what the engine is told, in one line. */
static void
quorum_show(const struct msg_quorum *q)
{
	char		 nodes[QUORUM_MEMBERS_MAX * 24], one[24];
	size_t		 i;

	nodes[0] = '\0';
	for (i = 0; i < q->nnodes; i++) {
		(void)snprintf(one, sizeof(one), " %u%s:%u", q->nodes[i].nodeid,
		    q->nodes[i].member ? "*" : "", q->nodes[i].votes);
		strlcat(nodes, one, sizeof(nodes));
	}
	log_debug("node %u %s%s: %s; nodes (*member:votes)%s; qdevice %s; "
	    "release %u ms", q->nodeid, q->link == QUORUM_UP ? "up" :
	    q->link == QUORUM_DOWN ? "down" : "refused",
	    q->quorate ? ", quorate" : "", q->reason, nodes,
	    !q->qdevice ? "none" : q->qdevice_vote ? "votes" : "no vote",
	    q->release_ms);
}

/* A message to the parent, queued: the parent never makes us wait. */
void
quorum_to_parent(uint32_t type, const void *data, size_t len)
{
	if (msgchan_compose(&chan, type, 0, getpid(), -1, data, len) == -1) {
		if (errno == ENOBUFS)
			fatalx("parent has not read %zu messages: it is stuck",
			    chan.wqlen);
		fatal("msgchan_compose");
	}
	quorum_write(chan.fd, EV_WRITE, NULL);
}

/* The parent hears of quorum before any report it changes. */
static void
quorum_send(const struct msg_quorum *q)
{
	if (!sent_any || memcmp(q, &last, sizeof(last)) != 0) {
		last = *q;
		sent_any = 1;
		quorum_show(q);
		quorum_to_parent(MSG_QUORUM, q, sizeof(*q));
	}
	cpg_quorum(q);
}

/* The node's name in corosync's nodelist; -1: it has none. */
int
quorum_node_name(uint32_t nodeid, char *buf, size_t len)
{
	size_t	i;

	for (i = 0; i < QUORUM_MEMBERS_MAX; i++)
		if (name_ids[i] == nodeid && nodeid != 0 &&
		    names[i][0] != '\0') {
			strlcpy(buf, names[i], len);
			return (0);
		}
	return (-1);
}

static void
quorum_write(int fd, short event, void *arg)
{
	if (msgev_write(&chan, chanwev) == -1) {
		if (errno == EPIPE || errno == ECONNRESET)
			fatalx("parent exited: stopping");
		fatal("write to parent");
	}
}

/*
 * The parent speaks only of sites: this node's entities for cpg.c.  Its
 * end closing is the other news.
 */
static void
quorum_parent(int fd, short event, void *arg)
{
	static struct msg	m;
	ssize_t			n;

	if ((n = msgchan_read(&chan)) == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		fatal("read from parent");
	}
	if (n == 0)
		fatalx("parent exited: stopping");
	for (;;) {
		if ((n = msgchan_get(&chan, &m)) == -1)
			fatalx("broken message from parent");
		if (n == 0)
			return;
		if ((m.hdr.type != MSG_SITE_LOCAL &&
		    m.hdr.type != MSG_SITE_COMMIT) ||
		    msg_check_size(&m) == -1 || m.fd != -1)
			fatalx("unexpected message from parent");
		cpg_parent(&m);
	}
}

/* What corosync's error means, for a line of log; cpg.c's too. */
const char *
quorum_cs_name(int err)
{
	static char	buf[32];

	switch (err) {
	case CS_ERR_LIBRARY:
		return ("no answer (CS_ERR_LIBRARY)");
	case CS_ERR_BAD_HANDLE:
		return ("connection closed (CS_ERR_BAD_HANDLE)");
	case CS_ERR_ACCESS:
		return ("access denied: is this user in corosync's uidgid?");
	case CS_ERR_TRY_AGAIN:
		return ("busy (CS_ERR_TRY_AGAIN)");
	case CS_ERR_NOT_EXIST:
		return ("not found (CS_ERR_NOT_EXIST)");
	default:
		(void)snprintf(buf, sizeof(buf), "error %d", err);
		return (buf);
	}
}

/*
 * The same trouble every second until corosync is back: say it once,
 * then once a minute, and say when it is over.
 */
static void
quorum_complain(const char *why)
{
	static char	 said[STATE_REASON_MAX];
	static time_t	 when;
	time_t		 now = time(NULL);

	if (why == NULL) {
		if (said[0] != '\0')
			log_info("in contact with corosync again");
		said[0] = '\0';
		return;
	}
	if (strcmp(said, why) == 0 && now - when < QUORUM_LOG_SEC)
		return;
	log_warnx("%s", why);
	strlcpy(said, why, sizeof(said));
	when = now;
}

static void
quorum_disconnect(void)
{
	if (vqev != NULL) {
		event_free(vqev);
		vqev = NULL;
	}
	if (vq_open)
		(void)votequorum_finalize(vq);
	if (cm_open)
		(void)cmap_finalize(cm);
	vq_open = cm_open = 0;
}

/*
 * Not in contact (QUORUM_DOWN), or in contact with a corosync whose
 * quorum proves nothing (QUORUM_REFUSED): never quorate.  Let go and try
 * again in a second.  The timeouts last read stay: they are still the
 * best estimate of how long the others take to notice.
 */
static void
quorum_fail(enum quorum_link link, const char *fmt, ...)
{
	struct msg_quorum	 q;
	struct timeval		 tv = { QUORUM_RETRY_SEC, 0 };
	va_list			 ap;

	memset(&q, 0, sizeof(q));
	q.link = link;
	q.nodeid = setup.nodeid;
	q.token_ms = setup.token_ms;
	q.consensus_ms = setup.consensus_ms;
	q.qdevice_timeout_ms = setup.qdevice_timeout_ms;
	q.qdevice_sync_ms = setup.qdevice_sync_ms;
	q.release_ms = setup.release_ms;
	va_start(ap, fmt);
	(void)vsnprintf(q.reason, sizeof(q.reason), fmt, ap);
	va_end(ap);
	quorum_complain(q.reason);
	quorum_disconnect();
	quorum_send(&q);
	if (evtimer_add(retry_ev, &tv) == -1)
		fatalx("evtimer_add");
}

/* Any integer key as a uint32_t; absent: CS_ERR_NOT_EXIST. */
static cs_error_t
cmap_u32(const char *key, uint32_t *v)
{
	union {
		uint8_t		u8;
		uint16_t	u16;
		uint32_t	u32;
		uint64_t	u64;
	} val;
	size_t			len = sizeof(val);
	cmap_value_types_t	type;
	cs_error_t		err;

	memset(&val, 0, sizeof(val));
	if ((err = cmap_get(cm, key, &val, &len, &type)) != CS_OK)
		return (err);
	switch (type) {
	case CMAP_VALUETYPE_INT8:
	case CMAP_VALUETYPE_UINT8:
		*v = val.u8;
		break;
	case CMAP_VALUETYPE_INT16:
	case CMAP_VALUETYPE_UINT16:
		*v = val.u16;
		break;
	case CMAP_VALUETYPE_INT32:
	case CMAP_VALUETYPE_UINT32:
		*v = val.u32;
		break;
	case CMAP_VALUETYPE_INT64:
	case CMAP_VALUETYPE_UINT64:
		*v = val.u64 > UINT32_MAX ? UINT32_MAX : (uint32_t)val.u64;
		break;
	default:
		return (CS_ERR_INVALID_PARAM);
	}
	return (CS_OK);
}

/* The first key of keys that is set, or def; -1 on any other error. */
static int
cmap_first(const char *k1, const char *k2, uint32_t def, uint32_t *v)
{
	cs_error_t	err;

	if ((err = cmap_u32(k1, v)) == CS_ERR_NOT_EXIST && k2 != NULL)
		err = cmap_u32(k2, v);
	if (err == CS_ERR_NOT_EXIST) {
		*v = def;
		return (0);
	}
	if (err != CS_OK) {
		quorum_fail(QUORUM_DOWN, "cannot read %s from corosync: %s",
		    k1, quorum_cs_name(err));
		return (-1);
	}
	return (0);
}

/* A numeric address first; a name only if it is none. */
static void
resolve(const char *name, struct hafod_addr *a)
{
	struct addrinfo	 hints, *res, *ai;

	memset(a, 0, sizeof(*a));
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo(name, NULL, &hints, &res) != 0) {
		hints.ai_flags = 0;
		if (getaddrinfo(name, NULL, &hints, &res) != 0) {
			log_warnx("corosync node address %s: cannot resolve",
			    name);
			return;
		}
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET) {
			a->af = AF_INET;
			a->u.v4 = ((struct sockaddr_in *)ai->ai_addr)->sin_addr;
			break;
		}
		if (ai->ai_family == AF_INET6) {
			a->af = AF_INET6;
			a->u.v6 =
			    ((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
			break;
		}
	}
	freeaddrinfo(res);
}

/* One key of nodelist.node.N; names are resolved once, not per change. */
static int
node_key(struct quorum_node *slots, uint8_t *have, char (*nm)[QUORUM_NAME_MAX],
    const char *key)
{
	struct quorum_node	*n;
	char			 field[32], *s;
	unsigned int		 i;
	cs_error_t		 err;

	if (sscanf(key, "nodelist.node.%u.%31s", &i, field) != 2)
		return (0);
	if (i >= QUORUM_MEMBERS_MAX) {
		log_warnx("corosync node %u: hafod knows only the first %d",
		    i, QUORUM_MEMBERS_MAX);
		return (0);
	}
	n = &slots[i];
	if (strcmp(field, "nodeid") == 0) {
		if ((err = cmap_u32(key, &n->nodeid)) != CS_OK)
			goto fail;
		have[i] = 1;
	} else if (strcmp(field, "quorum_votes") == 0) {
		if ((err = cmap_u32(key, &n->votes)) != CS_OK)
			goto fail;
	} else if (strcmp(field, "ring0_addr") == 0) {
		if ((err = cmap_get_string(cm, key, &s)) != CS_OK)
			goto fail;
		if (strcmp(resolved[i], s) != 0 ||
		    resolved_addr[i].af == 0) {
			resolve(s, &resolved_addr[i]);
			strlcpy(resolved[i], s, sizeof(resolved[i]));
		}
		n->addr = resolved_addr[i];
		free(s);
	} else if (strcmp(field, "name") == 0) {
		if ((err = cmap_get_string(cm, key, &s)) != CS_OK)
			goto fail;
		/* A name for hafoctl, cut to our size. */
		strlcpy(nm[i], s, QUORUM_NAME_MAX);
		free(s);
	}
	return (0);
 fail:
	quorum_fail(QUORUM_DOWN, "cannot read %s from corosync: %s", key,
	    quorum_cs_name(err));
	return (-1);
}

/* cmap's nodelist, read into slots by N, packed into the message. */
static int
read_nodes(struct msg_quorum *q)
{
	struct quorum_node	 slots[QUORUM_MEMBERS_MAX];
	uint8_t			 have[QUORUM_MEMBERS_MAX];
	char			 nm[QUORUM_MEMBERS_MAX][QUORUM_NAME_MAX];
	char			 key[CMAP_KEYNAME_MAXLEN + 1];
	cmap_iter_handle_t	 it;
	cs_error_t		 err;
	int			 i;

	memset(slots, 0, sizeof(slots));
	memset(have, 0, sizeof(have));
	memset(nm, 0, sizeof(nm));
	for (i = 0; i < QUORUM_MEMBERS_MAX; i++)
		slots[i].votes = 1;
	if ((err = cmap_iter_init(cm, "nodelist.node.", &it)) != CS_OK) {
		quorum_fail(QUORUM_DOWN, "cannot read corosync's nodelist: %s",
		    quorum_cs_name(err));
		return (-1);
	}
	while ((err = cmap_iter_next(cm, it, key, NULL, NULL)) == CS_OK)
		if (node_key(slots, have, nm, key) == -1) {
			(void)cmap_iter_finalize(cm, it);
			return (-1);
		}
	(void)cmap_iter_finalize(cm, it);
	if (err != CS_ERR_NO_SECTIONS) {
		quorum_fail(QUORUM_DOWN, "cannot read corosync's nodelist: %s",
		    quorum_cs_name(err));
		return (-1);
	}
	q->nnodes = 0;
	memset(name_ids, 0, sizeof(name_ids));
	for (i = 0; i < QUORUM_MEMBERS_MAX; i++)
		if (have[i]) {
			name_ids[q->nnodes] = slots[i].nodeid;
			memcpy(names[q->nnodes], nm[i], sizeof(names[0]));
			q->nodes[q->nnodes++] = slots[i];
		}
	return (0);
}

/*
 * The set-up, from cmap.  0: usable; -1: not (quorum_fail() has said
 * why, and we are disconnected).
 */
static int
read_setup(void)
{
	struct msg_quorum	 q;
	char			*s;
	uint32_t		 two_node;
	cs_error_t		 err;

	memset(&q, 0, sizeof(q));
	if ((err = cmap_get_string(cm, "quorum.provider", &s)) ==
	    CS_ERR_NOT_EXIST) {
		/* corosync calls a cluster without one always quorate. */
		quorum_fail(QUORUM_REFUSED, "no quorum provider configured");
		return (-1);
	}
	if (err != CS_OK) {
		quorum_fail(QUORUM_DOWN, "cannot read quorum.provider from "
		    "corosync: %s", quorum_cs_name(err));
		return (-1);
	}
	if (strcmp(s, PROVIDER_VOTEQUORUM) != 0) {
		quorum_fail(QUORUM_REFUSED, "quorum provider %.64s is not "
		    PROVIDER_VOTEQUORUM, s);
		free(s);
		return (-1);
	}
	free(s);
	if ((err = cmap_get_string(cm, "quorum.device.model", &s)) == CS_OK) {
		q.qdevice = 1;
		free(s);
	} else if (err != CS_ERR_NOT_EXIST) {
		quorum_fail(QUORUM_DOWN, "cannot read quorum.device.model "
		    "from corosync: %s", quorum_cs_name(err));
		return (-1);
	}
	if (cmap_first("runtime.votequorum.this_node_id", NULL, 0,
	    &q.nodeid) == -1 ||
	    cmap_first("runtime.votequorum.two_node", "quorum.two_node", 0,
	    &two_node) == -1 ||
	    cmap_first("quorum.device.timeout", NULL,
	    VOTEQUORUM_QDEVICE_DEFAULT_TIMEOUT, &q.qdevice_timeout_ms) == -1 ||
	    cmap_first("quorum.device.sync_timeout", NULL,
	    VOTEQUORUM_QDEVICE_DEFAULT_SYNC_TIMEOUT,
	    &q.qdevice_sync_ms) == -1 ||
	    cmap_first("runtime.config.totem.token", "totem.token",
	    TOKEN_DEFAULT_MS, &q.token_ms) == -1 ||
	    cmap_first("runtime.config.totem.consensus", "totem.consensus",
	    q.token_ms / 10 * CONSENSUS_FACTOR, &q.consensus_ms) == -1 ||
	    read_nodes(&q) == -1)
		return (-1);
	q.two_node = two_node != 0;
	/*
	 * When corosync drops a node from the membership, by when has that
	 * node, on its side of the split, seen that it lost quorum and let
	 * go?  It misses the token after token_ms, forms its own membership
	 * after consensus_ms more, and votequorum then counts its votes at
	 * once.  A qdevice may go on casting its vote there for the
	 * membership change, up to its sync_timeout.  One token more is the
	 * margin for scheduling and for our own notification:
	 *	release = token + consensus [+ qdevice sync_timeout] + token
	 */
	q.release_ms = 2 * q.token_ms + q.consensus_ms +
	    (q.qdevice ? q.qdevice_sync_ms : 0);
	setup = q;
	if (q.two_node && !q.qdevice) {
		quorum_fail(QUORUM_REFUSED, "two_node without a qdevice keeps "
		    "quorum on both sides of a split");
		return (-1);
	}
	return (0);
}

/* Where we stand now, from votequorum; sent if anything changed. */
static void
refresh(void)
{
	struct votequorum_info	 info;
	struct msg_quorum	 q;
	cs_error_t		 err;
	size_t			 i, j, len;

	if (reread && read_setup() == -1)
		return;
	reread = dirty = 0;
	if ((err = votequorum_getinfo(vq, setup.nodeid, &info)) != CS_OK) {
		quorum_fail(QUORUM_DOWN, "lost contact with corosync: %s",
		    quorum_cs_name(err));
		return;
	}
	q = setup;
	q.link = QUORUM_UP;
	q.quorate = (info.flags & VOTEQUORUM_INFO_QUORATE) != 0;
	q.node_votes = info.node_votes;
	q.expected_votes = info.node_expected_votes;
	q.total_votes = info.total_votes;
	q.quorum = info.quorum;
	q.qdevice_alive = (info.flags & VOTEQUORUM_INFO_QDEVICE_ALIVE) != 0;
	q.qdevice_vote = (info.flags & VOTEQUORUM_INFO_QDEVICE_CAST_VOTE) != 0;
	q.qdevice_votes = info.qdevice_votes;
	/* Cut to our size: a name for hafoctl, not a key. */
	len = strnlen(info.qdevice_name, sizeof(info.qdevice_name));
	if (len >= sizeof(q.qdevice_name))
		len = sizeof(q.qdevice_name) - 1;
	memcpy(q.qdevice_name, info.qdevice_name, len);
	q.qdevice_name[len] = '\0';
	q.ring_seq = ring_seq;
	for (i = 0; i < q.nnodes; i++)
		for (j = 0; j < nmembers; j++)
			if (q.nodes[i].nodeid == members[j])
				q.nodes[i].member = 1;
	(void)snprintf(q.reason, sizeof(q.reason),
	    "%u of %u votes, quorum %u", q.total_votes, q.expected_votes,
	    q.quorum);
	quorum_complain(NULL);
	quorum_send(&q);
}

/* The membership as votequorum counts it; nodeid 0 is the qdevice. */
static void
notify_quorum(votequorum_handle_t h, uint64_t context, uint32_t quorate,
    uint32_t n, votequorum_node_t nodes[])
{
	uint32_t	i;

	nmembers = 0;
	for (i = 0; i < n && nmembers < QUORUM_MEMBERS_MAX; i++)
		if (nodes[i].nodeid != VOTEQUORUM_QDEVICE_NODEID &&
		    nodes[i].state == VOTEQUORUM_NODESTATE_MEMBER)
			members[nmembers++] = nodes[i].nodeid;
	dirty = reread = 1;
}

/* The same membership, sometimes first: whichever comes last is news. */
static void
notify_nodelist(votequorum_handle_t h, uint64_t context,
    votequorum_ring_id_t ring, uint32_t n, uint32_t nodes[])
{
	uint32_t	i;

	ring_seq = ring.seq;
	nmembers = 0;
	for (i = 0; i < n && nmembers < QUORUM_MEMBERS_MAX; i++)
		if (nodes[i] != VOTEQUORUM_QDEVICE_NODEID)
			members[nmembers++] = nodes[i];
	dirty = reread = 1;
}

static void
notify_expected(votequorum_handle_t h, uint64_t context, uint32_t expected)
{
	dirty = 1;
}

static void
quorum_dispatch(int fd, short event, void *arg)
{
	cs_error_t	err;

	if ((err = votequorum_dispatch(vq, CS_DISPATCH_ALL)) != CS_OK) {
		quorum_fail(QUORUM_DOWN, "lost contact with corosync: %s",
		    quorum_cs_name(err));
		return;
	}
	if (dirty)
		refresh();
}

/*
 * Connect to corosync, at start and a second after each failure.  The
 * first news comes with the current membership (CS_TRACK_CURRENT).
 */
static void
quorum_connect(int unused, short event, void *arg)
{
	votequorum_callbacks_t	 cb = {
		.votequorum_quorum_notify_fn = notify_quorum,
		.votequorum_expectedvotes_notify_fn = notify_expected,
		.votequorum_nodelist_notify_fn = notify_nodelist,
	};
	cs_error_t		 err;
	int			 fd;

	if ((err = cmap_initialize(&cm)) != CS_OK) {
		if (err == CS_ERR_LIBRARY)
			quorum_fail(QUORUM_DOWN, "corosync not running");
		else
			quorum_fail(QUORUM_DOWN, "cannot connect to corosync: "
			    "%s", quorum_cs_name(err));
		return;
	}
	cm_open = 1;
	if (read_setup() == -1)
		return;
	if ((err = votequorum_initialize(&vq, &cb)) != CS_OK) {
		quorum_fail(QUORUM_DOWN, "cannot connect to votequorum: %s",
		    quorum_cs_name(err));
		return;
	}
	vq_open = 1;
	nmembers = 0;
	dirty = reread = 0;
	if ((err = votequorum_trackstart(vq, 0, CS_TRACK_CURRENT |
	    CS_TRACK_CHANGES)) != CS_OK ||
	    (err = votequorum_fd_get(vq, &fd)) != CS_OK) {
		quorum_fail(QUORUM_DOWN, "cannot follow votequorum: %s",
		    quorum_cs_name(err));
		return;
	}
	if ((vqev = event_new(base, fd, EV_READ | EV_PERSIST, quorum_dispatch,
	    NULL)) == NULL || event_add(vqev, NULL) == -1)
		fatalx("event_new");
	log_debug("connected to corosync as node %u", setup.nodeid);
}

static void
drop_privileges(const struct passwd *pw)
{
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
 * Forked by the parent at any time, also long after the start: keep the
 * parent's socket and stderr and nothing else of it, and undo the signal
 * handlers its event loop set.
 */
__dead void
quorum_main(int fd, const struct passwd *pw, int debug)
{
	closelog();
	if (fd != QUORUM_FD) {
		if (dup2(fd, QUORUM_FD) == -1)
			_exit(1);
		fd = QUORUM_FD;
	}
	closefrom(QUORUM_FD + 1);
	log_init(debug, LOG_DAEMON);
	log_procinit("quorum");
	setproctitle("quorum");
	signal(SIGTERM, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	/* Ctrl-C and SIGHUP reach the whole group: the parent leads. */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	drop_privileges(pw);

	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new");
	msgchan_init(&chan, fd);
	if ((chanev = event_new(base, fd, EV_READ | EV_PERSIST, quorum_parent,
	    NULL)) == NULL || event_add(chanev, NULL) == -1 ||
	    (chanwev = event_new(base, fd, EV_WRITE | EV_PERSIST,
	    quorum_write, NULL)) == NULL ||
	    (retry_ev = evtimer_new(base, quorum_connect, NULL)) == NULL)
		fatalx("event_new");
	cpg_init(base);
	log_debug("running as %s", pw->pw_name);
	quorum_connect(-1, 0, NULL);
	if (event_base_dispatch(base) == -1)
		fatalx("event_base_dispatch");
	fatalx("event loop ended");
}
