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
 * show metrics: what show and show quorum say, in the Prometheus text
 * exposition format 0.0.4.  Not OpenMetrics 1.0: node_exporter's
 * textfile collector, where these are meant to go, reads only the older
 * format and refuses OpenMetrics' info and stateset types, so states
 * are gauges of 0 and 1, one per state, and there is no "# EOF".
 *
 * Names are stable and documented in hafoctl(8), METRICS: a name is
 * only ever added.  All samples of a name are written together, after
 * its HELP and TYPE, as the format requires; a name without samples
 * (no services, no quorum) is left out whole.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hafoctl.h"

static const char *const state_labels[CARP_STATE_MAX] = {
	[CARP_INIT] =		"init",
	[CARP_BACKUP] =		"backup",
	[CARP_MASTER] =		"master",
	[CARP_LINKDOWN] =	"linkdown",
};

static const char *const protocol_labels[] = {
	[PROTO_CARP] =		"carp",
	[PROTO_BUNDLE] =	"bundle",
};

static const char *const quorum_links[] = {
	[QUORUM_DOWN] =		"down",
	[QUORUM_UP] =		"up",
	[QUORUM_REFUSED] =	"refused",
};

static void	family(const char *, const char *, const char *);
static void	label_value(const char *);
static void	svc_labels(const char *, const struct ctl_service *,
		    const char *, const char *);
static void	iface_labels(const char *, const struct ctl_iface *,
		    const char *, const char *);
static void	print_seconds(uint64_t);
static void	print_interval(const struct ctl_service *);
static unsigned int drift_peers(const struct ctl_service *, int);
static int	across(const struct ctl_service *,
		    const struct show_sites *);
static int	hook_shown(const struct ctl_service *, int,
		    const struct show_sites *);
static void	services(const struct show_service *, size_t,
		    const struct show_sites *);
static void	ifaces(const struct ctl_iface *, size_t);
static void	quorum(const struct ctl_quorum *);
static void	sites(const struct show_sites *);

static void
family(const char *name, const char *type, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/*
 * Quoted and escaped as the format wants, and valid UTF-8 whatever the
 * configuration held: a byte out of place becomes '?', as a parser that
 * meets invalid UTF-8 refuses the whole exposition.
 */
static void
label_value(const char *str)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 n;

	putchar('"');
	while (*s != '\0') {
		if (*s == '"' || *s == '\\') {
			printf("\\%c", *s++);
			continue;
		}
		if (*s == '\n') {
			fputs("\\n", stdout);
			s++;
			continue;
		}
		if (*s < 0x20 || *s == 0x7f) {
			putchar('?');
			s++;
			continue;
		}
		if (*s < 0x80) {
			putchar(*s++);
			continue;
		}
		n = utf8_seqlen(s);
		if (n == 0) {
			putchar('?');
			s++;
			continue;
		}
		fwrite(s, 1, n, stdout);
		s += n;
	}
	putchar('"');
}

/* name{service="web",interface="eth0",vhid="10"[,label="value"]} */
static void
svc_labels(const char *name, const struct ctl_service *s, const char *label,
    const char *value)
{
	printf("%s{service=", name);
	label_value(s->name);
	fputs(",interface=", stdout);
	label_value(s->ifname);
	printf(",vhid=\"%u\"", s->vhid);
	if (label != NULL) {
		printf(",%s=", label);
		label_value(value);
	}
	fputs("} ", stdout);
}

static void
iface_labels(const char *name, const struct ctl_iface *ci, const char *label,
    const char *value)
{
	printf("%s{interface=", name);
	label_value(ci->ifname);
	printf(",family=\"%s\"", ci->af == AF_INET6 ? "inet6" : "inet");
	if (label != NULL) {
		printf(",%s=", label);
		label_value(value);
	}
	fputs("} ", stdout);
}

/* Seconds, to the millisecond, as Prometheus wants its base unit. */
static void
print_seconds(uint64_t ms)
{
	printf("%" PRIu64 ".%03" PRIu64 "\n", ms / 1000, ms % 1000);
}

/*
 * The interval advertised now.  A bundle's is interval * (256 + advskew)
 * / 256, down to the microsecond, as a 5 ms interval with a skew would
 * lose its skew in milliseconds.
 */
