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
 * The control socket, served by the engine on its own event loop.  Any
 * local user may connect, so nothing a client does may stall the
 * elections: every socket is non-blocking, the clients are few, their
 * replies are produced in steps as they read them, and a client that
 * breaks the protocol or stops reading is closed.
 *
 * The protocol is strictly request and reply: a client sends one request
 * and reads until END before it sends the next.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <event2/event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "hafod.h"
#include "log.h"

#define CONTROL_CLIENTS_MAX	64
#define CONTROL_ROOT_RESERVE	4	/* of those, only root may take */
#define CONTROL_PER_UID_MAX	16	/* one user, other than root */
#define CONTROL_QUEUE_HIGH	64	/* frames: a reply pauses above */
#define CONTROL_QUEUE_MAX	256	/* frames: the client is dropped */
#define CONTROL_IDLE_SEC	60
#define CONTROL_ACCEPT_BURST	16	/* per wake-up, so timers still run */
#define CONTROL_PAUSE_SEC	1	/* out of descriptors: stop accepting */
#define CONTROL_LOG_INTERVAL	(10 * 1000000ULL)	/* usec */

struct ctl_conn {
	TAILQ_ENTRY(ctl_conn)	 entry;
	struct msgchan		 chan;
	struct event		*rev;
	struct event		*wev;
	struct event		*idle;
	uint32_t		 id;
	uid_t			 uid;
	pid_t			 pid;
	int			 eof;		/* it will send nothing more */
	int			 reloading;	/* the parent has its request */

	/* The reply in progress, produced service by service. */
	uint32_t		 rtype;		/* MSG_NONE: none */
	struct ctl_target	 target;
	unsigned int		 next;		/* position of the next one */
	int			 ifaces;	/* show all: interfaces now */
	unsigned int		 next_if;	/* position of the next */
	uint32_t		 sites_gen;	/* show sites: its report */
};
TAILQ_HEAD(ctl_conn_head, ctl_conn);

static struct event_base	*cbase;
static struct event		*listen_ev;
static struct event		*pause_ev;
static struct ctl_conn_head	 conns = TAILQ_HEAD_INITIALIZER(conns);
static unsigned int		 nconns;
static uint32_t			 last_id;
static uint64_t			 refused_logged;
static unsigned int		 refused;

static void	control_accept(int, short, void *);
static void	control_resume(int, short, void *);
static struct ctl_conn *conn_find(uint32_t);
static uint32_t	conn_next_id(void);
static unsigned int conns_of(uid_t);
static void	conn_new(int);
static void	conn_refuse(int, const char *);
static void	conn_close(struct ctl_conn *, const char *);
static void	conn_touch(struct ctl_conn *);
static void	conn_read(int, short, void *);
static void	conn_write(int, short, void *);
static void	conn_idle(int, short, void *);
static int	conn_busy(const struct ctl_conn *);
static int	conn_output(struct ctl_conn *);
static int	conn_request(struct ctl_conn *, struct msg *);
static int	request_check(struct ctl_conn *, struct msg *,
		    struct ctl_target *, const char **);
static int	conn_send(struct ctl_conn *, uint32_t, const void *, size_t);
static int	conn_result(struct ctl_conn *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));
static int	conn_end(struct ctl_conn *, int32_t);
static int	client_may_change(const struct ctl_conn *);
static struct eservice *target_find(const struct ctl_target *);
static struct eservice *service_at(unsigned int);
static int	target_match(const struct ctl_target *,
		    const struct eservice *);
static const char *command_name(uint32_t);
static int	reply_step(struct ctl_conn *);
static int	reply_site(struct ctl_conn *);
static void	fill_service(struct ctl_service *, struct eservice *,
		    uint64_t);
static void	fill_drift(struct ctl_service *, const struct eservice *,
		    uint64_t);
static struct eif *iface_at(unsigned int);
static int	send_iface(struct ctl_conn *, const struct eif *);
static int	send_heartbeats(struct ctl_conn *, const struct eservice *,
		    uint64_t);
static int	send_peers(struct ctl_conn *, const struct eservice *,
		    uint64_t);

void
control_init(struct event_base *base, int fd)
{
	if (listen_ev != NULL)
		fatalx("control socket passed twice");
	cbase = base;
	if ((listen_ev = event_new(base, fd, EV_READ | EV_PERSIST,
	    control_accept, NULL)) == NULL || event_add(listen_ev, NULL) == -1)
		fatalx("control: event_new");
	if ((pause_ev = evtimer_new(base, control_resume, NULL)) == NULL)
		fatalx("control: evtimer_new");
}

