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
 * Raw CARP sockets, and the UDP sockets of the bundle format.  The
 * parent opens one per interface and address family (and kind) and
 * passes it to the engine, which alone reads from it: the parent never
 * sees a byte from the wire.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "hafod.h"
#include "log.h"

#define IPPROTO_CARP	112
#define CARP_TOS	0x10	/* IPTOS_LOWDELAY, as OpenBSD and ucarp send */
#define INADDR_CARP_GROUP	0xe0000012U	/* 224.0.0.18 */

/* ff02::12 */
static const struct in6_addr carp_group6 = {{{
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12 }}};

static int
net_open4(int s, unsigned int ifindex)
{
	struct ip_mreqn	mreq;
	int		on = 1, off = 0, ttl = CARP_TTL, tos = CARP_TOS;

	memset(&mreq, 0, sizeof(mreq));
	mreq.imr_multiaddr.s_addr = htonl(INADDR_CARP_GROUP);
	mreq.imr_ifindex = ifindex;
	if (setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq,
	    sizeof(mreq)) == -1)
		return (-1);
	/* Only the groups joined on this socket, not every socket's. */
	if (setsockopt(s, IPPROTO_IP, IP_MULTICAST_ALL, &off,
	    sizeof(off)) == -1 ||
	    setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &mreq,
	    sizeof(mreq)) == -1 ||
	    setsockopt(s, IPPROTO_IP, IP_MULTICAST_TTL, &ttl,
	    sizeof(ttl)) == -1 ||
	    setsockopt(s, IPPROTO_IP, IP_MULTICAST_LOOP, &off,
	    sizeof(off)) == -1 ||
	    setsockopt(s, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) == -1 ||
	    setsockopt(s, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)) == -1 ||
	    setsockopt(s, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) == -1)
		return (-1);
	return (0);
}

static int
net_open6(int s, unsigned int ifindex)
{
	struct ipv6_mreq	mreq;
	int			on = 1, off = 0, hops = CARP_TTL;

	memset(&mreq, 0, sizeof(mreq));
	if (inet_pton(AF_INET6, "ff02::12", &mreq.ipv6mr_multiaddr) != 1)
		return (-1);
	mreq.ipv6mr_interface = ifindex;
	if (setsockopt(s, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mreq,
	    sizeof(mreq)) == -1 ||
	    setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &off,
	    sizeof(off)) == -1 ||
	    setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex,
	    sizeof(ifindex)) == -1 ||
	    setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops,
	    sizeof(hops)) == -1 ||
	    setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off,
	    sizeof(off)) == -1 ||
	    setsockopt(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops,
	    sizeof(hops)) == -1 ||
	    setsockopt(s, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on,
	    sizeof(on)) == -1 ||
	    setsockopt(s, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
	    sizeof(on)) == -1)
		return (-1);
	return (0);
}

/*
 * A socket for CARP on one interface: bound to the device, member of the
 * CARP group there only, TTL 255 out, no loop back of our own packets.
 */
int
net_open(int af, unsigned int ifindex)
{
	char	ifname[IF_NAMESIZE];
	int	s, rv;

	if (if_indextoname(ifindex, ifname) == NULL)
		return (-1);
	if ((s = socket(af, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_CARP)) == -1)
		return (-1);
	if (setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, ifname,
	    strlen(ifname) + 1) == -1)
		goto fail;
	rv = af == AF_INET ? net_open4(s, ifindex) : net_open6(s, ifindex);
	if (rv == -1)
		goto fail;
	return (s);
 fail:
	rv = errno;
	close(s);
	errno = rv;
	return (-1);
}

/*
 * A UDP socket for the bundle format on one interface: the same group,
 * TTL and loop settings as the raw socket's, and the TTL or hop limit of
 * every datagram as a message header, since the receiver requires 255.
 * Bound to any address on the port rather than to the group, so that
 * unicast peers' datagrams arrive too; SO_BINDTODEVICE keeps it to its
 * interface, and SO_REUSEADDR lets the other interfaces' sockets bind
 * the same port.
 */
