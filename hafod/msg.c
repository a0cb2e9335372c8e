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
#include <unistd.h>

#include "hafod.h"

/* A stuck peer must not make us queue without bound. */
#define MSG_QUEUE_MAX	10000

_Static_assert(sizeof(struct msg_hdr) == MSG_HEADER_SIZE, "msg_hdr size");
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
};

static void	msg_dequeue(struct msgchan *, struct msgbuf_out *);
static ssize_t	msg_send(int, struct msgbuf_out *);
static int	msg_last_frame(const struct msgchan *, size_t *, size_t *);

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
 * queueing fails, so that no caller has a path that leaks it.
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
	hdr.type = type;
	hdr.len = MSG_HEADER_SIZE + len;
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
 * One frame per sendmsg(2), its descriptor on its first byte: the
 * receiver gives a descriptor to the last frame begun in the read that
 * brought it, so no later frame may share the write that carries one.
 */
static ssize_t
msg_send(int s, struct msgbuf_out *ob)
{
	struct msghdr	 mh;
	struct iovec	 iov;
	struct cmsghdr	*cmsg;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = ob->buf + ob->off;
	iov.iov_len = ob->len - ob->off;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (ob->fd != -1) {
		memset(&cmsgbuf, 0, sizeof(cmsgbuf));
		mh.msg_control = cmsgbuf.buf;
		mh.msg_controllen = sizeof(cmsgbuf.buf);
		cmsg = CMSG_FIRSTHDR(&mh);
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(cmsg), &ob->fd, sizeof(int));
	}
	return (sendmsg(s, &mh, MSG_NOSIGNAL));
}

int
msgchan_write(struct msgchan *chan)
{
	struct msgbuf_out	*ob;
	ssize_t			 n;

	while ((ob = TAILQ_FIRST(&chan->wq)) != NULL) {
		if ((n = msg_send(chan->fd, ob)) == -1) {
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
		ob->off += n;
		if (ob->off == ob->len)
			msg_dequeue(chan, ob);
	}
	return (1);
}

int
msgchan_flush(struct msgchan *chan)
{
	struct pollfd	pfd;
	int		rv;

	pfd.fd = chan->fd;
	pfd.events = POLLOUT;
	while ((rv = msgchan_write(chan)) == 0)
		if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
			return (-1);
	return (rv == 1 ? 0 : -1);
}

/*
 * The offset of the last frame begun in the read buffer and its length,
 * or 0 while its header is incomplete.  Frames leave the buffer whole,
 * so it starts with a header.
 */
static int
msg_last_frame(const struct msgchan *chan, size_t *off, size_t *len)
{
	struct msg_hdr	hdr;

	for (*off = 0;; *off += hdr.len) {
		if (chan->rlen - *off < MSG_HEADER_SIZE) {
			*len = 0;
			return (0);
		}
		memcpy(&hdr, chan->rbuf + *off, sizeof(hdr));
		if (hdr.len < MSG_HEADER_SIZE || hdr.len > MSG_MAX_SIZE) {
			errno = EBADMSG;
			return (-1);
		}
		if (chan->rlen - *off <= hdr.len) {
			*len = hdr.len;
			return (0);
		}
	}
}

/*
 * Linux ends a stream read right after the data that carried
 * descriptors, and the sender writes a frame with a descriptor on its
 * own from its first byte: so the descriptor belongs to the last frame
 * begun in that read.  Until that frame is taken, nothing past its end
 * is read, which leaves at most one descriptor pending and lets
 * msgchan_get() recognise its frame as the one ending the buffer.
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
	size_t		 room, off, len, oldlen, i;
	ssize_t		 n;
	int		 fd, keep = -1, nfds = 0;

	room = sizeof(chan->rbuf) - chan->rlen;
	if (chan->nrfds > 0) {
		if (msg_last_frame(chan, &off, &len) == -1)
			return (-1);
		room = off + (len > 0 ? len : MSG_HEADER_SIZE) - chan->rlen;
	}
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
		for (i = 0; i < (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(fd);
		    i++) {
			memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(fd),
			    sizeof(fd));
			if (nfds++ == 0)
				keep = fd;
			else
				close(fd);
		}
	}

	oldlen = chan->rlen;
	chan->rlen += n;
	if (nfds == 0 && (mh.msg_flags & MSG_CTRUNC) == 0)
		return (n);
	if (nfds == 1 && (mh.msg_flags & MSG_CTRUNC) == 0 &&
	    chan->nrfds == 0 && msg_last_frame(chan, &off, &len) == 0 &&
	    off >= oldlen) {
		chan->rfds[chan->nrfds++] = keep;
		return (n);
	}
	if (keep != -1)
		close(keep);
	errno = EBADMSG;
	return (-1);
}

ssize_t
msgchan_get(struct msgchan *chan, struct msg *msg)
{
	struct msg_hdr	hdr;

	if (chan->rlen < MSG_HEADER_SIZE)
		return (0);
	memcpy(&hdr, chan->rbuf, sizeof(hdr));
	if (hdr.len < MSG_HEADER_SIZE || hdr.len > MSG_MAX_SIZE) {
		errno = EBADMSG;
		return (-1);
	}
	if (hdr.len > chan->rlen)
		return (0);

	msg->hdr = hdr;
	msg->datalen = hdr.len - MSG_HEADER_SIZE;
	memcpy(msg->data, chan->rbuf + MSG_HEADER_SIZE, msg->datalen);
	msg->fd = -1;
	if (chan->nrfds > 0 && hdr.len == chan->rlen)
		msg->fd = chan->rfds[--chan->nrfds];
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

const char *
msg_type_name(uint32_t type)
{
	if (type >= MSG_MAX || msg_types[type].name == NULL)
		return ("unknown");
	return (msg_types[type].name);
}