/*
 * Out of descriptors, the listening socket would stay readable and the
 * loop would spin: stop listening for a moment instead.
 */
static void
control_resume(int fd, short event, void *arg)
{
	if (event_add(listen_ev, NULL) == -1)
		fatalx("control: event_add");
}

static void
control_accept(int lfd, short event, void *arg)
{
	struct timeval	tv = { CONTROL_PAUSE_SEC, 0 };
	int		fd, i;

	for (i = 0; i < CONTROL_ACCEPT_BURST; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			switch (errno) {
			case EAGAIN:
			case EINTR:
			case ECONNABORTED:
				return;
			case EMFILE:
			case ENFILE:
			case ENOBUFS:
			case ENOMEM:
				log_warn("control: accept");
				if (event_del(listen_ev) == -1 ||
				    evtimer_add(pause_ev, &tv) == -1)
					fatalx("control: cannot pause");
				return;
			default:
				log_warn("control: accept");
				return;
			}
		}
		conn_new(fd);
	}
}

static struct ctl_conn *
conn_find(uint32_t id)
{
	struct ctl_conn	*c;

	TAILQ_FOREACH(c, &conns, entry)
		if (c->id == id)
			return (c);
	return (NULL);
}

/* Ids name clients to the parent: never 0, never one in use. */
static uint32_t
conn_next_id(void)
{
	do {
		if (++last_id == 0)
			last_id = 1;
	} while (conn_find(last_id) != NULL);
	return (last_id);
}

static unsigned int
conns_of(uid_t uid)
{
	struct ctl_conn	*c;
	unsigned int	 n = 0;

	TAILQ_FOREACH(c, &conns, entry)
		if (c->uid == uid)
			n++;
	return (n);
}

/*
 * A client is refused with a reason it can print, written straight into
 * the empty socket buffer of the new connection, so nothing is queued.
 */
static void
conn_refuse(int fd, const char *why)
{
	struct msgchan		 chan;
	struct ctl_result	 r;
	struct ctl_end		 e;
	uint64_t		 now = engine_now();

	refused++;
	if (refused_logged == 0 ||
	    now - refused_logged >= CONTROL_LOG_INTERVAL) {
		log_warnx("control: refused %u client%s: %s", refused,
		    refused == 1 ? "" : "s", why);
		refused_logged = now;
		refused = 0;
	}
	msgchan_init(&chan, fd);
	memset(&r, 0, sizeof(r));
	strlcpy(r.text, why, sizeof(r.text));
	memset(&e, 0, sizeof(e));
	e.status = 1;
	if (msgchan_compose(&chan, MSG_CTL_RESULT, 0, getpid(), -1, &r,
	    sizeof(r)) == 0 && msgchan_compose(&chan, MSG_CTL_END, 0, getpid(),
	    -1, &e, sizeof(e)) == 0)
		(void)msgchan_write(&chan);
	msgchan_clear(&chan);
	close(fd);
}

static void
conn_new(int fd)
{
	struct ctl_conn	*c;
	struct ucred	 cred;
	socklen_t	 len = sizeof(cred);
	unsigned int	 max;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1 ||
	    len != sizeof(cred)) {
		log_warn("control: SO_PEERCRED");
		close(fd);
		return;
	}
	/* Root keeps a way in however many others are connected. */
	max = CONTROL_CLIENTS_MAX - (cred.uid == 0 ? 0 : CONTROL_ROOT_RESERVE);
	if (nconns >= max) {
		conn_refuse(fd, "too many clients");
		return;
	}
	if (cred.uid != 0 && conns_of(cred.uid) >= CONTROL_PER_UID_MAX) {
		conn_refuse(fd, "too many clients of this user");
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("control");
		close(fd);
		return;
	}
	msgchan_init(&c->chan, fd);
	c->uid = cred.uid;
	c->pid = cred.pid;
	c->id = conn_next_id();
	if ((c->rev = event_new(cbase, fd, EV_READ | EV_PERSIST, conn_read,
	    c)) == NULL ||
	    (c->wev = event_new(cbase, fd, EV_WRITE, conn_write, c)) == NULL ||
	    (c->idle = evtimer_new(cbase, conn_idle, c)) == NULL ||
	    event_add(c->rev, NULL) == -1) {
		log_warnx("control: cannot watch a client");
		if (c->rev != NULL)
			event_free(c->rev);
		if (c->wev != NULL)
			event_free(c->wev);
		if (c->idle != NULL)
			event_free(c->idle);
		free(c);
		close(fd);
		return;
	}
	TAILQ_INSERT_TAIL(&conns, c, entry);
	nconns++;
	conn_touch(c);
	log_debug("control: client %u connected (uid %u, pid %d)", c->id,
	    (unsigned int)c->uid, (int)c->pid);
}

