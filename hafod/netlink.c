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
 * The rtnetlink side of the parent: adding and removing addresses, and
 * watching links and their addresses change.  Only the parent runs this,
 * so the sockets are file-static; which service owns an address is
 * vip.c's business, not this file's.
 *
 * A VIP must never become the source of the host's own traffic: that
 * traffic would break when the VIP moves, and CARP itself must speak from
 * the real address.  Seen on Linux 6.18, with the interface's own
 * 10.0.0.1/24 and 2001:db8::1/64 added before the VIPs:
 *
 * - IPv4 10.0.0.100/24 (the same mask and subnet as the own address): the
 *   kernel makes it "secondary", never a source.  Deleting the primary
 *   deletes its secondaries unless net.ipv4.conf.IF.promote_secondaries
 *   is 1.
 * - IPv4 10.0.0.200/32 (or any other mask): a second primary, listed
 *   after 10.0.0.1.  Pings to 10.0.0.2 and, through the gateway 10.0.0.2,
 *   to 192.0.2.1 still leave from 10.0.0.1: the prefix route carries
 *   "src 10.0.0.1", and for a gateway the kernel takes the primary whose
 *   subnet holds the gateway, even when the VIP is first in the list.
 *   Only a route with neither (ip route add 198.51.100.0/24 dev eth0)
 *   takes the first primary in list order, which is the VIP once the own
 *   address has been removed and added again.
 * - IPv6 knows no secondaries: a plain 2001:db8::100/64 or /128 became the
 *   source for 2001:db8::2 (RFC 6724 ties go to the newest address).  So
 *   an IPv6 VIP is added deprecated (preferred lifetime 0, while the
 *   valid lifetime runs): source selection avoids it, while it still
 *   receives, may be bound and is answered for in neighbour discovery.
 * - Taking the link down flushes every IPv6 address, VIPs included
 *   (keep_addr_on_down is 0 by default); IPv4 addresses stay.
 *
 * link_get() never reports a VIP added here as primary4 or primary6.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <net/if.h>
#include <netinet/in.h>

#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvlan.h>
#include <linux/if_link.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hafod.h"
#include "log.h"

/* Interfaces that events touched since the last dispatch. */
#define LINK_PENDING_MAX	64

struct link_pending {
	unsigned int		 ifindex;
	char			 ifname[IFNAMSIZ];	/* "" if not known */
};

/* A VIP this process put on an interface. */
struct vip_entry {
	LIST_ENTRY(vip_entry)	 entry;
	unsigned int		 ifindex;
	struct hafod_addr	 addr;
};

static struct nl_sock		*rtsk;		/* requests and dumps */
static struct nl_sock		*monsk;		/* events only */
static struct link_pending	 pending[LINK_PENDING_MAX];
static int			 npending;
static int			 resync;	/* events were lost */
static LIST_HEAD(, vip_entry)	 vips = LIST_HEAD_INITIALIZER(vips);

static int	 monitor_valid(struct nl_msg *, void *);

/* The engine's side of the fork must not keep the parent's netlink. */
void
netlink_close(void)
{
	if (rtsk != NULL)
		nl_socket_free(rtsk);
	if (monsk != NULL)
		nl_socket_free(monsk);
	rtsk = monsk = NULL;
}

