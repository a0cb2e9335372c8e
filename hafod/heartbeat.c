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
 * Application heartbeats, in the engine: the socket applications send
 * them to, and what each one late or renewed means for its service.  A
 * datagram names a heartbeat; it counts only from the heartbeat's user
 * or root, as the kernel vouches with SCM_CREDENTIALS.  A heartbeat not
 * renewed within its ttl demotes its service by its weight at the
 * engine's next deadline, and the next good datagram lifts it at once:
 * the arithmetic is demote.c's, through the service's weights.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "hafod.h"
#include "log.h"

/*
 * Datagrams read in one wake-up: a flood waits in the kernel's buffer,
 * whose size bounds the rest, while the CARP sockets and the timer,
 * first by priority, are served in between.
 */
#define HEARTBEAT_BATCH		64
#define HEARTBEAT_PRIORITY	2	/* of 3; the engine's events are 1 */
#define HEARTBEAT_LOG_INTERVAL	(10 * 1000000ULL)	/* usec */

static struct event	*hbev;
static uint64_t		 unknown;	/* names no service expects */
static uint64_t		 unknownlog;

static void	heartbeat_read(int, short, void *);
static void	heartbeat_weigh(struct eservice *, int, int);

void
heartbeat_init(struct event_base *base, int fd)
{
	if (hbev != NULL) {
		log_warnx("a second heartbeat socket: ignored");
		close(fd);
		return;
	}
	if ((hbev = event_new(base, fd, EV_READ | EV_PERSIST, heartbeat_read,
	    NULL)) == NULL ||
	    event_priority_set(hbev, HEARTBEAT_PRIORITY) == -1 ||
	    event_add(hbev, NULL) == -1)
		fatalx("heartbeat event");
}

/* Once a wake-up, so a log line costs a flood nothing more. */
static int
log_due(uint64_t *last, uint64_t now)
{
	if (*last != 0 && now - *last < HEARTBEAT_LOG_INTERVAL)
		return (0);
	*last = now;
	return (1);
}

/* Heartbeat i of s weighs, or no longer does. */
static void
heartbeat_weigh(struct eservice *s, int i, int update)
{
	const struct heartbeat_conf	*hc = &s->conf.heartbeats[i];
	struct msg_weight		 mw;

	memset(&mw, 0, sizeof(mw));
	mw.service = s->conf.id;
	mw.index = WEIGHT_HEARTBEAT + i;
	mw.on = s->hbs[i].failed;
	mw.weight = hc->weight;
	snprintf(mw.name, sizeof(mw.name), "heartbeat %s", hc->name);
	if (update)
		engine_weigh(s, &mw);
	else
		weight_set(s, &mw);
}

/*
 * A service new to the engine: none of its heartbeats has been heard,
 * so each weighs until the first, and a node whose application has not
 * started cannot win.  The caller computes the demotion.
 */
void
heartbeat_start(struct eservice *s)
{
	int	i;

	memset(s->hbs, 0, sizeof(s->hbs));
	for (i = 0; i < s->conf.nheartbeats; i++) {
		s->hbs[i].failed = 1;
		heartbeat_weigh(s, i, 0);
		log_info("%s: heartbeat %s: none yet, demoted by %u until "
		    "the first", s->conf.name, s->conf.heartbeats[i].name,
		    s->conf.heartbeats[i].weight);
	}
}

/*
 * Reload, the same service: a heartbeat whose name stays keeps what was
 * heard of it and takes its new ttl, weight and user; a new one is
 * failed until heard.  Then the weights follow.
 */
void
heartbeat_reconf(struct eservice *s, const struct service_conf *conf,
    uint64_t now)
{
	struct eheartbeat	 hbs[SERVICE_HEARTBEATS_MAX];
	struct eheartbeat	*h;
	struct msg_weight	 mw;
	int			 i, j;

	memset(hbs, 0, sizeof(hbs));
	for (j = 0; j < conf->nheartbeats; j++) {
		h = &hbs[j];
		h->failed = 1;
		for (i = 0; i < s->conf.nheartbeats; i++)
			if (strcmp(s->conf.heartbeats[i].name,
			    conf->heartbeats[j].name) == 0)
				*h = s->hbs[i];
		if (!h->failed)
			h->deadline = h->last + conf->heartbeats[j].ttl *
			    1000ULL;
	}
	memset(&mw, 0, sizeof(mw));
	mw.service = s->conf.id;
	for (i = 0; i < s->conf.nheartbeats; i++) {
		mw.index = WEIGHT_HEARTBEAT + i;
		weight_set(s, &mw);
	}
	memcpy(s->hbs, hbs, sizeof(s->hbs));
	s->conf.nheartbeats = conf->nheartbeats;
	memcpy(s->conf.heartbeats, conf->heartbeats,
	    sizeof(s->conf.heartbeats));
	for (i = 0; i < s->conf.nheartbeats; i++)
		heartbeat_weigh(s, i, 0);
	engine_weigh(s, NULL);
	heartbeat_due(s, now);
}

/* The earliest ttl to run out of s; 0: none. */
uint64_t
heartbeat_deadline(const struct eservice *s)
{
	uint64_t	min = 0;
	int		i;

	if (s->retired)
		return (0);
	for (i = 0; i < s->conf.nheartbeats; i++)
		if (!s->hbs[i].failed && (min == 0 ||
		    s->hbs[i].deadline < min))
			min = s->hbs[i].deadline;
	return (min);
}

