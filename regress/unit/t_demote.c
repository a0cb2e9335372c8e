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
 * The demotion arithmetic, as hafod.8 (Demotion), hafoctl.8 (demote)
 * and hafod.conf.5 (CHECKS, GROUPS) state it: each case is named after
 * the rule it checks, and the weights are written out here rather than
 * taken from the header, so a changed constant fails a test.
 */

#include <sys/types.h>

#include <atf-c.h>
#include <string.h>

#include "hafod.h"

#define OPERATOR	128	/* hafoctl demote */
#define VIPFAIL		1	/* addresses that could not be added */
#define GROUP		64	/* followers where the leader is not master */
#define PROMOTE		100	/* on promote failure demote */

static struct msg_weight	w[4][SERVICE_WEIGHTS_MAX];

static void
weight(int member, int slot, uint8_t index, uint8_t value)
{
	w[member][slot].index = index;
	w[member][slot].weight = value;
	w[member][slot].on = 1;
}

static void
members(struct demote_member *m, size_t n, int grouped)
{
	size_t	i;

	memset(w, 0, sizeof(w));
	memset(m, 0, n * sizeof(*m));
	for (i = 0; i < n; i++) {
		m[i].weights = w[i];
		m[i].grouped = grouped;
	}
	if (grouped)
		m[0].leader = 1;
}

ATF_TC_WITHOUT_HEAD(alone_undemoted_is_zero);
ATF_TC_BODY(alone_undemoted_is_zero, tc)
{
	struct demote_member	m[1];

	members(m, 1, 0);
	ATF_CHECK_EQ(demote_weight(m, 1, 0), 0);
	ATF_CHECK_EQ(m[0].reasons, 0);
}

ATF_TC_WITHOUT_HEAD(operator_demote_weighs_128);
ATF_TC_BODY(operator_demote_weighs_128, tc)
{
	struct demote_member	m[1];

	members(m, 1, 0);
	m[0].reasons = DEMOTE_OPERATOR;
	ATF_CHECK_EQ(demote_weight(m, 1, 0), OPERATOR);
	m[0].reasons = DEMOTE_OPERATOR | DEMOTE_PERSIST;
	ATF_CHECK_EQ_MSG(demote_weight(m, 1, 0), OPERATOR,
	    "demote -p is the same demotion, kept: not counted twice");
}

/* hafod.conf.5, Promote failure: worse than a failing check (50). */
ATF_TC_WITHOUT_HEAD(promote_failure_weighs_100);
ATF_TC_BODY(promote_failure_weighs_100, tc)
{
	struct demote_member	m[1];

	members(m, 1, 0);
	m[0].reasons = DEMOTE_PROMOTE;
	ATF_CHECK_EQ(demote_weight(m, 1, 0), PROMOTE);
	ATF_CHECK_EQ(m[0].reasons, DEMOTE_PROMOTE);
	m[0].reasons = DEMOTE_PROMOTE | DEMOTE_OPERATOR;
	ATF_CHECK_EQ(demote_weight(m, 1, 0), PROMOTE + OPERATOR);
}

ATF_TC_WITHOUT_HEAD(vip_failure_weighs_1);
ATF_TC_BODY(vip_failure_weighs_1, tc)
{
	struct demote_member	m[1];

	members(m, 1, 0);
	m[0].reasons = DEMOTE_VIPFAIL;
	ATF_CHECK_EQ(demote_weight(m, 1, 0), VIPFAIL);
}

ATF_TC_WITHOUT_HEAD(checks_and_tracks_add_their_weights);
ATF_TC_BODY(checks_and_tracks_add_their_weights, tc)
{
	struct demote_member	m[1];

	members(m, 1, 0);
	weight(0, 0, 0, 50);
	ATF_CHECK_EQ(demote_weight(m, 1, 0), 50);
	ATF_CHECK_EQ(m[0].reasons, DEMOTE_CHECK);
	weight(0, 3, WEIGHT_TRACK, 20);
	ATF_CHECK_EQ(demote_weight(m, 1, 0), 70);
	ATF_CHECK_EQ(m[0].reasons, DEMOTE_CHECK | DEMOTE_TRACK);
	m[0].reasons |= DEMOTE_OPERATOR;
	ATF_CHECK_EQ(demote_weight(m, 1, 0), 70 + OPERATOR);
}

