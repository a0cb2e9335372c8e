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
 * Linux announces nothing when an address is added, so the new master
 * tells the link itself: a gratuitous ARP for an IPv4 VIP, an unsolicited
 * neighbour advertisement for an IPv6 one.  Frames are built byte by byte
 * at fixed offsets and sent whole through one AF_PACKET socket.
 */

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <netpacket/packet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hafod.h"
#include "log.h"

#define MAC_LEN			6

/* Ethernet header */
#define ETH_DST			0
#define ETH_SRC			6
#define ETH_TYPE		12
#define ETH_LEN			14

/* ARP for IPv4 over Ethernet, after the Ethernet header */
#define ARP_HTYPE		(ETH_LEN + 0)
#define ARP_PTYPE		(ETH_LEN + 2)
#define ARP_HLEN		(ETH_LEN + 4)
#define ARP_PLEN		(ETH_LEN + 5)
#define ARP_OP			(ETH_LEN + 6)
#define ARP_SHA			(ETH_LEN + 8)
#define ARP_SPA			(ETH_LEN + 14)
#define ARP_THA			(ETH_LEN + 18)
#define ARP_TPA			(ETH_LEN + 24)
#define GARP_LEN		(ETH_LEN + 28)		/* 42 */

/* IPv6 header, after the Ethernet header */
#define IP6_VFC			(ETH_LEN + 0)
#define IP6_PLEN		(ETH_LEN + 4)
#define IP6_NXT			(ETH_LEN + 6)
#define IP6_HLIM		(ETH_LEN + 7)
#define IP6_SRC			(ETH_LEN + 8)
#define IP6_DST			(ETH_LEN + 24)
#define IP6_LEN			40

/* Neighbour advertisement and its target link-layer address option */
#define NA_OFF			(ETH_LEN + IP6_LEN)
#define NA_TYPE			(NA_OFF + 0)
#define NA_CODE			(NA_OFF + 1)
#define NA_CKSUM		(NA_OFF + 2)
#define NA_FLAGS		(NA_OFF + 4)
#define NA_TARGET		(NA_OFF + 8)
#define NA_OPT_TYPE		(NA_OFF + 24)
#define NA_OPT_LEN		(NA_OFF + 25)
#define NA_OPT_MAC		(NA_OFF + 26)
#define NA_ICMP_LEN		32
#define NA_LEN			(NA_OFF + NA_ICMP_LEN)	/* 86 */

#define ICMP6_NA		136
#define NA_FLAG_ROUTER		0x80
#define NA_FLAG_OVERRIDE	0x20
#define ND_OPT_TARGET_LLADDR	2
#define HOPLIMIT_ND		255

static const uint8_t	mac_bcast[MAC_LEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};
/* ff02::1, all nodes, and its Ethernet group 33:33:00:00:00:01 */
static const uint8_t	ip6_allnodes[16] = {
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
};
static const uint8_t	mac_allnodes[MAC_LEN] = {
	0x33, 0x33, 0x00, 0x00, 0x00, 0x01
};

static void
put16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = v >> 8;
	p[off + 1] = v & 0xff;
}

/*
 * Protocol 0: the socket is bound to no protocol, so it never receives
 * and needs no draining.  Non-blocking: an announcement that would wait
 * for a full queue is dropped, and the next repetition tries again.
 */
int
announce_open(void)
{
	int	fd;

	if ((fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		log_warn("%s: socket", __func__);
	return (fd);
}

/*
 * The name and MAC of an interface, looked up on every call so that a
 * changed MAC is announced as it is now.
 */
static int
announce_ifinfo(int fd, unsigned int ifindex, char *ifname, uint8_t *mac)
{
	struct ifreq	ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (ifindex > INT_MAX) {
		log_warnx("announce: bad interface index %u", ifindex);
		return (-1);
	}
	ifr.ifr_ifindex = (int)ifindex;
	if (ioctl(fd, SIOCGIFNAME, &ifr) == -1) {
		log_warn("announce: interface %u", ifindex);
		return (-1);
	}
	strlcpy(ifname, ifr.ifr_name, IFNAMSIZ);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == -1) {
		log_warn("announce: %s: SIOCGIFHWADDR", ifname);
		return (-1);
	}
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		log_warnx("announce: %s is not Ethernet", ifname);
		return (-1);
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, MAC_LEN);
	return (0);
}