int
netlink_init(void)
{
	int	r;

	if (rtsk != NULL)
		return (0);
	if ((rtsk = nl_socket_alloc()) == NULL ||
	    (monsk = nl_socket_alloc()) == NULL) {
		log_warnx("%s: cannot allocate netlink sockets", __func__);
		goto fail;
	}
	if ((r = nl_connect(rtsk, NETLINK_ROUTE)) < 0) {
		log_warnx("%s: netlink: %s", __func__, nl_geterror(r));
		goto fail;
	}

	/*
	 * Events come on a plain subscribed socket rather than through
	 * libnl's cache manager.  The parent needs only "look at this
	 * interface again", which link_get() answers from the kernel, so
	 * keeping a mirror of every link and address would be wasted; and a
	 * plain socket shows an overrun (ENOBUFS) to us, so that we can
	 * look at every link instead of missing a change.
	 */
	nl_socket_disable_seq_check(monsk);
	if ((r = nl_socket_modify_cb(monsk, NL_CB_VALID, NL_CB_CUSTOM,
	    monitor_valid, NULL)) < 0 ||
	    (r = nl_connect(monsk, NETLINK_ROUTE)) < 0 ||
	    (r = nl_socket_add_memberships(monsk, RTNLGRP_LINK,
	    RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, 0)) < 0 ||
	    (r = nl_socket_set_nonblocking(monsk)) < 0) {
		log_warnx("%s: netlink monitor: %s", __func__, nl_geterror(r));
		goto fail;
	}
	/* A larger buffer makes an overrun rare; failing is harmless. */
	if ((r = nl_socket_set_buffer_size(monsk, 1024 * 1024, 0)) < 0)
		log_debug("%s: netlink buffer: %s", __func__, nl_geterror(r));
	return (0);

 fail:
	nl_socket_free(rtsk);
	nl_socket_free(monsk);
	rtsk = monsk = NULL;
	return (-1);
}

/* Build the libnl form of a VIP; NULL with the reason in err. */
static struct rtnl_addr *
vip_rtnl(unsigned int ifindex, const struct hafod_addr *a, char *err,
    size_t errlen)
{
	struct rtnl_addr	*ra;
	struct nl_addr		*local;
	size_t			 len;
	unsigned int		 maxplen;
	int			 r;

	if (rtsk == NULL) {
		strlcpy(err, "netlink not initialised", errlen);
		return (NULL);
	}
	switch (a->af) {
	case AF_INET:
		len = sizeof(a->u.v4);
		maxplen = 32;
		break;
	case AF_INET6:
		len = sizeof(a->u.v6);
		maxplen = 128;
		break;
	default:
		strlcpy(err, "address family not supported", errlen);
		return (NULL);
	}
	if (a->prefixlen > maxplen) {
		strlcpy(err, "prefix length out of range", errlen);
		return (NULL);
	}
	if (ifindex == 0 || ifindex > INT_MAX) {
		strlcpy(err, "bad interface index", errlen);
		return (NULL);
	}
	if ((local = nl_addr_build(a->af, &a->u, len)) == NULL) {
		strlcpy(err, nl_geterror(NLE_NOMEM), errlen);
		return (NULL);
	}
	nl_addr_set_prefixlen(local, a->prefixlen);
	if ((ra = rtnl_addr_alloc()) == NULL) {
		nl_addr_put(local);
		strlcpy(err, nl_geterror(NLE_NOMEM), errlen);
		return (NULL);
	}
	rtnl_addr_set_ifindex(ra, (int)ifindex);
	/* Sets the family and the prefix length from local as well. */
	r = rtnl_addr_set_local(ra, local);
	nl_addr_put(local);
	if (r < 0) {
		rtnl_addr_put(ra);
		strlcpy(err, nl_geterror(r), errlen);
		return (NULL);
	}
	return (ra);
}

static struct vip_entry *
vip_find(unsigned int ifindex, const struct hafod_addr *a)
{
	struct vip_entry	*v;

	LIST_FOREACH(v, &vips, entry)
		if (v->ifindex == ifindex && addr_eq(&v->addr, a))
			return (v);
	return (NULL);
}

/*
 * Remember a VIP, so that link_get() never offers it as the source of
 * advertisements.  Failing only weakens that, so it is not an error.
 */
static void
vip_remember(unsigned int ifindex, const struct hafod_addr *a)
{
	struct vip_entry	*v;

	if (vip_find(ifindex, a) != NULL)
		return;
	if ((v = calloc(1, sizeof(*v))) == NULL) {
		log_warn("%s", __func__);
		return;
	}
	v->ifindex = ifindex;
	v->addr = *a;
	LIST_INSERT_HEAD(&vips, v, entry);
}

