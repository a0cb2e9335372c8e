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
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <atf-c.h>

#include "hafod.h"

#define PAYLOAD_MAX	(MSG_MAX_SIZE - MSG_HEADER_SIZE)

/*
 * What every type must carry, written out here rather than taken from
 * msg.c, so that a wrong entry in its table fails a test.
 */
static const struct {
	uint32_t	 type;
	const char	*name;
	size_t		 size;
	int		 fd;
} types[] = {
	{ MSG_CONF_SERVICE, "conf-service", sizeof(struct service_conf), 0 },
	{ MSG_CONF_END, "conf-end", 0, 0 },
	{ MSG_SOCKET, "socket", sizeof(struct msg_socket), 1 },
	{ MSG_LINK, "link", sizeof(struct msg_link), 0 },
	{ MSG_SHUTDOWN, "shutdown", 0, 0 },
	{ MSG_STATE, "state", sizeof(struct msg_state), 0 },
	{ MSG_SHUTDOWN_DONE, "shutdown-done", 0, 0 },
	{ MSG_VIP_FAILED, "vip-failed", sizeof(struct msg_vip_failed), 0 },
	{ MSG_QUORUM, "quorum", sizeof(struct msg_quorum), 0 },
	{ MSG_WATCHDOG, "watchdog", sizeof(uint32_t), 0 },
	{ MSG_ALIVE, "alive", 0, 0 },
	{ MSG_CTL_QUORUM, "ctl-quorum", sizeof(struct ctl_target), 0 },
	{ MSG_CTL_QUORUM_STATE, "ctl-quorum-state", sizeof(struct ctl_quorum),
	    0 },
};
#define NTYPES	(sizeof(types) / sizeof(types[0]))

/* Big: keep them off the stack of the test bodies. */
static struct msgchan	wchan, rchan;
static struct msg	msg;

static void
pattern(uint8_t *p, size_t len, unsigned int seed)
{
	size_t	i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 31 + i * 7);
}

/* Two channels on a non-blocking socketpair, as the daemon has them. */
static void
pair(int sv[2])
{
	ATF_REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	    sv) == 0);
	msgchan_init(&wchan, sv[0]);
	msgchan_init(&rchan, sv[1]);
}

static void
unpair(int sv[2])
{
	msgchan_clear(&wchan);
	msgchan_clear(&rchan);
	close(sv[0]);
	close(sv[1]);
}

/* The next frame, reading as the event loop would. */
static ssize_t
next(void)
{
	ssize_t	n;

	while ((n = msgchan_get(&rchan, &msg)) == 0)
		ATF_REQUIRE(msgchan_read(&rchan) > 0);
	return (n);
}

static int
isopen(int fd)
{
	return (fcntl(fd, F_GETFD) != -1);
}

static int
nopen(void)
{
	int	fd, n = 0;

	for (fd = 0; fd < 1024; fd++)
		n += isopen(fd);
	return (n);
}

static void
hdrf(uint8_t *p, uint32_t type, uint16_t len, uint16_t flags, uint32_t peerid)
{
	struct msg_hdr	h;

	h.type = type;
	h.len = len;
	h.flags = flags;
	h.peerid = peerid;
	h.pid = 4242;
	memcpy(p, &h, sizeof(h));
}

static void
hdr(uint8_t *p, uint32_t type, uint16_t len, uint32_t peerid)
{
	hdrf(p, type, len, 0, peerid);
}

/* Raw bytes onto the socket, optionally with descriptors. */
static void
sendraw(int s, uint8_t *p, size_t len, const int *fds, int nfds)
{
	struct msghdr	 mh;
	struct iovec	 iov;
	struct cmsghdr	*cmsg;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE((MSG_FDS_MAX + 1) * sizeof(int))];
	} cmsgbuf;

	ATF_REQUIRE(nfds <= MSG_FDS_MAX + 1);
	memset(&mh, 0, sizeof(mh));
	memset(&cmsgbuf, 0, sizeof(cmsgbuf));
	iov.iov_base = p;
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfds > 0) {
		mh.msg_control = cmsgbuf.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cmsg = CMSG_FIRSTHDR(&mh);
		cmsg->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(cmsg), fds, nfds * sizeof(int));
	}
	ATF_REQUIRE_EQ(sendmsg(s, &mh, 0), (ssize_t)len);
}

/* Write through a received pipe end; the bytes must reach the other. */
static void
check_pipe(int wfd, int rfd, const char *word)
{
	char	buf[32];

	ATF_REQUIRE_EQ(write(wfd, word, strlen(word)), (ssize_t)strlen(word));
	ATF_REQUIRE_EQ(read(rfd, buf, sizeof(buf)), (ssize_t)strlen(word));
	ATF_REQUIRE(memcmp(buf, word, strlen(word)) == 0);
}

ATF_TC_WITHOUT_HEAD(roundtrip);
ATF_TC_BODY(roundtrip, tc)
{
	uint8_t		data[PAYLOAD_MAX];
	size_t		i;
	int		sv[2], fd;

	pair(sv);
	for (i = 0; i < NTYPES; i++) {
		pattern(data, types[i].size, i);
		fd = types[i].fd ? open("/dev/null", O_RDONLY) : -1;
		ATF_REQUIRE(!types[i].fd || fd != -1);
		ATF_REQUIRE(msgchan_compose(&wchan, types[i].type, 100 + i,
		    7000 + i, fd, data, types[i].size) == 0);
		ATF_REQUIRE_EQ(wchan.wqlen, 1);
		ATF_REQUIRE(msgchan_flush(&wchan, -1) == 0);
		ATF_REQUIRE_EQ(wchan.wqlen, 0);

		ATF_REQUIRE_EQ(next(), (ssize_t)(MSG_HEADER_SIZE +
		    types[i].size));
		ATF_REQUIRE_EQ(msg.hdr.type, types[i].type);
		ATF_REQUIRE_EQ(msg.hdr.len, MSG_HEADER_SIZE + types[i].size);
		ATF_REQUIRE_EQ(msg.hdr.peerid, 100 + i);
		ATF_REQUIRE_EQ(msg.hdr.pid, 7000 + i);
		ATF_REQUIRE_EQ(msg.datalen, types[i].size);
		ATF_REQUIRE(memcmp(msg.data, data, types[i].size) == 0);
		ATF_REQUIRE_EQ(msg.fd != -1, types[i].fd);
		ATF_REQUIRE_EQ(msg_check_size(&msg), 0);
		ATF_REQUIRE_STREQ(msg_type_name(types[i].type),
		    types[i].name);
		if (msg.fd != -1)
			close(msg.fd);
		ATF_REQUIRE_EQ(msgchan_get(&rchan, &msg), 0);
	}
	unpair(sv);
}