/*
 * A gratuitous ARP request: SPA = TPA = the VIP.  THA is ff:ff:ff:ff:ff:ff
 * as keepalived and iputils' "arping -U" send it, not our own MAC as
 * ucarp does.  Receivers take nothing from a request's THA (RFC 826;
 * Linux reads THA only to recognise a gratuitous reply, where THA = SHA
 * is the mark), so the choice is about looking ordinary to switches and
 * firewalls, and the broadcast form is the one most deployed.
 */
static size_t
garp_build(uint8_t *p, size_t len, const uint8_t *mac,
    const struct hafod_addr *a)
{
	if (len < GARP_LEN)
		return (0);
	memset(p, 0, GARP_LEN);
	memcpy(p + ETH_DST, mac_bcast, MAC_LEN);
	memcpy(p + ETH_SRC, mac, MAC_LEN);
	put16(p, ETH_TYPE, ETHERTYPE_ARP);
	put16(p, ARP_HTYPE, ARPHRD_ETHER);
	put16(p, ARP_PTYPE, ETHERTYPE_IP);
	p[ARP_HLEN] = MAC_LEN;
	p[ARP_PLEN] = sizeof(a->u.v4);
	put16(p, ARP_OP, ARPOP_REQUEST);
	memcpy(p + ARP_SHA, mac, MAC_LEN);
	memcpy(p + ARP_SPA, &a->u.v4, sizeof(a->u.v4));
	memcpy(p + ARP_THA, mac_bcast, MAC_LEN);
	memcpy(p + ARP_TPA, &a->u.v4, sizeof(a->u.v4));
	return (GARP_LEN);
}

/* net.ipv6.conf.IF.forwarding: a router must keep its R flag. */
static int
ip6_forwarding(const char *ifname)
{
	char	path[PATH_MAX], c;
	int	fd, r;

	r = snprintf(path, sizeof(path),
	    "/proc/sys/net/ipv6/conf/%s/forwarding", ifname);
	if (r < 0 || (size_t)r >= sizeof(path))
		return (0);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (0);
	r = read(fd, &c, 1);
	close(fd);
	return (r == 1 && c == '1');
}

static uint32_t
cksum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t	i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < len)
		sum += (uint32_t)p[i] << 8;
	return (sum);
}

/*
 * An unsolicited neighbour advertisement (RFC 4861 7.2.6): from the VIP to
 * all nodes, Override set so that neighbours replace the old master's
 * MAC, Solicited clear as a multicast NA requires.
 */
static size_t
na_build(uint8_t *p, size_t len, const uint8_t *mac,
    const struct hafod_addr *a, int router)
{
	uint8_t		pseudo[40];
	uint32_t	sum;

	if (len < NA_LEN)
		return (0);
	memset(p, 0, NA_LEN);
	memcpy(p + ETH_DST, mac_allnodes, MAC_LEN);
	memcpy(p + ETH_SRC, mac, MAC_LEN);
	put16(p, ETH_TYPE, ETHERTYPE_IPV6);

	p[IP6_VFC] = 0x60;
	put16(p, IP6_PLEN, NA_ICMP_LEN);
	p[IP6_NXT] = IPPROTO_ICMPV6;
	p[IP6_HLIM] = HOPLIMIT_ND;
	memcpy(p + IP6_SRC, &a->u.v6, sizeof(a->u.v6));
	memcpy(p + IP6_DST, ip6_allnodes, sizeof(ip6_allnodes));

	p[NA_TYPE] = ICMP6_NA;
	p[NA_CODE] = 0;
	p[NA_FLAGS] = NA_FLAG_OVERRIDE | (router ? NA_FLAG_ROUTER : 0);
	memcpy(p + NA_TARGET, &a->u.v6, sizeof(a->u.v6));
	p[NA_OPT_TYPE] = ND_OPT_TARGET_LLADDR;
	p[NA_OPT_LEN] = 1;			/* in units of 8 bytes */
	memcpy(p + NA_OPT_MAC, mac, MAC_LEN);

	/* Pseudo-header: source, destination, length, next header. */
	memset(pseudo, 0, sizeof(pseudo));
	memcpy(pseudo, p + IP6_SRC, 32);
	pseudo[35] = NA_ICMP_LEN;
	pseudo[39] = IPPROTO_ICMPV6;
	sum = cksum_add(0, pseudo, sizeof(pseudo));
	sum = cksum_add(sum, p + NA_OFF, NA_ICMP_LEN);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(p, NA_CKSUM, ~sum & 0xffff);
	return (NA_LEN);
}

