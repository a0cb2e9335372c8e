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
 * hafoctl: ask hafod over its control socket.  One request at a time,
 * each reply read to its END and checked as strictly as the daemon
 * checks us: anything else is reported in one line, exit status 1.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hafoctl.h"

#define REPLY_TIMEOUT_MS	30000
#define DEMOTE_POLL_MS		100

struct reply {
	struct show_service	*svcs;
	size_t			 nsvcs;
	struct ctl_quorum	 quorum;
	size_t			 nquorum;
	struct show_sites	 sites;
	size_t			 nsites;
	struct ctl_iface	*ifaces;
	size_t			 nifaces;
	char			(*lines)[CTL_RESULT_MAX];
	size_t			 nlines;
	int32_t			 status;
};

static const char	*sockpath = HAFOD_SOCKET;
static const char	*hbpath = HAFOD_HEARTBEAT;
static struct msgchan	 chan;

static __dead void usage(void);
static void	ctl_connect(void);
static void	ctl_request(uint32_t, uint8_t, uint8_t, const char *,
		    struct reply *);
static int	ctl_get(struct msg *);
static void	reply_add(struct reply *, const struct msg *, uint32_t,
		    uint8_t);
static int	terminated(const char *, size_t);
static void	reply_free(struct reply *);
static __dead void malformed(const char *, ...)
		    __attribute__((__format__ (printf, 1, 2)));
static void	quorum_check(const struct ctl_quorum *);
static void	sites_check(const struct ctl_sites *);
static void	site_role_check(const struct ctl_site_role *,
		    const struct ctl_sites *);
static void	iface_check(const struct ctl_iface *);
static int	protocol_ok(const struct ctl_service *);
static int	do_show(const struct parse_result *, const struct output *);
static int	do_quorum(const struct parse_result *,
		    const struct output *);
static int	do_sites(const struct parse_result *, const struct output *);
static void	sites_whole(const struct reply *);
static int	do_metrics(void);
static int	do_demote(const struct parse_result *, const struct output *);
static int	do_command(const struct parse_result *,
		    const struct output *);
static int	demote_wait(const struct parse_result *,
		    const struct output *, const struct reply *);
static uint64_t	now_ms(void);
static int	do_heartbeat(const struct parse_result *);

static __dead void
usage(void)
{
	fprintf(stderr, "usage: %s [-j] [-H heartbeat-socket] [-s socket] "
	    "[command [argument ...]]\n", getprogname());
	exit(1);
}

