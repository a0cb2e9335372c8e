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
 * Output for programs (-j): one JSON document per command, its schema
 * documented in hafoctl(8).  Keys are only ever added, never renamed.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hafoctl.h"

#define JSON_DEPTH_MAX	8

static int	depth;
static int	nonempty[JSON_DEPTH_MAX];
static int	in_ifaces;	/* the interfaces array is open */

static void	json_head(const struct parse_result *);
static void	json_service(const struct parse_result *,
		    const struct show_service *);
static void	json_quorum(const struct parse_result *,
		    const struct ctl_quorum *);
static void	json_result(const char *, int);
static void	json_tail(const struct parse_result *, int);
static void	json_iface(const struct parse_result *,
		    const struct ctl_iface *);
static void	json_sites(const struct parse_result *,
		    const struct show_sites *);
static void	json_entity(const struct msg_sites *,
		    const struct ctl_site_role *);
static void	json_ifaces_open(const struct parse_result *);
static void	json_drift(const struct ctl_service *);
static void	json_quote(const char *);
static void	json_member(const char *);
static void	json_open(const char *, int);
static void	json_close(int);
static void	json_string(const char *, const char *);
static void	json_string_or_null(const char *, const char *);
static void	json_uint(const char *, uint64_t);
static void	json_bool(const char *, int);
static void	json_millis(const char *, uint64_t);

const struct output json_output = {
	json_head,
	json_service,
	json_quorum,
	json_result,
	json_tail,
	json_iface,
	json_sites
};

/*
 * A string as JSON: escaped, and valid UTF-8 whatever the bytes were, as
 * names come from a configuration file and lines from the daemon.
 */
static void
json_quote(const char *str)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 n;

	putchar('"');
	while (*s != '\0') {
		if (*s == '"' || *s == '\\') {
			printf("\\%c", *s++);
			continue;
		}
		if (*s < 0x20 || *s == 0x7f) {
			printf("\\u%04x", *s++);
			continue;
		}
		if (*s < 0x80) {
			putchar(*s++);
			continue;
		}
		n = utf8_seqlen(s);
		if (n == 0) {
			printf("\\ufffd");
			s++;
			continue;
		}
		fwrite(s, 1, n, stdout);
		s += n;
	}
	putchar('"');
}

/* The separator and indentation before a member; its key, if any. */
static void
json_member(const char *key)
{
	if (depth == 0)
		return;
	if (nonempty[depth])
		putchar(',');
	nonempty[depth] = 1;
	printf("\n%*s", depth * 2, "");
	if (key != NULL) {
		json_quote(key);
		fputs(": ", stdout);
	}
}

static void
json_open(const char *key, int bracket)
{
	json_member(key);
	putchar(bracket);
	if (++depth >= JSON_DEPTH_MAX)
		abort();
	nonempty[depth] = 0;
}

static void
json_close(int bracket)
{
	if (nonempty[depth])
		printf("\n%*s", (depth - 1) * 2, "");
	depth--;
	putchar(bracket);
}

static void
json_string(const char *key, const char *value)
{
	json_member(key);
	json_quote(value);
}

/* null for "": none */
static void
json_string_or_null(const char *key, const char *value)
{
	if (value[0] != '\0')
		json_string(key, value);
	else {
		json_member(key);
		fputs("null", stdout);
	}
}

static void
json_uint(const char *key, uint64_t value)
{
	json_member(key);
	printf("%" PRIu64, value);
}

static void
json_bool(const char *key, int value)
{
	json_member(key);
	fputs(value ? "true" : "false", stdout);
}

/* Seconds, to the millisecond. */
static void
json_millis(const char *key, uint64_t ms)
{
	json_member(key);
	printf("%" PRIu64 ".%03" PRIu64, ms / 1000, ms % 1000);
}

static void
json_head(const struct parse_result *res)
{
	json_open(NULL, '{');
	if (res->action == SHOW || res->action == SHOW_SERVICE)
		json_open("services", '[');
	else if (res->action != SHOW_QUORUM && res->action != SHOW_SITES)
		json_open("messages", '[');
}