int
announce_vip(int fd, unsigned int ifindex, const struct hafod_addr *a)
{
	struct sockaddr_ll	sll;
	uint8_t			frame[NA_LEN], mac[MAC_LEN];
	char			ifname[IFNAMSIZ];
	size_t			len;
	ssize_t			n;

	if (a->af != AF_INET && a->af != AF_INET6) {
		log_warnx("%s: address family %d", __func__, a->af);
		return (-1);
	}
	if (announce_ifinfo(fd, ifindex, ifname, mac) == -1)
		return (-1);

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)ifindex;
	sll.sll_halen = MAC_LEN;
	if (a->af == AF_INET) {
		len = garp_build(frame, sizeof(frame), mac, a);
		sll.sll_protocol = htons(ETHERTYPE_ARP);
		memcpy(sll.sll_addr, mac_bcast, MAC_LEN);
	} else {
		len = na_build(frame, sizeof(frame), mac, a,
		    ip6_forwarding(ifname));
		sll.sll_protocol = htons(ETHERTYPE_IPV6);
		memcpy(sll.sll_addr, mac_allnodes, MAC_LEN);
	}
	if (len == 0) {
		log_warnx("%s: frame buffer too small", __func__);
		return (-1);
	}
	n = sendto(fd, frame, len, 0, (struct sockaddr *)&sll, sizeof(sll));
	if (n == -1) {
		log_warn("announce %s on %s", addr_ntop(a), ifname);
		return (-1);
	}
	if ((size_t)n != len) {
		log_warnx("announce %s on %s: short send", addr_ntop(a),
		    ifname);
		return (-1);
	}
	log_debug("announced %s on %s", addr_ntop(a), ifname);
	return (0);
}

/*
 * A learning frame, as the Linux bonding driver sends for the same
 * reason: from the MAC to itself, of the Ethernet loopback type
 * (0x9000), all zeroes.  A switch learns the source on the port it came
 * in by, and drops it there, since the destination is on that very port:
 * no host ever sees it.  A master on a virtual MAC sends one every
 * second, because nothing else it sends comes from that MAC (its own
 * traffic and its advertisements leave from the lower interface), so
 * that switches neither age the MAC out nor keep it on another port.
 */
#define ETHERTYPE_LOOPBACK	0x9000
#define LEARN_LEN		60

int
announce_learn(int fd, unsigned int ifindex)
{
	struct sockaddr_ll	sll;
	uint8_t			frame[LEARN_LEN], mac[MAC_LEN];
	char			ifname[IFNAMSIZ];
	ssize_t			n;

	if (announce_ifinfo(fd, ifindex, ifname, mac) == -1)
		return (-1);
	memset(frame, 0, sizeof(frame));
	memcpy(frame + ETH_DST, mac, MAC_LEN);
	memcpy(frame + ETH_SRC, mac, MAC_LEN);
	put16(frame, ETH_TYPE, ETHERTYPE_LOOPBACK);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)ifindex;
	sll.sll_halen = MAC_LEN;
	sll.sll_protocol = htons(ETHERTYPE_LOOPBACK);
	memcpy(sll.sll_addr, mac, MAC_LEN);
	n = sendto(fd, frame, sizeof(frame), 0, (struct sockaddr *)&sll,
	    sizeof(sll));
	if (n == -1) {
		log_warn("learning frame on %s", ifname);
		return (-1);
	}
	if ((size_t)n != sizeof(frame)) {
		log_warnx("learning frame on %s: short send", ifname);
		return (-1);
	}
	return (0);
}
