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
 * The parent's side of the quorum process (quorum.c): it forks it when
 * the configuration asks for quorum, checks every word it says before
 * the engine hears it, tells the engine "not quorate" whenever it is not
 * there to speak, and starts another a second after each death.  With
 * sites, it carries psites.c's word to the quorum process's CPG client
 * (cpg.c) and cpg.c's reports back, checked, to psites.c.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <event2/event.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hafod.h"
#include "log.h"
#include "parent.h"
#include "sites.h"

#define QUORUM_RESTART		1	/* seconds until a new quorum process */
#define QUORUM_STOP_WAIT	100	/* its 10 ms to go after SIGTERM */

/*
 * What the quorum process needs is kept from the start: a reload does not
 * change it (reload.c says so), and getpwnam()'s answer would not last
 * until a restart.
 */
static int			 quorum_on;
static int			 quorum_debug;
static uint8_t			 quorum_policy;
static struct passwd		 quorum_pw;
static char			 quorum_user[LOGIN_NAME_MAX];
static pid_t			 quorum_pid = -1;
static struct msgchan		 qchan;
static struct event		*qchanev;
static struct event		*qchanwev;	/* armed while frames wait */
static struct event		*qrestart_ev;

/*
 * Where the quorum process is in a report: MSG_SITES, then as many
 * MSG_SITE_ROLE as it announced, then MSG_SITES_END.
 */
static int			 report_open;
static uint32_t			 report_roles;
static uint8_t			 report_nsites;

/* The engine's word on quorum, from the parent itself: not quorate. */
static void
quorum_down(const char *why)
{
	struct msg_quorum	q;

	memset(&q, 0, sizeof(q));
	q.link = QUORUM_DOWN;
	q.policy = quorum_policy;
	strlcpy(q.reason, why, sizeof(q.reason));
	parent_send(MSG_QUORUM, 0, -1, &q, sizeof(q));
	notify_quorate(0);
	psites_quorum(&q);
}

static void
quorum_close(void)
{
	if (qchanev == NULL)
		return;
	event_free(qchanev);
	event_free(qchanwev);
	qchanev = qchanwev = NULL;
	report_open = 0;
	msgchan_clear(&qchan);
	close(qchan.fd);
}

/* A quorum process that breaks the protocol is not listened to again. */
static void
quorum_bad(const char *what)
{
	log_warnx("%s from quorum process: killing it", what);
	quorum_close();
	if (quorum_pid != -1)
		kill(quorum_pid, SIGKILL);
}

/*
 * What the quorum process says goes to the engine, checked: a known
 * link, quorate only in contact, counts within bounds, strings ended.
 * The policy is the configuration's, not the quorum process's to say.
 */
static int
quorum_relay(struct msg_quorum *q)
{
	if (q->link != QUORUM_DOWN && q->link != QUORUM_UP &&
	    q->link != QUORUM_REFUSED)
		return (-1);
	if (q->nnodes > QUORUM_MEMBERS_MAX)
		return (-1);
	q->quorate = q->link == QUORUM_UP && q->quorate != 0;
	q->policy = quorum_policy;
	q->reason[sizeof(q->reason) - 1] = '\0';
	q->qdevice_name[sizeof(q->qdevice_name) - 1] = '\0';
	parent_send(MSG_QUORUM, 0, -1, q, sizeof(*q));
	notify_quorate(q->quorate);
	psites_quorum(q);
	return (0);
}

/*
 * A report of the CPG client's, checked before psites.c reads it: the
 * order of its parts, every index below the number of sites (or none),
 * every count in bounds, every string ended, every flag 0 or 1.
 */
static int
sites_relay(const struct msg *m)
{
	const struct msg_sites		*s;
	const struct msg_site_role	*r;

	switch (m->hdr.type) {
	case MSG_SITES:
		s = (const struct msg_sites *)m->data;
		if (report_open || s->link == QUORUM_OFF ||
		    s->link == QUORUM_REFUSED ||
		    s->nroles > SITES_ENTITIES_MAX || msg_sites_check(s) == -1)
			return (-1);
		report_open = 1;
		report_roles = s->nroles;
		report_nsites = s->nsites;
		break;
	case MSG_SITE_ROLE:
		r = (const struct msg_site_role *)m->data;
		if (!report_open || report_roles == 0 ||
		    msg_site_role_check(r, report_nsites) == -1 ||
		    (r->grant && r->release))
			return (-1);
		report_roles--;
		break;
	case MSG_SITES_END:
		if (!report_open || report_roles != 0)
			return (-1);
		report_open = 0;
		break;
	default:
		return (-1);
	}
	psites_report(m->hdr.type, m->data, m->datalen);
	return (0);
}

static void
quorum_write(int fd, short event, void *arg)
{
	if (msgev_write(&qchan, qchanwev) == -1) {
		if (errno != EPIPE && errno != ECONNRESET)
			log_warn("write to quorum process");
		quorum_close();
	}
}

/*
 * psites.c's word for the quorum process: MSG_SITE_LOCAL or
 * MSG_SITE_COMMIT.  -1: no quorum process to hear it now; psites.c
 * says it all again when a new one is up (psites_connected()).
 */