static void
print_interval(const struct ctl_service *s)
{
	uint64_t	us;

	if (s->protocol != PROTO_BUNDLE) {
		print_seconds(s->eff_advbase * 1000ULL +
		    s->eff_advskew * 1000ULL / 256);
		return;
	}
	us = s->interval * 1000ULL * (256 + s->eff_advskew) / 256;
	printf("%" PRIu64 ".%06" PRIu64 "\n", us / 1000000, us % 1000000);
}

static unsigned int
drift_peers(const struct ctl_service *s, int kind)
{
	unsigned int	n = 0;
	int		i;

	for (i = 0; i < s->ndrift; i++)
		n += s->drift[i].what == kind;
	return (n);
}

/* Is the service an entity across sites, or a member of one? */
static int
across(const struct ctl_service *s, const struct show_sites *st)
{
	const struct msg_site_role	*r;
	size_t				 i;

	if (st == NULL)
		return (0);
	for (i = 0; i < st->nroles; i++) {
		r = &st->roles[i].r;
		if (r->kind == SITE_KIND_SERVICE &&
		    strcmp(r->name, s->name) == 0)
			return (1);
		if (r->kind == SITE_KIND_GROUP && s->group[0] != '\0' &&
		    strcmp(r->name, s->group) == 0)
			return (1);
	}
	return (0);
}

/* controller and standby run only across sites: elsewhere, no series. */
static int
hook_shown(const struct ctl_service *s, int ev, const struct show_sites *st)
{
	if (ev != HOOK_CONTROLLER && ev != HOOK_STANDBY)
		return (1);
	return (across(s, st));
}