/* why: NULL for an orderly end, else what the client did wrong. */
static void
conn_close(struct ctl_conn *c, const char *why)
{
	if (why != NULL)
		log_warnx("control: closing client %u (uid %u, pid %d): %s",
		    c->id, (unsigned int)c->uid, (int)c->pid, why);
	else
		log_debug("control: client %u gone", c->id);
	TAILQ_REMOVE(&conns, c, entry);
	nconns--;
	event_free(c->rev);
	event_free(c->wev);
	event_free(c->idle);
	msgchan_clear(&c->chan);
	close(c->chan.fd);
	free(c);
}

/* A client that makes no progress, reading or writing, is let go. */
static void
conn_touch(struct ctl_conn *c)
{
	struct timeval	tv = { CONTROL_IDLE_SEC, 0 };

	if (evtimer_add(c->idle, &tv) == -1)
		fatalx("control: evtimer_add");
}

static void
conn_idle(int fd, short event, void *arg)
{
	struct ctl_conn	*c = arg;

	if (conn_busy(c) || c->chan.wqlen > 0)
		conn_close(c, c->reloading ? "reload unanswered" :
		    "does not read its reply");
	else {
		log_debug("control: client %u idle", c->id);
		conn_close(c, NULL);
	}
}

static int
conn_busy(const struct ctl_conn *c)
{
	return (c->rtype != MSG_NONE || c->reloading);
}

static void
conn_read(int fd, short event, void *arg)
{
	struct ctl_conn	*c = arg;
	struct msg	 m;
	ssize_t		 n;

	if ((n = msgchan_read(&c->chan)) == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		conn_close(c, errno == EBADMSG || errno == ENOBUFS ?
		    "bad frame" : strerror(errno));
		return;
	}
	if (n == 0) {
		/* A client may half-close and still read its reply. */
		c->eof = 1;
		if (event_del(c->rev) == -1)
			fatalx("control: event_del");
		if (!conn_busy(c) && c->chan.wqlen == 0)
			conn_close(c, NULL);
		return;
	}
	conn_touch(c);
	for (;;) {
		if ((n = msgchan_get(&c->chan, &m)) == -1) {
			conn_close(c, "bad frame");
			return;
		}
		if (n == 0)
			break;
		if (conn_request(c, &m) == -1)
			return;
	}
	(void)conn_output(c);
}

static void
conn_write(int fd, short event, void *arg)
{
	struct ctl_conn	*c = arg;

	/* Writable again: the client has read something. */
	conn_touch(c);
	(void)conn_output(c);
}

/*
 * Produce the reply in progress while the queue is short, and write what
 * the socket takes.  Returns -1 if the client was closed.
 */
static int
conn_output(struct ctl_conn *c)
{
	for (;;) {
		while (c->rtype != MSG_NONE &&
		    c->chan.wqlen < CONTROL_QUEUE_HIGH)
			if (reply_step(c) == -1)
				return (-1);
		if (c->chan.wqlen > CONTROL_QUEUE_MAX) {
			conn_close(c, "does not read its reply");
			return (-1);
		}
		switch (msgchan_write(&c->chan)) {
		case -1:
			conn_close(c, errno == EPIPE || errno == ECONNRESET ?
			    NULL : strerror(errno));
			return (-1);
		case 0:
			if (event_add(c->wev, NULL) == -1)
				fatalx("control: event_add");
			return (0);
		}
		if (c->rtype == MSG_NONE)
			break;
	}
	if (c->eof && !conn_busy(c)) {
		conn_close(c, NULL);
		return (-1);
	}
	return (0);
}

/* Returns -1 if the client was closed. */
static int
conn_send(struct ctl_conn *c, uint32_t type, const void *data, size_t len)
{
	if (msgchan_compose(&c->chan, type, c->id, getpid(), -1, data,
	    len) == -1) {
		conn_close(c, strerror(errno));
		return (-1);
	}
	return (0);
}