/*
 * A VIP as the kernel is asked for it, on adding and on each renewal
 * alike: the same flags and lifetimes, so that a renewal changes nothing
 * but the time left.
 */
static int
vip_request(unsigned int ifindex, const struct hafod_addr *a, int nlflags,
    char *err, size_t errlen)
{
	struct rtnl_addr	*ra;
	unsigned int		 flags;
	int			 r;

	if ((ra = vip_rtnl(ifindex, a, err, errlen)) == NULL)
		return (-1);
	/*
	 * No prefix route: the VIP must not steal or duplicate the routes
	 * of the interface's own address.  No DAD for IPv6: usable at once,
	 * and no "dadfailed" while the old master still answers for it.
	 * Deprecated for IPv6, as said at the top: its preferred lifetime
	 * stays 0 while the valid one runs.  libnl sends flags above 0xff
	 * in IFA_FLAGS.
	 *
	 * A finite lifetime, renewed by the parent (vip.c), so that the
	 * kernel removes the address itself if the parent dies in any way.
	 */
	flags = IFA_F_NOPREFIXROUTE;
	rtnl_addr_set_valid_lifetime(ra, VIP_LIFETIME);
	if (a->af == AF_INET6) {
		flags |= IFA_F_NODAD;
		rtnl_addr_set_preferred_lifetime(ra, 0);
	} else
		rtnl_addr_set_preferred_lifetime(ra, VIP_LIFETIME);
	rtnl_addr_set_flags(ra, flags);
	r = rtnl_addr_add(rtsk, ra, nlflags);
	rtnl_addr_put(ra);
	if (r < 0 && r != -NLE_EXIST) {
		strlcpy(err, nl_geterror(r), errlen);
		return (-1);
	}
	return (r == -NLE_EXIST ? 1 : 0);
}

/*
 * 0: added, 1: the kernel already had it (EEXIST), so the caller must not
 * count it as its own; -1: error, the kernel's reason in err.  For IPv4
 * "already" means the same address and prefix length (the same address
 * with another mask is a second entry); for IPv6 the same address.
 */
int
netlink_addr_add(unsigned int ifindex, const struct hafod_addr *a, char *err,
    size_t errlen)
{
	int	r;

	if ((r = vip_request(ifindex, a, NLM_F_EXCL, err, errlen)) != -1)
		vip_remember(ifindex, a);
	return (r);
}

/*
 * Renew the lifetime of a VIP we added: NLM_F_REPLACE changes the
 * lifetimes of the address in place, without removing it, so that no
 * packet is lost and nothing is announced.  One that expired meanwhile
 * is added again.  0, or -1 with the kernel's reason in err.
 */
int
netlink_addr_renew(unsigned int ifindex, const struct hafod_addr *a,
    char *err, size_t errlen)
{
	if (vip_request(ifindex, a, NLM_F_REPLACE, err, errlen) == -1)
		return (-1);
	vip_remember(ifindex, a);
	return (0);
}

/*
 * 0: removed, 1: not there (no such address and prefix length, or no
 * such interface any more); -1: error, the kernel's reason in err.
 */
int
netlink_addr_del(unsigned int ifindex, const struct hafod_addr *a, char *err,
    size_t errlen)
{
	struct rtnl_addr	*ra;
	struct vip_entry	*v;
	int			 r;

	if ((ra = vip_rtnl(ifindex, a, err, errlen)) == NULL)
		return (-1);
	r = rtnl_addr_delete(rtsk, ra, 0);
	rtnl_addr_put(ra);
	if (r < 0 && r != -NLE_NOADDR && r != -NLE_NODEV) {
		strlcpy(err, nl_geterror(r), errlen);
		return (-1);
	}
	if ((v = vip_find(ifindex, a)) != NULL) {
		LIST_REMOVE(v, entry);
		free(v);
	}
	return (r < 0 ? 1 : 0);
}