/*
 * hafod.conf.5 HEARTBEATS: a late heartbeat demotes by its weight, as a
 * failing check does, under a reason of its own; lifted, it weighs no
 * more.
 */
ATF_TC_WITHOUT_HEAD(late_heartbeat_adds_its_weight);
ATF_TC_BODY(late_heartbeat_adds_its_weight, tc)
{
	struct demote_member	m[1];

	members(m, 1, 0);
	weight(0, 0, WEIGHT_HEARTBEAT, 100);
	ATF_CHECK_EQ(demote_weight(m, 1, 0), 100);
	ATF_CHECK_EQ(m[0].reasons, DEMOTE_HEARTBEAT);
	weight(0, 1, 0, 50);
	weight(0, 2, WEIGHT_TRACK + 1, 20);
	ATF_CHECK_EQ(demote_weight(m, 1, 0), 170);
	ATF_CHECK_EQ(m[0].reasons, DEMOTE_CHECK | DEMOTE_TRACK |
	    DEMOTE_HEARTBEAT);
	w[0][0].weight = 0;
	ATF_CHECK_EQ(demote_weight(m, 1, 0), 70);
	ATF_CHECK_EQ(m[0].reasons, DEMOTE_CHECK | DEMOTE_TRACK);
}

ATF_TC_WITHOUT_HEAD(lifted_weight_clears_its_reason);
ATF_TC_BODY(lifted_weight_clears_its_reason, tc)
{
	struct demote_member	m[1];

	members(m, 1, 0);
	weight(0, 0, 0, 50);
	ATF_CHECK_EQ(demote_weight(m, 1, 0), 50);
	w[0][0].weight = 0;
	ATF_CHECK_EQ(demote_weight(m, 1, 0), 0);
	ATF_CHECK_EQ(m[0].reasons, 0);
}

/* The demote byte is a byte: the sum saturates at 255, never wraps. */
ATF_TC_WITHOUT_HEAD(sum_saturates_at_255);
ATF_TC_BODY(sum_saturates_at_255, tc)
{
	struct demote_member	m[1];

	members(m, 1, 0);
	m[0].reasons = DEMOTE_OPERATOR | DEMOTE_VIPFAIL;
	weight(0, 0, 0, 127);
	ATF_CHECK_EQ(demote_weight(m, 1, 0), 255);
	weight(0, 1, 1, 254);
	weight(0, 2, WEIGHT_TRACK, 254);
	ATF_CHECK_EQ(demote_weight(m, 1, 0), 255);
	ATF_CHECK_EQ(demote_own(&m[0].reasons, m[0].weights),
	    OPERATOR + VIPFAIL + 127 + 254 + 254);
}

ATF_TC_WITHOUT_HEAD(group_follower_where_leader_is_not_master);
ATF_TC_BODY(group_follower_where_leader_is_not_master, tc)
{
	struct demote_member	m[2];

	members(m, 2, 1);
	ATF_CHECK_EQ(demote_weight(m, 2, 1), GROUP);
	ATF_CHECK(m[1].reasons & DEMOTE_GROUP);
	m[0].master = 1;
	ATF_CHECK_EQ(demote_weight(m, 2, 1), 0);
	ATF_CHECK_EQ(m[1].reasons & DEMOTE_GROUP, 0);
}

ATF_TC_WITHOUT_HEAD(group_follower_keeps_its_own_weight);
ATF_TC_BODY(group_follower_keeps_its_own_weight, tc)
{
	struct demote_member	m[2];

	members(m, 2, 1);
	m[0].master = 1;
	weight(1, 0, 0, 30);
	ATF_CHECK_EQ(demote_weight(m, 2, 1), 30);
	m[0].master = 0;
	ATF_CHECK_EQ(demote_weight(m, 2, 1), 30 + GROUP);
}

