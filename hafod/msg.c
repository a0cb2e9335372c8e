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

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hafod.h"

/* A stuck peer must not make us queue without bound. */
#define MSG_QUEUE_MAX	10000
/* Frames gathered into one sendmsg(2) when the queue has backed up. */
#define MSG_IOV_MAX	64

_Static_assert(sizeof(struct msg_hdr) == MSG_HEADER_SIZE, "msg_hdr size");
_Static_assert(MSG_MAX_SIZE <= UINT16_MAX, "frame length fits in msg_hdr");
_Static_assert(sizeof(struct ctl_quorum) <= MSG_MAX_SIZE - MSG_HEADER_SIZE,
    "ctl_quorum does not fit in a message");
_Static_assert(sizeof(struct service_conf) <= MSG_MAX_SIZE - MSG_HEADER_SIZE,
    "service_conf does not fit in a message");

struct msgbuf_out {
	TAILQ_ENTRY(msgbuf_out)	 entry;
	int			 fd;	/* -1 once it has gone */
	size_t			 len;
	size_t			 off;	/* bytes already written */
	uint8_t			 buf[];
};

/* The exact payload of every type, and whether a descriptor comes with it. */
static const struct {
	const char	*name;
	size_t		 size;
	int		 fd;
} msg_types[MSG_MAX] = {
	[MSG_CONF_SERVICE] = { "conf-service", sizeof(struct service_conf), 0 },
	[MSG_CONF_END] = { "conf-end", 0, 0 },
	[MSG_SOCKET] = { "socket", sizeof(struct msg_socket), 1 },
	[MSG_LINK] = { "link", sizeof(struct msg_link), 0 },
	[MSG_SHUTDOWN] = { "shutdown", 0, 0 },
	[MSG_STATE] = { "state", sizeof(struct msg_state), 0 },
	[MSG_SHUTDOWN_DONE] = { "shutdown-done", 0, 0 },
	[MSG_VIP_FAILED] = { "vip-failed", sizeof(struct msg_vip_failed), 0 },
	[MSG_ANNOUNCE] = { "announce", sizeof(uint32_t), 0 },
	[MSG_VIP_STATUS] = { "vip-status", sizeof(struct msg_vip_status), 0 },
	[MSG_CONTROL] = { "control", 0, 1 },
	[MSG_RELOAD] = { "reload", 0, 0 },
	[MSG_RELOAD_RESULT] = { "reload-result", sizeof(struct ctl_result), 0 },
	[MSG_RELOAD_END] = { "reload-end", sizeof(struct ctl_end), 0 },
	[MSG_VERBOSE] = { "verbose", sizeof(int32_t), 0 },
	[MSG_PERSIST] = { "persist", sizeof(struct msg_persist), 0 },
	[MSG_WEIGHT] = { "weight", sizeof(struct msg_weight), 0 },
	[MSG_HOOK_RESULT] = { "hook-result", sizeof(struct msg_hook_result),
	    0 },
	[MSG_QUORUM] = { "quorum", sizeof(struct msg_quorum), 0 },
	[MSG_WATCHDOG] = { "watchdog", sizeof(uint32_t), 0 },
	[MSG_ALIVE] = { "alive", 0, 0 },
	[MSG_HEARTBEAT] = { "heartbeat", 0, 1 },
	[MSG_HOOK_RUN] = { "hook-run", sizeof(struct msg_hook_run), 0 },
	[MSG_SITE_LOCAL] = { "site-local", sizeof(struct msg_site_local), 0 },
	[MSG_SITE_COMMIT] = { "site-commit", sizeof(struct msg_site_commit),
	    0 },
	[MSG_SITES] = { "sites", sizeof(struct msg_sites), 0 },
	[MSG_SITE_ROLE] = { "site-role", sizeof(struct msg_site_role), 0 },
	[MSG_SITES_END] = { "sites-end", 0, 0 },
	[MSG_CTL_SHOW] = { "ctl-show", sizeof(struct ctl_target), 0 },
	[MSG_CTL_DEMOTE] = { "ctl-demote", sizeof(struct ctl_target), 0 },
	[MSG_CTL_UNDEMOTE] = { "ctl-undemote", sizeof(struct ctl_target), 0 },
	[MSG_CTL_PROMOTE] = { "ctl-promote", sizeof(struct ctl_target), 0 },
	[MSG_CTL_RELOAD] = { "ctl-reload", 0, 0 },
	[MSG_CTL_LOG] = { "ctl-log", sizeof(struct ctl_target), 0 },
	[MSG_CTL_SERVICE] = { "ctl-service", sizeof(struct ctl_service), 0 },
	[MSG_CTL_PEER] = { "ctl-peer", sizeof(struct ctl_peer), 0 },
	[MSG_CTL_RESULT] = { "ctl-result", sizeof(struct ctl_result), 0 },
	[MSG_CTL_END] = { "ctl-end", sizeof(struct ctl_end), 0 },
	[MSG_CTL_QUORUM] = { "ctl-quorum", sizeof(struct ctl_target), 0 },
	[MSG_CTL_QUORUM_STATE] = { "ctl-quorum-state",
	    sizeof(struct ctl_quorum), 0 },
	[MSG_CTL_IFACE] = { "ctl-iface", sizeof(struct ctl_iface), 0 },
	[MSG_CTL_HEARTBEAT] = { "ctl-heartbeat",
	    sizeof(struct ctl_heartbeat), 0 },
	[MSG_LOG] = { "log", sizeof(struct msg_log), 0 },
	[MSG_QUIET] = { "quiet", sizeof(uint32_t), 0 },
	[MSG_CTL_SITES] = { "ctl-sites", sizeof(struct ctl_target), 0 },
	[MSG_CTL_SITES_STATE] = { "ctl-sites-state", sizeof(struct ctl_sites),
	    0 },
	[MSG_CTL_SITE_ROLE] = { "ctl-site-role",
	    sizeof(struct ctl_site_role), 0 },
};