static void
json_service(const struct parse_result *res, const struct show_service *ss)
{
	const struct ctl_service	*s = &ss->svc;
	const struct ctl_peer		*p;
	const struct ctl_heartbeat	*h;
	size_t				 i;
	int				 d;

	json_open(NULL, '{');
	json_string("name", s->name);
	json_string("interface", s->ifname);
	json_string_or_null("group", s->group);
	json_uint("vhid", s->vhid);
	json_string("state", state_name(s->state));
	json_millis("since_seconds", s->since_ms);
	json_string_or_null("master", s->master.af != 0 ?
	    addr_ntop(&s->master) : "");
	json_uint("advbase", s->advbase);
	json_uint("advskew", s->advskew);
	json_uint("effective_advbase", s->eff_advbase);
	json_uint("effective_advskew", s->eff_advskew);
	json_string("protocol", s->protocol == PROTO_BUNDLE ? "bundle" :
	    "carp");
	if (s->protocol == PROTO_BUNDLE)
		json_uint("interval_ms", s->interval);
	json_uint("demote", s->demote);
	json_open("demote_reasons", '[');
	for (i = 0; demote_reasons[i].name != NULL; i++)
		if (s->demote_reasons & demote_reasons[i].bit)
			json_string(NULL, demote_reasons[i].name);
	json_close(']');
	json_string("demote_detail", s->demote_detail);
	json_bool("preempt", s->preempt);
	json_bool("leaving", s->leaving);
	json_open("vips", '[');
	for (i = 0; i < s->nvips; i++) {
		json_open(NULL, '{');
		json_string("address", addr_ntop(&s->vips[i]));
		json_uint("prefixlen", s->vips[i].prefixlen);
		json_bool("installed", (s->vips_installed & (1U << i)) != 0);
		json_close('}');
	}
	json_close(']');
	json_uint("sent", s->sent);
	json_uint("received", s->received);
	json_string_or_null("last_hook", s->last_hook);
	json_uint("promote_failures", s->promote_failures);
	if (s->holddown_ms == UINT64_MAX) {
		json_member("holddown_seconds");
		fputs("null", stdout);
	} else
		json_millis("holddown_seconds", s->holddown_ms);
	json_string("handover", s->handover == HANDOVER_EXCLUSIVE ?
	    "exclusive" : "overlap");
	if (s->xwait != XWAIT_NONE) {
		json_open("promote_waits", '{');
		json_string("for", xwait_name(s->xwait));
		json_string("old_master", addr_ntop(&s->xpeer));
		json_millis("bound_seconds", s->xwait_ms);
		json_uint("fence_failures", s->fence_failures);
		json_close('}');
	} else {
		json_member("promote_waits");
		fputs("null", stdout);
	}
	json_bool("releasing", s->releasing);
	json_drift(s);
	if (res->action == SHOW_SERVICE) {
		json_open("drops", '{');
		for (d = DROP_NONE + 1; d < DROP_MAX; d++)
			json_uint(carp_drop_name(d), s->drops[d]);
		json_close('}');
		json_open("peers", '[');
		for (i = 0; i < ss->npeers; i++) {
			p = &ss->peers[i];
			json_open(NULL, '{');
			json_string("address", addr_ntop(&p->addr));
			json_uint("advbase", p->advbase);
			json_uint("advskew", p->advskew);
			if (p->base_ms != 0)
				json_uint("interval_ms", p->base_ms);
			json_uint("demote", p->demote);
			json_millis("last_seen_seconds", p->last_seen_ms);
			json_close('}');
		}
		json_close(']');
		json_open("heartbeats", '[');
		for (i = 0; i < ss->nhbs; i++) {
			h = &ss->hbs[i];
			json_open(NULL, '{');
			json_string("name", h->name);
			json_millis("ttl_seconds", h->ttl);
			if (h->seen)
				json_millis("age_seconds", h->age_ms);
			else
				json_string_or_null("age_seconds", "");
			json_string("state", h->failed ? "failed" : "alive");
			json_uint("weight", h->weight);
			json_uint("uid", h->uid);
			json_uint("received", h->received);
			json_uint("refused", h->refused);
			json_close('}');
		}
		json_close(']');
	}
	json_close('}');
}

/* There even when empty, for CARP too: a program need not ask first. */
static void
json_drift(const struct ctl_service *s)
{
	const struct ctl_drift	*d;
	int			 i;

	json_open("drift", '[');
	for (i = 0; i < s->ndrift; i++) {
		d = &s->drift[i];
		json_open(NULL, '{');
		json_string("peer", addr_ntop(&d->peer));
		json_string("what", drift_name(d->what));
		if (d->what == DRIFT_INTERVAL)
			json_uint("interval_ms", d->value);
		json_millis("age_seconds", d->age_ms);
		json_string("detail", drift_line(s, d));
		json_close('}');
	}
	json_close(']');
}

/* Every key always there, so a program need not know the link first. */
static void
json_quorum(const struct parse_result *res, const struct ctl_quorum *cq)
{
	const struct msg_quorum		*q = &cq->q;
	const struct quorum_node	*n;
	int				 i;

	json_string("link", quorum_link_word(q->link));
	json_bool("quorate", q->quorate);
	json_millis("since_seconds", cq->since_ms);
	json_string("policy", quorum_policy_word(q->policy));
	json_string_or_null("reason", q->quorate ? "" : q->reason);
	json_uint("nodeid", q->nodeid);
	json_uint("node_votes", q->node_votes);
	json_uint("expected_votes", q->expected_votes);
	json_uint("total_votes", q->total_votes);
	json_uint("quorum", q->quorum);
	json_bool("two_node", q->two_node);
	json_open("qdevice", '{');
	json_bool("configured", q->qdevice);
	json_string_or_null("name", q->qdevice_name);
	json_bool("alive", q->qdevice_alive);
	json_bool("vote", q->qdevice_vote);
	json_uint("votes", q->qdevice_votes);
	json_close('}');
	json_open("nodes", '[');
	for (i = 0; i < q->nnodes; i++) {
		n = &q->nodes[i];
		json_open(NULL, '{');
		json_uint("nodeid", n->nodeid);
		json_string_or_null("address", n->addr.af != 0 ?
		    addr_ntop(&n->addr) : "");
		json_uint("votes", n->votes);
		json_bool("member", n->member);
		json_close('}');
	}
	json_close(']');
}