ATF_TC_WITHOUT_HEAD(maxsize);
ATF_TC_BODY(maxsize, tc)
{
	uint8_t		data[PAYLOAD_MAX + 1];
	int		sv[2], fd;

	pair(sv);
	pattern(data, sizeof(data), 9);
	ATF_REQUIRE(msgchan_compose(&wchan, MSG_STATE, 1, 1, -1, data,
	    PAYLOAD_MAX) == 0);
	ATF_REQUIRE(msgchan_flush(&wchan, -1) == 0);
	ATF_REQUIRE_EQ(next(), MSG_MAX_SIZE);
	ATF_REQUIRE_EQ(msg.datalen, PAYLOAD_MAX);
	ATF_REQUIRE(memcmp(msg.data, data, PAYLOAD_MAX) == 0);

	/* Too big: refused, and the descriptor is not leaked. */
	ATF_REQUIRE((fd = open("/dev/null", O_RDONLY)) != -1);
	ATF_REQUIRE_ERRNO(EMSGSIZE, msgchan_compose(&wchan, MSG_SOCKET, 1,
	    1, fd, data, PAYLOAD_MAX + 1) == -1);
	ATF_REQUIRE(!isopen(fd));
	ATF_REQUIRE_EQ(wchan.wqlen, 0);
	unpair(sv);
}

ATF_TC_WITHOUT_HEAD(several_in_one_read);
ATF_TC_BODY(several_in_one_read, tc)
{
	struct msg_state	st;
	uint32_t		i;
	int			sv[2];

	pair(sv);
	for (i = 0; i < 20; i++) {
		memset(&st, 0, sizeof(st));
		st.service = i;
		ATF_REQUIRE(msgchan_compose(&wchan, MSG_STATE, i, 1, -1, &st,
		    sizeof(st)) == 0);
	}
	ATF_REQUIRE(msgchan_flush(&wchan, -1) == 0);
	ATF_REQUIRE_EQ(msgchan_read(&rchan),
	    (ssize_t)(20 * (MSG_HEADER_SIZE + sizeof(st))));
	for (i = 0; i < 20; i++) {
		ATF_REQUIRE_EQ(msgchan_get(&rchan, &msg),
		    (ssize_t)(MSG_HEADER_SIZE + sizeof(st)));
		ATF_REQUIRE_EQ(msg.hdr.peerid, i);
		memcpy(&st, msg.data, sizeof(st));
		ATF_REQUIRE_EQ(st.service, i);
		ATF_REQUIRE_EQ(msg.fd, -1);
	}
	ATF_REQUIRE_EQ(msgchan_get(&rchan, &msg), 0);
	ATF_REQUIRE_ERRNO(EAGAIN, msgchan_read(&rchan) == -1);
	unpair(sv);
}

ATF_TC_WITHOUT_HEAD(split_bytewise);
ATF_TC_BODY(split_bytewise, tc)
{
	uint8_t		frame[MSG_HEADER_SIZE + sizeof(struct msg_link)];
	size_t		i;
	int		sv[2];

	pair(sv);
	hdr(frame, MSG_LINK, sizeof(frame), 77);
	pattern(frame + MSG_HEADER_SIZE, sizeof(frame) - MSG_HEADER_SIZE, 3);
	for (i = 0; i < sizeof(frame); i++) {
		ATF_REQUIRE_EQ(msgchan_get(&rchan, &msg), 0);
		ATF_REQUIRE_EQ(write(sv[0], frame + i, 1), 1);
		ATF_REQUIRE_EQ(msgchan_read(&rchan), 1);
	}
	ATF_REQUIRE_EQ(msgchan_get(&rchan, &msg), (ssize_t)sizeof(frame));
	ATF_REQUIRE_EQ(msg.hdr.type, MSG_LINK);
	ATF_REQUIRE_EQ(msg.hdr.peerid, 77);
	ATF_REQUIRE_EQ(msg.hdr.pid, 4242);
	ATF_REQUIRE(memcmp(msg.data, frame + MSG_HEADER_SIZE,
	    msg.datalen) == 0);
	ATF_REQUIRE_EQ(msg_check_size(&msg), 0);
	ATF_REQUIRE_EQ(msgchan_get(&rchan, &msg), 0);
	unpair(sv);
}

ATF_TC_WITHOUT_HEAD(truncated_pending);
ATF_TC_BODY(truncated_pending, tc)
{
	uint8_t		two[2 * (MSG_HEADER_SIZE + sizeof(struct msg_state))];
	size_t		flen = MSG_HEADER_SIZE + sizeof(struct msg_state);
	int		sv[2];

	pair(sv);
	hdr(two, MSG_STATE, flen, 1);
	pattern(two + MSG_HEADER_SIZE, flen - MSG_HEADER_SIZE, 1);
	hdr(two + flen, MSG_STATE, flen, 2);
	pattern(two + flen + MSG_HEADER_SIZE, flen - MSG_HEADER_SIZE, 2);

	/* The header and a part of the payload: nothing to take yet. */
	ATF_REQUIRE_EQ(write(sv[0], two, flen - 10), (ssize_t)flen - 10);
	ATF_REQUIRE_EQ(msgchan_read(&rchan), (ssize_t)flen - 10);
	ATF_REQUIRE_EQ(msgchan_get(&rchan, &msg), 0);
	ATF_REQUIRE_EQ(msgchan_get(&rchan, &msg), 0);
	ATF_REQUIRE_EQ(rchan.rlen, flen - 10);
	ATF_REQUIRE_ERRNO(EAGAIN, msgchan_read(&rchan) == -1);

	/* The rest and all of the next one arrive together. */
	ATF_REQUIRE_EQ(write(sv[0], two + flen - 10, flen + 10),
	    (ssize_t)flen + 10);
	ATF_REQUIRE_EQ(msgchan_read(&rchan), (ssize_t)flen + 10);
	ATF_REQUIRE_EQ(msgchan_get(&rchan, &msg), (ssize_t)flen);
	ATF_REQUIRE_EQ(msg.hdr.peerid, 1);
	ATF_REQUIRE(memcmp(msg.data, two + MSG_HEADER_SIZE, msg.datalen) == 0);
	ATF_REQUIRE_EQ(msgchan_get(&rchan, &msg), (ssize_t)flen);
	ATF_REQUIRE_EQ(msg.hdr.peerid, 2);
	ATF_REQUIRE(memcmp(msg.data, two + flen + MSG_HEADER_SIZE,
	    msg.datalen) == 0);
	ATF_REQUIRE_EQ(msgchan_get(&rchan, &msg), 0);
	unpair(sv);
}