/* Heartbeats whose ttl ran out: demoted at once. */
void
heartbeat_due(struct eservice *s, uint64_t now)
{
	struct eheartbeat	*h;
	int			 i;

	for (i = 0; i < s->conf.nheartbeats; i++) {
		h = &s->hbs[i];
		if (h->failed || h->deadline > now)
			continue;
		h->failed = 1;
		log_info("%s: heartbeat %s late (ttl %u ms, last %llu ms "
		    "ago): demoting by %u", s->conf.name,
		    s->conf.heartbeats[i].name, s->conf.heartbeats[i].ttl,
		    (unsigned long long)(now - h->last) / 1000,
		    s->conf.heartbeats[i].weight);
		heartbeat_weigh(s, i, 1);
	}
}

static void
heartbeat_renew(struct eservice *s, int i, uint64_t now)
{
	struct eheartbeat	*h = &s->hbs[i];

	h->last = now;
	h->deadline = now + s->conf.heartbeats[i].ttl * 1000ULL;
	h->received++;
	if (!h->failed)
		return;
	h->failed = 0;
	log_info("%s: heartbeat %s heard: lifted", s->conf.name,
	    s->conf.heartbeats[i].name);
	heartbeat_weigh(s, i, 1);
}

static void
heartbeat_refuse(struct eservice *s, int i, uint32_t uid, pid_t pid,
    uint64_t now)
{
	struct eheartbeat	*h = &s->hbs[i];

	h->refused++;
	if (log_due(&h->refusedlog, now))
		log_warnx("%s: heartbeat %s from uid %u (pid %d) refused: "
		    "only uid %u or root may send it (%llu refused)",
		    s->conf.name, s->conf.heartbeats[i].name, uid, (int)pid,
		    s->conf.heartbeats[i].uid,
		    (unsigned long long)h->refused);
}

/* One datagram: the name, perhaps a newline, and who sent it. */
static void
heartbeat_input(const char *buf, size_t len, const struct ucred *cred,
    uint64_t now)
{
	struct eservice	*s;
	char		 name[HEARTBEAT_NAME_MAX];
	int		 i, known = 0;

	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len == 0 || len >= sizeof(name) || memchr(buf, '\0', len) !=
	    NULL)
		goto unknown;
	memcpy(name, buf, len);
	name[len] = '\0';
	TAILQ_FOREACH(s, engine_services(), entry)
		for (i = 0; i < s->conf.nheartbeats; i++) {
			if (strcmp(s->conf.heartbeats[i].name, name) != 0)
				continue;
			known = 1;
			if (cred != NULL && (cred->uid == 0 ||
			    cred->uid == s->conf.heartbeats[i].uid))
				heartbeat_renew(s, i, now);
			else
				heartbeat_refuse(s, i, cred != NULL ?
				    cred->uid : (uint32_t)-1, cred != NULL ?
				    cred->pid : -1, now);
		}
	if (known)
		return;
 unknown:
	unknown++;
	if (log_due(&unknownlog, now))
		log_warnx("heartbeat: %zu bytes from pid %d name no heartbeat "
		    "configured (%llu so far)", len, cred != NULL ?
		    (int)cred->pid : -1, (unsigned long long)unknown);
}

static void
heartbeat_read(int fd, short event, void *arg)
{
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	struct ucred	 cred, *cp;
	union {
		struct cmsghdr	hdr;
		uint8_t		buf[CMSG_SPACE(sizeof(struct ucred))];
	}		 cmsg;
	char		 buf[HEARTBEAT_NAME_MAX + 1];
	ssize_t		 n;
	int		 budget;

	for (budget = HEARTBEAT_BATCH; budget > 0; budget--) {
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cmsg.buf;
		msg.msg_controllen = sizeof(cmsg.buf);
		if ((n = recvmsg(fd, &msg, MSG_DONTWAIT)) == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("heartbeat: recvmsg");
			return;
		}
		cp = NULL;
		for (cm = CMSG_FIRSTHDR(&msg); cm != NULL;
		    cm = CMSG_NXTHDR(&msg, cm))
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SCM_CREDENTIALS &&
			    cm->cmsg_len == CMSG_LEN(sizeof(cred))) {
				memcpy(&cred, CMSG_DATA(cm), sizeof(cred));
				cp = &cred;
			}
		/* Too long for any name: no name at all. */
		if (msg.msg_flags & MSG_TRUNC)
			n = sizeof(buf);
		heartbeat_input(buf, n, cp, engine_now());
	}
}

/* For hafoctl show service: heartbeat i of s. */
void
heartbeat_show(const struct eservice *s, int i, struct ctl_heartbeat *ch,
    uint64_t now)
{
	const struct eheartbeat	*h = &s->hbs[i];

	memset(ch, 0, sizeof(*ch));
	strlcpy(ch->service, s->conf.name, sizeof(ch->service));
	strlcpy(ch->name, s->conf.heartbeats[i].name, sizeof(ch->name));
	ch->ttl = s->conf.heartbeats[i].ttl;
	ch->uid = s->conf.heartbeats[i].uid;
	ch->weight = s->conf.heartbeats[i].weight;
	ch->failed = h->failed;
	ch->seen = h->last != 0;
	if (h->last != 0 && now > h->last)
		ch->age_ms = (now - h->last) / 1000;
	ch->received = h->received;
	ch->refused = h->refused;
}