/*
 * Every key always there, null for none: "cpg" says whether the rest
 * means anything ("off": no site configured).
 */
static void
json_sites(const struct parse_result *res, const struct show_sites *ss)
{
	const struct msg_sites	*s = &ss->sites.s;
	size_t			 i;
	int			 j;

	json_open("node", '{');
	json_uint("nodeid", s->nodeid);
	json_string_or_null("name", s->nodeid != 0 ?
	    site_node(s, s->nodeid) : "");
	json_string_or_null("site", site_word(s, s->mysite));
	json_bool("quorate", ss->sites.quorate);
	json_string("cpg", sites_cpg_word(s->link));
	json_bool("synced", s->link == QUORUM_UP && s->synced);
	json_millis("membership_age_seconds", ss->sites.age_ms);
	json_close('}');
	json_open("sites", '[');
	for (j = 0; j < s->nsites; j++) {
		json_open(NULL, '{');
		json_string("name", s->sites[j]);
		json_open("members", '[');
		for (i = 0; i < s->nmembers; i++) {
			if (s->members[i].site != j)
				continue;
			json_open(NULL, '{');
			json_uint("nodeid", s->members[i].nodeid);
			json_string("name", s->members[i].name);
			json_bool("quorate", s->members[i].quorate);
			json_close('}');
		}
		json_close(']');
		json_close('}');
	}
	json_close(']');
	json_open("entities", '[');
	for (i = 0; i < ss->nroles; i++)
		json_entity(s, &ss->roles[i]);
	json_close(']');
}

static void
json_entity(const struct msg_sites *s, const struct ctl_site_role *cr)
{
	const struct msg_site_role	*r = &cr->r;
	int				 j;

	json_open(NULL, '{');
	json_string("name", r->name);
	json_string("kind", r->kind == SITE_KIND_GROUP ? "group" : "service");
	json_string_or_null("controller", site_word(s, r->controller));
	json_string_or_null("target", site_word(s, r->target));
	json_uint("term", r->term);
	if (r->controller != SITE_NONE)
		json_millis("controller_age_seconds", cr->age_ms);
	else
		json_string_or_null("controller_age_seconds", "");
	json_string_or_null("holder", r->holder != 0 ?
	    site_node(s, r->holder) : "");
	json_string("role", site_role_word(cr->role));
	json_bool("grant", r->grant);
	json_bool("release", r->release);
	json_uint("wait_ms", r->wait_ms);
	json_open("masters", '{');
	for (j = 0; j < s->nsites; j++)
		json_string_or_null(s->sites[j], r->masters[j] != 0 ?
		    site_node(s, r->masters[j]) : "");
	json_close('}');
	json_close('}');
}

/*
 * show of all: "interfaces" follows "services", there even when empty,
 * so that a program finds the key whatever the daemon runs.
 */
static void
json_ifaces_open(const struct parse_result *res)
{
	if (in_ifaces || res->action != SHOW || res->kind != CTL_ALL)
		return;
	json_close(']');
	json_open("interfaces", '[');
	in_ifaces = 1;
}

static void
json_iface(const struct parse_result *res, const struct ctl_iface *ci)
{
	int	d;

	json_ifaces_open(res);
	json_open(NULL, '{');
	json_string("name", ci->ifname);
	json_string("family", ci->af == AF_INET6 ? "inet6" : "inet");
	json_bool("up", ci->up);
	json_uint("unknown_vhids", ci->drops[DROP_VHID]);
	if (ci->unknown_src.af != 0) {
		json_uint("last_unknown_vhid", ci->unknown_vhid);
		json_string("last_unknown_source",
		    addr_ntop(&ci->unknown_src));
	} else {
		json_string_or_null("last_unknown_vhid", "");
		json_string_or_null("last_unknown_source", "");
	}
	json_open("drops", '{');
	for (d = DROP_NONE + 1; d < DROP_MAX; d++)
		json_uint(carp_drop_name(d), ci->drops[d]);
	json_close('}');
	json_close('}');
}

/* Failures are told by the status. */
static void
json_result(const char *line, int failed)
{
	json_string(NULL, line);
}

static void
json_tail(const struct parse_result *res, int status)
{
	if (res->action == SHOW_QUORUM || res->action == SHOW_SITES) {
		json_close('}');
		putchar('\n');
		fflush(stdout);
		return;
	}
	json_ifaces_open(res);
	json_close(']');
	if (res->action != SHOW && res->action != SHOW_SERVICE)
		json_uint("status", status);
	json_close('}');
	putchar('\n');
	fflush(stdout);
}