static int
conn_result(struct ctl_conn *c, const char *fmt, ...)
{
	struct ctl_result	r;
	va_list			ap;

	memset(&r, 0, sizeof(r));
	va_start(ap, fmt);
	/* A long name may cut the line short; it still ends in a NUL. */
	(void)vsnprintf(r.text, sizeof(r.text), fmt, ap);
	va_end(ap);
	return (conn_send(c, MSG_CTL_RESULT, &r, sizeof(r)));
}

static int
conn_end(struct ctl_conn *c, int32_t status)
{
	struct ctl_end	e;

	memset(&e, 0, sizeof(e));
	e.status = status;
	return (conn_send(c, MSG_CTL_END, &e, sizeof(e)));
}

/*
 * Who may change things.  Root for now; a configured control group is
 * to be checked here too.
 */
static int
client_may_change(const struct ctl_conn *c)
{
	return (c->uid == 0);
}

/*
 * By position rather than by pointer: a reload between two steps of a
 * reply may free services, and a position cannot dangle.
 */
static struct eservice *
service_at(unsigned int pos)
{
	struct eservice	*s;

	TAILQ_FOREACH(s, engine_services(), entry)
		if (pos-- == 0)
			return (s);
	return (NULL);
}

static int
target_match(const struct ctl_target *t, const struct eservice *s)
{
	switch (t->kind) {
	case CTL_SERVICE:
		return (strcmp(t->name, s->conf.name) == 0);
	case CTL_GROUP:
		return (strcmp(t->name, s->conf.group) == 0);
	}
	return (1);
}

/* The service named, the first member of the group named, or any. */
static struct eservice *
target_find(const struct ctl_target *t)
{
	struct eservice	*s;

	TAILQ_FOREACH(s, engine_services(), entry)
		if (target_match(t, s))
			return (s);
	return (NULL);
}

static const char *
command_name(uint32_t type)
{
	switch (type) {
	case MSG_CTL_SHOW:
		return ("show");
	case MSG_CTL_DEMOTE:
		return ("demote");
	case MSG_CTL_UNDEMOTE:
		return ("undemote");
	case MSG_CTL_PROMOTE:
		return ("promote");
	case MSG_CTL_RELOAD:
		return ("reload");
	case MSG_CTL_LOG:
		return ("log");
	case MSG_CTL_QUORUM:
		return ("show quorum");
	case MSG_CTL_SITES:
		return ("show sites");
	}
	return (NULL);
}

/*
 * One request.  A malformed one closes the client at once with nothing
 * further sent: it is not speaking this protocol.  Returns -1 if the
 * client was closed.
 */
/*
 * A request must be one a client may send, of its exact size, with a
 * well-formed target, and come only once the last reply was read:
 * anything else closes the connection.
 */
static int
request_check(struct ctl_conn *c, struct msg *m, struct ctl_target *t,
    const char **cmd)
{
	if (m->fd != -1) {
		close(m->fd);
		m->fd = -1;
		conn_close(c, "sent a descriptor");
		return (-1);
	}
	if ((*cmd = command_name(m->hdr.type)) == NULL) {
		conn_close(c, "sent a message a client may not send");
		return (-1);
	}
	if (msg_check_size(m) == -1) {
		conn_close(c, "sent a message of the wrong size");
		return (-1);
	}
	if (conn_busy(c)) {
		conn_close(c, "sent a request before reading the reply");
		return (-1);
	}
	memset(t, 0, sizeof(*t));
	if (m->datalen == sizeof(*t)) {
		memcpy(t, m->data, sizeof(*t));
		if (t->kind > CTL_GROUP ||
		    memchr(t->name, '\0', sizeof(t->name)) == NULL) {
			conn_close(c, "sent a malformed target");
			return (-1);
		}
	}
	return (0);
}

/*
 * One switch over the commands a client may send; each case is the
 * whole of that command, so they are read best side by side.
 */
