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
 * The parent's ownership of addresses: which service put which address
 * on which interface.  A service takes its addresses when it becomes
 * master and releases them when it stops; an address that another of our
 * services holds changes hands instead; what an earlier run left behind
 * is removed before we join the election; and the addresses are announced
 * a few times after each take.  The netlink calls themselves are in
 * netlink.c.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <arpa/inet.h>

#include <event2/event.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hafod.h"
#include "log.h"
#include "parent.h"

static int		 packet_fd = -1;	/* for announcements */
static struct event	*renew_ev;
static struct timespec	 renewed;		/* the last renewal */

static void	announce(int, short, void *);
static void	vip_renew(int, short, void *);

/* Where the addresses are, for the log: the virtual MAC's, if any. */
static const char *
vip_ifname(const struct pservice *ps)
{
	if (ps->conf.vmac && ps->vmac_ifindex != 0)
		return (ps->vmac_name);
	return (ps->conf.ifname);
}

void
vip_init(int fd)
{
	struct timeval	tv = { VIP_RENEW, 0 };

	packet_fd = fd;
	if (clock_gettime(CLOCK_MONOTONIC, &renewed) == -1)
		fatal("clock_gettime");
	if ((renew_ev = event_new(parent_base(), -1, EV_PERSIST, vip_renew,
	    NULL)) == NULL || evtimer_add(renew_ev, &tv) == -1)
		fatalx("%s: renewal timer", __func__);
}

/*
 * Every address we hold has a lifetime the kernel counts down (netlink.c):
 * renew it in place, long before it runs out.  A master on a virtual MAC
 * also reminds the switches where that MAC is.  A parent that ran so late
 * that addresses may have expired meanwhile (it was stopped, or starved)
 * has them added again by the renewal, and announces them, since the
 * neighbours may have been told of another master meanwhile.
 */
static void
vip_renew(int fd, short event, void *arg)
{
	struct pservice_head	*heads[] = { &pservices, &pretired };
	struct pservice		*ps;
	struct timespec		 now;
	char			 err[128];
	long long		 gap;
	size_t			 h;
	int			 i;

	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		fatal("clock_gettime");
	/* In milliseconds: whole seconds would see 3.01 s as 4. */
	gap = (now.tv_sec - renewed.tv_sec) * 1000 +
	    (now.tv_nsec - renewed.tv_nsec) / 1000000;
	renewed = now;
	for (h = 0; h < sizeof(heads) / sizeof(heads[0]); h++)
		TAILQ_FOREACH(ps, heads[h], entry) {
			for (i = 0; i < ps->conf.nvips; i++) {
				if (!ps->added[i])
					continue;
				if (netlink_addr_renew(vmac_ifindex(ps),
				    &ps->conf.vips[i], err, sizeof(err)) == -1)
					log_warnx("%s: cannot renew %s on %s: "
					    "%s", ps->conf.name,
					    addr_ntop(&ps->conf.vips[i]),
					    vip_ifname(ps), err);
			}
			/* Switches learn the virtual MAC: vmac.c. */
			if (ps->conf.vmac && ps->vmac_ifindex != 0 &&
			    ps->state == CARP_MASTER)
				announce_learn(packet_fd, ps->vmac_ifindex);
			if (gap >= VIP_LIFETIME * 1000 &&
			    ps->state == CARP_MASTER) {
				log_warnx("%s: addresses not renewed for %lld "
				    "ms: announcing them again",
				    ps->conf.name, gap);
				vip_announce(ps);
			}
		}
}

/* Stop announcing: the service is going away. */
void
vip_forget(struct pservice *ps)
{
	if (ps->announce_ev != NULL)
		event_free(ps->announce_ev);
	ps->announce_ev = NULL;
}

/*
 * An address another of our services holds (one that re-joins under a
 * new configuration while its old self bows out) changes hands here,
 * rather than being added twice or removed from under the new owner.
 */
static int
vip_transfer(struct pservice *to, int i)
{
	struct pservice_head	*heads[] = { &pservices, &pretired };
	struct pservice		*ps;
	size_t			 h;
	int			 j;

	for (h = 0; h < sizeof(heads) / sizeof(heads[0]); h++)
		TAILQ_FOREACH(ps, heads[h], entry) {
			if (ps == to || vmac_ifindex(ps) != vmac_ifindex(to))
				continue;
			for (j = 0; j < ps->conf.nvips; j++) {
				if (!ps->added[j] || !addr_eq(&ps->conf.vips[j],
				    &to->conf.vips[i]) ||
				    ps->conf.vips[j].prefixlen !=
				    to->conf.vips[i].prefixlen)
					continue;
				ps->added[j] = 0;
				to->added[i] = 1;
				return (1);
			}
		}
	return (0);
}

/* Tell the engine what is really installed, for hafoctl show. */
void
vip_report(struct pservice *ps)
{
	struct msg_vip_status	vs;
	int			i;

	memset(&vs, 0, sizeof(vs));
	vs.service = ps->conf.id;
	for (i = 0; i < ps->conf.nvips; i++)
		if (ps->added[i])
			vs.installed |= 1U << i;
	parent_send(MSG_VIP_STATUS, ps->conf.id, -1, &vs, sizeof(vs));
}