/* A lone header with the given len; expect what get says of it. */
static void
check_len(uint16_t len, ssize_t expect)
{
	uint8_t		frame[MSG_HEADER_SIZE];
	int		sv[2];

	pair(sv);
	hdr(frame, MSG_STATE, len, 1);
	ATF_REQUIRE_EQ(write(sv[0], frame, sizeof(frame)),
	    (ssize_t)sizeof(frame));
	ATF_REQUIRE_EQ(msgchan_read(&rchan), (ssize_t)sizeof(frame));
	if (expect == -1)
		ATF_REQUIRE_ERRNO(EBADMSG, msgchan_get(&rchan, &msg) == -1);
	else
		ATF_REQUIRE_EQ(msgchan_get(&rchan, &msg), expect);
	unpair(sv);
}

ATF_TC_WITHOUT_HEAD(len_too_big);
ATF_TC_BODY(len_too_big, tc)
{
	check_len(MSG_MAX_SIZE + 1, -1);
	check_len(UINT16_MAX, -1);
	check_len(MSG_MAX_SIZE, 0);	/* valid, the rest still to come */
}

ATF_TC_WITHOUT_HEAD(len_too_small);
ATF_TC_BODY(len_too_small, tc)
{
	check_len(0, -1);
	check_len(MSG_HEADER_SIZE - 1, -1);
	check_len(MSG_HEADER_SIZE, MSG_HEADER_SIZE);
}

ATF_TC_WITHOUT_HEAD(check_size);
ATF_TC_BODY(check_size, tc)
{
	size_t		i;
	uint32_t	bad[] = { MSG_NONE, MSG_MAX, MSG_MAX + 1, UINT32_MAX };

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&msg, 0, sizeof(msg));
		msg.hdr.type = bad[i];
		msg.fd = -1;
		ATF_REQUIRE_ERRNO(EBADMSG, msg_check_size(&msg) == -1);
		msg.fd = 0;
		ATF_REQUIRE_ERRNO(EBADMSG, msg_check_size(&msg) == -1);
		ATF_REQUIRE_STREQ(msg_type_name(bad[i]), "unknown");
	}
	for (i = 0; i < NTYPES; i++) {
		msg.hdr.type = types[i].type;
		msg.fd = types[i].fd ? 0 : -1;
		msg.datalen = types[i].size;
		ATF_REQUIRE_EQ(msg_check_size(&msg), 0);
		msg.datalen = types[i].size + 1;
		ATF_REQUIRE_ERRNO(EBADMSG, msg_check_size(&msg) == -1);
		if (types[i].size > 0) {
			msg.datalen = types[i].size - 1;
			ATF_REQUIRE_ERRNO(EBADMSG, msg_check_size(&msg) == -1);
		}
		msg.datalen = PAYLOAD_MAX;
		ATF_REQUIRE_ERRNO(EBADMSG, msg_check_size(&msg) == -1);

		/* Right size, but a descriptor where none belongs or none. */
		msg.datalen = types[i].size;
		msg.fd = types[i].fd ? -1 : 0;
		ATF_REQUIRE_ERRNO(EBADMSG, msg_check_size(&msg) == -1);
	}
}

ATF_TC_WITHOUT_HEAD(fd_passing);
ATF_TC_BODY(fd_passing, tc)
{
	struct msg_socket	ms;
	char			c;
	int			sv[2], p[2];

	pair(sv);
	ATF_REQUIRE(pipe2(p, O_NONBLOCK) == 0);
	memset(&ms, 0, sizeof(ms));
	ms.ifindex = 3;
	strlcpy(ms.ifname, "eth9", sizeof(ms.ifname));
	ATF_REQUIRE(msgchan_compose(&wchan, MSG_SOCKET, 0, 0, p[1], &ms,
	    sizeof(ms)) == 0);
	ATF_REQUIRE(isopen(p[1]));
	ATF_REQUIRE(msgchan_flush(&wchan, -1) == 0);
	ATF_REQUIRE(!isopen(p[1]));	/* ours is gone once sent */

	ATF_REQUIRE(next() > 0);
	ATF_REQUIRE(msg.fd != -1);
	ATF_REQUIRE(fcntl(msg.fd, F_GETFD) & FD_CLOEXEC);
	ATF_REQUIRE_EQ(msg_check_size(&msg), 0);
	memcpy(&ms, msg.data, sizeof(ms));
	ATF_REQUIRE_EQ(ms.ifindex, 3);
	ATF_REQUIRE_STREQ(ms.ifname, "eth9");
	check_pipe(msg.fd, p[0], "through the channel");

	/* The received end was the last writer: now the pipe is done. */
	close(msg.fd);
	ATF_REQUIRE_EQ(read(p[0], &c, 1), 0);
	close(p[0]);
	unpair(sv);
}