static int
conn_request(struct ctl_conn *c, struct msg *m)
{
	struct ctl_target	 t;
	struct ctl_quorum	 cq;
	struct ctl_sites	 cs;
	struct eservice		*s;
	const char		*cmd;
	char			 why[STATE_REASON_MAX];
	uint32_t		 reasons;

	if (request_check(c, m, &t, &cmd) == -1)
		return (-1);
	/* Anyone may look; only those who may change things may act. */
	if (m->hdr.type != MSG_CTL_SHOW && m->hdr.type != MSG_CTL_QUORUM &&
	    m->hdr.type != MSG_CTL_SITES && !client_may_change(c)) {
		log_warnx("control: uid %u (pid %d) may not %s",
		    (unsigned int)c->uid, (int)c->pid, cmd);
		if (conn_result(c, "permission denied: %s needs root",
		    cmd) == -1)
			return (-1);
		return (conn_end(c, 1));
	}
	s = NULL;
	if (t.kind != CTL_ALL && m->hdr.type != MSG_CTL_RELOAD &&
	    m->hdr.type != MSG_CTL_LOG && m->hdr.type != MSG_CTL_QUORUM &&
	    m->hdr.type != MSG_CTL_SITES && (s = target_find(&t)) == NULL) {
		if (conn_result(c, "no such %s: %s", t.kind == CTL_GROUP ?
		    "group" : "service", t.name) == -1)
			return (-1);
		return (conn_end(c, 1));
	}

	switch (m->hdr.type) {
	case MSG_CTL_SHOW:
		break;
	case MSG_CTL_DEMOTE:
	case MSG_CTL_UNDEMOTE:
		if (m->hdr.type == MSG_CTL_UNDEMOTE)
			reasons = DEMOTE_OPERATOR | DEMOTE_PERSIST;
		else if (t.flags & CTL_F_PERSIST)
			reasons = DEMOTE_OPERATOR | DEMOTE_PERSIST;
		else
			reasons = DEMOTE_OPERATOR;
		log_info("control: %s %s%s%s by uid %u (pid %d)", cmd,
		    t.kind == CTL_GROUP ? "group " : "",
		    t.kind == CTL_ALL ? "all services" : t.name,
		    m->hdr.type == MSG_CTL_DEMOTE &&
		    (t.flags & CTL_F_PERSIST) ? ", persistent" : "",
		    (unsigned int)c->uid, (int)c->pid);
		TAILQ_FOREACH(s, engine_services(), entry) {
			if (!target_match(&t, s))
				continue;
			engine_demote(s, reasons,
			    m->hdr.type == MSG_CTL_DEMOTE);
			/* The operator vouches for the promote hook too. */
			if (m->hdr.type == MSG_CTL_UNDEMOTE)
				holddown_forget(s);
		}
		break;
	case MSG_CTL_PROMOTE:
		if (t.kind != CTL_SERVICE) {
			if (conn_result(c, "promote needs a service") == -1)
				return (-1);
			return (conn_end(c, 1));
		}
		log_info("control: promote %s by uid %u (pid %d)", t.name,
		    (unsigned int)c->uid, (int)c->pid);
		if (engine_promote(s, why, sizeof(why)) == -1) {
			if (conn_result(c, "%s: not promoted: %s",
			    s->conf.name, why) == -1)
				return (-1);
			return (conn_end(c, 1));
		}
		if (conn_result(c, "%s: promoted", s->conf.name) == -1)
			return (-1);
		return (conn_end(c, 0));
	case MSG_CTL_RELOAD:
		log_info("control: reload by uid %u (pid %d)",
		    (unsigned int)c->uid, (int)c->pid);
		/* The parent answers through control_reply(). */
		c->reloading = 1;
		engine_reload(c->id);
		return (0);
	case MSG_CTL_LOG:
		engine_verbose((t.flags & CTL_F_VERBOSE) ? 1 : 0);
		log_info("control: logging %s, by uid %u (pid %d)",
		    (t.flags & CTL_F_VERBOSE) ? "verbose" : "brief",
		    (unsigned int)c->uid, (int)c->pid);
		if (conn_result(c, "logging %s",
		    (t.flags & CTL_F_VERBOSE) ? "verbose" : "brief") == -1)
			return (-1);
		return (conn_end(c, 0));
	case MSG_CTL_QUORUM:
		/* The node's, not a service's: one state, whole. */
		if (t.kind != CTL_ALL) {
			if (conn_result(c, "show quorum takes no service or "
			    "group") == -1)
				return (-1);
			return (conn_end(c, 1));
		}
		engine_quorum_state(&cq);
		if (conn_send(c, MSG_CTL_QUORUM_STATE, &cq, sizeof(cq)) == -1)
			return (-1);
		return (conn_end(c, 0));
	case MSG_CTL_SITES:
		/* The node's too; the entities follow in steps. */
		if (t.kind != CTL_ALL) {
			if (conn_result(c, "show sites takes no service or "
			    "group") == -1)
				return (-1);
			return (conn_end(c, 1));
		}
		c->sites_gen = engine_sites_state(&cs);
		if (conn_send(c, MSG_CTL_SITES_STATE, &cs, sizeof(cs)) == -1)
			return (-1);
		break;
	}
	/*
	 * Show, demote and undemote answer service by service, show sites
	 * entity by entity.
	 */
	c->rtype = m->hdr.type;
	c->target = t;
	c->next = 0;
	c->ifaces = 0;
	c->next_if = 0;
	return (0);
}