/* The local address of a libnl address; -1 if neither IPv4 nor IPv6. */
static int
vip_from_rtnl(struct rtnl_addr *ra, struct hafod_addr *out)
{
	struct nl_addr	*local;
	int		 af;

	memset(out, 0, sizeof(*out));
	af = rtnl_addr_get_family(ra);
	if ((af != AF_INET && af != AF_INET6) ||
	    (local = rtnl_addr_get_local(ra)) == NULL ||
	    nl_addr_get_len(local) !=
	    (af == AF_INET ? sizeof(out->u.v4) : sizeof(out->u.v6)))
		return (-1);
	out->af = af;
	out->prefixlen = rtnl_addr_get_prefixlen(ra);
	memcpy(&out->u, nl_addr_get_binary_addr(local), nl_addr_get_len(local));
	return (0);
}

int
netlink_addr_present(unsigned int ifindex, const struct hafod_addr *a,
    uint8_t *prefixlen)
{
	struct nl_cache		*cache;
	struct nl_object	*obj;
	struct rtnl_addr	*ra;
	struct hafod_addr	 cur;
	int			 r, found = 0;

	if (rtsk == NULL)
		return (-1);
	if ((r = rtnl_addr_alloc_cache(rtsk, &cache)) < 0) {
		log_warnx("%s: address dump: %s", __func__, nl_geterror(r));
		return (-1);
	}
	for (obj = nl_cache_get_first(cache); obj != NULL && !found;
	    obj = nl_cache_get_next(obj)) {
		ra = (struct rtnl_addr *)obj;
		if (rtnl_addr_get_ifindex(ra) != (int)ifindex ||
		    vip_from_rtnl(ra, &cur) == -1)
			continue;
		if ((found = addr_eq(&cur, a)) && prefixlen != NULL)
			*prefixlen = cur.prefixlen;
	}
	nl_cache_free(cache);
	return (found);
}

/*
 * The source addresses for CARP: the first non-secondary IPv4 address in
 * the kernel's order, and the link-local IPv6 address once DAD has
 * finished with it (a tentative address cannot send; the kernel sends
 * RTM_NEWADDR when DAD ends, and we look again then).  Our own VIPs are
 * never either.
 */
static int
link_addrs(struct msg_link *ml)
{
	struct nl_cache		*cache;
	struct nl_object	*obj;
	struct rtnl_addr	*ra;
	struct hafod_addr	 cur;
	unsigned int		 flags;
	int			 r;

	if ((r = rtnl_addr_alloc_cache(rtsk, &cache)) < 0) {
		log_warnx("%s: address dump: %s", __func__, nl_geterror(r));
		errno = EIO;
		return (-1);
	}
	for (obj = nl_cache_get_first(cache); obj != NULL;
	    obj = nl_cache_get_next(obj)) {
		ra = (struct rtnl_addr *)obj;
		if (rtnl_addr_get_ifindex(ra) != (int)ml->ifindex ||
		    vip_from_rtnl(ra, &cur) == -1 ||
		    vip_find(ml->ifindex, &cur) != NULL)
			continue;
		flags = rtnl_addr_get_flags(ra);
		if (cur.af == AF_INET && ml->primary4.af == 0 &&
		    (flags & IFA_F_SECONDARY) == 0)
			ml->primary4 = cur;
		else if (cur.af == AF_INET6 && ml->primary6.af == 0 &&
		    IN6_IS_ADDR_LINKLOCAL(&cur.u.v6) &&
		    (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) == 0)
			ml->primary6 = cur;
	}
	nl_cache_free(cache);
	return (0);
}

