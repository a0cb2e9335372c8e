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

/* Output for people: a table for show, a block for show service. */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hafoctl.h"

#define TABLE_FMT	"%-12s %-8s %4s %-8s %6s %-15s %-8s %-8s %6s %-10s %s\n"
#define DETAIL_FMT	"  %-13s %s\n"

const struct demote_reason demote_reasons[] = {
	{ DEMOTE_OPERATOR,	"operator" },
	{ DEMOTE_PERSIST,	"persist" },
	{ DEMOTE_VIPFAIL,	"vip-failed" },
	{ DEMOTE_CHECK,		"check" },
	{ DEMOTE_TRACK,		"track" },
	{ DEMOTE_GROUP,		"group" },
	{ DEMOTE_QUORUM,	"quorum" },
	{ DEMOTE_HEARTBEAT,	"heartbeat" },
	{ DEMOTE_PROMOTE,	"promote-failed" },
	{ 0,			NULL }
};

static void	show_head(const struct parse_result *);
static void	show_service(const struct parse_result *,
		    const struct show_service *);
static void	show_quorum(const struct parse_result *,
		    const struct ctl_quorum *);
static void	show_nodes(const struct msg_quorum *);
static void	show_result(const char *, int);
static void	show_tail(const struct parse_result *, int);
static void	show_iface(const struct parse_result *,
		    const struct ctl_iface *);
static void	show_sites(const struct parse_result *,
		    const struct show_sites *);
static void	show_entity(const struct msg_sites *,
		    const struct ctl_site_role *);
static void	show_detail(const struct show_service *);
static const char *fmt_duration(uint64_t);
static const char *fmt_reasons(uint32_t, const char *);
static const char *fmt_master(const struct ctl_service *);
static void	fmt_interval(char *, size_t, uint32_t);
static void	fmt_adv(char *, size_t, const struct ctl_service *,
		    unsigned int, unsigned int);

const struct output show_output = {
	show_head,
	show_service,
	show_quorum,
	show_result,
	show_tail,
	show_iface,
	show_sites
};

static void
show_head(const struct parse_result *res)
{
	if (res->action == SHOW)
		printf(TABLE_FMT, "SERVICE", "IFACE", "VHID", "STATE",
		    "SINCE", "MASTER", "ADV(cfg)", "ADV(eff)", "DEMOTE",
		    "REASONS", "LAST HOOK");
}

static void
show_service(const struct parse_result *res, const struct show_service *ss)
{
	const struct ctl_service	*s = &ss->svc;
	char				 vhid[4], cfg[24], eff[24], demote[4];

	if (res->action == SHOW_SERVICE) {
		show_detail(ss);
		return;
	}
	snprintf(vhid, sizeof(vhid), "%u", s->vhid);
	fmt_adv(cfg, sizeof(cfg), s, s->advbase, s->advskew);
	fmt_adv(eff, sizeof(eff), s, s->eff_advbase, s->eff_advskew);
	snprintf(demote, sizeof(demote), "%u", s->demote);
	printf(TABLE_FMT, s->name, s->ifname, vhid, state_name(s->state),
	    fmt_duration(s->since_ms), fmt_master(s), cfg, eff, demote,
	    fmt_reasons(s->demote_reasons, ","),
	    s->last_hook[0] != '\0' ? s->last_hook : "-");
}