/* Each descriptor comes out with its own frame, not a neighbour. */
ATF_TC_WITHOUT_HEAD(fd_placement);
ATF_TC_BODY(fd_placement, tc)
{
	struct msg_socket	ms;
	struct msg_state	st;
	int			sv[2], p1[2], p2[2], fd1, fd2;

	pair(sv);
	ATF_REQUIRE(pipe2(p1, O_NONBLOCK) == 0 && pipe2(p2, O_NONBLOCK) == 0);
	memset(&ms, 0, sizeof(ms));
	memset(&st, 0, sizeof(st));
	ATF_REQUIRE(msgchan_compose(&wchan, MSG_STATE, 1, 0, -1, &st,
	    sizeof(st)) == 0);
	ATF_REQUIRE(msgchan_compose(&wchan, MSG_SOCKET, 2, 0, p1[1], &ms,
	    sizeof(ms)) == 0);
	ATF_REQUIRE(msgchan_compose(&wchan, MSG_SOCKET, 3, 0, p2[1], &ms,
	    sizeof(ms)) == 0);
	ATF_REQUIRE(msgchan_compose(&wchan, MSG_STATE, 4, 0, -1, &st,
	    sizeof(st)) == 0);
	ATF_REQUIRE(msgchan_compose(&wchan, MSG_CONF_END, 5, 0, -1, NULL,
	    0) == 0);
	ATF_REQUIRE(msgchan_flush(&wchan, -1) == 0);

	ATF_REQUIRE(next() > 0);
	ATF_REQUIRE_EQ(msg.hdr.peerid, 1);
	ATF_REQUIRE_EQ(msg.fd, -1);
	ATF_REQUIRE(next() > 0);
	ATF_REQUIRE_EQ(msg.hdr.peerid, 2);
	ATF_REQUIRE((fd1 = msg.fd) != -1);
	ATF_REQUIRE(next() > 0);
	ATF_REQUIRE_EQ(msg.hdr.peerid, 3);
	ATF_REQUIRE((fd2 = msg.fd) != -1);
	ATF_REQUIRE(next() > 0);
	ATF_REQUIRE_EQ(msg.hdr.peerid, 4);
	ATF_REQUIRE_EQ(msg.fd, -1);
	ATF_REQUIRE(next() > 0);
	ATF_REQUIRE_EQ(msg.hdr.peerid, 5);
	ATF_REQUIRE_EQ(msg.fd, -1);

	check_pipe(fd1, p1[0], "first");
	check_pipe(fd2, p2[0], "second");
	close(fd1);
	close(fd2);
	close(p1[0]);
	close(p2[0]);
	unpair(sv);
}

/*
 * The buffer fills in the middle of a frame with a descriptor: it must
 * still go to that frame, not to the one read after it.
 */
ATF_TC_WITHOUT_HEAD(fd_partial);
ATF_TC_BODY(fd_partial, tc)
{
	uint8_t			data[PAYLOAD_MAX];
	struct msg_socket	ms;
	size_t			fill;
	int			sv[2], p[2];

	pair(sv);
	ATF_REQUIRE(pipe2(p, O_NONBLOCK) == 0);
	memset(&ms, 0, sizeof(ms));
	pattern(data, sizeof(data), 5);
	fill = sizeof(rchan.rbuf) - MSG_MAX_SIZE - 20 - MSG_HEADER_SIZE;
	ATF_REQUIRE(msgchan_compose(&wchan, MSG_STATE, 1, 0, -1, data,
	    PAYLOAD_MAX) == 0);
	ATF_REQUIRE(msgchan_compose(&wchan, MSG_STATE, 2, 0, -1, data,
	    fill) == 0);
	ATF_REQUIRE(msgchan_compose(&wchan, MSG_SOCKET, 3, 0, p[1], &ms,
	    sizeof(ms)) == 0);
	ATF_REQUIRE(msgchan_compose(&wchan, MSG_CONF_END, 4, 0, -1, NULL,
	    0) == 0);
	ATF_REQUIRE(msgchan_flush(&wchan, -1) == 0);

	/* The first read stops 20 bytes into the third frame. */
	ATF_REQUIRE_EQ(msgchan_read(&rchan), (ssize_t)sizeof(rchan.rbuf));
	ATF_REQUIRE(next() > 0);
	ATF_REQUIRE_EQ(msg.hdr.peerid, 1);
	ATF_REQUIRE_EQ(msg.fd, -1);
	ATF_REQUIRE(next() > 0);
	ATF_REQUIRE_EQ(msg.hdr.peerid, 2);
	ATF_REQUIRE_EQ(msg.fd, -1);
	ATF_REQUIRE_EQ(rchan.rlen, 20);
	ATF_REQUIRE(next() > 0);
	ATF_REQUIRE_EQ(msg.hdr.peerid, 3);
	ATF_REQUIRE(msg.fd != -1);
	ATF_REQUIRE_EQ(msg_check_size(&msg), 0);
	check_pipe(msg.fd, p[0], "partial");
	close(msg.fd);
	ATF_REQUIRE(next() > 0);
	ATF_REQUIRE_EQ(msg.hdr.peerid, 4);
	ATF_REQUIRE_EQ(msg.fd, -1);
	close(p[0]);
	unpair(sv);
}

ATF_TC_WITHOUT_HEAD(fd_wrong_type);
ATF_TC_BODY(fd_wrong_type, tc)
{
	struct msg_state	st;
	struct msg_socket	ms;
	int			sv[2], fd;

	pair(sv);
	memset(&st, 0, sizeof(st));
	memset(&ms, 0, sizeof(ms));
	ATF_REQUIRE((fd = open("/dev/null", O_RDONLY)) != -1);
	ATF_REQUIRE(msgchan_compose(&wchan, MSG_STATE, 0, 0, fd, &st,
	    sizeof(st)) == 0);
	ATF_REQUIRE(msgchan_compose(&wchan, MSG_SOCKET, 0, 0, -1, &ms,
	    sizeof(ms)) == 0);
	ATF_REQUIRE(msgchan_flush(&wchan, -1) == 0);

	ATF_REQUIRE(next() > 0);
	ATF_REQUIRE_EQ(msg.hdr.type, MSG_STATE);
	ATF_REQUIRE(msg.fd != -1);
	ATF_REQUIRE_ERRNO(EBADMSG, msg_check_size(&msg) == -1);
	close(msg.fd);

	ATF_REQUIRE(next() > 0);
	ATF_REQUIRE_EQ(msg.hdr.type, MSG_SOCKET);
	ATF_REQUIRE_EQ(msg.fd, -1);
	ATF_REQUIRE_ERRNO(EBADMSG, msg_check_size(&msg) == -1);
	unpair(sv);
}

/* A frame of the given type and flags with an empty payload. */
static size_t
frame_at(uint8_t *p, uint32_t type, uint16_t flags, uint32_t peerid)
{
	size_t	len = MSG_HEADER_SIZE;

	if (type == MSG_SOCKET)
		len += sizeof(struct msg_socket);
	else if (type == MSG_STATE)
		len += sizeof(struct msg_state);
	hdrf(p, type, len, flags, peerid);
	memset(p + MSG_HEADER_SIZE, 0, len - MSG_HEADER_SIZE);
	return (len);
}