void
vip_release(struct pservice *ps)
{
	char	err[128];
	int	i, rv;

	if (ps->announce_ev != NULL)
		evtimer_del(ps->announce_ev);
	ps->announce_left = 0;
	for (i = 0; i < ps->conf.nvips; i++) {
		if (!ps->added[i])
			continue;
		rv = netlink_addr_del(vmac_ifindex(ps), &ps->conf.vips[i], err,
		    sizeof(err));
		if (rv == -1)
			log_warnx("%s: cannot remove %s/%u from %s: %s",
			    ps->conf.name, addr_ntop(&ps->conf.vips[i]),
			    ps->conf.vips[i].prefixlen, vip_ifname(ps), err);
		else
			log_debug("%s: %s %s from %s", ps->conf.name,
			    rv == 0 ? "removed" : "already gone:",
			    addr_ntop(&ps->conf.vips[i]), vip_ifname(ps));
		ps->added[i] = 0;
	}
	vmac_down(ps);
}

/* Every way out of the parent, fatal() included, comes here. */
void
vip_release_all(void)
{
	struct pservice	*ps;

	TAILQ_FOREACH(ps, &pservices, entry)
		vip_release(ps);
	TAILQ_FOREACH(ps, &pretired, entry)
		vip_release(ps);
}

static void
announce(int fd, short event, void *arg)
{
	struct pservice	*ps = arg;
	struct timeval	 tv;
	int		 i;

	if (ps->announce_left <= 0 || ps->state != CARP_MASTER)
		return;
	for (i = 0; i < ps->conf.nvips; i++)
		if (announce_vip(packet_fd, vmac_ifindex(ps),
		    &ps->conf.vips[i]) == -1)
			log_warnx("%s: cannot announce %s on %s",
			    ps->conf.name, addr_ntop(&ps->conf.vips[i]),
			    vip_ifname(ps));
	if (--ps->announce_left > 0) {
		tv.tv_sec = ps->conf.announce_interval / 1000;
		tv.tv_usec = (ps->conf.announce_interval % 1000) * 1000;
		if (ps->announce_ev == NULL && (ps->announce_ev =
		    evtimer_new(parent_base(), announce, ps)) == NULL)
			fatal("evtimer_new");
		evtimer_add(ps->announce_ev, &tv);
	}
}

/*
 * A master bowing out announces no more: an announcement of its own
 * after its successor's would draw the neighbours back to it just
 * before it lets go, and leave them with the wrong MAC until the
 * successor's next one.
 */
void
vip_quiet(struct pservice *ps)
{
	if (ps->announce_ev != NULL)
		evtimer_del(ps->announce_ev);
	ps->announce_left = 0;
}

/* Announce the addresses, now and announce_count - 1 times more. */
void
vip_announce(struct pservice *ps)
{
	ps->announce_left = ps->conf.announce_count;
	announce(-1, 0, ps);
}

/*
 * Take every address of the service.  One that cannot be added makes the
 * node give up mastership rather than pretend: the engine is told.
 */
void
vip_take(struct pservice *ps)
{
	struct msg_vip_failed	mv;
	char			err[128];
	int			i, rv;

	/* The virtual MAC interface first: the addresses go there. */
	if (vmac_up(ps, err, sizeof(err)) == -1) {
		log_warnx("%s: no virtual MAC on %s: %s", ps->conf.name,
		    ps->conf.ifname, err);
		memset(&mv, 0, sizeof(mv));
		mv.service = ps->conf.id;
		snprintf(mv.reason, sizeof(mv.reason), "vmac: %.50s", err);
		parent_send(MSG_VIP_FAILED, ps->conf.id, -1, &mv, sizeof(mv));
		return;
	}
	for (i = 0; i < ps->conf.nvips; i++) {
		if (ps->added[i] || vip_transfer(ps, i))
			continue;
		rv = netlink_addr_add(vmac_ifindex(ps), &ps->conf.vips[i], err,
		    sizeof(err));
		if (rv == -1) {
			log_warnx("%s: cannot add %s/%u to %s: %s",
			    ps->conf.name, addr_ntop(&ps->conf.vips[i]),
			    ps->conf.vips[i].prefixlen, vip_ifname(ps), err);
			memset(&mv, 0, sizeof(mv));
			mv.service = ps->conf.id;
			snprintf(mv.reason, sizeof(mv.reason), "%s: %.40s",
			    addr_ntop(&ps->conf.vips[i]), err);
			parent_send(MSG_VIP_FAILED, ps->conf.id, -1, &mv,
			    sizeof(mv));
			return;
		}
		/* Someone else's address is not ours to remove later. */
		if (rv == 0)
			ps->added[i] = 1;
		else
			log_warnx("%s: %s already on %s; not taking it over",
			    ps->conf.name, addr_ntop(&ps->conf.vips[i]),
			    vip_ifname(ps));
		log_debug("%s: added %s/%u to %s", ps->conf.name,
		    addr_ntop(&ps->conf.vips[i]), ps->conf.vips[i].prefixlen,
		    vip_ifname(ps));
	}
	vip_announce(ps);
}

/*
 * Addresses of ours that a crash left behind would answer for a service
 * some other node may hold: remove them before joining the election.
 */
void
vip_remove_stale(struct pservice *ps)
{
	struct hafod_addr	stale;
	char			err[128];
	int			i;

	vmac_remove_stale(ps);
	for (i = 0; i < ps->conf.nvips; i++) {
		/* As it was left, perhaps with another prefix length. */
		stale = ps->conf.vips[i];
		if (netlink_addr_present(ps->ifindex, &stale,
		    &stale.prefixlen) != 1)
			continue;
		if (netlink_addr_del(ps->ifindex, &stale, err,
		    sizeof(err)) != 0)
			fatalx("%s: cannot remove stale %s/%u from %s: %s",
			    ps->conf.name, addr_ntop(&stale), stale.prefixlen,
			    ps->conf.ifname, err);
		log_warnx("%s: removed %s/%u from %s: left behind by an "
		    "earlier run", ps->conf.name, addr_ntop(&stale),
		    stale.prefixlen, ps->conf.ifname);
	}
}