int
quorum_send_site(enum msg_type type, const void *data, size_t len)
{
	if (qchanev == NULL)
		return (-1);
	if ((type != MSG_SITE_LOCAL || len != sizeof(struct msg_site_local)) &&
	    (type != MSG_SITE_COMMIT ||
	    len != sizeof(struct msg_site_commit)))
		fatalx("quorum_send_site: %s of %zu bytes",
		    msg_type_name(type), len);
	if (msgchan_compose(&qchan, type, 0, getpid(), -1, data, len) == -1) {
		if (errno == ENOBUFS)
			quorum_bad("not reading");
		else
			log_warn("quorum process: msgchan_compose");
		return (-1);
	}
	quorum_write(qchan.fd, EV_WRITE, NULL);
	return (qchanev == NULL ? -1 : 0);
}

static void
quorum_dispatch(int fd, short event, void *arg)
{
	struct msg		m;
	struct msg_quorum	q;
	ssize_t			n;

	if ((n = msgchan_read(&qchan)) == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		if (errno != ECONNRESET)
			log_warn("read from quorum process");
		quorum_close();
		return;
	}
	/* It exits: quorum_reap() says how. */
	if (n == 0) {
		quorum_close();
		return;
	}
	for (;;) {
		if ((n = msgchan_get(&qchan, &m)) == -1) {
			quorum_bad("broken message");
			return;
		}
		if (n == 0)
			break;
		if (msg_check_size(&m) == -1 || m.fd != -1) {
			quorum_bad("bad message");
			return;
		}
		if (m.hdr.type != MSG_QUORUM) {
			if (sites_relay(&m) == -1) {
				quorum_bad("bad sites message");
				return;
			}
			/* psites.c may have found it broken. */
			if (qchanev == NULL)
				return;
			continue;
		}
		memcpy(&q, m.data, sizeof(q));
		if (quorum_relay(&q) == -1) {
			quorum_bad("bad quorum message");
			return;
		}
	}
}

/* Fork the quorum process; at start, and a second after each death. */
static void
quorum_fork(int unused, short event, void *arg)
{
	struct timeval	tv = { QUORUM_RESTART, 0 };
	int		fds[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0,
	    fds) == -1) {
		log_warn("quorum process: socketpair");
		evtimer_add(qrestart_ev, &tv);
		return;
	}
	switch (quorum_pid = fork()) {
	case -1:
		log_warn("quorum process: fork");
		close(fds[0]);
		close(fds[1]);
		evtimer_add(qrestart_ev, &tv);
		return;
	case 0:
		close(fds[0]);
		quorum_main(fds[1], &quorum_pw, quorum_debug);
	}
	close(fds[1]);
	msgchan_init(&qchan, fds[0]);
	if ((qchanev = event_new(parent_base(), fds[0], EV_READ | EV_PERSIST,
	    quorum_dispatch, NULL)) == NULL || event_add(qchanev, NULL) == -1 ||
	    (qchanwev = event_new(parent_base(), fds[0], EV_WRITE | EV_PERSIST,
	    quorum_write, NULL)) == NULL)
		fatalx("event_new");
	report_open = 0;
	log_debug("quorum process is pid %ld", (long)quorum_pid);
	psites_connected();
}

/*
 * From SIGCHLD.  Each death is one line, and the engine hears at once
 * that it is not quorate until the new process says otherwise.
 */
void
quorum_reap(int shutting_down)
{
	struct timeval	tv = { QUORUM_RESTART, 0 };
	int		status;

	if (quorum_pid == -1 || waitpid(quorum_pid, &status, WNOHANG) !=
	    quorum_pid)
		return;
	quorum_pid = -1;
	quorum_close();
	if (WIFSIGNALED(status))
		log_warnx("quorum process died: killed by signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		log_warnx("quorum process died: exited with status %d",
		    WEXITSTATUS(status));
	if (shutting_down)
		return;
	quorum_down("quorum process not running");
	evtimer_add(qrestart_ev, &tv);
}

/* At exit: SIGTERM, a moment to go, then SIGKILL; reaped either way. */
void
quorum_stop(void)
{
	struct timespec	ts = { 0, 10000000 };
	int		i;

	if (quorum_pid == -1)
		return;
	kill(quorum_pid, SIGTERM);
	for (i = 0; i < QUORUM_STOP_WAIT; i++) {
		if (waitpid(quorum_pid, NULL, WNOHANG) == quorum_pid) {
			quorum_pid = -1;
			return;
		}
		nanosleep(&ts, NULL);
	}
	kill(quorum_pid, SIGKILL);
	(void)waitpid(quorum_pid, NULL, 0);
	quorum_pid = -1;
}

/* Only with "quorum" configured: until it speaks, not quorate. */
void
quorum_init(const struct config *conf, const struct passwd *pw, int debug)
{
	if (!conf->quorum)
		return;
	quorum_on = 1;
	quorum_debug = debug;
	quorum_policy = conf->quorum_policy;
	strlcpy(quorum_user, pw->pw_name, sizeof(quorum_user));
	quorum_pw.pw_name = quorum_user;
	quorum_pw.pw_uid = pw->pw_uid;
	quorum_pw.pw_gid = pw->pw_gid;
	if ((qrestart_ev = evtimer_new(parent_base(), quorum_fork,
	    NULL)) == NULL)
		fatalx("evtimer_new");
	quorum_down("quorum process not running");
}

void
quorum_start(void)
{
	if (quorum_on)
		quorum_fork(-1, 0, NULL);
}