static void
show_detail(const struct show_service *ss)
{
	const struct ctl_service	*s = &ss->svc;
	const struct ctl_peer		*p;
	const struct ctl_heartbeat	*h;
	char				 buf[256], drops[512], ival[16];
	const char			*label;
	size_t				 i;
	int				 d;

	printf("service %s\n", s->name);
	snprintf(buf, sizeof(buf), "%s, vhid %u", s->ifname, s->vhid);
	printf(DETAIL_FMT, "interface:", buf);
	if (s->group[0] != '\0')
		printf(DETAIL_FMT, "group:", s->group);
	snprintf(buf, sizeof(buf), "%s for %s%s", state_name(s->state),
	    fmt_duration(s->since_ms), s->leaving ? ", bowing out" : "");
	printf(DETAIL_FMT, "state:", buf);
	snprintf(buf, sizeof(buf), "%s%s", s->master.af != 0 ?
	    fmt_master(s) : "none known",
	    s->state == CARP_MASTER ? " (this node)" : "");
	printf(DETAIL_FMT, "master:", buf);
	if (s->protocol == PROTO_BUNDLE) {
		fmt_interval(ival, sizeof(ival), s->interval);
		snprintf(buf, sizeof(buf), "protocol bundle, interval %s, "
		    "advskew %u (configured %u), demote %u", ival,
		    s->eff_advskew, s->advskew, s->demote);
	} else
		snprintf(buf, sizeof(buf), "%u+%u (configured %u+%u), "
		    "demote %u", s->eff_advbase, s->eff_advskew, s->advbase,
		    s->advskew, s->demote);
	printf(DETAIL_FMT, "advertising:", buf);
	for (i = 0; i < s->ndrift; i++)
		printf(DETAIL_FMT, "drift:", drift_line(s, &s->drift[i]));
	snprintf(buf, sizeof(buf), "%s%s%s%s", fmt_reasons(s->demote_reasons,
	    ", "), s->demote_detail[0] != '\0' ? " (" : "", s->demote_detail,
	    s->demote_detail[0] != '\0' ? ")" : "");
	printf(DETAIL_FMT, "demoted by:", buf);
	if (s->promote_failures > 0) {
		if (s->holddown_ms == UINT64_MAX)
			snprintf(buf, sizeof(buf), "until undemote");
		else if (s->holddown_ms > 0)
			snprintf(buf, sizeof(buf), "%s left",
			    fmt_duration(s->holddown_ms));
		else
			snprintf(buf, sizeof(buf), "over");
		printf(DETAIL_FMT, "hold-down:", buf);
		snprintf(buf, sizeof(buf), "%u in a row", s->promote_failures);
		printf(DETAIL_FMT, "promote hook:", buf);
	}
	printf(DETAIL_FMT, "preempt:", s->preempt ? "yes" : "no");
	if (s->handover == HANDOVER_EXCLUSIVE) {
		if (s->xwait == XWAIT_FENCE || s->xwait == XWAIT_FENCE_RETRY)
			snprintf(buf, sizeof(buf), "exclusive, promote hook "
			    "waits for %s: fencing %s, it fell silent (%u "
			    "failed)%s%s", xwait_name(s->xwait),
			    addr_ntop(&s->xpeer), s->fence_failures,
			    s->xwait_ms > 0 ? ", next in " : "",
			    s->xwait_ms > 0 ? fmt_duration(s->xwait_ms) : "");
		else if (s->xwait != XWAIT_NONE)
			snprintf(buf, sizeof(buf), "exclusive, promote hook "
			    "waits for %s %s, %s left", xwait_name(s->xwait),
			    addr_ntop(&s->xpeer), fmt_duration(s->xwait_ms));
		else if (s->releasing)
			snprintf(buf, sizeof(buf), "exclusive, bowing out "
			    "until the demote hook has finished");
		else
			snprintf(buf, sizeof(buf), "exclusive");
		printf(DETAIL_FMT, "handover:", buf);
	}

	label = "addresses:";
	for (i = 0; i < s->nvips; i++) {
		snprintf(buf, sizeof(buf), "%s/%u %s",
		    addr_ntop(&s->vips[i]), s->vips[i].prefixlen,
		    (s->vips_installed & (1U << i)) ? "installed" :
		    "not installed");
		printf(DETAIL_FMT, label, buf);
		label = "";
	}
	snprintf(buf, sizeof(buf), "%" PRIu64 " sent, %" PRIu64 " received",
	    s->sent, s->received);
	printf(DETAIL_FMT, "adverts:", buf);

	drops[0] = '\0';
	for (d = DROP_NONE + 1; d < DROP_MAX; d++) {
		if (s->drops[d] == 0)
			continue;
		snprintf(buf, sizeof(buf), "%s%s %" PRIu64,
		    drops[0] != '\0' ? ", " : "", carp_drop_name(d),
		    s->drops[d]);
		strlcat(drops, buf, sizeof(drops));
	}
	printf(DETAIL_FMT, "dropped:", drops[0] != '\0' ? drops : "none");
	printf(DETAIL_FMT, "last hook:", s->last_hook[0] != '\0' ?
	    s->last_hook : "none yet");

	for (i = 0; i < ss->nhbs; i++) {
		h = &ss->hbs[i];
		snprintf(buf, sizeof(buf), "%s ttl %u ms, last %s%s, %s, "
		    "weight %u, uid %u, %" PRIu64 " received, %" PRIu64
		    " refused", h->name, h->ttl, h->seen ?
		    fmt_duration(h->age_ms) : "never", h->seen ? " ago" : "",
		    h->failed ? "failed" : "alive", h->weight, h->uid,
		    h->received, h->refused);
		printf(DETAIL_FMT, i == 0 ? "heartbeats:" : "", buf);
	}

	label = "peers heard:";
	for (i = 0; i < ss->npeers; i++) {
		p = &ss->peers[i];
		if (p->base_ms != 0) {
			fmt_interval(ival, sizeof(ival), p->base_ms);
			snprintf(buf, sizeof(buf), "%s every %s+%u (%.3f ms), "
			    "demote %u, last seen %s ago", addr_ntop(&p->addr),
			    ival, p->advskew,
			    p->base_ms * (256 + p->advskew) / 256.0, p->demote,
			    fmt_duration(p->last_seen_ms));
		} else
			snprintf(buf, sizeof(buf), "%s every %u+%u (%.3f s), "
			    "demote %u, last seen %s ago", addr_ntop(&p->addr),
			    p->advbase, p->advskew,
			    p->advbase + p->advskew / 256.0, p->demote,
			    fmt_duration(p->last_seen_ms));
		printf(DETAIL_FMT, label, buf);
		label = "";
	}
	if (ss->npeers == 0)
		printf(DETAIL_FMT, label, "none");
}

