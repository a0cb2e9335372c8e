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
 * hafod/net.c as a harness needs it: no socket is read or written.
 * Datagrams the harness injects wait in one queue, tagged with the
 * descriptor they are for; what the engine sends goes to fake_net_sent
 * and is reported sent.  The batch rules of the real net_queue() (one
 * socket per batch, NET_BATCH_MAX at most) hold here too, as failures.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "engine.h"
#include "hafod.h"
#include "fuzz.h"

#define FAKE_QUEUE_MAX	64

struct datagram {
	int			fd;
	int			ttl;
	size_t			len;
	struct hafod_addr	src;
	uint8_t			buf[2048];
};

static struct datagram	queue[FAKE_QUEUE_MAX];
static size_t		nqueue;

void	(*fake_net_sent)(int, const struct hafod_addr *, const uint8_t *,
	    size_t, void *);

/* A datagram for descriptor fd; dropped, like a full socket's, if full. */
void
fake_net_inject(int fd, const uint8_t *buf, size_t len,
    const struct hafod_addr *src, int ttl)
{
	struct datagram	*d;

	if (nqueue == FAKE_QUEUE_MAX)
		return;
	d = &queue[nqueue++];
	if (len > sizeof(d->buf))
		len = sizeof(d->buf);
	d->fd = fd;
	d->ttl = ttl;
	d->len = len;
	d->src = *src;
	memcpy(d->buf, buf, len);
}

void
fake_net_reset(void)
{
	nqueue = 0;
}

ssize_t
net_recv(int s, int af, uint8_t *buf, size_t len, struct hafod_addr *src,
    int *ttl, unsigned int *ifindex)
{
	size_t	i, n;

	for (i = 0; i < nqueue; i++)
		if (queue[i].fd == s)
			break;
	if (i == nqueue) {
		errno = EAGAIN;
		return (-1);
	}
	/* As recvmsg(2) would: a longer datagram is cut short. */
	n = queue[i].len < len ? queue[i].len : len;
	memcpy(buf, queue[i].buf, n);
	*src = queue[i].src;
	*ttl = queue[i].ttl;
	*ifindex = 0;
	memmove(&queue[i], &queue[i + 1], (nqueue - i - 1) * sizeof(queue[0]));
	nqueue--;
	return ((ssize_t)n);
}

void
net_queue(struct net_batch *b, int s, int af, unsigned int ifindex,
    const struct hafod_addr *src, const struct hafod_addr *dst,
    const uint8_t *buf, size_t len, void *arg)
{
	unsigned int	i = b->n;

	if (i >= NET_BATCH_MAX || (i > 0 && b->fd != s) ||
	    len > sizeof(b->data[i]))
		fuzz_fail("net_queue: batch full, for another socket or too "
		    "long");
	b->fd = s;
	memcpy(b->data[i], buf, len);
	b->arg[i] = arg;
	if (dst != NULL)
		b->dst[i] = *dst;
	else
		memset(&b->dst[i], 0, sizeof(b->dst[i]));
	/* Checked now, while the sender is sure to be alive. */
	if (fake_net_sent != NULL)
		fake_net_sent(s, &b->dst[i], b->data[i], len, arg);
	b->n++;
}

void
net_flush(struct net_batch *b,
    void (*done)(void *, const struct hafod_addr *, int))
{
	unsigned int	i;

	for (i = 0; i < b->n; i++)
		done(b->arg[i], &b->dst[i], 0);
	b->n = 0;
}