static void
services(const struct show_service *ss, size_t n, const struct show_sites *st)
{
	const struct ctl_service	*s;
	size_t				 i;
	unsigned int			 installed;
	int				 j;

	if (n == 0)
		return;

	family("hafod_service_state", "gauge",
	    "1 for the state the service is in, 0 for the others.");
	for (i = 0; i < n; i++)
		for (j = 0; j < CARP_STATE_MAX; j++) {
			s = &ss[i].svc;
			svc_labels("hafod_service_state", s, "state",
			    state_labels[j]);
			printf("%d\n", s->state == j);
		}

	family("hafod_service_state_duration_seconds", "gauge",
	    "Time since the service entered its current state.");
	for (i = 0; i < n; i++) {
		svc_labels("hafod_service_state_duration_seconds",
		    &ss[i].svc, NULL, NULL);
		print_seconds(ss[i].svc.since_ms);
	}

	family("hafod_service_transitions_total", "counter",
	    "State changes of the service, by the state entered.");
	for (i = 0; i < n; i++)
		for (j = 0; j < CARP_STATE_MAX; j++) {
			s = &ss[i].svc;
			svc_labels("hafod_service_transitions_total", s,
			    "state", state_labels[j]);
			printf("%" PRIu64 "\n", s->transitions[j]);
		}

	family("hafod_service_adverts_sent_total", "counter",
	    "CARP advertisements sent for the service.");
	for (i = 0; i < n; i++) {
		svc_labels("hafod_service_adverts_sent_total", &ss[i].svc,
		    NULL, NULL);
		printf("%" PRIu64 "\n", ss[i].svc.sent);
	}

	family("hafod_service_adverts_received_total", "counter",
	    "CARP advertisements received and accepted for the service.");
	for (i = 0; i < n; i++) {
		svc_labels("hafod_service_adverts_received_total",
		    &ss[i].svc, NULL, NULL);
		printf("%" PRIu64 "\n", ss[i].svc.received);
	}

	/* Not unknown-vhid: that is the interface's, never a service's. */
	family("hafod_service_adverts_dropped_total", "counter",
	    "CARP advertisements for the service dropped, by reason.");
	for (i = 0; i < n; i++)
		for (j = DROP_NONE + 1; j < DROP_MAX; j++) {
			if (j == DROP_VHID)
				continue;
			s = &ss[i].svc;
			svc_labels("hafod_service_adverts_dropped_total", s,
			    "reason", carp_drop_name(j));
			printf("%" PRIu64 "\n", s->drops[j]);
		}

	family("hafod_service_demotion", "gauge",
	    "The demotion weight the service advertises (demote byte).");
	for (i = 0; i < n; i++) {
		svc_labels("hafod_service_demotion", &ss[i].svc, NULL, NULL);
		printf("%u\n", ss[i].svc.demote);
	}

	family("hafod_service_demoted", "gauge",
	    "1 for each reason the service is demoted for, 0 for the others.");
	for (i = 0; i < n; i++)
		for (j = 0; demote_reasons[j].name != NULL; j++) {
			s = &ss[i].svc;
			svc_labels("hafod_service_demoted", s, "reason",
			    demote_reasons[j].name);
			printf("%d\n", (s->demote_reasons &
			    demote_reasons[j].bit) != 0);
		}

	family("hafod_service_advert_interval_seconds", "gauge",
	    "The interval the service advertises at now: advbase plus "
	    "advskew/256, or the bundle's interval times (256+advskew)/256.");
	for (i = 0; i < n; i++) {
		s = &ss[i].svc;
		svc_labels("hafod_service_advert_interval_seconds", s, NULL,
		    NULL);
		print_interval(s);
	}

	family("hafod_service_vips", "gauge",
	    "Virtual addresses configured for the service.");
	for (i = 0; i < n; i++) {
		svc_labels("hafod_service_vips", &ss[i].svc, NULL, NULL);
		printf("%u\n", ss[i].svc.nvips);
	}

	family("hafod_service_vips_installed", "gauge",
	    "Virtual addresses of the service installed on this node.");
	for (i = 0; i < n; i++) {
		s = &ss[i].svc;
		installed = 0;
		for (j = 0; j < s->nvips; j++)
			installed += (s->vips_installed >> j) & 1;
		svc_labels("hafod_service_vips_installed", s, NULL, NULL);
		printf("%u\n", installed);
	}

	family("hafod_service_hooks_total", "counter",
	    "Hooks of the service that finished, by event.");
	for (i = 0; i < n; i++)
		for (j = 0; j < HOOK_MAX; j++) {
			s = &ss[i].svc;
			if (!hook_shown(s, j, st))
				continue;
			svc_labels("hafod_service_hooks_total", s, "event",
			    hook_name(j));
			printf("%" PRIu64 "\n", s->hooks[j]);
		}

	family("hafod_service_hook_failures_total", "counter",
	    "Hooks of the service that did not start, did not exit 0 or "
	    "timed out, by event.");
	for (i = 0; i < n; i++)
		for (j = 0; j < HOOK_MAX; j++) {
			s = &ss[i].svc;
			if (!hook_shown(s, j, st))
				continue;
			svc_labels("hafod_service_hook_failures_total", s,
			    "event", hook_name(j));
			printf("%" PRIu64 "\n", s->hook_failures[j]);
		}

	family("hafod_service_protocol", "gauge",
	    "1 for the wire format the service speaks, 0 for the other.");
	for (i = 0; i < n; i++)
		for (j = PROTO_CARP; j <= PROTO_BUNDLE; j++) {
			s = &ss[i].svc;
			svc_labels("hafod_service_protocol", s, "protocol",
			    protocol_labels[j]);
			printf("%d\n", s->protocol == j);
		}

	/* Every kind for every service: no series come and go. */
	family("hafod_service_drift", "gauge",
	    "Peers that run the service's vhid otherwise, by kind of drift.");
	for (i = 0; i < n; i++)
		for (j = DRIFT_NONE + 1; j < DRIFT_MAX; j++) {
			s = &ss[i].svc;
			svc_labels("hafod_service_drift", s, "kind",
			    drift_name(j));
			printf("%u\n", drift_peers(s, j));
		}
}

static void
ifaces(const struct ctl_iface *ci, size_t n)
{
	size_t	i;
	int	d;

	if (n == 0)
		return;

	family("hafod_interface_up", "gauge",
	    "1 if the interface is up and running, 0 if not.");
	for (i = 0; i < n; i++) {
		iface_labels("hafod_interface_up", &ci[i], NULL, NULL);
		printf("%u\n", ci[i].up);
	}

	family("hafod_interface_adverts_dropped_total", "counter",
	    "CARP advertisements dropped on the interface that no service "
	    "can be blamed for, by reason; unknown-vhid: for a vhid that no "
	    "service runs there.");
	for (i = 0; i < n; i++)
		for (d = DROP_NONE + 1; d < DROP_MAX; d++) {
			iface_labels("hafod_interface_adverts_dropped_total",
			    &ci[i], "reason", carp_drop_name(d));
			printf("%" PRIu64 "\n", ci[i].drops[d]);
		}
}

