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
 * The virtual MAC of a service ("vmac yes"): its addresses live on a
 * macvlan interface with the VRRP/CARP MAC 00:00:5e:00:01:<vhid>, or
 * 00:00:5e:00:02:<vhid> for a service elected over IPv6 (RFC 5798 7.3),
 * so that a failover changes no neighbour's entry: the MAC moves with the
 * addresses.
 *
 * The interface exists only while the node holds the addresses: made
 * when it becomes master, removed when it lets go.  A backup thus has no
 * interface that could send a frame from the virtual MAC (an IPv6 report
 * or solicitation would teach the switch the wrong port) or answer for
 * it.  Its name says interface and vhid, "vmac4.<ifindex>.<vhid>", so
 * that one left by a killed hafod is found and removed at the next start,
 * and so that a service which re-joins under a new configuration and
 * its old self bowing out share one interface: a lower interface takes
 * a MAC once.
 *
 * Private mode: the interface only talks to the link.  Nothing on the
 * host needs to reach one virtual MAC through another (local traffic
 * goes through the loopback), and private mode keeps one service's
 * broadcasts (its gratuitous ARPs) from being looped into the host's
 * other virtual MAC interfaces.
 *
 * The sysctls keep the host from answering for the addresses with the
 * wrong MAC, as keepalived documents for use_vmac: see hafod.conf.5.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hafod.h"
#include "log.h"
#include "parent.h"

static void
vmac_mac(const struct service_conf *sc, uint8_t *mac)
{
	mac[0] = 0x00;
	mac[1] = 0x00;
	mac[2] = 0x5e;
	mac[3] = 0x00;
	mac[4] = service_af(sc) == AF_INET ? 0x01 : 0x02;
	mac[5] = sc->vhid;
}

/* -1 if the interface index is too long for a name (above 99999). */
static int
vmac_name(const struct pservice *ps, char *name, size_t len)
{
	int	r;

	r = snprintf(name, len, "vmac%d.%u.%u",
	    service_af(&ps->conf) == AF_INET ? 4 : 6, ps->ifindex,
	    ps->conf.vhid);
	return (r < 0 || (size_t)r >= len ? -1 : 0);
}

static int
vmac_has(const struct service_conf *sc, int af)
{
	int	i;

	for (i = 0; i < sc->nvips; i++)
		if (sc->vips[i].af == af)
			return (1);
	return (0);
}

/* net.<family>.conf.<ifname>.<key> = value */
static int
vmac_sysctl(const char *family, const char *ifname, const char *key,
    const char *value)
{
	char	path[PATH_MAX];
	size_t	len = strlen(value);
	int	fd, r;

	r = snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/%s",
	    family, ifname, key);
	if (r < 0 || (size_t)r >= sizeof(path)) {
		log_warnx("%s: path too long", __func__);
		return (-1);
	}
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1) {
		log_warn("%s", path);
		return (-1);
	}
	if (write(fd, value, len) != (ssize_t)len) {
		log_warn("%s = %s", path, value);
		close(fd);
		return (-1);
	}
	close(fd);
	return (0);
}

/*
 * Before the interface is up:
 * - on it, arp_ignore 1: it answers ARP only for its own addresses, never
 *   with the virtual MAC for the host's other ones; rp_filter 0: what
 *   comes in for the addresses goes back out of the lower interface,
 *   which a strict check would drop; IPv6 with no link-local address
 *   (addr_gen_mode 1) and no autoconfiguration (accept_ra 0), or none at
 *   all for a service without IPv6 addresses, so that it sends nothing
 *   of its own;
 * - on the lower interface, for IPv4: arp_ignore 1, so that it does not
 *   answer for the addresses with its own MAC, and arp_announce 2, so
 *   that its own ARP requests never give an address as their source.
 * Neighbour discovery answers only on the interface holding the address,
 * and needs nothing.
 */
static void
vmac_sysctls(const struct pservice *ps, const char *name)
{
	vmac_sysctl("ipv4", name, "arp_ignore", "1");
	vmac_sysctl("ipv4", name, "rp_filter", "0");
	if (vmac_has(&ps->conf, AF_INET6)) {
		vmac_sysctl("ipv6", name, "addr_gen_mode", "1");
		vmac_sysctl("ipv6", name, "accept_ra", "0");
	} else
		vmac_sysctl("ipv6", name, "disable_ipv6", "1");
	if (vmac_has(&ps->conf, AF_INET)) {
		vmac_sysctl("ipv4", ps->conf.ifname, "arp_ignore", "1");
		vmac_sysctl("ipv4", ps->conf.ifname, "arp_announce", "2");
	}
}

/* The interface the service's addresses go on. */
unsigned int
vmac_ifindex(const struct pservice *ps)
{
	return (ps->conf.vmac ? ps->vmac_ifindex : ps->ifindex);
}