/*
 * One service of the reply in progress; after the services of a show
 * of all, one interface.  Returns -1 if closed.
 */
static int
reply_step(struct ctl_conn *c)
{
	struct ctl_service	 cs;
	struct eservice		*s = NULL;
	struct eif		*eif;
	uint64_t		 now = engine_now();

	if (c->rtype == MSG_CTL_SITES)
		return (reply_site(c));
	if (!c->ifaces && (s = service_at(c->next++)) == NULL)
		c->ifaces = c->rtype == MSG_CTL_SHOW &&
		    c->target.kind == CTL_ALL;
	if (s == NULL && c->ifaces &&
	    (eif = iface_at(c->next_if++)) != NULL)
		return (send_iface(c, eif));
	if (s == NULL) {
		c->rtype = MSG_NONE;
		return (conn_end(c, 0));
	}
	if (!target_match(&c->target, s))
		return (0);
	switch (c->rtype) {
	case MSG_CTL_SHOW:
		fill_service(&cs, s, now);
		if (conn_send(c, MSG_CTL_SERVICE, &cs, sizeof(cs)) == -1)
			return (-1);
		if (!(c->target.flags & CTL_F_DETAIL))
			return (0);
		if (send_heartbeats(c, s, now) == -1)
			return (-1);
		return (send_peers(c, s, now));
	case MSG_CTL_DEMOTE:
		return (conn_result(c, "%s: demoted%s", s->conf.name,
		    (c->target.flags & CTL_F_PERSIST) ?
		    ", kept across restarts" : ""));
	case MSG_CTL_UNDEMOTE:
		return (conn_result(c, "%s: undemoted", s->conf.name));
	}
	fatalx("control: no reply for %s", msg_type_name(c->rtype));
}

/*
 * One entity of show sites.  A report that came since the reply began
 * would not match the sites the client was sent: it is told to ask
 * again rather than shown a mixture.
 */
static int
reply_site(struct ctl_conn *c)
{
	struct ctl_site_role	cr;
	struct ctl_sites	cs;

	if (engine_site_role(c->sites_gen, c->next, &cr) == 0) {
		c->next++;
		return (conn_send(c, MSG_CTL_SITE_ROLE, &cr, sizeof(cr)));
	}
	c->rtype = MSG_NONE;
	if (engine_sites_state(&cs) != c->sites_gen) {
		if (conn_result(c, "the sites report changed while it was "
		    "sent: ask again") == -1)
			return (-1);
		return (conn_end(c, 1));
	}
	return (conn_end(c, 0));
}

static void
fill_service(struct ctl_service *cs, struct eservice *s, uint64_t now)
{
	struct fsm_advert	fa;

	memset(cs, 0, sizeof(*cs));
	strlcpy(cs->name, s->conf.name, sizeof(cs->name));
	strlcpy(cs->ifname, s->conf.ifname, sizeof(cs->ifname));
	cs->vhid = s->conf.vhid;
	cs->state = s->fsm.state;
	cs->advbase = s->conf.advbase;
	cs->advskew = s->conf.advskew;
	fsm_advert(&s->fsm, &fa);
	cs->eff_advbase = fa.advbase;
	cs->eff_advskew = fa.advskew;
	cs->demote = fa.demote;
	cs->preempt = s->conf.preempt;
	cs->leaving = s->fsm.leaving != 0;
	cs->nvips = s->conf.nvips;
	cs->demote_reasons = s->demote_reasons;
	cs->vips_installed = s->vips_installed;
	if (s->since != 0 && now > s->since)
		cs->since_ms = (now - s->since) / 1000;
	if (s->fsm.state == CARP_MASTER && s->eif != NULL)
		cs->master = s->eif->self;
	else if (s->fsm.master.af != 0)
		cs->master = s->fsm.master;
	cs->sent = s->sent;
	cs->received = s->received;
	memcpy(cs->drops, s->drops, sizeof(cs->drops));
	memcpy(cs->vips, s->conf.vips,
	    s->conf.nvips * sizeof(s->conf.vips[0]));
	strlcpy(cs->group, s->conf.group, sizeof(cs->group));
	engine_demote_detail(s, cs->demote_detail, sizeof(cs->demote_detail));
	strlcpy(cs->last_hook, s->last_hook, sizeof(cs->last_hook));
	memcpy(cs->transitions, s->transitions, sizeof(cs->transitions));
	memcpy(cs->hooks, s->hooks, sizeof(cs->hooks));
	memcpy(cs->hook_failures, s->hook_failures,
	    sizeof(cs->hook_failures));
	cs->promote_failures = s->pfail_count;
	cs->holddown_ms = holddown_left_ms(s, now);
	handover_show(s, cs, now);
	cs->protocol = s->conf.protocol;
	cs->interval = s->conf.interval;
	fill_drift(cs, s, now);
}