/* By index, or by name if ifindex is 0. */
static int
link_lookup(unsigned int ifindex, const char *ifname, struct msg_link *ml)
{
	struct rtnl_link	*link;
	const char		*name;
	unsigned int		 flags;
	int			 r;

	if (rtsk == NULL) {
		errno = EINVAL;
		return (-1);
	}
	if (ifindex > INT_MAX ||
	    (ifindex == 0 && strnlen(ifname, IFNAMSIZ) >= IFNAMSIZ)) {
		errno = ENODEV;
		return (-1);
	}
	r = rtnl_link_get_kernel(rtsk, (int)ifindex, ifname, &link);
	if (r == -NLE_NODEV || r == -NLE_OBJ_NOTFOUND) {
		errno = ENODEV;
		return (-1);
	}
	if (r < 0) {
		log_warnx("%s: interface %s: %s", __func__,
		    ifname != NULL ? ifname : "by index", nl_geterror(r));
		errno = EIO;
		return (-1);
	}
	memset(ml, 0, sizeof(*ml));
	ml->ifindex = rtnl_link_get_ifindex(link);
	if ((name = rtnl_link_get_name(link)) != NULL)
		strlcpy(ml->ifname, name, sizeof(ml->ifname));
	/* IFF_RUNNING: the kernel's operational state, carrier included. */
	flags = rtnl_link_get_flags(link);
	ml->up = (flags & IFF_UP) != 0 && (flags & IFF_RUNNING) != 0;
	rtnl_link_put(link);
	return (link_addrs(ml));
}

int
link_get(const char *ifname, struct msg_link *ml)
{
	return (link_lookup(0, ifname, ml));
}

int
link_monitor_fd(void)
{
	return (monsk != NULL ? nl_socket_get_fd(monsk) : -1);
}

static void
monitor_note(unsigned int ifindex, const struct nlattr *name)
{
	struct link_pending	*lp = NULL;
	int			 i;

	for (i = 0; i < npending; i++)
		if (pending[i].ifindex == ifindex)
			lp = &pending[i];
	if (lp == NULL) {
		if (npending == LINK_PENDING_MAX) {
			resync = 1;
			return;
		}
		lp = &pending[npending++];
		memset(lp, 0, sizeof(*lp));
		lp->ifindex = ifindex;
	}
	if (name != NULL)
		nla_strlcpy(lp->ifname, name, sizeof(lp->ifname));
}

/* An address message about one of the VIPs this process added. */
static int
monitor_own_vip(struct nlmsghdr *nlh, const struct ifaddrmsg *ifa)
{
	struct hafod_addr	 a;
	struct nlattr		*attr;
	size_t			 len;

	memset(&a, 0, sizeof(a));
	switch (ifa->ifa_family) {
	case AF_INET:
		len = sizeof(a.u.v4);
		break;
	case AF_INET6:
		len = sizeof(a.u.v6);
		break;
	default:
		return (0);
	}
	/* IFA_LOCAL is the address itself where the two differ. */
	if ((attr = nlmsg_find_attr(nlh, sizeof(*ifa), IFA_LOCAL)) == NULL &&
	    (attr = nlmsg_find_attr(nlh, sizeof(*ifa), IFA_ADDRESS)) == NULL)
		return (0);
	if (nla_len(attr) != (int)len)
		return (0);
	a.af = ifa->ifa_family;
	a.prefixlen = ifa->ifa_prefixlen;
	memcpy(&a.u, nla_data(attr), len);
	return (vip_find(ifa->ifa_index, &a) != NULL);
}