static void	msg_dequeue(struct msgchan *, struct msgbuf_out *);
static ssize_t	msg_send(struct msgchan *);
static int	msg_hdr_get(const uint8_t *, struct msg_hdr *);
static void	msg_fds_owed(const struct msgchan *, int *, int *);

void
msgchan_init(struct msgchan *chan, int fd)
{
	chan->fd = fd;
	chan->rlen = 0;
	chan->nrfds = 0;
	TAILQ_INIT(&chan->wq);
	chan->wqlen = 0;
}

void
msgchan_clear(struct msgchan *chan)
{
	struct msgbuf_out	*ob;

	while ((ob = TAILQ_FIRST(&chan->wq)) != NULL)
		msg_dequeue(chan, ob);
	while (chan->nrfds > 0)
		close(chan->rfds[--chan->nrfds]);
	chan->rlen = 0;
}

static void
msg_dequeue(struct msgchan *chan, struct msgbuf_out *ob)
{
	TAILQ_REMOVE(&chan->wq, ob, entry);
	chan->wqlen--;
	if (ob->fd != -1)
		close(ob->fd);
	free(ob);
}

/*
 * The descriptor belongs to the message layer from here on, even when
 * queueing fails, so that no caller has a path that leaks it.  Nothing
 * is written here: msgchan_write() does that when the socket takes it.
 */