ATF_TC_WITHOUT_HEAD(group_follower_without_leader);
ATF_TC_BODY(group_follower_without_leader, tc)
{
	struct demote_member	m[1];

	members(m, 1, 1);
	m[0].leader = 0;
	ATF_CHECK_EQ(demote_weight(m, 1, 0), GROUP);
}

ATF_TC_WITHOUT_HEAD(group_leader_carries_every_member);
ATF_TC_BODY(group_leader_carries_every_member, tc)
{
	struct demote_member	m[3];

	members(m, 3, 1);
	ATF_CHECK_EQ(demote_weight(m, 3, 0), 0);
	ATF_CHECK_EQ(m[0].reasons, 0);
	weight(1, 0, 0, 40);
	m[2].reasons = DEMOTE_OPERATOR;
	ATF_CHECK_EQ(demote_weight(m, 3, 0), 40 + OPERATOR);
	ATF_CHECK_MSG(m[0].reasons & DEMOTE_GROUP,
	    "the leader says its group weighs on it");
	ATF_CHECK_EQ_MSG(m[1].reasons, DEMOTE_CHECK,
	    "a member's reasons are its own");
}

ATF_TC_WITHOUT_HEAD(group_member_link_down_weighs_on_leader);
ATF_TC_BODY(group_member_link_down_weighs_on_leader, tc)
{
	struct demote_member	m[3];

	members(m, 3, 1);
	m[2].linkdown = 1;
	ATF_CHECK_EQ(demote_weight(m, 3, 0), GROUP);
	m[1].linkdown = 1;
	ATF_CHECK_EQ(demote_weight(m, 3, 0), 2 * GROUP);
	m[0].linkdown = 1;
	ATF_CHECK_EQ_MSG(demote_weight(m, 3, 0), 2 * GROUP,
	    "the leader's own link is its election's, not a weight");
}

ATF_TC_WITHOUT_HEAD(group_leader_own_weight_counts_once);
ATF_TC_BODY(group_leader_own_weight_counts_once, tc)
{
	struct demote_member	m[2];

	members(m, 2, 1);
	weight(0, 0, 50, 25);
	ATF_CHECK_EQ(demote_weight(m, 2, 0), 25);
	ATF_CHECK_EQ_MSG(m[0].reasons & DEMOTE_GROUP, 0,
	    "its own check is not its group's");
}

ATF_TC_WITHOUT_HEAD(group_leader_saturates_at_255);
ATF_TC_BODY(group_leader_saturates_at_255, tc)
{
	struct demote_member	m[3];

	members(m, 3, 1);
	m[1].reasons = DEMOTE_OPERATOR;
	m[2].reasons = DEMOTE_OPERATOR;
	ATF_CHECK_EQ(demote_weight(m, 3, 0), 255);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, alone_undemoted_is_zero);
	ATF_TP_ADD_TC(tp, operator_demote_weighs_128);
	ATF_TP_ADD_TC(tp, vip_failure_weighs_1);
	ATF_TP_ADD_TC(tp, promote_failure_weighs_100);
	ATF_TP_ADD_TC(tp, checks_and_tracks_add_their_weights);
	ATF_TP_ADD_TC(tp, late_heartbeat_adds_its_weight);
	ATF_TP_ADD_TC(tp, lifted_weight_clears_its_reason);
	ATF_TP_ADD_TC(tp, sum_saturates_at_255);
	ATF_TP_ADD_TC(tp, group_follower_where_leader_is_not_master);
	ATF_TP_ADD_TC(tp, group_follower_keeps_its_own_weight);
	ATF_TP_ADD_TC(tp, group_follower_without_leader);
	ATF_TP_ADD_TC(tp, group_leader_carries_every_member);
	ATF_TP_ADD_TC(tp, group_member_link_down_weighs_on_leader);
	ATF_TP_ADD_TC(tp, group_leader_own_weight_counts_once);
	ATF_TP_ADD_TC(tp, group_leader_saturates_at_255);
	return (atf_no_error());
}