/*
 * quorum: quorate for 12s (policy fast)
 * corosync: connected, node 1, votes 1 of expected 3, total 3, quorum 2
 * qdevice: none
 * nodes:
 *   1  192.0.2.1  1 vote  member
 */
static void
show_quorum(const struct parse_result *res, const struct ctl_quorum *cq)
{
	const struct msg_quorum	*q = &cq->q;
	int			 why;

	if (q->link == QUORUM_OFF) {
		printf("quorum: not configured\n");
		return;
	}
	why = !q->quorate && q->reason[0] != '\0';
	printf("quorum: %s for %s (policy %s)%s%s\n",
	    q->quorate ? "quorate" : "not quorate", fmt_duration(cq->since_ms),
	    quorum_policy_word(q->policy), why ? ": " : "",
	    why ? q->reason : "");
	if (q->link == QUORUM_DOWN) {
		printf("corosync: not connected\n");
		return;
	}
	printf("corosync: connected, node %u, votes %u of expected %u, "
	    "total %u, quorum %u%s\n", q->nodeid, q->node_votes,
	    q->expected_votes, q->total_votes, q->quorum,
	    q->two_node ? ", two_node" : "");
	if (!q->qdevice)
		printf("qdevice: none\n");
	else
		printf("qdevice%s%s: %s, %s, %u vote%s\n",
		    q->qdevice_name[0] != '\0' ? " " : "", q->qdevice_name,
		    q->qdevice_alive ? "alive" : "not alive",
		    q->qdevice_vote ? "casting its vote" : "not voting",
		    q->qdevice_votes, q->qdevice_votes == 1 ? "" : "s");
	show_nodes(q);
}

/*
 * this node: n1 in site east, quorate, CPG joined, synced
 * site east: n1 n2
 * site west: n3 n4
 * db: controller east for 12s (held by n1), term 3
 *   east: master n1, here: controller
 *   west: master n3
 */
static void
show_sites(const struct parse_result *res, const struct show_sites *ss)
{
	const struct msg_sites	*s = &ss->sites.s;
	size_t			 i;
	int			 j, n;

	if (s->link == QUORUM_OFF) {
		printf("sites: not configured\n");
		return;
	}
	printf("this node: %s in site %s, %s, ", site_node(s, s->nodeid),
	    s->mysite != SITE_NONE ? site_word(s, s->mysite) : "none",
	    ss->sites.quorate ? "quorate" : "not quorate");
	if (s->link == QUORUM_UP)
		printf("CPG joined, %s\n", s->synced ? "synced" : "syncing");
	else
		printf("CPG not joined%s%s\n", s->reason[0] != '\0' ? ": " :
		    "", s->reason);
	for (j = 0; j < s->nsites; j++) {
		printf("site %s:", s->sites[j]);
		n = 0;
		for (i = 0; i < s->nmembers; i++) {
			if (s->members[i].site != j)
				continue;
			printf(" %s%s", s->members[i].name,
			    s->members[i].quorate ? "" : " (not quorate)");
			n++;
		}
		printf("%s\n", n == 0 ? " no member" : "");
	}
	for (i = 0; i < ss->nroles; i++)
		show_entity(s, &ss->roles[i]);
}

/*
 * An entity: where the role is, or where it moves and what it waits
 * for; then each site's master, and this node's role in its own.
 */
