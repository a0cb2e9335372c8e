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
 * The message layer (msg.c) as a receiver sees it: any bytes, in any
 * pieces, some carrying descriptors, through a real socketpair into
 * msgchan_read() and msgchan_get(), and every message through
 * msg_check_size().  Nothing may overflow, no descriptor may leak, and
 * what comes out must be what the framing says.  Then the sending side:
 * a message composed from the input must arrive whole and unchanged.
 *
 * Input: pieces of [flags][length, 2 bytes][bytes].  Flags bit 0: send
 * a descriptor with the piece; bit 1: read before the next piece; bit 2:
 * end the stream and compose one message from the rest of the input.
 * A descriptor is only taken for a frame whose header flags it
 * (MSG_F_FD, bit 0 of the 16-bit flags at offset 6), so the seeds that
 * pass one set both.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "hafod.h"
#include "fuzz.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define F_FD		0x01
#define F_READ		0x02
#define F_COMPOSE	0x04

static int	devnull = -1;

/* One piece, with a descriptor if asked; -1 when the socket is full. */
static int
send_piece(int s, const uint8_t *buf, size_t len, int withfd)
{
	if (fuzz_send(s, buf, len, withfd ? devnull : -1) == -1) {
		if (errno == EAGAIN)
			return (-1);
		fuzz_fail("sendmsg: %s", strerror(errno));
	}
	return (0);
}

/*
 * Take what has arrived, as engine_dispatch() and conn_read() do.
 * Returns 1 if something was read, 0 if nothing was waiting, or -1 once
 * the channel is broken: a real receiver drops the peer then.
 */
static int
receive(struct msgchan *chan)
{
	struct msg	m;
	ssize_t		n;

	if ((n = msgchan_read(chan)) == -1)
		return (errno == EAGAIN ? 0 : -1);
	if (n == 0)
		fuzz_fail("end of stream while the writer is open");
	if (chan->rlen > sizeof(chan->rbuf) || chan->nrfds < 0 ||
	    chan->nrfds > MSG_FDS_MAX)
		fuzz_fail("read buffer %zu bytes, %d descriptors", chan->rlen,
		    chan->nrfds);
	for (;;) {
		memset(&m, 0xa5, sizeof(m));
		if ((n = msgchan_get(chan, &m)) == -1)
			return (-1);
		if (n == 0)
			break;
		if (n < MSG_HEADER_SIZE || n > MSG_MAX_SIZE ||
		    (size_t)n != m.hdr.len ||
		    m.datalen != m.hdr.len - MSG_HEADER_SIZE ||
		    (m.hdr.flags & ~MSG_F_FD) != 0 ||
		    (m.fd != -1) != ((m.hdr.flags & MSG_F_FD) != 0))
			fuzz_fail("message of %zd bytes, header %u flags %#x, "
			    "data %zu, fd %d", n, m.hdr.len, m.hdr.flags,
			    m.datalen, m.fd);
		if (msg_check_size(&m) == 0 && (m.hdr.type >= MSG_MAX ||
		    strcmp(msg_type_name(m.hdr.type), "unknown") == 0))
			fuzz_fail("type %u passed the size check", m.hdr.type);
		(void)msg_type_name(m.hdr.type);
		if (m.fd != -1)
			close(m.fd);
	}
	return (1);
}

/* A message composed here arrives as it was sent. */
static void
compose(const uint8_t *data, size_t size)
{
	struct msgchan	 out, in;
	struct msg	 m;
	uint32_t	 type, peerid;
	size_t		 len;
	int		 sv[2], withfd, rv;

	if (size < 9)
		return;
	memcpy(&type, data, sizeof(type));
	memcpy(&peerid, data + 4, sizeof(peerid));
	withfd = data[8] & 1;
	data += 9;
	size -= 9;
	len = size > MSG_MAX_SIZE ? MSG_MAX_SIZE : size;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv) == -1)
		fuzz_fail("socketpair: %s", strerror(errno));
	msgchan_init(&out, sv[0]);
	msgchan_init(&in, sv[1]);
	rv = msgchan_compose(&out, type, peerid, 42,
	    withfd ? fcntl(devnull, F_DUPFD_CLOEXEC, 0) : -1, data, len);
	if (len > MSG_MAX_SIZE - MSG_HEADER_SIZE) {
		if (rv != -1)
			fuzz_fail("composed %zu bytes of payload", len);
		goto done;
	}
	if (rv == -1 || msgchan_flush(&out, -1) == -1)
		fuzz_fail("cannot send %zu bytes", len);
	if (msgchan_read(&in) <= 0 || msgchan_get(&in, &m) <= 0)
		fuzz_fail("message of %zu bytes did not arrive", len);
	if (m.hdr.type != type || m.hdr.peerid != peerid || m.hdr.pid != 42 ||
	    m.datalen != len || memcmp(m.data, data, len) != 0 ||
	    (m.fd != -1) != withfd ||
	    m.hdr.flags != (withfd ? MSG_F_FD : 0))
		fuzz_fail("message of %zu bytes arrived changed", len);
	if (m.fd != -1)
		close(m.fd);
 done:
	msgchan_clear(&out);
	msgchan_clear(&in);
	close(sv[0]);
	close(sv[1]);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	if ((devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		fuzz_fail("cannot open /dev/null");
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msgchan	 chan;
	size_t		 len;
	uint8_t		 flags;
	int		 sv[2], fd0, broken = 0;

	fd0 = fuzz_lowest_fd();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv) == -1)
		fuzz_fail("socketpair: %s", strerror(errno));
	msgchan_init(&chan, sv[1]);

	while (size >= 3 && !broken) {
		flags = data[0];
		len = data[1] | data[2] << 8;
		data += 3;
		size -= 3;
		if (flags & F_COMPOSE)
			break;
		if (len > size)
			len = size;
		if (send_piece(sv[0], data, len, flags & F_FD) == -1 ||
		    (flags & F_READ))
			broken = receive(&chan) == -1;
		data += len;
		size -= len;
	}
	while (!broken && receive(&chan) == 1)
		;
	msgchan_clear(&chan);
	close(sv[0]);
	close(sv[1]);
	compose(data, size);
	if (fuzz_lowest_fd() != fd0)
		fuzz_fail("a descriptor leaked");
	return (0);
}
