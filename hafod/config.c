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
 * Reload rules: what a service's new configuration means for the one
 * running under its name.  Pure, and the one place the rule lives: the
 * parent calls it to match services on reload, the engine to apply what
 * the parent sent.  Every field of struct service_conf has a rule in
 * the table below; a unit test fails when one has none.
 */

#include <sys/types.h>

#include <stddef.h>
#include <string.h>

#include "hafod.h"

#define FIELD(f, rule)	{ #f, offsetof(struct service_conf, f),	\
			  sizeof(((struct service_conf *)0)->f), rule }

/*
 * RETIME: the engine applies it in place, as the peers learn it from
 * the next advertisement.  REJOIN: what the service is (its interface,
 * vhid, addresses, passphrase, peers, group, virtual MAC) changed, so
 * the old one bows out while the new one joins under a new id.  KEEP:
 * not a setting (the id the parent gives, padding).
 */
static const struct config_field service_fields[] = {
	FIELD(name, MATCH_REJOIN),
	FIELD(ifname, MATCH_REJOIN),
	FIELD(id, MATCH_KEEP),
	FIELD(vhid, MATCH_REJOIN),
	FIELD(advbase, MATCH_RETIME),
	FIELD(advskew, MATCH_RETIME),
	FIELD(preempt, MATCH_RETIME),
	FIELD(passlen, MATCH_REJOIN),
	FIELD(nvips, MATCH_REJOIN),
	FIELD(npeers, MATCH_REJOIN),
	FIELD(pad, MATCH_KEEP),
	FIELD(pass, MATCH_REJOIN),
	FIELD(announce_count, MATCH_RETIME),
	FIELD(pad2, MATCH_KEEP),
	FIELD(announce_interval, MATCH_RETIME),
	FIELD(group, MATCH_REJOIN),
	FIELD(group_leader, MATCH_REJOIN),
	FIELD(pad3, MATCH_KEEP),
	FIELD(vips, MATCH_REJOIN),
	FIELD(peers, MATCH_REJOIN),
	FIELD(vmac, MATCH_REJOIN),
	/* The engine keeps the state of a heartbeat whose name stays. */
	FIELD(nheartbeats, MATCH_RETIME),
	FIELD(pad4, MATCH_KEEP),
	FIELD(heartbeats, MATCH_RETIME),
	/* The handover applies to the next change of master. */
	FIELD(handover, MATCH_RETIME),
	FIELD(hookset, MATCH_RETIME),
	FIELD(fence_policy, MATCH_RETIME),
	FIELD(fence_limit, MATCH_RETIME),
	FIELD(hook_timeout, MATCH_RETIME),
	FIELD(fence_hold, MATCH_RETIME),
	/* Peers on the other format would not hear the service at all. */
	FIELD(protocol, MATCH_REJOIN),
	FIELD(pad5, MATCH_KEEP),
	FIELD(interval, MATCH_RETIME),
	FIELD(bkey, MATCH_REJOIN),
	/*
	 * The parent's alone: it tells the quorum process the new across
	 * sites line on every reload (psites.c), and the election here
	 * does not change with it.
	 */
	FIELD(site, MATCH_KEEP),
};

const struct config_field *
config_fields(size_t *n)
{
	*n = sizeof(service_fields) / sizeof(service_fields[0]);
	return (service_fields);
}

/*
 * The strongest rule of any field that differs; a service that is no
 * longer configured (new is NULL) is removed.
 */
enum config_match
config_match(const struct service_conf *old, const struct service_conf *new)
{
	const struct config_field	*f;
	const uint8_t			*a = (const uint8_t *)old;
	const uint8_t			*b = (const uint8_t *)new;
	enum config_match		 m = MATCH_KEEP;
	size_t				 i;

	if (new == NULL)
		return (MATCH_REMOVE);
	for (i = 0; i < sizeof(service_fields) / sizeof(service_fields[0]);
	    i++) {
		f = &service_fields[i];
		if (f->rule > m && memcmp(a + f->off, b + f->off, f->len) != 0)
			m = f->rule;
	}
	return (m);
}

const char *
config_match_name(enum config_match m)
{
	switch (m) {
	case MATCH_KEEP:
		return ("keep");
	case MATCH_RETIME:
		return ("retime");
	case MATCH_REJOIN:
		return ("rejoin");
	case MATCH_REMOVE:
		return ("remove");
	}
	return ("unknown");
}