static void
show_entity(const struct msg_sites *s, const struct ctl_site_role *cr)
{
	const struct msg_site_role	*r = &cr->r;
	int				 j;

	printf("%s%s: ", r->kind == SITE_KIND_GROUP ? "group " : "",
	    r->name);
	if (r->target != SITE_NONE && r->target != r->controller) {
		printf("moving %s -> %s, ", r->controller != SITE_NONE ?
		    site_word(s, r->controller) : "none",
		    site_word(s, r->target));
		if (r->wait_ms > 0)
			printf("waiting %u.%us for the release bound\n",
			    r->wait_ms / 1000, r->wait_ms % 1000 / 100);
		else if (!s->synced || r->controller == SITE_NONE)
			printf("waiting for the sites to agree\n");
		else
			printf("waiting for %s to let go\n",
			    site_word(s, r->controller));
	} else if (r->controller == SITE_NONE)
		printf("no controller: no site is eligible\n");
	else {
		printf("controller %s for %s (", site_word(s, r->controller),
		    fmt_duration(cr->age_ms));
		if (r->holder != 0)
			printf("held by %s", site_node(s, r->holder));
		else
			printf("not held");
		printf("), term %" PRIu64 "\n", r->term);
	}
	for (j = 0; j < s->nsites; j++) {
		printf("  %s: ", s->sites[j]);
		if (r->masters[j] != 0)
			printf("master %s", site_node(s, r->masters[j]));
		else
			printf("no master");
		if (j == s->mysite)
			printf(", here: %s", site_role_word(cr->role));
		putchar('\n');
	}
}

/* "off" with no site configured, "down" until CPG is joined, "up". */
const char *
sites_cpg_word(uint8_t link)
{
	switch (link) {
	case QUORUM_OFF:
		return ("off");
	case QUORUM_UP:
		return ("up");
	}
	return ("down");
}

const char *
site_role_word(uint8_t role)
{
	switch (role) {
	case SITE_ROLE_CONTROLLER:
		return ("controller");
	case SITE_ROLE_STANDBY:
		return ("standby");
	}
	return ("none");
}

/* A site's name; "" for none. */
const char *
site_word(const struct msg_sites *s, uint8_t site)
{
	return (site < s->nsites ? s->sites[site] : "");
}

/* A node by corosync's name, or "node 3" for one not in the group. */
const char *
site_node(const struct msg_sites *s, uint32_t nodeid)
{
	static char	buf[QUORUM_NAME_MAX + 16];
	int		i;

	for (i = 0; i < s->nmembers; i++)
		if (s->members[i].nodeid == nodeid)
			return (s->members[i].name);
	snprintf(buf, sizeof(buf), "node %u", nodeid);
	return (buf);
}

/* A column each for the id, the address and the votes, as wide as needed. */
static void
show_nodes(const struct msg_quorum *q)
{
	const struct quorum_node	*n;
	char				 id[12], votes[24];
	int				 i, wid = 0, waddr = 0, wvotes = 0, len;

	if (q->nnodes == 0)
		return;
	for (i = 0; i < q->nnodes; i++) {
		n = &q->nodes[i];
		len = snprintf(id, sizeof(id), "%u", n->nodeid);
		wid = len > wid ? len : wid;
		len = strlen(n->addr.af != 0 ? addr_ntop(&n->addr) : "-");
		waddr = len > waddr ? len : waddr;
		len = snprintf(votes, sizeof(votes), "%u vote%s", n->votes,
		    n->votes == 1 ? "" : "s");
		wvotes = len > wvotes ? len : wvotes;
	}
	printf("nodes:\n");
	for (i = 0; i < q->nnodes; i++) {
		n = &q->nodes[i];
		snprintf(votes, sizeof(votes), "%u vote%s", n->votes,
		    n->votes == 1 ? "" : "s");
		printf("  %*u  %-*s  %-*s  %s\n", wid, n->nodeid, waddr,
		    n->addr.af != 0 ? addr_ntop(&n->addr) : "-", wvotes, votes,
		    n->member ? "member" : "-");
	}
}

/*
 * Below the table, a line for an interface that dropped advertisements
 * no service could be blamed for: a vhid that none runs there is most
 * often a neighbour misconfigured, or a second cluster on the link.
 */
static void
show_iface(const struct parse_result *res, const struct ctl_iface *ci)
{
	char		 buf[64], drops[512];
	uint64_t	 n = ci->drops[DROP_VHID];
	int		 d;

	if (n > 0) {
		printf("interface %s: %" PRIu64 " advertisement%s for unknown "
		    "vhids", ci->ifname, n, n == 1 ? "" : "s");
		if (ci->unknown_src.af != 0)
			printf(" (vhid %u last from %s)", ci->unknown_vhid,
			    addr_ntop(&ci->unknown_src));
		putchar('\n');
	}
	drops[0] = '\0';
	for (d = DROP_NONE + 1; d < DROP_MAX; d++) {
		if (d == DROP_VHID || ci->drops[d] == 0)
			continue;
		snprintf(buf, sizeof(buf), "%s%s %" PRIu64,
		    drops[0] != '\0' ? ", " : "", carp_drop_name(d),
		    ci->drops[d]);
		strlcat(drops, buf, sizeof(drops));
	}
	if (drops[0] != '\0')
		printf("interface %s: dropped %s (no service to blame)\n",
		    ci->ifname, drops);
}

