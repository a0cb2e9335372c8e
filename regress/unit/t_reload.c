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
 * The reload rules of hafod.8 (SIGHUP), one case per field of struct
 * service_conf.  The table of expected rules is written out here, apart
 * from config.c's: a field added to the structure without a rule there
 * fails "fields_cover_the_structure", one with a rule but none here
 * fails "every_field_has_its_rule".
 */

#include <sys/types.h>

#include <atf-c.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "hafod.h"

static const struct {
	const char		*name;
	enum config_match	 rule;
} expected[] = {
	{ "name", MATCH_REJOIN },
	{ "ifname", MATCH_REJOIN },
	{ "id", MATCH_KEEP },
	{ "vhid", MATCH_REJOIN },
	{ "advbase", MATCH_RETIME },
	{ "advskew", MATCH_RETIME },
	{ "preempt", MATCH_RETIME },
	{ "passlen", MATCH_REJOIN },
	{ "nvips", MATCH_REJOIN },
	{ "npeers", MATCH_REJOIN },
	{ "pad", MATCH_KEEP },
	{ "pass", MATCH_REJOIN },
	{ "announce_count", MATCH_RETIME },
	{ "pad2", MATCH_KEEP },
	{ "announce_interval", MATCH_RETIME },
	{ "group", MATCH_REJOIN },
	{ "group_leader", MATCH_REJOIN },
	{ "pad3", MATCH_KEEP },
	{ "vips", MATCH_REJOIN },
	{ "peers", MATCH_REJOIN },
	{ "vmac", MATCH_REJOIN },
	{ "nheartbeats", MATCH_RETIME },
	{ "pad4", MATCH_KEEP },
	{ "heartbeats", MATCH_RETIME },
	{ "handover", MATCH_RETIME },
	{ "hookset", MATCH_RETIME },
	{ "fence_policy", MATCH_RETIME },
	{ "fence_limit", MATCH_RETIME },
	{ "hook_timeout", MATCH_RETIME },
	{ "fence_hold", MATCH_RETIME },
	{ "protocol", MATCH_REJOIN },
	{ "pad5", MATCH_KEEP },
	{ "interval", MATCH_RETIME },
	{ "bkey", MATCH_REJOIN },
	{ "site", MATCH_KEEP },
};
#define NEXPECTED	(sizeof(expected) / sizeof(expected[0]))

static void
service(struct service_conf *sc)
{
	memset(sc, 0, sizeof(*sc));
	strlcpy(sc->name, "web", sizeof(sc->name));
	strlcpy(sc->ifname, "eth0", sizeof(sc->ifname));
	sc->id = 7;
	sc->vhid = 10;
	sc->advbase = 1;
	sc->nvips = 1;
	sc->vips[0].af = 4;
	sc->vips[0].prefixlen = 24;
	sc->vips[0].u.bytes[0] = 192;
}

ATF_TC_WITHOUT_HEAD(fields_cover_the_structure);
ATF_TC_BODY(fields_cover_the_structure, tc)
{
	const struct config_field	*f;
	size_t				 n, i, off = 0;

	f = config_fields(&n);
	for (i = 0; i < n; i++) {
		ATF_CHECK_EQ_MSG(f[i].off, off, "%s at %zu, expected at %zu: "
		    "a field before it has no rule", f[i].name, f[i].off, off);
		off = f[i].off + f[i].len;
	}
	ATF_CHECK_EQ_MSG(off, sizeof(struct service_conf),
	    "the rules end at %zu of %zu bytes: a field at the end has no "
	    "rule", off, sizeof(struct service_conf));
}

ATF_TC_WITHOUT_HEAD(every_field_has_its_rule);
ATF_TC_BODY(every_field_has_its_rule, tc)
{
	const struct config_field	*f;
	size_t				 n, i, j;

	f = config_fields(&n);
	ATF_CHECK_EQ(n, NEXPECTED);
	for (i = 0; i < n; i++) {
		for (j = 0; j < NEXPECTED; j++)
			if (strcmp(expected[j].name, f[i].name) == 0)
				break;
		if (j == NEXPECTED) {
			atf_tc_fail_nonfatal("field %s has no expected rule "
			    "in this test", f[i].name);
			continue;
		}
		ATF_CHECK_EQ_MSG(f[i].rule, expected[j].rule,
		    "%s: config.c says %s, hafod.8 says %s", f[i].name,
		    config_match_name(f[i].rule),
		    config_match_name(expected[j].rule));
	}
}

/* Each field changed alone, at its first and last byte, gives its rule. */
ATF_TC_WITHOUT_HEAD(one_field_changed);
ATF_TC_BODY(one_field_changed, tc)
{
	const struct config_field	*f;
	struct service_conf		 old, new;
	uint8_t				*p;
	size_t				 n, i, j, at[2];
	enum config_match		 want;

	f = config_fields(&n);
	for (i = 0; i < n; i++) {
		for (j = 0; j < NEXPECTED; j++)
			if (strcmp(expected[j].name, f[i].name) == 0)
				break;
		ATF_REQUIRE(j < NEXPECTED);
		want = expected[j].rule;
		at[0] = f[i].off;
		at[1] = f[i].off + f[i].len - 1;
		for (j = 0; j < 2; j++) {
			service(&old);
			new = old;
			p = (uint8_t *)&new;
			p[at[j]] ^= 0x5a;
			ATF_CHECK_EQ_MSG(config_match(&old, &new), want,
			    "%s changed at byte %zu: %s, expected %s",
			    f[i].name, at[j],
			    config_match_name(config_match(&old, &new)),
			    config_match_name(want));
		}
	}
}

ATF_TC_WITHOUT_HEAD(unchanged_is_kept);
ATF_TC_BODY(unchanged_is_kept, tc)
{
	struct service_conf	old, new;

	service(&old);
	new = old;
	ATF_CHECK_EQ(config_match(&old, &new), MATCH_KEEP);
}

/* The parent gives a new id to every service; that alone changes nothing. */
ATF_TC_WITHOUT_HEAD(new_id_alone_is_kept);
ATF_TC_BODY(new_id_alone_is_kept, tc)
{
	struct service_conf	old, new;

	service(&old);
	new = old;
	new.id = 99;
	ATF_CHECK_EQ(config_match(&old, &new), MATCH_KEEP);
}

ATF_TC_WITHOUT_HEAD(removed_is_removed);
ATF_TC_BODY(removed_is_removed, tc)
{
	struct service_conf	old;

	service(&old);
	ATF_CHECK_EQ(config_match(&old, NULL), MATCH_REMOVE);
}

/* Timing and identity changed at once: the stronger rule wins. */
ATF_TC_WITHOUT_HEAD(rejoin_outweighs_retime);
ATF_TC_BODY(rejoin_outweighs_retime, tc)
{
	struct service_conf	old, new;

	service(&old);
	new = old;
	new.advskew = 100;
	new.vhid = 11;
	ATF_CHECK_EQ(config_match(&old, &new), MATCH_REJOIN);
	new = old;
	new.advskew = 100;
	new.announce_interval = 500;
	ATF_CHECK_EQ(config_match(&old, &new), MATCH_RETIME);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, fields_cover_the_structure);
	ATF_TP_ADD_TC(tp, every_field_has_its_rule);
	ATF_TP_ADD_TC(tp, one_field_changed);
	ATF_TP_ADD_TC(tp, unchanged_is_kept);
	ATF_TP_ADD_TC(tp, new_id_alone_is_kept);
	ATF_TP_ADD_TC(tp, removed_is_removed);
	ATF_TP_ADD_TC(tp, rejoin_outweighs_retime);
	return (atf_no_error());
}