/*
 * Two flagged frames with an unflagged one between, all in one write
 * carrying both descriptors: one read, and each flagged frame takes its
 * own in order; the frame between takes none.
 */
ATF_TC_WITHOUT_HEAD(fd_flag_coalesced);
ATF_TC_BODY(fd_flag_coalesced, tc)
{
	uint8_t		buf[3 * MSG_MAX_SIZE];
	size_t		len = 0;
	int		sv[2], p1[2], p2[2], fds[2], before;

	pair(sv);
	before = nopen();
	ATF_REQUIRE(pipe2(p1, O_NONBLOCK) == 0 && pipe2(p2, O_NONBLOCK) == 0);
	len += frame_at(buf + len, MSG_SOCKET, MSG_F_FD, 1);
	len += frame_at(buf + len, MSG_STATE, 0, 2);
	len += frame_at(buf + len, MSG_SOCKET, MSG_F_FD, 3);
	fds[0] = p1[1];
	fds[1] = p2[1];
	sendraw(sv[0], buf, len, fds, 2);
	close(p1[1]);
	close(p2[1]);
	ATF_REQUIRE_EQ(msgchan_read(&rchan), (ssize_t)len);

	ATF_REQUIRE(msgchan_get(&rchan, &msg) > 0);
	ATF_REQUIRE_EQ(msg.hdr.peerid, 1);
	ATF_REQUIRE(msg.fd != -1);
	check_pipe(msg.fd, p1[0], "first");
	close(msg.fd);
	ATF_REQUIRE(msgchan_get(&rchan, &msg) > 0);
	ATF_REQUIRE_EQ(msg.hdr.peerid, 2);
	ATF_REQUIRE_EQ(msg.fd, -1);
	ATF_REQUIRE_EQ(msg_check_size(&msg), 0);
	ATF_REQUIRE(msgchan_get(&rchan, &msg) > 0);
	ATF_REQUIRE_EQ(msg.hdr.peerid, 3);
	ATF_REQUIRE(msg.fd != -1);
	check_pipe(msg.fd, p2[0], "third");
	close(msg.fd);
	ATF_REQUIRE_EQ(msgchan_get(&rchan, &msg), 0);
	close(p1[0]);
	close(p2[0]);
	ATF_REQUIRE_EQ(nopen(), before);
	unpair(sv);
}

/*
 * The writer puts frames after a descriptor's frame into the same
 * write: the unflagged frames behind it must not take it, whichever of
 * them ends the read.
 */
ATF_TC_WITHOUT_HEAD(fd_flag_writer);
ATF_TC_BODY(fd_flag_writer, tc)
{
	struct msg_socket	ms;
	struct msg_state	st;
	int			sv[2], p[2], i;

	pair(sv);
	ATF_REQUIRE(pipe2(p, O_NONBLOCK) == 0);
	memset(&ms, 0, sizeof(ms));
	memset(&st, 0, sizeof(st));
	ATF_REQUIRE(msgchan_compose(&wchan, MSG_SOCKET, 0, 0, p[1], &ms,
	    sizeof(ms)) == 0);
	for (i = 1; i <= 3; i++)
		ATF_REQUIRE(msgchan_compose(&wchan, MSG_STATE, i, 0, -1, &st,
		    sizeof(st)) == 0);
	ATF_REQUIRE_EQ(msgchan_write(&wchan), 1);
	ATF_REQUIRE_EQ(msgchan_read(&rchan), (ssize_t)(4 * MSG_HEADER_SIZE +
	    sizeof(ms) + 3 * sizeof(st)));
	ATF_REQUIRE(msgchan_get(&rchan, &msg) > 0);
	ATF_REQUIRE_EQ(msg.hdr.type, MSG_SOCKET);
	ATF_REQUIRE(msg.hdr.flags & MSG_F_FD);
	ATF_REQUIRE(msg.fd != -1);
	ATF_REQUIRE_EQ(msg_check_size(&msg), 0);
	check_pipe(msg.fd, p[0], "socket");
	close(msg.fd);
	for (i = 1; i <= 3; i++) {
		ATF_REQUIRE(msgchan_get(&rchan, &msg) > 0);
		ATF_REQUIRE_EQ(msg.hdr.peerid, (uint32_t)i);
		ATF_REQUIRE_EQ(msg.hdr.flags, 0);
		ATF_REQUIRE_EQ(msg.fd, -1);
		ATF_REQUIRE_EQ(msg_check_size(&msg), 0);
	}
	close(p[0]);
	unpair(sv);
}

/* The descriptor comes before its header is whole: it waits for it. */
ATF_TC_WITHOUT_HEAD(fd_ahead);
ATF_TC_BODY(fd_ahead, tc)
{
	uint8_t		buf[MSG_MAX_SIZE];
	size_t		len;
	int		sv[2], p[2];

	pair(sv);
	ATF_REQUIRE(pipe2(p, O_NONBLOCK) == 0);
	len = frame_at(buf, MSG_SOCKET, MSG_F_FD, 9);
	sendraw(sv[0], buf, 5, &p[1], 1);
	close(p[1]);
	ATF_REQUIRE_EQ(msgchan_read(&rchan), 5);
	ATF_REQUIRE_EQ(rchan.nrfds, 1);
	ATF_REQUIRE_EQ(msgchan_get(&rchan, &msg), 0);
	sendraw(sv[0], buf + 5, len - 5, NULL, 0);
	ATF_REQUIRE(next() > 0);
	ATF_REQUIRE_EQ(msg.hdr.peerid, 9);
	ATF_REQUIRE(msg.fd != -1);
	ATF_REQUIRE_EQ(rchan.nrfds, 0);
	check_pipe(msg.fd, p[0], "ahead");
	close(msg.fd);
	close(p[0]);
	unpair(sv);
}