int
main(int argc, char *argv[])
{
	const struct parse_result	*res;
	const struct output		*out = &show_output;
	int				 ch, status;

	/* "+": options end at the command, which has options of its own. */
	while ((ch = getopt(argc, argv, "+H:js:")) != -1) {
		switch (ch) {
		case 'H':
			hbpath = optarg;
			break;
		case 'j':
			out = &json_output;
			break;
		case 's':
			sockpath = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;

	res = parse(argc, argv);
	if (res->action == SHOW_METRICS && out == &json_output)
		errx(1, "show metrics has a format of its own: no -j");
	/* Not a request: a datagram to hafod's other socket. */
	if (res->action == HEARTBEAT)
		return (do_heartbeat(res));
	ctl_connect();
	switch (res->action) {
	case SHOW:
	case SHOW_SERVICE:
		status = do_show(res, out);
		break;
	case SHOW_QUORUM:
		status = do_quorum(res, out);
		break;
	case SHOW_SITES:
		status = do_sites(res, out);
		break;
	case SHOW_METRICS:
		status = do_metrics();
		break;
	case DEMOTE:
		status = do_demote(res, out);
		break;
	default:
		status = do_command(res, out);
		break;
	}
	close(chan.fd);
	return (status);
}

/* What an application sends: its heartbeat's name, one datagram. */
static int
do_heartbeat(const struct parse_result *res)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, hbpath, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		errx(1, "socket path too long: %s", hbpath);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		err(1, "socket");
	if (sendto(fd, res->name, strlen(res->name), 0,
	    (struct sockaddr *)&sun, sizeof(sun)) == -1)
		err(1, "cannot send to %s", hbpath);
	close(fd);
	return (0);
}

static void
ctl_connect(void)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, sockpath, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		errx(1, "socket path too long: %s", sockpath);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		err(1, "socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		err(1, "cannot connect to %s", sockpath);
	msgchan_init(&chan, fd);
}

static __dead void
malformed(const char *fmt, ...)
{
	va_list	ap;
	char	buf[256];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	errx(1, "malformed reply from hafod on %s: %s", sockpath, buf);
}

/* The next message of the reply; 0 at EOF. */
static int
ctl_get(struct msg *m)
{
	struct pollfd	pfd;
	ssize_t		n;
	int		rv;

	for (;;) {
		if ((n = msgchan_get(&chan, m)) == -1)
			malformed("bad frame");
		if (n > 0)
			return (1);
		pfd.fd = chan.fd;
		pfd.events = POLLIN;
		if ((rv = poll(&pfd, 1, REPLY_TIMEOUT_MS)) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		if (rv == 0)
			errx(1, "no reply from hafod on %s within %d s",
			    sockpath, REPLY_TIMEOUT_MS / 1000);
		if ((n = msgchan_read(&chan)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			if (errno == EBADMSG || errno == ENOBUFS)
				malformed("bad frame");
			err(1, "read from %s", sockpath);
		}
		if (n == 0)
			return (0);
	}
}

/*
 * Send one request and read its whole reply.  A daemon that refuses a
 * client writes its reason and closes at once, so a failed write still
 * leaves a reply to read.
 */
static void
ctl_request(uint32_t type, uint8_t kind, uint8_t flags, const char *name,
    struct reply *r)
{
	struct ctl_target	t;
	struct msg		m;
	int			write_errno = 0;

	memset(r, 0, sizeof(*r));
	memset(&t, 0, sizeof(t));
	t.kind = kind;
	t.flags = flags;
	if (name != NULL)
		strlcpy(t.name, name, sizeof(t.name));
	if (msgchan_compose(&chan, type, 0, getpid(), -1, &t,
	    type == MSG_CTL_RELOAD ? 0 : sizeof(t)) == -1)
		err(1, "compose");
	if (msgchan_flush(&chan, -1) == -1) {
		write_errno = errno;
		msgchan_clear(&chan);
	}

	for (;;) {
		if (ctl_get(&m) == 0) {
			if (write_errno != 0) {
				errno = write_errno;
				err(1, "write to %s", sockpath);
			}
			malformed("connection closed before the end");
		}
		if (msg_check_size(&m) == -1) {
			if (m.fd != -1)
				close(m.fd);
			malformed("%s message of %zu bytes",
			    msg_type_name(m.hdr.type), m.datalen);
		}
		if (m.hdr.type == MSG_CTL_END) {
			memcpy(&r->status, m.data, sizeof(r->status));
			return;
		}
		reply_add(r, &m, type, flags);
	}
}

static void
reply_add(struct reply *r, const struct msg *m, uint32_t request,
    uint8_t flags)
{
	struct show_service	*ss;
	struct ctl_result	 res;
	struct ctl_peer		 peer;
	struct ctl_heartbeat	 hb;
	void			*p;

	switch (m->hdr.type) {
	case MSG_CTL_RESULT:
		memcpy(&res, m->data, sizeof(res));
		if (!terminated(res.text, sizeof(res.text)))
			malformed("result line without an end");
		if ((p = reallocarray(r->lines, r->nlines + 1,
		    sizeof(*r->lines))) == NULL)
			err(1, NULL);
		r->lines = p;
		memcpy(r->lines[r->nlines++], res.text, sizeof(res.text));
		return;
	case MSG_CTL_SERVICE:
		if (request != MSG_CTL_SHOW)
			break;
		if ((p = reallocarray(r->svcs, r->nsvcs + 1,
		    sizeof(*r->svcs))) == NULL)
			err(1, NULL);
		r->svcs = p;
		ss = &r->svcs[r->nsvcs++];
		memset(ss, 0, sizeof(*ss));
		memcpy(&ss->svc, m->data, sizeof(ss->svc));
		if (!terminated(ss->svc.name, sizeof(ss->svc.name)) ||
		    !terminated(ss->svc.ifname, sizeof(ss->svc.ifname)) ||
		    !terminated(ss->svc.group, sizeof(ss->svc.group)) ||
		    !terminated(ss->svc.demote_detail,
		    sizeof(ss->svc.demote_detail)) ||
		    !terminated(ss->svc.last_hook,
		    sizeof(ss->svc.last_hook)) ||
		    ss->svc.nvips > SERVICE_VIPS_MAX ||
		    !protocol_ok(&ss->svc))
			malformed("bad service");
		return;
	case MSG_CTL_PEER:
		if (request != MSG_CTL_SHOW || !(flags & CTL_F_DETAIL))
			break;
		memcpy(&peer, m->data, sizeof(peer));
		if (r->nsvcs == 0)
			malformed("peer before its service");
		ss = &r->svcs[r->nsvcs - 1];
		if (strncmp(peer.service, ss->svc.name,
		    sizeof(peer.service)) != 0)
			malformed("peer of another service");
		if (ss->npeers >= CTL_PEERS_MAX)
			malformed("too many peers");
		ss->peers[ss->npeers++] = peer;
		return;
	case MSG_CTL_IFACE:
		if (request != MSG_CTL_SHOW)
			break;
		if ((p = reallocarray(r->ifaces, r->nifaces + 1,
		    sizeof(*r->ifaces))) == NULL)
			err(1, NULL);
		r->ifaces = p;
		memcpy(&r->ifaces[r->nifaces], m->data, sizeof(*r->ifaces));
		iface_check(&r->ifaces[r->nifaces++]);
		return;
	case MSG_CTL_HEARTBEAT:
		if (request != MSG_CTL_SHOW || !(flags & CTL_F_DETAIL))
			break;
		memcpy(&hb, m->data, sizeof(hb));
		if (r->nsvcs == 0)
			malformed("heartbeat before its service");
		ss = &r->svcs[r->nsvcs - 1];
		if (strncmp(hb.service, ss->svc.name,
		    sizeof(hb.service)) != 0)
			malformed("heartbeat of another service");
		if (ss->nhbs >= SERVICE_HEARTBEATS_MAX ||
		    !terminated(hb.name, sizeof(hb.name)))
			malformed("bad heartbeat");
		ss->hbs[ss->nhbs++] = hb;
		return;
	case MSG_CTL_QUORUM_STATE:
		if (request != MSG_CTL_QUORUM)
			break;
		if (r->nquorum++ > 0)
			malformed("a second quorum state");
		memcpy(&r->quorum, m->data, sizeof(r->quorum));
		quorum_check(&r->quorum);
		return;
	case MSG_CTL_SITES_STATE:
		if (request != MSG_CTL_SITES)
			break;
		if (r->nsites++ > 0)
			malformed("a second sites state");
		memcpy(&r->sites.sites, m->data, sizeof(r->sites.sites));
		sites_check(&r->sites.sites);
		return;
	case MSG_CTL_SITE_ROLE:
		if (request != MSG_CTL_SITES)
			break;
		if (r->nsites == 0)
			malformed("a site role before the sites");
		if (r->sites.nroles >= r->sites.sites.s.nroles)
			malformed("more site roles than announced");
		if ((p = reallocarray(r->sites.roles, r->sites.nroles + 1,
		    sizeof(*r->sites.roles))) == NULL)
			err(1, NULL);
		r->sites.roles = p;
		memcpy(&r->sites.roles[r->sites.nroles], m->data,
		    sizeof(*r->sites.roles));
		site_role_check(&r->sites.roles[r->sites.nroles++],
		    &r->sites.sites);
		return;
	}
	malformed("unexpected %s message", msg_type_name(m->hdr.type));
}

/* Only what the outputs can show as it is. */
static void
quorum_check(const struct ctl_quorum *cq)
{
	const struct msg_quorum	*q = &cq->q;
	int			 i;

	if (q->link > QUORUM_REFUSED ||
	    q->policy > QUORUM_POLICY_STRICT ||
	    q->nnodes > QUORUM_MEMBERS_MAX ||
	    !terminated(q->reason, sizeof(q->reason)) ||
	    !terminated(q->qdevice_name, sizeof(q->qdevice_name)))
		malformed("bad quorum state");
	for (i = 0; i < q->nnodes; i++)
		if (q->nodes[i].addr.af != 0 &&
		    q->nodes[i].addr.af != AF_INET &&
		    q->nodes[i].addr.af != AF_INET6)
			malformed("bad quorum node address");
}

/* As the daemon checks a report: what the outputs index by and print. */
static void
sites_check(const struct ctl_sites *cs)
{
	if (msg_sites_check(&cs->s) == -1)
		malformed("bad sites state");
}

static void
site_role_check(const struct ctl_site_role *cr, const struct ctl_sites *cs)
{
	if (msg_site_role_check(&cr->r, cs->s.nsites) == -1 ||
	    cr->role > SITE_ROLE_CONTROLLER)
		malformed("bad site role");
}

/* A name that prints, a family and an address that addr_ntop() knows. */
static void
iface_check(const struct ctl_iface *ci)
{
	if (!terminated(ci->ifname, sizeof(ci->ifname)) ||
	    ci->ifname[0] == '\0' ||
	    (ci->af != AF_INET && ci->af != AF_INET6) ||
	    (ci->unknown_src.af != 0 && ci->unknown_src.af != ci->af))
		malformed("bad interface");
}

/* A protocol and drift kinds the outputs can name, addresses they print. */
static int
protocol_ok(const struct ctl_service *s)
{
	const struct ctl_drift	*d;
	int			 i;

	if (s->protocol > PROTO_BUNDLE || s->ndrift > SERVICE_DRIFT_MAX)
		return (0);
	for (i = 0; i < s->ndrift; i++) {
		d = &s->drift[i];
		if (d->what == DRIFT_NONE || d->what >= DRIFT_MAX ||
		    (d->peer.af != AF_INET && d->peer.af != AF_INET6))
			return (0);
	}
	return (1);
}

static int
terminated(const char *s, size_t len)
{
	return (memchr(s, '\0', len) != NULL);
}

static void
reply_free(struct reply *r)
{
	free(r->svcs);
	free(r->lines);
	free(r->ifaces);
	free(r->sites.roles);
	memset(r, 0, sizeof(*r));
}

/* A refused request: what hafod said, or its status. */
static int
reply_failed(struct reply *r)
{
	size_t	i;

	for (i = 0; i < r->nlines; i++)
		warnx("%s", r->lines[i]);
	if (r->nlines == 0)
		warnx("hafod failed the request (status %d)", (int)r->status);
	reply_free(r);
	return (1);
}

static int
do_show(const struct parse_result *res, const struct output *out)
{
	struct reply	r;
	size_t		i;

	ctl_request(MSG_CTL_SHOW, res->kind,
	    res->action == SHOW_SERVICE ? CTL_F_DETAIL : 0, res->name, &r);
	if (r.status != 0)
		return (reply_failed(&r));
	out->head(res);
	for (i = 0; i < r.nsvcs; i++)
		out->service(res, &r.svcs[i]);
	for (i = 0; i < r.nifaces; i++)
		out->iface(res, &r.ifaces[i]);
	out->tail(res, 0);
	reply_free(&r);
	return (0);
}

/*
 * Everything show and show quorum say, as metrics: two requests on one
 * connection, each read to its end, then one exposition.
 */
static int
do_metrics(void)
{
	struct reply	r, q, st;

	ctl_request(MSG_CTL_SHOW, CTL_ALL, 0, NULL, &r);
	if (r.status != 0)
		return (reply_failed(&r));
	ctl_request(MSG_CTL_QUORUM, CTL_ALL, 0, NULL, &q);
	if (q.status != 0) {
		reply_free(&r);
		return (reply_failed(&q));
	}
	if (q.nquorum != 1)
		malformed("no quorum state");
	ctl_request(MSG_CTL_SITES, CTL_ALL, 0, NULL, &st);
	if (st.status != 0) {
		reply_free(&r);
		reply_free(&q);
		return (reply_failed(&st));
	}
	sites_whole(&st);
	output_metrics(r.svcs, r.nsvcs, r.ifaces, r.nifaces,
	    q.quorum.q.link != QUORUM_OFF ? &q.quorum : NULL,
	    st.sites.sites.s.link != QUORUM_OFF ? &st.sites : NULL);
	reply_free(&r);
	reply_free(&q);
	reply_free(&st);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(1, "stdout");
	return (0);
}

/* One state, not a list: the node's standing in its corosync cluster. */
static int
do_quorum(const struct parse_result *res, const struct output *out)
{
	struct reply	r;

	ctl_request(MSG_CTL_QUORUM, CTL_ALL, 0, NULL, &r);
	if (r.status != 0)
		return (reply_failed(&r));
	if (r.nquorum != 1)
		malformed("no quorum state");
	out->head(res);
	out->quorum(res, &r.quorum);
	out->tail(res, 0);
	reply_free(&r);
	return (0);
}

/* The node's view of its sites, then every entity announced. */
static int
do_sites(const struct parse_result *res, const struct output *out)
{
	struct reply	r;

	ctl_request(MSG_CTL_SITES, CTL_ALL, 0, NULL, &r);
	if (r.status != 0)
		return (reply_failed(&r));
	sites_whole(&r);
	out->head(res);
	out->sites(res, &r.sites);
	out->tail(res, 0);
	reply_free(&r);
	return (0);
}

static void
sites_whole(const struct reply *r)
{
	if (r->nsites != 1)
		malformed("no sites state");
	if (r->sites.nroles != r->sites.sites.s.nroles)
		malformed("%zu site roles of %u announced", r->sites.nroles,
		    r->sites.sites.s.nroles);
}

static int
do_command(const struct parse_result *res, const struct output *out)
{
	struct reply	r;
	uint32_t	type;
	uint8_t		flags = 0;
	size_t		i;
	int		status;

	switch (res->action) {
	case UNDEMOTE:
		type = MSG_CTL_UNDEMOTE;
		break;
	case PROMOTE:
		type = MSG_CTL_PROMOTE;
		break;
	case RELOAD:
		type = MSG_CTL_RELOAD;
		break;
	case LOG_VERBOSE:
		type = MSG_CTL_LOG;
		flags = CTL_F_VERBOSE;
		break;
	case LOG_BRIEF:
		type = MSG_CTL_LOG;
		break;
	default:
		errx(1, "no request for action %d", res->action);
	}
	ctl_request(type, res->kind, flags, res->name, &r);
	status = r.status != 0;
	out->head(res);
	for (i = 0; i < r.nlines; i++)
		out->result(r.lines[i], status);
	out->tail(res, status);
	reply_free(&r);
	return (status);
}

/*
 * Demotion is asked for to move mastership elsewhere: so wait until it
 * has moved, and say where to, or say that it has not.
 */
static int
do_demote(const struct parse_result *res, const struct output *out)
{
	struct reply	before, r;
	size_t		i;
	int		status;

	memset(&before, 0, sizeof(before));
	/* Which were master; an unknown name is the demotion's to report. */
	if (res->wait > 0)
		ctl_request(MSG_CTL_SHOW, res->kind, 0, res->name, &before);
	ctl_request(MSG_CTL_DEMOTE, res->kind, res->flags, res->name, &r);
	status = r.status != 0;
	out->head(res);
	for (i = 0; i < r.nlines; i++)
		out->result(r.lines[i], status);
	if (status == 0 && res->wait > 0 && before.status == 0)
		status = demote_wait(res, out, &before);
	out->tail(res, status);
	reply_free(&before);
	reply_free(&r);
	return (status);
}

static int
demote_wait(const struct parse_result *res, const struct output *out,
    const struct reply *before)
{
	struct reply			 cur;
	const struct ctl_service	*was, *s;
	char				 line[CTL_RESULT_MAX];
	uint64_t			 deadline;
	size_t				 i, j, left = 0;
	int				*waiting, status = 0;
	struct timespec			 ts = { 0, DEMOTE_POLL_MS * 1000000L };

	if ((waiting = calloc(before->nsvcs + 1, sizeof(*waiting))) == NULL)
		err(1, NULL);
	for (i = 0; i < before->nsvcs; i++)
		if (before->svcs[i].svc.state == CARP_MASTER) {
			waiting[i] = 1;
			left++;
		}

	deadline = now_ms() + (uint64_t)res->wait * 1000;
	while (left > 0 && now_ms() < deadline) {
		nanosleep(&ts, NULL);
		ctl_request(MSG_CTL_SHOW, res->kind, 0, res->name, &cur);
		for (i = 0; i < before->nsvcs; i++) {
			if (!waiting[i])
				continue;
			was = &before->svcs[i].svc;
			s = NULL;
			for (j = 0; j < cur.nsvcs && cur.status == 0; j++)
				if (strcmp(cur.svcs[j].svc.name,
				    was->name) == 0)
					s = &cur.svcs[j].svc;
			if (s == NULL) {
				snprintf(line, sizeof(line),
				    "%s: no longer configured", was->name);
				status = 1;
			} else if (s->state != CARP_MASTER &&
			    s->master.af != 0 &&
			    !addr_eq(&s->master, &was->master))
				snprintf(line, sizeof(line),
				    "%s: master is now %s", was->name,
				    addr_ntop(&s->master));
			else
				continue;
			out->result(line, s == NULL);
			waiting[i] = 0;
			left--;
		}
		reply_free(&cur);
	}
	for (i = 0; i < before->nsvcs; i++) {
		if (!waiting[i])
			continue;
		snprintf(line, sizeof(line), "%s: no other master after %d s",
		    before->svcs[i].svc.name, res->wait);
		out->result(line, 1);
		status = 1;
	}
	free(waiting);
	return (status);
}

static uint64_t
now_ms(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		err(1, "clock_gettime");
	return ((uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}