/* Packed: the engine's free slots are holes, hafoctl wants a list. */
static void
fill_drift(struct ctl_service *cs, const struct eservice *s, uint64_t now)
{
	const struct edrift	*d;
	struct ctl_drift	*cd;
	size_t			 i;

	for (i = 0; i < SERVICE_DRIFT_MAX; i++) {
		d = &s->drift[i];
		if (d->peer.af == 0)
			continue;
		cd = &cs->drift[cs->ndrift++];
		cd->peer = d->peer;
		cd->what = d->what;
		cd->value = d->value;
		if (now > d->seen)
			cd->age_ms = (now - d->seen) / 1000;
	}
}

/* By position, as services are: a reload may add or free interfaces. */
static struct eif *
iface_at(unsigned int pos)
{
	struct eif	*eif;

	TAILQ_FOREACH(eif, engine_ifaces(), entry)
		if (pos-- == 0)
			return (eif);
	return (NULL);
}

static int
send_iface(struct ctl_conn *c, const struct eif *eif)
{
	struct ctl_iface	ci;

	memset(&ci, 0, sizeof(ci));
	strlcpy(ci.ifname, eif->ifname, sizeof(ci.ifname));
	ci.af = eif->af;
	ci.up = eif->up != 0;
	ci.unknown_vhid = eif->unknown_vhid;
	ci.unknown_src = eif->unknown_src;
	memcpy(ci.drops, eif->drops, sizeof(ci.drops));
	return (conn_send(c, MSG_CTL_IFACE, &ci, sizeof(ci)));
}

static int
send_heartbeats(struct ctl_conn *c, const struct eservice *s, uint64_t now)
{
	struct ctl_heartbeat	ch;
	int			i;

	for (i = 0; i < s->conf.nheartbeats; i++) {
		heartbeat_show(s, i, &ch, now);
		if (conn_send(c, MSG_CTL_HEARTBEAT, &ch, sizeof(ch)) == -1)
			return (-1);
	}
	return (0);
}

static int
send_peers(struct ctl_conn *c, const struct eservice *s, uint64_t now)
{
	struct ctl_peer		 cp;
	const struct epeer	*p;
	int			 i;

	for (i = 0; i < CTL_PEERS_MAX; i++) {
		p = &s->peers[i];
		if (p->addr.af == 0)
			continue;
		memset(&cp, 0, sizeof(cp));
		strlcpy(cp.service, s->conf.name, sizeof(cp.service));
		cp.addr = p->addr;
		cp.advbase = p->advbase;
		cp.advskew = p->advskew;
		cp.demote = p->demote;
		cp.base_ms = p->base_ms;
		if (now > p->seen)
			cp.last_seen_ms = (now - p->seen) / 1000;
		if (conn_send(c, MSG_CTL_PEER, &cp, sizeof(cp)) == -1)
			return (-1);
	}
	return (0);
}

/*
 * The parent's answer to a reload, for the client that asked: its lines,
 * then END.  -1 if that client is gone.
 */
int
control_reply(uint32_t id, uint32_t type, const void *data, size_t len)
{
	struct ctl_conn	*c;

	if ((c = conn_find(id)) == NULL || !c->reloading)
		return (-1);
	if (type == MSG_CTL_END)
		c->reloading = 0;
	if (conn_send(c, type, data, len) == -1)
		return (-1);
	return (conn_output(c));
}