/*
 * Make the interface, or take the one another service (our own old self
 * on a reload) shares, and bring it up: 0, or -1 with the reason in err.
 */
int
vmac_up(struct pservice *ps, char *err, size_t errlen)
{
	char		name[IFNAMSIZ];
	uint8_t		mac[VMAC_LEN];
	unsigned int	ifindex = 0;

	if (!ps->conf.vmac)
		return (0);
	if (vmac_name(ps, name, sizeof(name)) == -1) {
		snprintf(err, errlen, "interface index %u too large for a "
		    "name", ps->ifindex);
		return (-1);
	}
	vmac_mac(&ps->conf, mac);
	switch (netlink_vmac_find(name, ps->ifindex, mac, &ifindex)) {
	case 1:
		break;
	case 0:
		if (netlink_vmac_add(name, ps->ifindex, mac, err,
		    errlen) == -1)
			return (-1);
		if (netlink_vmac_find(name, ps->ifindex, mac,
		    &ifindex) != 1) {
			snprintf(err, errlen, "%s gone as it was made", name);
			return (-1);
		}
		log_debug("%s: made %s on %s", ps->conf.name, name,
		    ps->conf.ifname);
		break;
	default:
		snprintf(err, errlen, "%s exists and is not a macvlan on %s "
		    "with the virtual MAC", name, ps->conf.ifname);
		return (-1);
	}
	vmac_sysctls(ps, name);
	if (netlink_link_set_up(ifindex, 1, err, errlen) == -1)
		return (-1);
	ps->vmac_ifindex = ifindex;
	strlcpy(ps->vmac_name, name, sizeof(ps->vmac_name));
	return (0);
}

static int
vmac_holds(const struct pservice *ps)
{
	int	i;

	for (i = 0; i < ps->conf.nvips; i++)
		if (ps->added[i])
			return (1);
	return (0);
}

/*
 * The service let go: remove its interface, unless another service that
 * shares it still holds addresses there.
 */
void
vmac_down(struct pservice *ps)
{
	struct pservice_head	*heads[] = { &pservices, &pretired };
	struct pservice		*q;
	char			 err[128];
	size_t			 h;
	int			 r;

	if (!ps->conf.vmac || ps->vmac_ifindex == 0)
		return;
	for (h = 0; h < sizeof(heads) / sizeof(heads[0]); h++)
		TAILQ_FOREACH(q, heads[h], entry)
			if (q != ps && q->conf.vmac &&
			    q->vmac_ifindex == ps->vmac_ifindex &&
			    vmac_holds(q)) {
				ps->vmac_ifindex = 0;
				return;
			}
	if ((r = netlink_link_del(ps->vmac_name, err, sizeof(err))) == -1)
		log_warnx("%s: cannot remove %s: %s", ps->conf.name,
		    ps->vmac_name, err);
	else if (r == 0)
		log_debug("%s: removed %s", ps->conf.name, ps->vmac_name);
	for (h = 0; h < sizeof(heads) / sizeof(heads[0]); h++)
		TAILQ_FOREACH(q, heads[h], entry)
			if (q != ps && q->vmac_ifindex == ps->vmac_ifindex)
				q->vmac_ifindex = 0;
	ps->vmac_ifindex = 0;
}

/*
 * A virtual MAC interface of this service's name that a killed hafod
 * left, up and with the virtual MAC, perhaps with addresses: removed
 * before joining, whether or not the service still wants one.  An
 * interface of that name that is not ours is left alone, and a service
 * that wants a virtual MAC cannot start beside it.
 */
void
vmac_remove_stale(struct pservice *ps)
{
	char		name[IFNAMSIZ], err[128];
	uint8_t		mac[VMAC_LEN];
	unsigned int	ifindex;

	if (vmac_name(ps, name, sizeof(name)) == -1) {
		if (ps->conf.vmac)
			fatalx("%s: interface index %u of %s too large for "
			    "a name", ps->conf.name, ps->ifindex,
			    ps->conf.ifname);
		return;
	}
	vmac_mac(&ps->conf, mac);
	switch (netlink_vmac_find(name, ps->ifindex, mac, &ifindex)) {
	case 0:
		return;
	case 1:
		if (netlink_link_del(name, err, sizeof(err)) == -1)
			fatalx("%s: cannot remove stale %s: %s",
			    ps->conf.name, name, err);
		log_warnx("%s: removed %s: left behind by an earlier run",
		    ps->conf.name, name);
		return;
	default:
		if (ps->conf.vmac)
			fatalx("%s: interface %s exists and is not a macvlan "
			    "on %s with the virtual MAC", ps->conf.name, name,
			    ps->conf.ifname);
		return;
	}
}