/* A flag with no descriptor: the frame is refused, nothing is taken. */
ATF_TC_WITHOUT_HEAD(fd_flag_without_fd);
ATF_TC_BODY(fd_flag_without_fd, tc)
{
	uint8_t		buf[2 * MSG_MAX_SIZE];
	size_t		len;
	int		sv[2], p[2], before;

	pair(sv);
	before = nopen();
	len = frame_at(buf, MSG_SOCKET, MSG_F_FD, 1);
	sendraw(sv[0], buf, len, NULL, 0);
	ATF_REQUIRE_ERRNO(EBADMSG, msgchan_read(&rchan) == -1);
	ATF_REQUIRE_EQ(nopen(), before);
	unpair(sv);

	/*
	 * Nor may it take the descriptor of the flagged frame after it,
	 * though both come in one read: refused before either is taken.
	 */
	pair(sv);
	ATF_REQUIRE(pipe2(p, O_NONBLOCK) == 0);
	before = nopen();
	len = frame_at(buf, MSG_SOCKET, MSG_F_FD, 1);
	sendraw(sv[0], buf, len, NULL, 0);
	len = frame_at(buf, MSG_SOCKET, MSG_F_FD, 2);
	sendraw(sv[0], buf, len, &p[1], 1);
	close(p[1]);
	ATF_REQUIRE_ERRNO(EBADMSG, msgchan_read(&rchan) == -1);
	ATF_REQUIRE_EQ(rchan.rlen, 2 * len);	/* both came in that read */
	ATF_REQUIRE_EQ(nopen(), before - 1);
	ATF_REQUIRE_EQ(read(p[0], buf, 1), 0);	/* the last writer closed */
	close(p[0]);
	unpair(sv);
}

/* A descriptor with no flag for it is closed, not kept or handed on. */
ATF_TC_WITHOUT_HEAD(fd_without_flag);
ATF_TC_BODY(fd_without_flag, tc)
{
	uint8_t		buf[2 * MSG_MAX_SIZE];
	size_t		len;
	int		sv[2], fds[2], before;

	ATF_REQUIRE((fds[0] = open("/dev/null", O_RDONLY)) != -1);
	ATF_REQUIRE((fds[1] = open("/dev/null", O_RDONLY)) != -1);

	/* On a whole unflagged frame. */
	pair(sv);
	before = nopen();
	len = frame_at(buf, MSG_SOCKET, 0, 1);
	sendraw(sv[0], buf, len, fds, 1);
	ATF_REQUIRE_ERRNO(EBADMSG, msgchan_read(&rchan) == -1);
	ATF_REQUIRE_EQ(nopen(), before);
	unpair(sv);

	/* Before the header is whole: refused once it is. */
	pair(sv);
	before = nopen();
	len = frame_at(buf, MSG_SOCKET, 0, 1);
	sendraw(sv[0], buf, 8, fds, 1);
	ATF_REQUIRE_EQ(msgchan_read(&rchan), 8);
	sendraw(sv[0], buf + 8, len - 8, NULL, 0);
	ATF_REQUIRE_ERRNO(EBADMSG, msgchan_read(&rchan) == -1);
	ATF_REQUIRE_EQ(nopen(), before);
	unpair(sv);

	/* Next to a flagged frame that had its own. */
	pair(sv);
	before = nopen();
	len = frame_at(buf, MSG_SOCKET, MSG_F_FD, 1);
	len += frame_at(buf + len, MSG_STATE, 0, 2);
	sendraw(sv[0], buf, len, fds, 2);
	ATF_REQUIRE_ERRNO(EBADMSG, msgchan_read(&rchan) == -1);
	ATF_REQUIRE_EQ(nopen(), before);
	unpair(sv);

	/* Two for one flagged frame. */
	pair(sv);
	before = nopen();
	len = frame_at(buf, MSG_SOCKET, MSG_F_FD, 1);
	sendraw(sv[0], buf, len, fds, 2);
	ATF_REQUIRE_ERRNO(EBADMSG, msgchan_read(&rchan) == -1);
	ATF_REQUIRE_EQ(nopen(), before);
	unpair(sv);

	close(fds[0]);
	close(fds[1]);
}

/* More descriptors waiting than the queue holds: refused, all closed. */
ATF_TC_WITHOUT_HEAD(fd_too_many);
ATF_TC_BODY(fd_too_many, tc)
{
	uint8_t		buf[MSG_HEADER_SIZE];
	int		sv[2], fds[MSG_FDS_MAX + 1], before, i;

	for (i = 0; i <= MSG_FDS_MAX; i++)
		ATF_REQUIRE((fds[i] = open("/dev/null", O_RDONLY)) != -1);

	/* In one write. */
	pair(sv);
	before = nopen();
	hdrf(buf, MSG_CONTROL, MSG_HEADER_SIZE, MSG_F_FD, 0);
	for (i = 0; i < MSG_FDS_MAX; i++)
		sendraw(sv[0], buf, sizeof(buf), NULL, 0);
	sendraw(sv[0], buf, sizeof(buf), fds, MSG_FDS_MAX + 1);
	ATF_REQUIRE_ERRNO(EBADMSG, msgchan_read(&rchan) == -1);
	ATF_REQUIRE_EQ(nopen(), before);
	unpair(sv);

	/* One by one, never taken. */
	pair(sv);
	before = nopen();
	for (i = 0; i < MSG_FDS_MAX; i++) {
		sendraw(sv[0], buf, sizeof(buf), &fds[i], 1);
		ATF_REQUIRE_EQ(msgchan_read(&rchan), (ssize_t)sizeof(buf));
	}
	ATF_REQUIRE_EQ(rchan.nrfds, MSG_FDS_MAX);
	sendraw(sv[0], buf, sizeof(buf), &fds[i], 1);
	ATF_REQUIRE_ERRNO(EBADMSG, msgchan_read(&rchan) == -1);
	ATF_REQUIRE_EQ(rchan.nrfds, 0);
	ATF_REQUIRE_EQ(nopen(), before);
	unpair(sv);

	for (i = 0; i <= MSG_FDS_MAX; i++)
		close(fds[i]);
}

ATF_TC_WITHOUT_HEAD(bad_flags);
ATF_TC_BODY(bad_flags, tc)
{
	uint8_t		buf[MSG_MAX_SIZE];
	size_t		len;
	int		sv[2];

	pair(sv);
	len = frame_at(buf, MSG_STATE, 0x8000, 1);
	sendraw(sv[0], buf, len, NULL, 0);
	ATF_REQUIRE_EQ(msgchan_read(&rchan), (ssize_t)len);
	ATF_REQUIRE_ERRNO(EBADMSG, msgchan_get(&rchan, &msg) == -1);
	unpair(sv);
}