int
net_open_bundle(int af, unsigned int ifindex, uint16_t port)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	char			 ifname[IF_NAMESIZE];
	socklen_t		 sslen;
	int			 s, rv, on = 1;

	if (if_indextoname(ifindex, ifname) == NULL)
		return (-1);
	if ((s = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_UDP)) == -1)
		return (-1);
	memset(&ss, 0, sizeof(ss));
	if (af == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sslen = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sslen = sizeof(*sin6);
	}
	if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, ifname,
	    strlen(ifname) + 1) == -1)
		goto fail;
	if (af == AF_INET)
		rv = net_open4(s, ifindex) == -1 ||
		    setsockopt(s, IPPROTO_IP, IP_RECVTTL, &on,
		    sizeof(on)) == -1 ? -1 : 0;
	else
		/* The IPv4 socket on this port is another one. */
		rv = setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &on,
		    sizeof(on)) == -1 || net_open6(s, ifindex) == -1 ? -1 : 0;
	if (rv == -1 || bind(s, (struct sockaddr *)&ss, sslen) == -1)
		goto fail;
	return (s);
 fail:
	rv = errno;
	close(s);
	errno = rv;
	return (-1);
}

/*
 * Read one packet: the CARP payload into buf, and from the headers the
 * source, the TTL or hop limit and the receiving interface.  Returns the
 * payload length, 0 for a packet too mangled to have one, or -1.
 */
ssize_t
net_recv(int s, int af, uint8_t *buf, size_t len, struct hafod_addr *src,
    int *ttl, unsigned int *ifindex)
{
	union {
		struct cmsghdr	hdr;
		uint8_t		buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
				    CMSG_SPACE(sizeof(int)) +
				    CMSG_SPACE(sizeof(struct in_pktinfo))];
	} cmsgbuf;
	struct sockaddr_storage	 ss;
	struct msghdr		 msg;
	struct iovec		 iov;
	struct cmsghdr		*cm;
	ssize_t			 n;
	size_t			 hlen;
	int			 udp = 0;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = buf;
	iov.iov_len = len;
	msg.msg_name = &ss;
	msg.msg_namelen = sizeof(ss);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cmsgbuf.buf;
	msg.msg_controllen = sizeof(cmsgbuf.buf);
	if ((n = recvmsg(s, &msg, MSG_DONTWAIT)) == -1)
		return (-1);

	memset(src, 0, sizeof(*src));
	*ttl = -1;
	*ifindex = 0;
	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level == IPPROTO_IP &&
		    cm->cmsg_type == IP_PKTINFO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			*ifindex = pi.ipi_ifindex;
		} else if (cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_PKTINFO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi6;

			memcpy(&pi6, CMSG_DATA(cm), sizeof(pi6));
			*ifindex = pi6.ipi6_ifindex;
		} else if (cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_HOPLIMIT &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(int)))
			memcpy(ttl, CMSG_DATA(cm), sizeof(int));
		else if (cm->cmsg_level == IPPROTO_IP &&
		    cm->cmsg_type == IP_TTL &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(int))) {
			/* Only the bundle's UDP sockets ask for it. */
			memcpy(ttl, CMSG_DATA(cm), sizeof(int));
			udp = 1;
		}
	}

	if (af == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		if (msg.msg_namelen < sizeof(*sin6) ||
		    sin6->sin6_family != AF_INET6)
			return (0);
		src->af = AF_INET6;
		src->u.v6 = sin6->sin6_addr;
		return (n);
	}

	if (udp) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		if (msg.msg_namelen < sizeof(*sin) ||
		    sin->sin_family != AF_INET)
			return (0);
		src->af = AF_INET;
		src->u.v4 = sin->sin_addr;
		return (n);
	}

	/* IPv4 raw sockets deliver the IP header too: take it apart. */
	if (n < 20 || (buf[0] >> 4) != 4)
		return (0);
	hlen = (buf[0] & 0x0f) * 4;
	if (hlen < 20 || hlen > (size_t)n)
		return (0);
	*ttl = buf[8];
	src->af = AF_INET;
	memcpy(&src->u.v4, buf + 12, sizeof(src->u.v4));
	n -= hlen;
	memmove(buf, buf + hlen, n);
	return (n);
}