static int
monitor_valid(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr		*nlh = nlmsg_hdr(msg);
	struct ifinfomsg	*ifi;
	struct ifaddrmsg	*ifa;

	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		if (!nlmsg_valid_hdr(nlh, sizeof(*ifi)))
			break;
		ifi = nlmsg_data(nlh);
		/* The name, for reporting a link that is gone. */
		monitor_note(ifi->ifi_index,
		    nlmsg_find_attr(nlh, sizeof(*ifi), IFLA_IFNAME));
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		if (!nlmsg_valid_hdr(nlh, sizeof(*ifa)))
			break;
		ifa = nlmsg_data(nlh);
		/*
		 * Our own VIPs change nothing link_get() reports, and each
		 * renewal of their lifetimes comes back as an RTM_NEWADDR:
		 * not an event.
		 */
		if (monitor_own_vip(nlh, ifa))
			break;
		monitor_note(ifa->ifa_index, NULL);
		break;
	default:
		break;
	}
	return (NL_OK);
}

/* Report one interface; one that no longer exists is reported down. */
static void
monitor_report(const struct link_pending *lp,
    void (*cb)(const struct msg_link *, void *), void *arg)
{
	struct msg_link	ml;

	if (link_lookup(lp->ifindex, NULL, &ml) == -1) {
		if (errno != ENODEV)
			return;
		memset(&ml, 0, sizeof(ml));
		ml.ifindex = lp->ifindex;
		strlcpy(ml.ifname, lp->ifname, sizeof(ml.ifname));
	}
	cb(&ml, arg);
}

/*
 * Bounded reading: under a storm of events, libevent calls again.  The
 * callbacks run after reading, from a copy, so they may use every
 * function here.
 */
#define MONITOR_READS_MAX	64

void
link_monitor_dispatch(void (*cb)(const struct msg_link *, void *), void *arg)
{
	struct link_pending	 todo[LINK_PENDING_MAX];
	struct link_pending	 lp;
	struct nl_cache		*cache;
	struct nl_object	*obj;
	int			 i, n, r = 0, all;

	if (monsk == NULL)
		return;
	for (i = 0; i < MONITOR_READS_MAX; i++)
		if ((r = nl_recvmsgs_default(monsk)) < 0)
			break;
	if (r < 0 && r != -NLE_AGAIN) {
		log_warnx("link monitor: %s, events may be lost; looking at "
		    "every interface", nl_geterror(r));
		resync = 1;
	}
	n = npending;
	memcpy(todo, pending, n * sizeof(todo[0]));
	all = resync;
	npending = resync = 0;

	for (i = 0; i < n; i++)
		monitor_report(&todo[i], cb, arg);
	if (!all)
		return;
	if ((r = rtnl_link_alloc_cache(rtsk, AF_UNSPEC, &cache)) < 0) {
		log_warnx("link monitor: link dump: %s", nl_geterror(r));
		resync = 1;
		return;
	}
	for (obj = nl_cache_get_first(cache); obj != NULL;
	    obj = nl_cache_get_next(obj)) {
		memset(&lp, 0, sizeof(lp));
		lp.ifindex = rtnl_link_get_ifindex((struct rtnl_link *)obj);
		monitor_report(&lp, cb, arg);
	}
	nl_cache_free(cache);
}

/*
 * Virtual MAC interfaces (vmac.c says when and why): a macvlan on a
 * lower interface, found by its name.  1: a macvlan on lower with this
 * MAC, its index in *ifindex; 0: no interface of that name; -1: the name
 * is some other interface's, or the kernel could not be asked.
 */
int
netlink_vmac_find(const char *name, unsigned int lower, const uint8_t *mac,
    unsigned int *ifindex)
{
	struct rtnl_link	*link;
	struct nl_addr		*addr;
	int			 r, ours;

	if (rtsk == NULL || strnlen(name, IFNAMSIZ) >= IFNAMSIZ)
		return (-1);
	r = rtnl_link_get_kernel(rtsk, 0, name, &link);
	if (r == -NLE_NODEV || r == -NLE_OBJ_NOTFOUND)
		return (0);
	if (r < 0) {
		log_warnx("%s: interface %s: %s", __func__, name,
		    nl_geterror(r));
		return (-1);
	}
	addr = rtnl_link_get_addr(link);
	ours = rtnl_link_is_macvlan(link) &&
	    rtnl_link_get_link(link) == (int)lower && addr != NULL &&
	    nl_addr_get_len(addr) == VMAC_LEN &&
	    memcmp(nl_addr_get_binary_addr(addr), mac, VMAC_LEN) == 0;
	*ifindex = rtnl_link_get_ifindex(link);
	rtnl_link_put(link);
	return (ours ? 1 : -1);
}