int
msgchan_compose(struct msgchan *chan, uint32_t type, uint32_t peerid,
    pid_t pid, int fd, const void *data, size_t len)
{
	struct msgbuf_out	*ob;
	struct msg_hdr		 hdr;
	int			 saved_errno;

	if (len > MSG_MAX_SIZE - MSG_HEADER_SIZE) {
		errno = EMSGSIZE;
		goto fail;
	}
	if (chan->wqlen >= MSG_QUEUE_MAX) {
		errno = ENOBUFS;
		goto fail;
	}
	if ((ob = malloc(sizeof(*ob) + MSG_HEADER_SIZE + len)) == NULL)
		goto fail;
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.len = MSG_HEADER_SIZE + len;
	hdr.flags = fd != -1 ? MSG_F_FD : 0;
	hdr.peerid = peerid;
	hdr.pid = pid;
	memcpy(ob->buf, &hdr, sizeof(hdr));
	if (len > 0)
		memcpy(ob->buf + MSG_HEADER_SIZE, data, len);
	ob->fd = fd;
	ob->len = hdr.len;
	ob->off = 0;
	TAILQ_INSERT_TAIL(&chan->wq, ob, entry);
	chan->wqlen++;
	return (0);

 fail:
	if (fd != -1) {
		saved_errno = errno;
		close(fd);
		errno = saved_errno;
	}
	return (-1);
}

/*
 * As many queued frames as one sendmsg(2) takes, but a frame with a
 * descriptor always begins a write, with the descriptor on its first
 * byte: Linux hands a descriptor to the read that takes the first byte
 * of the data it came with, so it never reaches the receiver before the
 * frame that is flagged for it (see msgchan_read()).
 */
static ssize_t
msg_send(struct msgchan *chan)
{
	struct msghdr		 mh;
	struct iovec		 iov[MSG_IOV_MAX];
	struct cmsghdr		*cmsg;
	struct msgbuf_out	*first, *ob;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;
	int			 n = 0;

	first = TAILQ_FIRST(&chan->wq);
	TAILQ_FOREACH(ob, &chan->wq, entry) {
		if (n == MSG_IOV_MAX || (ob != first && ob->fd != -1))
			break;
		iov[n].iov_base = ob->buf + ob->off;
		iov[n].iov_len = ob->len - ob->off;
		n++;
	}
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = n;
	if (first->fd != -1) {
		memset(&cmsgbuf, 0, sizeof(cmsgbuf));
		mh.msg_control = cmsgbuf.buf;
		mh.msg_controllen = sizeof(cmsgbuf.buf);
		cmsg = CMSG_FIRSTHDR(&mh);
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(cmsg), &first->fd, sizeof(int));
	}
	return (sendmsg(chan->fd, &mh, MSG_NOSIGNAL));
}

/*
 * Write what the socket takes without waiting: 1 when the queue is
 * empty, 0 when the socket is full and frames remain (write again when
 * it is writable), -1 on error.
 */