/*
 * Queue one advertisement or bundle datagram of len bytes from src (the
 * interface's own address, never a VIP) out of ifindex to dst: the CARP
 * group, or a unicast peer when dst is not NULL.  The caller flushes a
 * full batch, or one for another socket, first.
 */
void
net_queue(struct net_batch *b, int s, int af, unsigned int ifindex,
    const struct hafod_addr *src, const struct hafod_addr *dst,
    const uint8_t *buf, size_t len, void *arg)
{
	struct msghdr		*msg;
	struct cmsghdr		*cm;
	unsigned int		 i = b->n;

	if (i >= NET_BATCH_MAX || (i > 0 && b->fd != s) ||
	    len > sizeof(b->data[i]))
		fatalx("%s: batch full, for another socket or too long",
		    __func__);
	b->fd = s;
	memset(&b->name[i], 0, sizeof(b->name[i]));
	memset(&b->cmsg[i], 0, sizeof(b->cmsg[i]));
	memcpy(b->data[i], buf, len);
	b->iov[i].iov_base = b->data[i];
	b->iov[i].iov_len = len;
	b->arg[i] = arg;
	if (dst != NULL)
		b->dst[i] = *dst;
	else
		memset(&b->dst[i], 0, sizeof(b->dst[i]));

	msg = &b->mh[i].msg_hdr;
	memset(&b->mh[i], 0, sizeof(b->mh[i]));
	msg->msg_name = &b->name[i];
	msg->msg_iov = &b->iov[i];
	msg->msg_iovlen = 1;
	msg->msg_control = b->cmsg[i].buf;
	cm = &b->cmsg[i].hdr;

	if (af == AF_INET) {
		struct sockaddr_in	*sin = (struct sockaddr_in *)&b->name[i];
		struct in_pktinfo	 pi;

		sin->sin_family = AF_INET;
		if (dst != NULL)
			sin->sin_addr = dst->u.v4;
		else
			sin->sin_addr.s_addr = htonl(INADDR_CARP_GROUP);
		sin->sin_port = htons(b->port);
		msg->msg_namelen = sizeof(*sin);
		memset(&pi, 0, sizeof(pi));
		pi.ipi_ifindex = ifindex;
		if (src != NULL && src->af == AF_INET)
			pi.ipi_spec_dst = src->u.v4;
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		msg->msg_controllen = CMSG_SPACE(sizeof(pi));
	} else {
		struct sockaddr_in6	*sin6 =
		    (struct sockaddr_in6 *)&b->name[i];
		struct in6_pktinfo	 pi6;

		sin6->sin6_family = AF_INET6;
		if (dst != NULL)
			sin6->sin6_addr = dst->u.v6;
		else
			sin6->sin6_addr = carp_group6;
		sin6->sin6_scope_id = ifindex;
		sin6->sin6_port = htons(b->port);
		msg->msg_namelen = sizeof(*sin6);
		memset(&pi6, 0, sizeof(pi6));
		pi6.ipi6_ifindex = ifindex;
		if (src != NULL && src->af == AF_INET6)
			pi6.ipi6_addr = src->u.v6;
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi6));
		memcpy(CMSG_DATA(cm), &pi6, sizeof(pi6));
		msg->msg_controllen = CMSG_SPACE(sizeof(pi6));
	}
	b->n++;
}

/*
 * Send the batch in as few system calls as the kernel allows, and tell
 * the caller how each message fared.  sendmmsg(2) stops at the first
 * message that fails: that one is reported with its errno and skipped.
 */
void
net_flush(struct net_batch *b,
    void (*done)(void *, const struct hafod_addr *, int))
{
	unsigned int	 i, off = 0;
	int		 n;

	while (off < b->n) {
		n = sendmmsg(b->fd, &b->mh[off], b->n - off, MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			done(b->arg[off], &b->dst[off], n == 0 ? EIO : errno);
			off++;
			continue;
		}
		for (i = off; i < off + (unsigned int)n; i++)
			done(b->arg[i], &b->dst[i], 0);
		off += n;
	}
	b->n = 0;
}