/* A failure is an error message, on stderr, as err(3) would print it. */
static void
show_result(const char *line, int failed)
{
	if (failed) {
		fflush(stdout);
		fprintf(stderr, "%s: %s\n", getprogname(), line);
	} else
		printf("%s\n", line);
}

static void
show_tail(const struct parse_result *res, int status)
{
	fflush(stdout);
}

/* "850ms", "42s", "3m12s", "5h07m", "12d03h": short enough for a column. */
static const char *
fmt_duration(uint64_t ms)
{
	static char	buf[32];
	uint64_t	s = ms / 1000;

	if (s == 0)
		snprintf(buf, sizeof(buf), "%" PRIu64 "ms", ms);
	else if (s < 60)
		snprintf(buf, sizeof(buf), "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, sizeof(buf), "%" PRIu64 "m%02" PRIu64 "s",
		    s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, sizeof(buf), "%" PRIu64 "h%02" PRIu64 "m",
		    s / 3600, s % 3600 / 60);
	else
		snprintf(buf, sizeof(buf), "%" PRIu64 "d%02" PRIu64 "h",
		    s / 86400, s % 86400 / 3600);
	return (buf);
}

static const char *
fmt_reasons(uint32_t bits, const char *sep)
{
	static char	buf[64];
	int		i;

	buf[0] = '\0';
	for (i = 0; demote_reasons[i].name != NULL; i++) {
		if ((bits & demote_reasons[i].bit) == 0)
			continue;
		if (buf[0] != '\0')
			strlcat(buf, sep, sizeof(buf));
		strlcat(buf, demote_reasons[i].name, sizeof(buf));
	}
	return (buf[0] != '\0' ? buf : "-");
}

static const char *
fmt_master(const struct ctl_service *s)
{
	return (s->master.af != 0 ? addr_ntop(&s->master) : "-");
}

/* As the configuration spells it: "5ms", "250ms", "1s", "1500ms". */
static void
fmt_interval(char *buf, size_t len, uint32_t ms)
{
	if (ms != 0 && ms % 1000 == 0)
		snprintf(buf, len, "%us", ms / 1000);
	else
		snprintf(buf, len, "%ums", ms);
}

/* advbase+advskew, or the bundle's interval+advskew: "1+0", "5ms+0". */
static void
fmt_adv(char *buf, size_t len, const struct ctl_service *s,
    unsigned int advbase, unsigned int advskew)
{
	char	ival[16];

	if (s->protocol == PROTO_BUNDLE) {
		fmt_interval(ival, sizeof(ival), s->interval);
		snprintf(buf, len, "%s+%u", ival, advskew);
	} else
		snprintf(buf, len, "%u+%u", advbase, advskew);
}

/*
 * A peer that runs the service otherwise, in a sentence, for show service
 * and JSON's "detail".  Unauthenticated for "password": the operator's to
 * judge, as the election never is told.
 */
const char *
drift_line(const struct ctl_service *s, const struct ctl_drift *d)
{
	static char	buf[160];
	char		theirs[16], ours[16];
	const char	*peer = addr_ntop(&d->peer);

	switch (d->what) {
	case DRIFT_ADDRESSES:
		snprintf(buf, sizeof(buf), "peer %s has other addresses for "
		    "vhid %u", peer, s->vhid);
		break;
	case DRIFT_INTERVAL:
		fmt_interval(theirs, sizeof(theirs), d->value);
		fmt_interval(ours, sizeof(ours), s->interval);
		snprintf(buf, sizeof(buf), "peer %s has interval %s for vhid "
		    "%u, here %s", peer, theirs, s->vhid, ours);
		break;
	case DRIFT_PASSWORD:
		snprintf(buf, sizeof(buf), "peer %s sends vhid %u under "
		    "another password", peer, s->vhid);
		break;
	case DRIFT_PROTOCOL:
		snprintf(buf, sizeof(buf), "peer %s speaks %s for vhid %u",
		    peer, s->protocol == PROTO_BUNDLE ? "CARP" :
		    "the bundle format", s->vhid);
		break;
	default:
		snprintf(buf, sizeof(buf), "peer %s differs (%s) for vhid %u",
		    peer, drift_name(d->what), s->vhid);
		break;
	}
	return (buf);
}