int
msgchan_write(struct msgchan *chan)
{
	struct msgbuf_out	*ob;
	ssize_t			 n;
	size_t			 left;

	while ((ob = TAILQ_FIRST(&chan->wq)) != NULL) {
		if ((n = msg_send(chan)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return (0);
			return (-1);
		}
		/* The descriptor went with the first byte written. */
		if (ob->fd != -1) {
			close(ob->fd);
			ob->fd = -1;
		}
		while (n > 0 && (ob = TAILQ_FIRST(&chan->wq)) != NULL) {
			left = ob->len - ob->off;
			if ((size_t)n < left) {
				ob->off += n;
				break;
			}
			n -= left;
			msg_dequeue(chan, ob);
		}
	}
	return (1);
}

/*
 * Write the whole queue, waiting for the socket up to timeout ms (-1:
 * without limit); ETIMEDOUT if it did not take everything in time.
 * Only for a process that has nothing else to do: hafoctl, or the
 * engine's last words before it exits.
 */
int
msgchan_flush(struct msgchan *chan, int timeout)
{
	struct pollfd	pfd;
	struct timespec	start, now;
	long long	left = timeout;
	int		rv;

	if (clock_gettime(CLOCK_MONOTONIC, &start) == -1)
		return (-1);
	pfd.fd = chan->fd;
	pfd.events = POLLOUT;
	while ((rv = msgchan_write(chan)) == 0) {
		if (timeout >= 0) {
			if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
				return (-1);
			left = timeout - ((now.tv_sec - start.tv_sec) * 1000LL +
			    (now.tv_nsec - start.tv_nsec) / 1000000);
			if (left <= 0) {
				errno = ETIMEDOUT;
				return (-1);
			}
		}
		if (poll(&pfd, 1, (int)left) == -1 && errno != EINTR)
			return (-1);
	}
	return (rv == 1 ? 0 : -1);
}

/* The header at p, if it is one: -1 (EBADMSG) for a bad length or flag. */
static int
msg_hdr_get(const uint8_t *p, struct msg_hdr *hdr)
{
	memcpy(hdr, p, sizeof(*hdr));
	if (hdr->len < MSG_HEADER_SIZE || hdr->len > MSG_MAX_SIZE ||
	    (hdr->flags & ~MSG_F_FD) != 0) {
		errno = EBADMSG;
		return (-1);
	}
	return (0);
}

/*
 * How many descriptors the frames in the read buffer must own: one for
 * each flagged frame; and may own: one more for a last frame whose
 * header has not arrived whole, as it may yet say so.  Frames leave the
 * buffer whole, so it starts with a header.  The count stops at a bad
 * header, which msgchan_get() refuses when it comes to it.
 */
static void
msg_fds_owed(const struct msgchan *chan, int *must, int *may)
{
	struct msg_hdr	hdr;
	size_t		off;

	*must = *may = 0;
	for (off = 0; off < chan->rlen; off += hdr.len) {
		if (chan->rlen - off < MSG_HEADER_SIZE) {
			(*may)++;
			break;
		}
		if (msg_hdr_get(chan->rbuf + off, &hdr) == -1)
			break;
		if (hdr.flags & MSG_F_FD)
			(*must)++;
	}
	*may += *must;
}

/*
 * Descriptors wait in the order they came and each is taken by the next
 * frame flagged for one (msgchan_get()).  A descriptor comes with the
 * first byte of its frame (msg_send()) and Linux hands it to the read
 * that takes that byte, so after every read the descriptors waiting
 * must match the flagged frames begun in the buffer exactly: one fewer
 * is a flag without a descriptor, one more a descriptor without a flag.
 * Either is a protocol error, found before any frame of that read is
 * taken, and the descriptors are closed with the broken stream.
 */
ssize_t
msgchan_read(struct msgchan *chan)
{
	struct msghdr	 mh;
	struct iovec	 iov;
	struct cmsghdr	*cmsg;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(chan->rfds))];
	} cmsgbuf;
	size_t		 room, i, nfds;
	ssize_t		 n;
	int		 fd, must, may, bad = 0;

	room = sizeof(chan->rbuf) - chan->rlen;
	if (room == 0) {
		errno = ENOBUFS;
		return (-1);
	}

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = chan->rbuf + chan->rlen;
	iov.iov_len = room;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cmsgbuf.buf;
	mh.msg_controllen = sizeof(cmsgbuf.buf);
	do {
		n = recvmsg(chan->fd, &mh, MSG_CMSG_CLOEXEC);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return (-1);

	for (cmsg = CMSG_FIRSTHDR(&mh); cmsg != NULL;
	    cmsg = CMSG_NXTHDR(&mh, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		nfds = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(fd);
		for (i = 0; i < nfds; i++) {
			memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(fd),
			    sizeof(fd));
			if (chan->nrfds < MSG_FDS_MAX)
				chan->rfds[chan->nrfds++] = fd;
			else {
				close(fd);
				bad = 1;
			}
		}
	}
	chan->rlen += n;
	if (mh.msg_flags & MSG_CTRUNC)
		bad = 1;
	msg_fds_owed(chan, &must, &may);
	if (chan->nrfds < must || chan->nrfds > may)
		bad = 1;
	if (bad) {
		/* The stream is broken: no frame can own these any more. */
		while (chan->nrfds > 0)
			close(chan->rfds[--chan->nrfds]);
		errno = EBADMSG;
		return (-1);
	}
	return (n);
}