ATF_TC_WITHOUT_HEAD(clear_closes);
ATF_TC_BODY(clear_closes, tc)
{
	struct msg_socket	ms;
	char			c;
	int			sv[2], p[2], before;

	pair(sv);
	memset(&ms, 0, sizeof(ms));

	/* Queued but never sent: clearing closes our copy. */
	ATF_REQUIRE(pipe2(p, O_NONBLOCK) == 0);
	ATF_REQUIRE(msgchan_compose(&wchan, MSG_SOCKET, 0, 0, p[1], &ms,
	    sizeof(ms)) == 0);
	msgchan_clear(&wchan);
	ATF_REQUIRE_EQ(wchan.wqlen, 0);
	ATF_REQUIRE_EQ(read(p[0], &c, 1), 0);
	close(p[0]);

	/* Received but never taken: clearing closes it too. */
	ATF_REQUIRE(pipe2(p, O_NONBLOCK) == 0);
	ATF_REQUIRE(msgchan_compose(&wchan, MSG_SOCKET, 0, 0, p[1], &ms,
	    sizeof(ms)) == 0);
	ATF_REQUIRE(msgchan_flush(&wchan, -1) == 0);
	before = nopen();
	ATF_REQUIRE(msgchan_read(&rchan) > 0);
	ATF_REQUIRE_EQ(nopen(), before + 1);
	msgchan_clear(&rchan);
	ATF_REQUIRE_EQ(nopen(), before);
	ATF_REQUIRE_EQ(msgchan_get(&rchan, &msg), 0);
	ATF_REQUIRE_EQ(read(p[0], &c, 1), 0);
	close(p[0]);
	unpair(sv);
}

ATF_TC_WITHOUT_HEAD(eof);
ATF_TC_BODY(eof, tc)
{
	int	sv[2];

	pair(sv);
	ATF_REQUIRE(msgchan_compose(&wchan, MSG_SHUTDOWN, 0, 0, -1, NULL,
	    0) == 0);
	ATF_REQUIRE(msgchan_flush(&wchan, -1) == 0);
	close(sv[0]);
	ATF_REQUIRE_EQ(next(), MSG_HEADER_SIZE);
	ATF_REQUIRE_EQ(msg.hdr.type, MSG_SHUTDOWN);
	ATF_REQUIRE_EQ(msgchan_read(&rchan), 0);
	msgchan_clear(&rchan);
	close(sv[1]);
}

ATF_TC_WITHOUT_HEAD(epipe);
ATF_TC_BODY(epipe, tc)
{
	int	sv[2];

	pair(sv);
	close(sv[1]);
	ATF_REQUIRE(msgchan_compose(&wchan, MSG_SHUTDOWN_DONE, 0, 0, -1,
	    NULL, 0) == 0);
	ATF_REQUIRE_ERRNO(EPIPE, msgchan_write(&wchan) == -1);
	ATF_REQUIRE_ERRNO(EPIPE, msgchan_flush(&wchan, -1) == -1);
	msgchan_clear(&wchan);
	close(sv[0]);
}

ATF_TC_WITHOUT_HEAD(queue_bound);
ATF_TC_BODY(queue_bound, tc)
{
	size_t	n;
	int	sv[2];

	pair(sv);
	for (n = 0; n < 1000000; n++)
		if (msgchan_compose(&wchan, MSG_CONF_END, n, 0, -1, NULL,
		    0) == -1)
			break;
	ATF_REQUIRE_EQ(errno, ENOBUFS);
	ATF_REQUIRE(n >= 1000 && n <= 100000);
	ATF_REQUIRE_EQ(wchan.wqlen, n);

	/* The bound is on what waits, not on what was ever sent. */
	ATF_REQUIRE(msgchan_write(&wchan) >= 0);
	ATF_REQUIRE(wchan.wqlen < n);
	ATF_REQUIRE(msgchan_compose(&wchan, MSG_CONF_END, n, 0, -1, NULL,
	    0) == 0);
	ATF_REQUIRE(next() > 0);
	ATF_REQUIRE_EQ(msg.hdr.peerid, 0);
	unpair(sv);
}

/*
 * A full socket: write stops without losing anything, then resumes.
 * Whole-size frames on a small send buffer take more than one skb each,
 * so the kernel also takes part of a frame now and then.
 */
ATF_TC_WITHOUT_HEAD(write_full);
ATF_TC_BODY(write_full, tc)
{
	uint8_t		data[PAYLOAD_MAX];
	uint32_t	i, got = 0, n = 500;
	int		sv[2], size = 4096, rv, stalls = 0;

	pair(sv);
	ATF_REQUIRE(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size,
	    sizeof(size)) == 0);
	for (i = 0; i < n; i++) {
		pattern(data, sizeof(data), i);
		ATF_REQUIRE(msgchan_compose(&wchan, MSG_STATE, i, 0, -1,
		    data, sizeof(data)) == 0);
	}
	while ((rv = msgchan_write(&wchan)) == 0) {
		stalls++;
		ATF_REQUIRE(wchan.wqlen > 0);
		ATF_REQUIRE_EQ(msgchan_write(&wchan), 0);	/* still full */
		for (;;) {
			while (msgchan_get(&rchan, &msg) > 0) {
				pattern(data, sizeof(data), got);
				ATF_REQUIRE_EQ(msg.hdr.peerid, got);
				ATF_REQUIRE(memcmp(msg.data, data,
				    sizeof(data)) == 0);
				got++;
			}
			if (msgchan_read(&rchan) == -1) {
				ATF_REQUIRE_EQ(errno, EAGAIN);
				break;
			}
		}
	}
	ATF_REQUIRE_EQ(rv, 1);
	ATF_REQUIRE(stalls > 0);
	while (got < n) {
		ATF_REQUIRE(next() > 0);
		pattern(data, sizeof(data), got);
		ATF_REQUIRE_EQ(msg.hdr.peerid, got);
		ATF_REQUIRE(memcmp(msg.data, data, sizeof(data)) == 0);
		got++;
	}
	ATF_REQUIRE_ERRNO(EAGAIN, msgchan_read(&rchan) == -1);
	unpair(sv);
}

/*
 * What the daemon's processes rely on to never wait for each other: a
 * full socket does not make compose fail or block, the frames queue,
 * write says there is more to do, and once the reader catches up every
 * frame arrives in order, a descriptor with its own.
 */