/* Only where quorum is configured: the caller passes NULL otherwise. */
static void
quorum(const struct ctl_quorum *cq)
{
	const struct msg_quorum	*q;
	int			 i, members = 0;

	if (cq == NULL)
		return;
	q = &cq->q;

	family("hafod_quorum_link", "gauge",
	    "1 for the state of the link to corosync, 0 for the others.");
	for (i = QUORUM_DOWN; i <= QUORUM_REFUSED; i++)
		printf("hafod_quorum_link{link=\"%s\"} %d\n",
		    quorum_links[i], q->link == i);

	family("hafod_quorum_quorate", "gauge",
	    "1 if this node is quorate, 0 if not.");
	printf("hafod_quorum_quorate %u\n", q->quorate != 0);

	family("hafod_quorum_state_duration_seconds", "gauge",
	    "Time since this node became quorate, or not quorate.");
	fputs("hafod_quorum_state_duration_seconds ", stdout);
	print_seconds(cq->since_ms);

	family("hafod_quorum_info", "gauge",
	    "Always 1: the quorum policy and this node's id as labels.");
	printf("hafod_quorum_info{policy=\"%s\",nodeid=\"%u\"} 1\n",
	    quorum_policy_word(q->policy), q->nodeid);

	family("hafod_quorum_node_votes", "gauge",
	    "Votes this node has in the corosync cluster.");
	printf("hafod_quorum_node_votes %u\n", q->node_votes);

	family("hafod_quorum_expected_votes", "gauge",
	    "Votes the corosync cluster expects.");
	printf("hafod_quorum_expected_votes %u\n", q->expected_votes);

	family("hafod_quorum_total_votes", "gauge",
	    "Votes present in the current membership.");
	printf("hafod_quorum_total_votes %u\n", q->total_votes);

	family("hafod_quorum_votes_needed", "gauge",
	    "Votes needed for quorum.");
	printf("hafod_quorum_votes_needed %u\n", q->quorum);

	for (i = 0; i < q->nnodes && i < QUORUM_MEMBERS_MAX; i++)
		members += q->nodes[i].member != 0;
	family("hafod_quorum_members", "gauge",
	    "Nodes in the current corosync membership.");
	printf("hafod_quorum_members %d\n", members);
}

/*
 * Only where a site is configured, and only for entities: with none,
 * both names are left out whole.
 */
static void
sites(const struct show_sites *st)
{
	static const uint8_t		 roles[] = { SITE_ROLE_CONTROLLER,
					    SITE_ROLE_STANDBY, SITE_ROLE_NONE };
	const struct msg_sites		*s;
	const struct ctl_site_role	*cr;
	size_t				 i, k;
	int				 j;

	if (st == NULL || st->nroles == 0)
		return;
	s = &st->sites.s;

	family("hafod_site_controller", "gauge",
	    "1 for the site that holds the entity's role, 0 for the others.");
	for (i = 0; i < st->nroles; i++)
		for (j = 0; j < s->nsites; j++) {
			cr = &st->roles[i];
			fputs("hafod_site_controller{entity=", stdout);
			label_value(cr->r.name);
			fputs(",site=", stdout);
			label_value(s->sites[j]);
			printf("} %d\n", cr->r.controller == j);
		}

	family("hafod_site_role", "gauge",
	    "1 for this node's role for the entity, 0 for the others.");
	for (i = 0; i < st->nroles; i++)
		for (k = 0; k < sizeof(roles); k++) {
			cr = &st->roles[i];
			fputs("hafod_site_role{entity=", stdout);
			label_value(cr->r.name);
			printf(",role=\"%s\"} %d\n", site_role_word(roles[k]),
			    cr->role == roles[k]);
		}
}

void
output_metrics(const struct show_service *ss, size_t nss,
    const struct ctl_iface *ci, size_t nci, const struct ctl_quorum *cq,
    const struct show_sites *st)
{
	services(ss, nss, st);
	ifaces(ci, nci);
	quorum(cq);
	sites(st);
}