/*
 * A macvlan in private mode, down: 0, or -1 with the kernel's reason in
 * err.
 */
int
netlink_vmac_add(const char *name, unsigned int lower, const uint8_t *mac,
    char *err, size_t errlen)
{
	struct rtnl_link	*link;
	struct nl_addr		*addr;
	int			 r;

	if (rtsk == NULL || lower == 0 || lower > INT_MAX) {
		strlcpy(err, "bad interface", errlen);
		return (-1);
	}
	if ((link = rtnl_link_macvlan_alloc()) == NULL) {
		strlcpy(err, nl_geterror(NLE_NOMEM), errlen);
		return (-1);
	}
	if ((addr = nl_addr_build(AF_LLC, mac, VMAC_LEN)) == NULL) {
		rtnl_link_put(link);
		strlcpy(err, nl_geterror(NLE_NOMEM), errlen);
		return (-1);
	}
	rtnl_link_set_name(link, name);
	rtnl_link_set_link(link, (int)lower);
	rtnl_link_set_addr(link, addr);
	nl_addr_put(addr);
	if ((r = rtnl_link_macvlan_set_mode(link, MACVLAN_MODE_PRIVATE)) >= 0)
		r = rtnl_link_add(rtsk, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(link);
	if (r < 0) {
		strlcpy(err, nl_geterror(r), errlen);
		return (-1);
	}
	return (0);
}

/* Up, or down: 0, or -1 with the kernel's reason in err. */
int
netlink_link_set_up(unsigned int ifindex, int up, char *err, size_t errlen)
{
	struct rtnl_link	*orig, *change;
	int			 r;

	if (rtsk == NULL || ifindex == 0 || ifindex > INT_MAX) {
		strlcpy(err, "bad interface index", errlen);
		return (-1);
	}
	if ((r = rtnl_link_get_kernel(rtsk, (int)ifindex, NULL, &orig)) < 0) {
		strlcpy(err, nl_geterror(r), errlen);
		return (-1);
	}
	if ((change = rtnl_link_alloc()) == NULL) {
		rtnl_link_put(orig);
		strlcpy(err, nl_geterror(NLE_NOMEM), errlen);
		return (-1);
	}
	if (up)
		rtnl_link_set_flags(change, IFF_UP);
	else
		rtnl_link_unset_flags(change, IFF_UP);
	r = rtnl_link_change(rtsk, orig, change, 0);
	rtnl_link_put(change);
	rtnl_link_put(orig);
	if (r < 0) {
		strlcpy(err, nl_geterror(r), errlen);
		return (-1);
	}
	return (0);
}

/*
 * Remove an interface by name: 0, 1 if there is none of that name, or -1
 * with the kernel's reason in err.
 */
int
netlink_link_del(const char *name, char *err, size_t errlen)
{
	struct rtnl_link	*link;
	int			 r;

	if (rtsk == NULL) {
		strlcpy(err, "netlink not initialised", errlen);
		return (-1);
	}
	if ((link = rtnl_link_alloc()) == NULL) {
		strlcpy(err, nl_geterror(NLE_NOMEM), errlen);
		return (-1);
	}
	rtnl_link_set_name(link, name);
	r = rtnl_link_delete(rtsk, link);
	rtnl_link_put(link);
	if (r == -NLE_NODEV || r == -NLE_OBJ_NOTFOUND)
		return (1);
	if (r < 0) {
		strlcpy(err, nl_geterror(r), errlen);
		return (-1);
	}
	return (0);
}