ATF_TC_WITHOUT_HEAD(queue_when_full);
ATF_TC_BODY(queue_when_full, tc)
{
	struct msg_state	st;
	struct msg_socket	ms;
	uint32_t		i, sent, got = 0;
	int			sv[2], p[2], rv;

	pair(sv);
	ATF_REQUIRE(pipe2(p, O_NONBLOCK) == 0);
	memset(&st, 0, sizeof(st));
	memset(&ms, 0, sizeof(ms));

	/* Fill the socket until it takes no more. */
	for (sent = 0; sent < 1000000; sent++) {
		st.service = sent;
		ATF_REQUIRE(msgchan_compose(&wchan, MSG_STATE, sent, 0, -1,
		    &st, sizeof(st)) == 0);
		if ((rv = msgchan_write(&wchan)) == 0)
			break;
		ATF_REQUIRE_EQ(rv, 1);
	}
	sent++;
	ATF_REQUIRE_EQ(msgchan_write(&wchan), 0);
	ATF_REQUIRE_ERRNO(EAGAIN, send(sv[0], &st, 1, MSG_DONTWAIT) == -1);

	/* Still composes: queued, not written, in order behind the rest. */
	for (i = 0; i < 100; i++, sent++) {
		st.service = sent;
		ATF_REQUIRE(msgchan_compose(&wchan, MSG_STATE, sent, 0, -1,
		    &st, sizeof(st)) == 0);
		if (i == 50) {
			sent++;
			ATF_REQUIRE(msgchan_compose(&wchan, MSG_SOCKET, sent, 0,
			    p[1], &ms, sizeof(ms)) == 0);
		}
	}
	ATF_REQUIRE(wchan.wqlen >= 100);
	ATF_REQUIRE_EQ(msgchan_write(&wchan), 0);

	/* The reader catches up; the writer goes on as it becomes writable. */
	while (got < sent) {
		if (wchan.wqlen > 0)
			ATF_REQUIRE(msgchan_write(&wchan) >= 0);
		ATF_REQUIRE(next() > 0);
		ATF_REQUIRE_EQ(msg.hdr.peerid, got);
		ATF_REQUIRE_EQ(msg_check_size(&msg), 0);
		if (msg.hdr.type == MSG_SOCKET) {
			ATF_REQUIRE(msg.fd != -1);
			check_pipe(msg.fd, p[0], "queued");
			close(msg.fd);
		} else {
			memcpy(&st, msg.data, sizeof(st));
			ATF_REQUIRE_EQ(st.service, got);
		}
		got++;
	}
	ATF_REQUIRE_EQ(wchan.wqlen, 0);
	ATF_REQUIRE_EQ(msgchan_get(&rchan, &msg), 0);
	ATF_REQUIRE_ERRNO(EAGAIN, msgchan_read(&rchan) == -1);
	close(p[0]);
	unpair(sv);
}

/* The last words of an exiting process: waited for, but not for ever. */
ATF_TC_WITHOUT_HEAD(flush_timeout);
ATF_TC_BODY(flush_timeout, tc)
{
	struct msg_state	st;
	uint32_t		i;
	int			sv[2];

	pair(sv);
	memset(&st, 0, sizeof(st));
	for (i = 0; i < 1000000 && msgchan_write(&wchan) != 0; i++)
		ATF_REQUIRE(msgchan_compose(&wchan, MSG_STATE, i, 0, -1,
		    &st, sizeof(st)) == 0);
	ATF_REQUIRE(wchan.wqlen > 0);
	ATF_REQUIRE_ERRNO(ETIMEDOUT, msgchan_flush(&wchan, 100) == -1);
	ATF_REQUIRE(wchan.wqlen > 0);
	unpair(sv);
}

/* A reader that does not take its frames is told, not overrun. */
ATF_TC_WITHOUT_HEAD(read_full);
ATF_TC_BODY(read_full, tc)
{
	uint8_t		data[PAYLOAD_MAX];
	int		sv[2], i;

	pair(sv);
	for (i = 0; i < 3; i++) {
		pattern(data, sizeof(data), i);
		ATF_REQUIRE(msgchan_compose(&wchan, MSG_STATE, i, 0, -1, data,
		    sizeof(data)) == 0);
	}
	ATF_REQUIRE(msgchan_flush(&wchan, -1) == 0);
	while (msgchan_read(&rchan) > 0)
		;
	ATF_REQUIRE_EQ(errno, ENOBUFS);
	ATF_REQUIRE_EQ(rchan.rlen, sizeof(rchan.rbuf));
	for (i = 0; i < 3; i++) {
		ATF_REQUIRE(next() > 0);
		pattern(data, sizeof(data), i);
		ATF_REQUIRE_EQ(msg.hdr.peerid, (uint32_t)i);
		ATF_REQUIRE(memcmp(msg.data, data, sizeof(data)) == 0);
	}
	unpair(sv);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, roundtrip);
	ATF_TP_ADD_TC(tp, maxsize);
	ATF_TP_ADD_TC(tp, several_in_one_read);
	ATF_TP_ADD_TC(tp, split_bytewise);
	ATF_TP_ADD_TC(tp, truncated_pending);
	ATF_TP_ADD_TC(tp, len_too_big);
	ATF_TP_ADD_TC(tp, len_too_small);
	ATF_TP_ADD_TC(tp, check_size);
	ATF_TP_ADD_TC(tp, fd_passing);
	ATF_TP_ADD_TC(tp, fd_placement);
	ATF_TP_ADD_TC(tp, fd_partial);
	ATF_TP_ADD_TC(tp, fd_wrong_type);
	ATF_TP_ADD_TC(tp, fd_flag_coalesced);
	ATF_TP_ADD_TC(tp, fd_flag_writer);
	ATF_TP_ADD_TC(tp, fd_ahead);
	ATF_TP_ADD_TC(tp, fd_flag_without_fd);
	ATF_TP_ADD_TC(tp, fd_without_flag);
	ATF_TP_ADD_TC(tp, fd_too_many);
	ATF_TP_ADD_TC(tp, bad_flags);
	ATF_TP_ADD_TC(tp, clear_closes);
	ATF_TP_ADD_TC(tp, eof);
	ATF_TP_ADD_TC(tp, epipe);
	ATF_TP_ADD_TC(tp, queue_bound);
	ATF_TP_ADD_TC(tp, write_full);
	ATF_TP_ADD_TC(tp, queue_when_full);
	ATF_TP_ADD_TC(tp, flush_timeout);
	ATF_TP_ADD_TC(tp, read_full);
	return (atf_no_error());
}