ssize_t
msgchan_get(struct msgchan *chan, struct msg *msg)
{
	struct msg_hdr	hdr;

	if (chan->rlen < MSG_HEADER_SIZE)
		return (0);
	if (msg_hdr_get(chan->rbuf, &hdr) == -1)
		return (-1);
	if (hdr.len > chan->rlen)
		return (0);
	if ((hdr.flags & MSG_F_FD) && chan->nrfds == 0) {
		errno = EBADMSG;
		return (-1);
	}

	msg->hdr = hdr;
	msg->datalen = hdr.len - MSG_HEADER_SIZE;
	memcpy(msg->data, chan->rbuf + MSG_HEADER_SIZE, msg->datalen);
	msg->fd = -1;
	if (hdr.flags & MSG_F_FD) {
		msg->fd = chan->rfds[0];
		chan->nrfds--;
		memmove(chan->rfds, chan->rfds + 1,
		    chan->nrfds * sizeof(chan->rfds[0]));
	}
	chan->rlen -= hdr.len;
	memmove(chan->rbuf, chan->rbuf + hdr.len, chan->rlen);
	return (hdr.len);
}

int
msg_check_size(const struct msg *msg)
{
	uint32_t	type = msg->hdr.type;

	if (type >= MSG_MAX || msg_types[type].name == NULL ||
	    msg->datalen != msg_types[type].size ||
	    (msg_types[type].fd ? msg->fd == -1 : msg->fd != -1)) {
		errno = EBADMSG;
		return (-1);
	}
	return (0);
}

/* A string that ends within its array, and is not empty. */
static int
msg_string(const char *s, size_t len)
{
	return (s[0] != '\0' && memchr(s, '\0', len) != NULL);
}

/*
 * A sites report beyond its size, as every process that receives one
 * checks it (the parent from the quorum process, the engine from the
 * parent, hafoctl from the engine): what the receivers print or index
 * by is within bounds and ends.  0 if it is well formed.
 */
int
msg_sites_check(const struct msg_sites *s)
{
	int	i, j;

	if (s->link > QUORUM_REFUSED || s->synced > 1 ||
	    s->nsites > SITES_MAX || s->nmembers > QUORUM_MEMBERS_MAX ||
	    (s->mysite >= s->nsites && s->mysite != SITE_NONE) ||
	    memchr(s->reason, '\0', sizeof(s->reason)) == NULL)
		return (-1);
	for (i = 0; i < s->nsites; i++) {
		if (!msg_string(s->sites[i], sizeof(s->sites[i])))
			return (-1);
		for (j = 0; j < i; j++)
			if (strcmp(s->sites[i], s->sites[j]) == 0)
				return (-1);
	}
	for (i = 0; i < s->nmembers; i++)
		if ((s->members[i].site >= s->nsites &&
		    s->members[i].site != SITE_NONE) ||
		    s->members[i].quorate > 1 || s->members[i].synced > 1 ||
		    !msg_string(s->members[i].name,
		    sizeof(s->members[i].name)))
			return (-1);
	return (0);
}

/* An entity of a report whose table has nsites sites. */
int
msg_site_role_check(const struct msg_site_role *r, uint8_t nsites)
{
	int	i;

	if (!msg_string(r->name, sizeof(r->name)) ||
	    r->kind > SITE_KIND_GROUP ||
	    (r->controller >= nsites && r->controller != SITE_NONE) ||
	    (r->target >= nsites && r->target != SITE_NONE) ||
	    r->grant > 1 || r->release > 1 || nsites > SITES_MAX)
		return (-1);
	for (i = nsites; i < SITES_MAX; i++)
		if (r->masters[i] != 0)
			return (-1);
	return (0);
}

const char *
msg_type_name(uint32_t type)
{
	if (type >= MSG_MAX || msg_types[type].name == NULL)
		return ("unknown");
	return (msg_types[type].name);
}
