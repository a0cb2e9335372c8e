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
 * The election, driven on a fake clock.  First a table: one fsm, a
 * sequence of events at given times, and after each the actions, state,
 * timers and reason expected; each case is named after the rule it
 * checks (rN_ is rule N of the ELECTION section in hafod.8).  Then whole
 * scenarios: several fsm on a fake wire that delivers each advert to the
 * others after a delay.
 */

#include <sys/types.h>

#include <arpa/inet.h>

#include <atf-c.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hafod.h"

#define T0		1000000000ULL	/* fake time: 1000 s */
#define SEC		1000000ULL
#define MS		1000ULL
#define OFF		UINT64_MAX	/* expect the timer off */
#define GRACE		(50 * MS)	/* a leaving master keeps on */

/* The spec's arithmetic, written out independently of fsm.c. */
#define TK(t)		((uint64_t)(t) * 1000000 / 256)
#define IV(b, s)	TK((b) * 256 + (s))
#define MD(b, s)	TK(3 * ((b) * 256 + (s)))
/*
 * When a master that claimed or advertised at t advertises next: the
 * first multiple of the interval (on the fake clock) after t, so never
 * more than one interval later.
 */
#define NEXT(t, iv)	((t) / (iv) * (iv) + (iv))

#define SEND		FSM_SEND
#define ST		FSM_STATE
#define ANN		FSM_ANNOUNCE
#define CLAIM		(FSM_SEND | FSM_STATE | FSM_ANNOUNCE)

#define SELF		"10.0.0.1"

static struct hafod_addr
addr4(const char *s)
{
	struct hafod_addr	 a;

	memset(&a, 0, sizeof(a));
	a.af = AF_INET;
	ATF_REQUIRE_MSG(inet_pton(AF_INET, s, &a.u.v4) == 1, "bad %s", s);
	return (a);
}

static const char *
acts(int a, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", a == 0 ? "none" : "",
	    a & FSM_SEND ? "SEND " : "", a & FSM_STATE ? "STATE " : "",
	    a & FSM_ANNOUNCE ? "ANNOUNCE" : "");
	return (buf);
}

/* The table. */

enum op {
	OP_END,
	OP_START,
	OP_INPUT,
	OP_TIMEOUT,
	OP_LEAVE,
	OP_LINK,
	OP_DEMOTE,
	OP_PROMOTE,
	OP_ADVERT,		/* check fsm_advert() */
	OP_HOLD,		/* fsm_hold(): quorum lost (1) or back (0) */
	OP_CLAIM_AFTER,		/* fsm_claim_after(until) */
};

struct step {
	enum op		 op;
	uint64_t	 at;
	int		 arg;		/* LEAVE, LINK, DEMOTE */
	uint8_t		 base;		/* INPUT, ADVERT */
	uint8_t		 skew;
	uint8_t		 demote;
	const char	*src;
	int		 act;		/* actions, exactly */
	enum carp_state	 state;
	uint64_t	 md;		/* timers: 0 unchecked, OFF off */
	uint64_t	 tko;
	uint64_t	 next;
	uint64_t	 lby;
	uint64_t	 lst;		/* listen_until */
	uint64_t	 ans;		/* answered */
	uint64_t	 dl;		/* fsm_deadline() */
	int		 succ;		/* succeeded: 0 unchecked, YES, NO */
	const char	*master;	/* address of the master recorded */
	const char	*reason;	/* exactly, after the step */
	uint64_t	 until;		/* CLAIM_AFTER */
};

#define MAXSTEPS	14
#define YES		1
#define NO		2

struct tcase {
	const char	*name;
	uint8_t		 advbase;
	uint8_t		 advskew;
	uint8_t		 demote;
	uint8_t		 preempt;
	const char	*self;
	struct step	 steps[MAXSTEPS];
};

#define START(t)		.op = OP_START, .at = (t)
#define INPUT(t, b, s, d, a)	.op = OP_INPUT, .at = (t), .base = (b), \
				.skew = (s), .demote = (d), .src = (a)
#define TIMEOUT(t)		.op = OP_TIMEOUT, .at = (t)
#define LEAVE(t, f)		.op = OP_LEAVE, .at = (t), .arg = (f)
#define LINK(t, u)		.op = OP_LINK, .at = (t), .arg = (u)
#define DEMOTE(t, d)		.op = OP_DEMOTE, .at = (t), .arg = (d)
#define PROMOTE(t)		.op = OP_PROMOTE, .at = (t)
#define HOLD(t, h)		.op = OP_HOLD, .at = (t), .arg = (h)
#define CLAIM_AFTER(t, u)	.op = OP_CLAIM_AFTER, .at = (t), .until = (u)
#define NEVER			FSM_NEVER
#define ADVERT(b, s, d)		.op = OP_ADVERT, .base = (b), \
				.skew = (s), .demote = (d)

/* The first advert after claiming at T0 + MD(b, s). */
#define MD_NEXT(b, s)	NEXT(T0 + MD(b, s), IV(b, s))

/* Start at T0 and claim when the master-down timer runs out. */
#define MASTER_AT_MD(b, s) \
	{ START(T0), .act = ST, .state = CARP_BACKUP, .md = T0 + MD(b, s) }, \
	{ TIMEOUT(T0 + MD(b, s)), .act = CLAIM, .state = CARP_MASTER, \
	    .next = MD_NEXT(b, s) }

/* Start at T0 and follow a better master past the listening period. */
#define LISTENED(b, s) \
	{ START(T0), .act = ST, .state = CARP_BACKUP }, \
	{ INPUT(T0 + 2 * SEC, 0, 200, 0, "10.0.0.3"), .state = CARP_BACKUP, \
	    .md = T0 + 2 * SEC + MD(b, s), .tko = OFF }, \
	{ INPUT(T0 + 4 * SEC, 0, 200, 0, "10.0.0.3"), .state = CARP_BACKUP, \
	    .md = T0 + 4 * SEC + MD(b, s), .tko = OFF, .master = "10.0.0.3" }

#define TABLE_CASES \
	X(r1_start_listens_full_master_down) \
	X(r1_master_down_is_three_whole_intervals) \
	X(r1_master_down_uses_effective_advskew) \
	X(r1_start_only_from_init) \
	X(r1_no_preempt_before_listening) \
	X(r1_no_bowout_takeover_before_listening) \
	X(r1_end_of_listening_is_no_timer) \
	X(r2_advert_carries_effective_advskew_and_demote) \
	X(r2_demote_lifted_while_listening_shortens_it) \
	X(r2_demote_lifted_after_master_heard_keeps_timers) \
	X(r2_effective_advskew_capped_at_254) \
	X(r2_leaving_advertises_bowout) \
	X(r3_lower_demote_beats_shorter_interval) \
	X(r3_higher_demote_loses_despite_shorter_interval) \
	X(r3_shorter_interval_wins) \
	X(r3_equal_interval_lower_address_wins) \
	X(r3_equal_interval_higher_address_loses) \
	X(r3_bowout_loses_even_to_fully_demoted_node) \
	X(r4_master_advertises_every_interval) \
	X(r4_late_wakeup_keeps_the_grid) \
	X(r4_worse_peer_answered_with_advert_and_announce) \
	X(r4_answers_rate_limited_to_one_per_interval) \
	X(r4_answer_limit_starts_afresh_as_master) \
	X(r4_bowout_ignored_by_master) \
	X(r4_own_looped_advert_ignored) \
	X(r5_backup_rearms_master_down_on_master_advert) \
	X(r5_no_preempt_follows_worse_master) \
	X(r5_preempt_staggers_takeover) \
	X(r5_preempt_on_equal_interval_by_address) \
	X(r5_demoted_master_taken_over_without_preempt) \
	X(r5_slow_master_treated_as_down) \
	X(r5_slow_master_rule_off_for_advbase_0) \
	X(r5_bowout_triggers_staggered_takeover) \
	X(r5_late_bowout_from_replaced_master_ignored) \
	X(r6_advskew_0_claims_at_once) \
	X(r6_better_advert_cancels_takeover) \
	X(r6_repeated_trigger_keeps_first_takeover) \
	X(r6_takeover_dropped_when_own_demote_rises) \
	X(r6_master_down_claims_when_master_silent) \
	X(r7_bowout_burst_then_every_interval_until_bound) \
	X(r7_bowout_gap_floor_for_advbase_0) \
	X(r7_bowout_gap_quarter_interval) \
	X(r7_leave_bound_capped_at_5s) \
	X(r7_successor_ends_shutdown_in_init) \
	X(r7_successor_ends_demotion_in_backup) \
	X(r7_better_advert_while_leaving_is_successor) \
	X(r7_grace_runs_from_first_successor_advert) \
	X(r7_grace_never_extends_leave_by) \
	X(r7_best_of_several_successors_followed) \
	X(r7_bowout_heard_while_leaving_ignored) \
	X(r7_leave_when_not_master) \
	X(r7_leave_while_leaving_returns_0_shutdown_wins) \
	X(r8_link_down_from_master_silences) \
	X(r8_link_up_listens_full_master_down) \
	X(r8_link_up_while_up_does_nothing) \
	X(r8_start_on_down_link_waits_for_link) \
	X(r8_link_down_while_leaving_for_good_stays_stopped) \
	X(r8_link_down_during_grace_lets_go_at_once) \
	X(r9_master_demote_rise_readvertises) \
	X(r9_leaving_master_demote_sends_nothing) \
	X(r9_backup_demote_rearms_nothing) \
	X(r10_init_ignores_adverts_and_timeouts) \
	X(r10_timeout_with_nothing_due) \
	X(r11_one_last_advert_on_stepping_down) \
	X(r11_last_advert_carries_demotion) \
	X(r12_promote_refused_not_started) \
	X(r12_promote_refused_link_down) \
	X(r12_promote_refused_already_master) \
	X(r12_promote_refused_bowing_out) \
	X(r12_promote_refused_still_listening) \
	X(r12_promote_over_worse_master_ignores_preempt) \
	X(r12_promote_refused_better_master) \
	X(r12_promote_demote_byte_decides_first) \
	X(r12_promote_over_demoted_master_at_once) \
	X(r12_promote_refused_equal_interval_lower_address) \
	X(r12_promote_equal_interval_higher_address) \
	X(r12_promote_over_bowout_at_once) \
	X(r12_promote_after_leave_without_successor) \
	X(q1_no_quorum_master_lets_go_at_once) \
	X(q1_no_quorum_leaving_master_lets_go_at_once) \
	X(q1_no_quorum_stopping_master_stops) \
	X(q2_no_quorum_backup_claims_nothing) \
	X(q2_no_quorum_promote_refused) \
	X(q3_quorum_back_listens_before_claiming) \
	X(q4_strict_silent_master_waits_for_claim_after) \
	X(q4_strict_claim_after_passed_claims_at_once) \
	X(q4_strict_master_heard_again_ends_the_wait) \
	X(q4_strict_bowout_is_not_waited_for) \
	X(q4_strict_claim_after_past_is_no_wait)

static const struct tcase cases[] = {
{ .name = "r1_start_listens_full_master_down", .advbase = 1, .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP, .md = T0 + 3 * SEC,
	    .tko = OFF, .next = OFF, .lst = T0 + 3 * SEC, .lby = OFF,
	    .dl = T0 + 3 * SEC, .reason = "startup" },
	{ TIMEOUT(T0 + 3 * SEC - 1), .state = CARP_BACKUP },
	{ TIMEOUT(T0 + 3 * SEC), .act = CLAIM, .state = CARP_MASTER,
	    .md = OFF, .tko = OFF, .next = MD_NEXT(1, 0), .lst = OFF,
	    .lby = OFF, .dl = MD_NEXT(1, 0),
	    .reason = "master down timer expired" },
} },
{ .name = "r1_master_down_is_three_whole_intervals", .advbase = 1,
    .advskew = 10, .steps = {
	/* 3 * (1 + 10/256) s, not FreeBSD's 3 * 1 + 10/256 s */
	{ START(T0), .act = ST, .state = CARP_BACKUP, .md = T0 + 3117187 },
} },
{ .name = "r1_master_down_uses_effective_advskew", .advbase = 1,
    .advskew = 100, .demote = 200, .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP, .md = T0 + 5976562 },
	{ ADVERT(1, 254, 200), .state = CARP_BACKUP },
} },
{ .name = "r1_start_only_from_init", .advbase = 1, .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP, .md = T0 + 3 * SEC },
	{ START(T0 + 5), .state = CARP_BACKUP, .md = T0 + 3 * SEC,
	    .reason = "startup" },
	{ TIMEOUT(T0 + 3 * SEC), .act = CLAIM, .state = CARP_MASTER },
	{ START(T0 + 3 * SEC + 1), .state = CARP_MASTER },
} },
{ .name = "r1_no_preempt_before_listening", .advbase = 1, .preempt = 1,
    .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP },
	{ INPUT(T0 + 500 * MS, 1, 50, 0, "10.0.0.2"), .state = CARP_BACKUP,
	    .tko = T0 + 3 * SEC, .md = T0 + 3 * SEC, .lst = T0 + 3 * SEC,
	    .lby = OFF, .master = "10.0.0.2" },
	{ INPUT(T0 + 1500 * MS, 1, 50, 0, "10.0.0.2"), .state = CARP_BACKUP,
	    .tko = T0 + 3 * SEC, .md = T0 + 3 * SEC },
	{ TIMEOUT(T0 + 3 * SEC - 1), .state = CARP_BACKUP },
	{ TIMEOUT(T0 + 3 * SEC), .act = CLAIM, .state = CARP_MASTER,
	    .reason = "preempting 10.0.0.2 (interval 1+0/256 < 1+50/256)" },
} },
{ .name = "r1_no_bowout_takeover_before_listening", .advbase = 1,
    .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP },
	{ INPUT(T0 + SEC, 255, 255, 0, "10.0.0.2"), .state = CARP_BACKUP,
	    .tko = T0 + 3 * SEC },
	{ TIMEOUT(T0 + 3 * SEC), .act = CLAIM, .state = CARP_MASTER,
	    .reason = "bow-out heard from 10.0.0.2" },
} },
{ .name = "r1_end_of_listening_is_no_timer", .advbase = 1, .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP, .lst = T0 + 3 * SEC },
	/* a master heard pushes master-down past the end of listening */
	{ INPUT(T0 + SEC, 1, 50, 0, "10.0.0.2"), .state = CARP_BACKUP,
	    .md = T0 + 4 * SEC, .tko = OFF, .lby = OFF,
	    .lst = T0 + 3 * SEC, .dl = T0 + 4 * SEC },
	{ TIMEOUT(T0 + 3 * SEC), .state = CARP_BACKUP, .dl = T0 + 4 * SEC },
	/* past it, a bow-out is acted on after the stagger alone */
	{ INPUT(T0 + 3500 * MS, 255, 255, 0, "10.0.0.2"), .act = CLAIM,
	    .state = CARP_MASTER, .lst = OFF,
	    .reason = "bow-out heard from 10.0.0.2" },
} },
{ .name = "r2_advert_carries_effective_advskew_and_demote", .advbase = 2,
    .advskew = 30, .demote = 5, .steps = {
	{ ADVERT(2, 35, 5), .state = CARP_INIT },
	{ START(T0), .act = ST, .state = CARP_BACKUP, .md = T0 + MD(2, 35) },
	{ DEMOTE(T0 + SEC, 0), .state = CARP_BACKUP },
	{ ADVERT(2, 30, 0), .state = CARP_BACKUP },
} },
/*
 * hafod.8 Demotion: a demotion lifted while the backup still listens
 * after its start, having heard nobody, shortens the listening by what
 * it had added (an application's first heartbeat); one that rises, or
 * falls once a master is heard, leaves the timers be.
 */
{ .name = "r2_demote_lifted_while_listening_shortens_it", .advbase = 1,
    .advskew = 50, .demote = 100, .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP, .md = T0 + MD(1, 150),
	    .lst = T0 + MD(1, 150) },
	{ DEMOTE(T0 + 40 * MS, 0), .state = CARP_BACKUP,
	    .md = T0 + MD(1, 50), .lst = T0 + MD(1, 50) },
	{ DEMOTE(T0 + 50 * MS, 100), .state = CARP_BACKUP,
	    .md = T0 + MD(1, 50), .lst = T0 + MD(1, 50) },
	{ TIMEOUT(T0 + MD(1, 50)), .act = CLAIM, .state = CARP_MASTER },
} },
{ .name = "r2_demote_lifted_after_master_heard_keeps_timers",
    .advbase = 1, .advskew = 50, .demote = 100, .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP, .md = T0 + MD(1, 150) },
	{ INPUT(T0 + SEC, 1, 0, 0, "10.0.0.2"), .state = CARP_BACKUP,
	    .md = T0 + SEC + MD(1, 150) },
	{ DEMOTE(T0 + 1100 * MS, 0), .state = CARP_BACKUP,
	    .md = T0 + SEC + MD(1, 150), .lst = T0 + MD(1, 150) },
} },
{ .name = "r2_effective_advskew_capped_at_254", .advbase = 1,
    .advskew = 250, .demote = 10, .steps = {
	{ ADVERT(1, 254, 10), .state = CARP_INIT },
} },
{ .name = "r2_leaving_advertises_bowout", .advbase = 1, .demote = 7,
    .steps = {
	MASTER_AT_MD(1, 7),
	{ ADVERT(1, 7, 7), .state = CARP_MASTER },
	{ LEAVE(T0 + 3500 * MS, 1), .act = SEND, .state = CARP_MASTER },
	{ ADVERT(255, 255, 7), .state = CARP_MASTER },
} },
{ .name = "r3_lower_demote_beats_shorter_interval", .advbase = 1,
    .demote = 1, .steps = {
	MASTER_AT_MD(1, 1),
	{ INPUT(T0 + 3500 * MS, 2, 0, 0, "10.0.0.9"), .act = SEND | ST,
	    .state = CARP_BACKUP, .master = "10.0.0.9",
	    .reason = "preempted by 10.0.0.9 (demote 0 < 1)" },
} },
{ .name = "r3_higher_demote_loses_despite_shorter_interval", .advbase = 1,
    .advskew = 20, .steps = {
	MASTER_AT_MD(1, 20),
	{ INPUT(T0 + 3500 * MS, 0, 1, 1, "10.0.0.2"), .act = SEND | ANN,
	    .state = CARP_MASTER },
} },
{ .name = "r3_shorter_interval_wins", .advbase = 1, .advskew = 20,
    .preempt = 1, .steps = {
	MASTER_AT_MD(1, 20),
	{ INPUT(T0 + 3500 * MS, 1, 10, 0, "10.0.0.2"), .act = SEND | ST,
	    .state = CARP_BACKUP, .master = "10.0.0.2",
	    .reason = "preempted by 10.0.0.2 (interval 1+10/256 < 1+20/256)" },
} },
{ .name = "r3_equal_interval_lower_address_wins", .advbase = 1,
    .advskew = 10, .self = "10.0.0.2", .steps = {
	MASTER_AT_MD(1, 10),
	/* last octet first, as ucarp on x86: 10.0.1.1 < 10.0.0.2 */
	{ INPUT(T0 + 3500 * MS, 1, 10, 0, "10.0.1.1"), .act = SEND | ST,
	    .state = CARP_BACKUP, .reason = "preempted by 10.0.1.1 "
	    "(equal interval 1+10/256, lower address)" },
} },
{ .name = "r3_equal_interval_higher_address_loses", .advbase = 1,
    .advskew = 10, .self = "10.0.1.1", .steps = {
	MASTER_AT_MD(1, 10),
	{ INPUT(T0 + 3500 * MS, 1, 10, 0, "10.0.0.2"), .act = SEND | ANN,
	    .state = CARP_MASTER, .reason = "master down timer expired" },
} },
{ .name = "r3_bowout_loses_even_to_fully_demoted_node", .advbase = 1,
    .demote = 255, .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP, .md = T0 + 5976562 },
	{ INPUT(T0 + 5 * SEC, 1, 0, 0, "10.0.0.2"), .state = CARP_BACKUP,
	    .md = T0 + 5 * SEC + 5976562, .tko = OFF },
	{ INPUT(T0 + 6 * SEC, 255, 255, 0, "10.0.0.2"), .state = CARP_BACKUP,
	    .tko = T0 + 6 * SEC + TK(254) },
	{ TIMEOUT(T0 + 6 * SEC + TK(254)), .act = CLAIM,
	    .state = CARP_MASTER, .reason = "bow-out heard from 10.0.0.2" },
} },
{ .name = "r4_master_advertises_every_interval", .advbase = 1,
    .advskew = 10, .steps = {
	MASTER_AT_MD(1, 10),
	/* on the multiples of the interval, from the first one due */
	{ TIMEOUT(MD_NEXT(1, 10) - 1), .state = CARP_MASTER,
	    .next = MD_NEXT(1, 10) },
	{ TIMEOUT(MD_NEXT(1, 10)), .act = SEND, .state = CARP_MASTER,
	    .next = MD_NEXT(1, 10) + IV(1, 10), .md = OFF, .tko = OFF },
	{ TIMEOUT(MD_NEXT(1, 10) + IV(1, 10) - 1), .state = CARP_MASTER },
	{ TIMEOUT(MD_NEXT(1, 10) + IV(1, 10)), .act = SEND,
	    .state = CARP_MASTER, .next = MD_NEXT(1, 10) + 2 * IV(1, 10),
	    .dl = MD_NEXT(1, 10) + 2 * IV(1, 10) },
} },
/*
 * Woken late, it sends at once but the next advert stays on the grid:
 * lateness does not slow the rate down, however late it was.
 */
{ .name = "r4_late_wakeup_keeps_the_grid", .advbase = 1, .advskew = 10,
    .steps = {
	MASTER_AT_MD(1, 10),
	{ TIMEOUT(MD_NEXT(1, 10) + MS), .act = SEND, .state = CARP_MASTER,
	    .next = MD_NEXT(1, 10) + IV(1, 10),
	    .dl = MD_NEXT(1, 10) + IV(1, 10) },
	{ TIMEOUT(MD_NEXT(1, 10) + IV(1, 10) + IV(1, 10) / 2 - 1),
	    .act = SEND, .state = CARP_MASTER,
	    .next = MD_NEXT(1, 10) + 2 * IV(1, 10) },
	{ TIMEOUT(MD_NEXT(1, 10) + 3 * IV(1, 10) - 1),
	    .act = SEND, .state = CARP_MASTER,
	    .next = MD_NEXT(1, 10) + 3 * IV(1, 10) },
	{ TIMEOUT(MD_NEXT(1, 10) + 3 * IV(1, 10)), .act = SEND,
	    .state = CARP_MASTER, .next = MD_NEXT(1, 10) + 4 * IV(1, 10) },
} },
{ .name = "r4_worse_peer_answered_with_advert_and_announce", .advbase = 1,
    .advskew = 10, .steps = {
	MASTER_AT_MD(1, 10),
	/* the answer is extra: the periodic advert stays due */
	{ INPUT(T0 + 3500 * MS, 1, 20, 0, "10.0.0.2"), .act = SEND | ANN,
	    .state = CARP_MASTER, .next = MD_NEXT(1, 10),
	    .ans = T0 + 3500 * MS, .master = "none" },
} },
{ .name = "r4_answers_rate_limited_to_one_per_interval", .advbase = 1,
    .advskew = 10, .steps = {
	MASTER_AT_MD(1, 10),
	{ INPUT(T0 + 3500 * MS, 1, 20, 0, "10.0.0.2"), .act = SEND | ANN,
	    .state = CARP_MASTER, .ans = T0 + 3500 * MS },
	{ INPUT(T0 + 3500 * MS + 1, 1, 20, 0, "10.0.0.2"),
	    .state = CARP_MASTER, .ans = T0 + 3500 * MS },
	/* a periodic advert is no answer: the limit still holds */
	{ TIMEOUT(MD_NEXT(1, 10)), .act = SEND, .state = CARP_MASTER },
	{ INPUT(T0 + 3500 * MS + 1039061, 2, 0, 0, "10.0.0.3"),
	    .state = CARP_MASTER, .ans = T0 + 3500 * MS },
	{ INPUT(T0 + 3500 * MS + 1039062, 1, 20, 0, "10.0.0.2"),
	    .act = SEND | ANN, .state = CARP_MASTER,
	    .ans = T0 + 3500 * MS + 1039062, .master = "none" },
	{ INPUT(T0 + 3500 * MS + 1039063, 1, 20, 0, "10.0.0.2"),
	    .state = CARP_MASTER },
} },
{ .name = "r4_answer_limit_starts_afresh_as_master", .advbase = 1,
    .advskew = 10, .steps = {
	MASTER_AT_MD(1, 10),
	{ INPUT(T0 + 3500 * MS, 1, 20, 0, "10.0.0.3"), .act = SEND | ANN,
	    .state = CARP_MASTER, .ans = T0 + 3500 * MS },
	{ INPUT(T0 + 3600 * MS, 1, 0, 0, "10.0.0.2"), .act = SEND | ST,
	    .state = CARP_BACKUP, .ans = OFF },
	{ INPUT(T0 + 3700 * MS, 255, 255, 0, "10.0.0.2"),
	    .state = CARP_BACKUP, .tko = T0 + 3700 * MS + TK(10) },
	{ TIMEOUT(T0 + 3700 * MS + TK(10)), .act = CLAIM,
	    .state = CARP_MASTER, .ans = OFF },
	/* within an interval of the last answer, yet a new mastership */
	{ INPUT(T0 + 3800 * MS, 1, 20, 0, "10.0.0.3"), .act = SEND | ANN,
	    .state = CARP_MASTER, .ans = T0 + 3800 * MS },
} },
{ .name = "r4_bowout_ignored_by_master", .advbase = 1, .steps = {
	MASTER_AT_MD(1, 0),
	{ INPUT(T0 + 3500 * MS, 255, 255, 0, "10.0.0.2"),
	    .state = CARP_MASTER, .next = MD_NEXT(1, 0), .md = OFF,
	    .tko = OFF },
} },
{ .name = "r4_own_looped_advert_ignored", .advbase = 1, .advskew = 10,
    .steps = {
	MASTER_AT_MD(1, 10),
	{ INPUT(T0 + 3500 * MS, 1, 0, 0, SELF), .state = CARP_MASTER },
} },
{ .name = "r5_backup_rearms_master_down_on_master_advert", .advbase = 1,
    .advskew = 10, .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP },
	{ INPUT(T0 + SEC, 1, 0, 0, "10.0.0.2"), .state = CARP_BACKUP,
	    .md = T0 + SEC + 3117187, .tko = OFF, .master = "10.0.0.2" },
	{ INPUT(T0 + 2 * SEC, 1, 0, 0, "10.0.0.2"), .state = CARP_BACKUP,
	    .md = T0 + 2 * SEC + 3117187, .dl = T0 + 2 * SEC + 3117187 },
	{ TIMEOUT(T0 + 2 * SEC + 3117186), .state = CARP_BACKUP },
} },
{ .name = "r5_no_preempt_follows_worse_master", .advbase = 1,
    .advskew = 10, .steps = {
	LISTENED(1, 10),
	{ INPUT(T0 + 4500 * MS, 1, 50, 0, "10.0.0.2"), .state = CARP_BACKUP,
	    .md = T0 + 4500 * MS + MD(1, 10), .tko = OFF,
	    .master = "10.0.0.2" },
} },
{ .name = "r5_preempt_staggers_takeover", .advbase = 1, .advskew = 10,
    .preempt = 1, .steps = {
	LISTENED(1, 10),
	{ INPUT(T0 + 4500 * MS, 1, 50, 0, "10.0.0.2"), .state = CARP_BACKUP,
	    .tko = T0 + 4539062, .md = T0 + 4 * SEC + MD(1, 10),
	    .dl = T0 + 4539062 },
	{ TIMEOUT(T0 + 4539061), .state = CARP_BACKUP },
	{ TIMEOUT(T0 + 4539062), .act = CLAIM, .state = CARP_MASTER,
	    .md = OFF, .tko = OFF, .next = NEXT(T0 + 4539062, IV(1, 10)),
	    .reason = "preempting 10.0.0.2 (interval 1+10/256 < 1+50/256)" },
} },
{ .name = "r5_preempt_on_equal_interval_by_address", .advbase = 1,
    .advskew = 10, .preempt = 1, .steps = {
	LISTENED(1, 10),
	{ INPUT(T0 + 4500 * MS, 1, 10, 0, "10.0.0.2"), .state = CARP_BACKUP,
	    .tko = T0 + 4539062 },
	{ TIMEOUT(T0 + 4539062), .act = CLAIM, .state = CARP_MASTER,
	    .reason = "preempting 10.0.0.2 "
	    "(equal interval 1+10/256, lower address)" },
} },
{ .name = "r5_demoted_master_taken_over_without_preempt", .advbase = 1,
    .advskew = 20, .steps = {
	LISTENED(1, 20),
	{ INPUT(T0 + 4500 * MS, 1, 0, 1, "10.0.0.2"), .state = CARP_BACKUP,
	    .tko = T0 + 4500 * MS + TK(20) },
	{ TIMEOUT(T0 + 4500 * MS + TK(20)), .act = CLAIM,
	    .state = CARP_MASTER,
	    .reason = "master 10.0.0.2 demoted (demote 1 > 0)" },
} },
{ .name = "r5_slow_master_treated_as_down", .advbase = 1, .steps = {
	LISTENED(1, 0),
	/* 3+0/256 is exactly 3 * advbase: not more */
	{ INPUT(T0 + 4500 * MS, 3, 0, 0, "10.0.0.2"), .state = CARP_BACKUP,
	    .md = T0 + 7500 * MS, .tko = OFF },
	{ INPUT(T0 + 5 * SEC, 3, 1, 0, "10.0.0.2"), .act = CLAIM,
	    .state = CARP_MASTER,
	    .reason = "master 10.0.0.2 interval 3+1/256 over 3 s" },
} },
{ .name = "r5_slow_master_rule_off_for_advbase_0", .advbase = 0,
    .advskew = 10, .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP, .md = T0 + 117187 },
	{ INPUT(T0 + 100 * MS, 1, 0, 0, "10.0.0.2"), .state = CARP_BACKUP,
	    .md = T0 + 217187, .tko = OFF },
	{ INPUT(T0 + 200 * MS, 5, 0, 0, "10.0.0.2"), .state = CARP_BACKUP,
	    .md = T0 + 317187, .tko = OFF },
} },
{ .name = "r5_bowout_triggers_staggered_takeover", .advbase = 1,
    .advskew = 10, .steps = {
	LISTENED(1, 10),
	{ INPUT(T0 + 4500 * MS, 255, 255, 0, "10.0.0.3"),
	    .state = CARP_BACKUP, .tko = T0 + 4539062, .master = "10.0.0.3" },
	{ TIMEOUT(T0 + 4539062), .act = CLAIM, .state = CARP_MASTER,
	    .reason = "bow-out heard from 10.0.0.3" },
} },
{ .name = "r5_late_bowout_from_replaced_master_ignored", .advbase = 1,
    .advskew = 10, .steps = {
	LISTENED(1, 10),
	{ INPUT(T0 + 4500 * MS, 255, 255, 0, "10.0.0.2"),
	    .state = CARP_BACKUP, .tko = OFF, .master = "10.0.0.3",
	    .md = T0 + 4 * SEC + MD(1, 10) },
} },
{ .name = "r6_advskew_0_claims_at_once", .advbase = 1, .steps = {
	LISTENED(1, 0),
	/* half an interval before 5 s: the next advert at 5 s */
	{ INPUT(T0 + 4500 * MS, 255, 255, 0, "10.0.0.3"), .act = CLAIM,
	    .state = CARP_MASTER, .next = NEXT(T0 + 4500 * MS, IV(1, 0)),
	    .tko = OFF, .md = OFF, .reason = "bow-out heard from 10.0.0.3" },
} },
{ .name = "r6_better_advert_cancels_takeover", .advbase = 1,
    .advskew = 20, .steps = {
	LISTENED(1, 20),
	{ INPUT(T0 + 4500 * MS, 255, 255, 0, "10.0.0.3"),
	    .state = CARP_BACKUP, .tko = T0 + 4578125 },
	{ INPUT(T0 + 4550 * MS, 1, 10, 0, "10.0.0.2"), .state = CARP_BACKUP,
	    .tko = OFF, .md = T0 + 4550 * MS + MD(1, 20),
	    .master = "10.0.0.2" },
	{ TIMEOUT(T0 + 4578125), .state = CARP_BACKUP },
} },
{ .name = "r6_repeated_trigger_keeps_first_takeover", .advbase = 1,
    .advskew = 20, .steps = {
	LISTENED(1, 20),
	{ INPUT(T0 + 4500 * MS, 255, 255, 0, "10.0.0.3"),
	    .state = CARP_BACKUP, .tko = T0 + 4578125 },
	{ INPUT(T0 + 4550 * MS, 255, 255, 0, "10.0.0.3"),
	    .state = CARP_BACKUP, .tko = T0 + 4578125 },
	{ TIMEOUT(T0 + 4578125), .act = CLAIM, .state = CARP_MASTER },
} },
{ .name = "r6_takeover_dropped_when_own_demote_rises", .advbase = 1,
    .advskew = 10, .preempt = 1, .steps = {
	LISTENED(1, 10),
	{ INPUT(T0 + 4500 * MS, 1, 50, 0, "10.0.0.2"), .state = CARP_BACKUP,
	    .tko = T0 + 4539062 },
	{ DEMOTE(T0 + 4520 * MS, 100), .state = CARP_BACKUP,
	    .tko = T0 + 4539062, .md = T0 + 4 * SEC + MD(1, 10) },
	{ TIMEOUT(T0 + 4539062), .state = CARP_BACKUP, .tko = OFF,
	    .md = T0 + 4 * SEC + MD(1, 10) },
} },
{ .name = "r6_master_down_claims_when_master_silent", .advbase = 1,
    .advskew = 10, .steps = {
	LISTENED(1, 10),
	{ TIMEOUT(T0 + 4 * SEC + 3117187), .act = CLAIM,
	    .state = CARP_MASTER, .master = "none",
	    .reason = "master down timer expired" },
} },
{ .name = "r7_bowout_burst_then_every_interval_until_bound", .advbase = 1,
    .steps = {
	MASTER_AT_MD(1, 0),
	{ LEAVE(T0 + 3500 * MS, 1), .act = SEND, .state = CARP_MASTER,
	    .next = T0 + 3600 * MS, .lby = T0 + 6600 * MS,
	    .dl = T0 + 3600 * MS },
	{ TIMEOUT(T0 + 3600 * MS), .act = SEND, .state = CARP_MASTER,
	    .next = T0 + 3700 * MS },
	/* a leaving master keeps no grid: once per interval from here */
	{ TIMEOUT(T0 + 3700 * MS), .act = SEND, .state = CARP_MASTER,
	    .next = T0 + 4700 * MS },
	{ TIMEOUT(T0 + 4700 * MS), .act = SEND, .state = CARP_MASTER,
	    .next = T0 + 5700 * MS },
	{ TIMEOUT(T0 + 5700 * MS), .act = SEND, .state = CARP_MASTER,
	    .next = T0 + 6700 * MS, .dl = T0 + 6600 * MS },
	{ TIMEOUT(T0 + 6600 * MS - 1), .state = CARP_MASTER },
	{ TIMEOUT(T0 + 6600 * MS), .act = ST, .state = CARP_INIT,
	    .next = OFF, .lby = OFF, .md = OFF, .dl = OFF,
	    .reason = "no successor within 3100 ms" },
	/* the bow-out that was due next is not sent */
	{ TIMEOUT(T0 + 6700 * MS), .state = CARP_INIT },
} },
{ .name = "r7_bowout_gap_floor_for_advbase_0", .advbase = 0,
    .advskew = 1, .steps = {
	MASTER_AT_MD(0, 1),
	/* 1/256 s apart: a quarter interval would be below a tick */
	{ LEAVE(T0 + 12 * MS, 0), .act = SEND, .state = CARP_MASTER,
	    .next = T0 + 12 * MS + 3906, .lby = T0 + 12 * MS + 111718 },
	{ TIMEOUT(T0 + 15906), .act = SEND, .state = CARP_MASTER,
	    .next = T0 + 19812 },
	{ TIMEOUT(T0 + 19812), .act = SEND, .state = CARP_MASTER,
	    .next = T0 + 23718 },
	/* the grace is shorter than the bound, whatever the intervals */
	{ INPUT(T0 + 20 * MS, 0, 5, 0, "10.0.0.2"), .state = CARP_MASTER,
	    .lby = T0 + 20 * MS + GRACE, .next = T0 + 23718,
	    .dl = T0 + 23718, .succ = YES, .master = "10.0.0.2" },
	/* bow-outs go on meanwhile, once per interval */
	{ TIMEOUT(T0 + 23718), .act = SEND, .state = CARP_MASTER,
	    .next = T0 + 27624 },
	{ ADVERT(255, 255, 0), .state = CARP_MASTER },
	{ TIMEOUT(T0 + 20 * MS + GRACE), .act = ST, .state = CARP_BACKUP,
	    .md = T0 + 20 * MS + GRACE + 11718, .next = OFF, .lby = OFF,
	    .succ = NO, .master = "10.0.0.2",
	    .reason = "successor 10.0.0.2 took over" },
} },
{ .name = "r7_bowout_gap_quarter_interval", .advbase = 0,
    .advskew = 100, .steps = {
	MASTER_AT_MD(0, 100),
	{ LEAVE(T0 + 1200 * MS, 1), .act = SEND, .state = CARP_MASTER,
	    .next = T0 + 1200 * MS + 97656,
	    .lby = T0 + 1200 * MS + 3 * 390625 + 100 * MS },
} },
{ .name = "r7_leave_bound_capped_at_5s", .advbase = 10, .steps = {
	MASTER_AT_MD(10, 0),
	{ LEAVE(T0 + 31 * SEC, 1), .act = SEND, .state = CARP_MASTER,
	    .next = T0 + 31100 * MS, .lby = T0 + 36 * SEC },
	{ TIMEOUT(T0 + 31100 * MS), .act = SEND, .state = CARP_MASTER },
	{ TIMEOUT(T0 + 31200 * MS), .act = SEND, .state = CARP_MASTER,
	    .next = T0 + 41200 * MS, .dl = T0 + 36 * SEC },
	{ TIMEOUT(T0 + 36 * SEC), .act = ST, .state = CARP_INIT,
	    .reason = "no successor within 5000 ms" },
} },
{ .name = "r7_successor_ends_shutdown_in_init", .advbase = 1, .steps = {
	MASTER_AT_MD(1, 0),
	{ LEAVE(T0 + 3500 * MS, 1), .act = SEND, .state = CARP_MASTER,
	    .succ = NO },
	/* its parent is still adding the addresses: keep ours a while */
	{ INPUT(T0 + 3550 * MS, 1, 10, 0, "10.0.0.2"), .state = CARP_MASTER,
	    .lby = T0 + 3550 * MS + GRACE, .dl = T0 + 3600 * MS,
	    .succ = YES, .master = "10.0.0.2",
	    .reason = "master down timer expired" },
	{ TIMEOUT(T0 + 3600 * MS - 1), .state = CARP_MASTER },
	/* the bow-out due now too is not sent: it lets go first */
	{ TIMEOUT(T0 + 3600 * MS), .act = ST, .state = CARP_INIT, .dl = OFF,
	    .md = OFF, .next = OFF, .lby = OFF, .tko = OFF, .succ = NO,
	    .master = "none", .reason = "successor 10.0.0.2 took over" },
	{ INPUT(T0 + 4550 * MS, 1, 10, 0, "10.0.0.2"), .state = CARP_INIT },
	{ TIMEOUT(T0 + 9 * SEC), .state = CARP_INIT },
} },
{ .name = "r7_successor_ends_demotion_in_backup", .advbase = 1, .steps = {
	MASTER_AT_MD(1, 0),
	{ LEAVE(T0 + 3500 * MS, 0), .act = SEND, .state = CARP_MASTER },
	{ INPUT(T0 + 3550 * MS, 1, 10, 0, "10.0.0.2"), .state = CARP_MASTER,
	    .lby = T0 + 3600 * MS, .succ = YES },
	{ TIMEOUT(T0 + 3600 * MS), .act = ST, .state = CARP_BACKUP,
	    .md = T0 + 6600 * MS, .next = OFF, .lby = OFF, .lst = OFF,
	    .dl = T0 + 6600 * MS, .master = "10.0.0.2",
	    .reason = "successor 10.0.0.2 took over" },
	{ INPUT(T0 + 4550 * MS, 1, 10, 0, "10.0.0.2"), .state = CARP_BACKUP,
	    .md = T0 + 7550 * MS, .tko = OFF },
	{ ADVERT(1, 0, 0), .state = CARP_BACKUP },
} },
{ .name = "r7_better_advert_while_leaving_is_successor", .advbase = 1,
    .advskew = 20, .steps = {
	MASTER_AT_MD(1, 20),
	{ LEAVE(T0 + 3500 * MS, 0), .act = SEND, .state = CARP_MASTER,
	    .lby = T0 + 3500 * MS + 3 * IV(1, 20) + 100 * MS },
	{ INPUT(T0 + 3550 * MS, 1, 10, 0, "10.0.0.2"), .state = CARP_MASTER,
	    .lby = T0 + 3600 * MS, .succ = YES, .master = "10.0.0.2" },
	{ ADVERT(255, 255, 0), .state = CARP_MASTER },
	{ TIMEOUT(T0 + 3600 * MS), .act = ST, .state = CARP_BACKUP,
	    .md = T0 + 3600 * MS + MD(1, 20), .master = "10.0.0.2",
	    .reason = "successor 10.0.0.2 took over" },
} },
{ .name = "r7_grace_runs_from_first_successor_advert", .advbase = 1,
    .steps = {
	MASTER_AT_MD(1, 0),
	{ LEAVE(T0 + 3500 * MS, 0), .act = SEND, .state = CARP_MASTER },
	{ INPUT(T0 + 3550 * MS, 1, 10, 0, "10.0.0.2"), .state = CARP_MASTER,
	    .lby = T0 + 3600 * MS },
	{ INPUT(T0 + 3590 * MS, 1, 10, 0, "10.0.0.2"), .state = CARP_MASTER,
	    .lby = T0 + 3600 * MS, .succ = YES },
	{ TIMEOUT(T0 + 3600 * MS), .act = ST, .state = CARP_BACKUP,
	    .reason = "successor 10.0.0.2 took over" },
} },
{ .name = "r7_grace_never_extends_leave_by", .advbase = 1, .steps = {
	MASTER_AT_MD(1, 0),
	{ LEAVE(T0 + 3500 * MS, 1), .act = SEND, .state = CARP_MASTER,
	    .lby = T0 + 6600 * MS },
	{ TIMEOUT(T0 + 3600 * MS), .act = SEND, .state = CARP_MASTER },
	{ TIMEOUT(T0 + 3700 * MS), .act = SEND, .state = CARP_MASTER },
	{ TIMEOUT(T0 + 4700 * MS), .act = SEND, .state = CARP_MASTER },
	{ TIMEOUT(T0 + 5700 * MS), .act = SEND, .state = CARP_MASTER },
	{ INPUT(T0 + 6580 * MS, 1, 10, 0, "10.0.0.2"), .state = CARP_MASTER,
	    .lby = T0 + 6600 * MS, .succ = YES },
	/* at the bound, but with a successor heard */
	{ TIMEOUT(T0 + 6600 * MS), .act = ST, .state = CARP_INIT,
	    .reason = "successor 10.0.0.2 took over" },
} },
{ .name = "r7_best_of_several_successors_followed", .advbase = 1,
    .steps = {
	MASTER_AT_MD(1, 0),
	{ LEAVE(T0 + 3500 * MS, 0), .act = SEND, .state = CARP_MASTER },
	{ INPUT(T0 + 3550 * MS, 1, 20, 0, "10.0.0.3"), .state = CARP_MASTER,
	    .master = "10.0.0.3" },
	{ INPUT(T0 + 3560 * MS, 1, 10, 0, "10.0.0.2"), .state = CARP_MASTER,
	    .master = "10.0.0.2", .lby = T0 + 3600 * MS },
	{ INPUT(T0 + 3570 * MS, 1, 30, 0, "10.0.0.4"), .state = CARP_MASTER,
	    .master = "10.0.0.2", .lby = T0 + 3600 * MS },
	{ INPUT(T0 + 3580 * MS, 1, 5, 1, "10.0.0.5"), .state = CARP_MASTER,
	    .master = "10.0.0.2" },
	{ TIMEOUT(T0 + 3600 * MS), .act = ST, .state = CARP_BACKUP,
	    .master = "10.0.0.2", .md = T0 + 6600 * MS,
	    .reason = "successor 10.0.0.2 took over" },
	/* it follows 10.0.0.2: a later bow-out from another is stale */
	{ INPUT(T0 + 3700 * MS, 255, 255, 0, "10.0.0.3"),
	    .state = CARP_BACKUP, .tko = OFF },
} },
{ .name = "r7_bowout_heard_while_leaving_ignored", .advbase = 1,
    .steps = {
	MASTER_AT_MD(1, 0),
	{ LEAVE(T0 + 3500 * MS, 1), .act = SEND, .state = CARP_MASTER },
	{ INPUT(T0 + 3550 * MS, 255, 255, 0, "10.0.0.2"),
	    .state = CARP_MASTER, .next = T0 + 3600 * MS },
} },
{ .name = "r7_leave_when_not_master", .advbase = 1, .steps = {
	{ LEAVE(T0, 0), .state = CARP_INIT },
	{ START(T0), .act = ST, .state = CARP_BACKUP },
	{ LEAVE(T0 + SEC, 0), .state = CARP_BACKUP, .md = T0 + 3 * SEC },
	{ LEAVE(T0 + SEC, 1), .act = ST, .state = CARP_INIT, .dl = OFF,
	    .reason = "stopped" },
	{ LEAVE(T0 + 2 * SEC, 1), .state = CARP_INIT },
	/* stopped stays stopped, whatever the link does */
	{ LINK(T0 + 3 * SEC, 0), .state = CARP_INIT },
	{ LINK(T0 + 4 * SEC, 1), .state = CARP_INIT },
	{ START(T0 + 5 * SEC), .act = ST, .state = CARP_BACKUP,
	    .md = T0 + 8 * SEC },
} },
{ .name = "r7_leave_while_leaving_returns_0_shutdown_wins", .advbase = 1,
    .steps = {
	MASTER_AT_MD(1, 0),
	{ LEAVE(T0 + 3500 * MS, 0), .act = SEND, .state = CARP_MASTER },
	{ LEAVE(T0 + 3510 * MS, 0), .state = CARP_MASTER },
	{ LEAVE(T0 + 3520 * MS, 1), .state = CARP_MASTER,
	    .lby = T0 + 6600 * MS },
	{ INPUT(T0 + 3550 * MS, 1, 10, 0, "10.0.0.2"), .state = CARP_MASTER },
	{ LEAVE(T0 + 3560 * MS, 0), .state = CARP_MASTER,
	    .lby = T0 + 3600 * MS },
	{ TIMEOUT(T0 + 3600 * MS), .act = ST, .state = CARP_INIT },
} },
{ .name = "r8_link_down_from_master_silences", .advbase = 1, .steps = {
	MASTER_AT_MD(1, 0),
	{ LINK(T0 + 3500 * MS, 0), .act = ST, .state = CARP_LINKDOWN,
	    .dl = OFF, .next = OFF, .md = OFF, .reason = "link down" },
	{ INPUT(T0 + 4 * SEC, 1, 10, 0, "10.0.0.2"), .state = CARP_LINKDOWN,
	    .dl = OFF },
	{ TIMEOUT(T0 + 10 * SEC), .state = CARP_LINKDOWN },
	{ LINK(T0 + 10 * SEC, 0), .state = CARP_LINKDOWN },
	{ START(T0 + 10 * SEC), .state = CARP_LINKDOWN },
	{ LEAVE(T0 + 10 * SEC, 0), .state = CARP_LINKDOWN },
} },
{ .name = "r8_link_up_listens_full_master_down", .advbase = 1,
    .preempt = 1, .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP },
	{ LINK(T0 + SEC, 0), .act = ST, .state = CARP_LINKDOWN, .dl = OFF },
	{ LINK(T0 + 10 * SEC, 1), .act = ST, .state = CARP_BACKUP,
	    .md = T0 + 13 * SEC, .reason = "link up" },
	{ INPUT(T0 + 10500 * MS, 1, 50, 0, "10.0.0.2"),
	    .state = CARP_BACKUP, .tko = T0 + 13 * SEC },
	{ TIMEOUT(T0 + 13 * SEC), .act = CLAIM, .state = CARP_MASTER },
} },
{ .name = "r8_link_up_while_up_does_nothing", .advbase = 1, .steps = {
	{ LINK(T0, 1), .state = CARP_INIT },
	{ START(T0), .act = ST, .state = CARP_BACKUP },
	{ LINK(T0 + SEC, 1), .state = CARP_BACKUP, .md = T0 + 3 * SEC },
	{ TIMEOUT(T0 + 3 * SEC), .act = CLAIM, .state = CARP_MASTER },
	{ LINK(T0 + 3500 * MS, 1), .state = CARP_MASTER },
} },
{ .name = "r8_start_on_down_link_waits_for_link", .advbase = 1, .steps = {
	{ LINK(T0, 0), .act = ST, .state = CARP_LINKDOWN },
	{ START(T0 + 1), .state = CARP_LINKDOWN, .dl = OFF },
	{ LINK(T0 + 2 * SEC, 1), .act = ST, .state = CARP_BACKUP,
	    .md = T0 + 5 * SEC },
} },
{ .name = "r8_link_down_while_leaving_for_good_stays_stopped",
    .advbase = 1, .steps = {
	MASTER_AT_MD(1, 0),
	{ LEAVE(T0 + 3500 * MS, 1), .act = SEND, .state = CARP_MASTER },
	{ LINK(T0 + 3510 * MS, 0), .act = ST, .state = CARP_LINKDOWN,
	    .dl = OFF },
	{ LINK(T0 + 5 * SEC, 1), .act = ST, .state = CARP_INIT, .dl = OFF,
	    .reason = "link up, service stopped" },
} },
{ .name = "r8_link_down_during_grace_lets_go_at_once", .advbase = 1,
    .steps = {
	MASTER_AT_MD(1, 0),
	{ LEAVE(T0 + 3500 * MS, 0), .act = SEND, .state = CARP_MASTER },
	{ INPUT(T0 + 3550 * MS, 1, 10, 0, "10.0.0.2"), .state = CARP_MASTER,
	    .succ = YES },
	{ LINK(T0 + 3560 * MS, 0), .act = ST, .state = CARP_LINKDOWN,
	    .lby = OFF, .dl = OFF, .succ = NO, .master = "none",
	    .reason = "link down" },
	{ TIMEOUT(T0 + 3600 * MS), .state = CARP_LINKDOWN },
	{ LINK(T0 + 4 * SEC, 1), .act = ST, .state = CARP_BACKUP,
	    .lst = T0 + 7 * SEC, .md = T0 + 7 * SEC, .lby = OFF,
	    .reason = "link up" },
} },
{ .name = "r9_master_demote_rise_readvertises", .advbase = 1, .steps = {
	MASTER_AT_MD(1, 0),
	/* the extra advert leaves the periodic one due */
	{ DEMOTE(T0 + 3500 * MS, 2), .act = SEND, .state = CARP_MASTER,
	    .next = MD_NEXT(1, 0) },
	{ ADVERT(1, 2, 2), .state = CARP_MASTER },
	{ DEMOTE(T0 + 3600 * MS, 1), .state = CARP_MASTER },
	{ DEMOTE(T0 + 3700 * MS, 1), .state = CARP_MASTER },
	/* the next one on the grid of the interval now in force */
	{ TIMEOUT(MD_NEXT(1, 0)), .act = SEND, .state = CARP_MASTER,
	    .next = NEXT(MD_NEXT(1, 0), IV(1, 1)) },
} },
{ .name = "r9_leaving_master_demote_sends_nothing", .advbase = 1,
    .steps = {
	MASTER_AT_MD(1, 0),
	{ LEAVE(T0 + 3500 * MS, 1), .act = SEND, .state = CARP_MASTER },
	{ DEMOTE(T0 + 3550 * MS, 5), .state = CARP_MASTER },
	{ ADVERT(255, 255, 5), .state = CARP_MASTER },
} },
{ .name = "r9_backup_demote_rearms_nothing", .advbase = 1, .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP, .md = T0 + 3 * SEC },
	{ DEMOTE(T0 + SEC, 50), .state = CARP_BACKUP, .md = T0 + 3 * SEC,
	    .tko = OFF },
	{ INPUT(T0 + 2 * SEC, 1, 10, 0, "10.0.0.2"), .state = CARP_BACKUP,
	    .md = T0 + 2 * SEC + MD(1, 50) },
} },
{ .name = "r10_init_ignores_adverts_and_timeouts", .advbase = 1,
    .steps = {
	{ INPUT(T0, 255, 255, 0, "10.0.0.2"), .state = CARP_INIT,
	    .dl = OFF },
	{ INPUT(T0, 1, 0, 0, "10.0.0.2"), .state = CARP_INIT, .dl = OFF },
	{ TIMEOUT(T0 + 10 * SEC), .state = CARP_INIT, .dl = OFF },
	{ DEMOTE(T0 + 10 * SEC, 3), .state = CARP_INIT, .dl = OFF },
} },
{ .name = "r10_timeout_with_nothing_due", .advbase = 1, .advskew = 10,
    .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP },
	{ TIMEOUT(T0 + SEC), .state = CARP_BACKUP, .md = T0 + 3117187 },
	{ TIMEOUT(T0 + 3117187), .act = CLAIM, .state = CARP_MASTER },
	{ TIMEOUT(T0 + 3117187), .state = CARP_MASTER },
	{ TIMEOUT(MD_NEXT(1, 10) - 1), .state = CARP_MASTER,
	    .next = MD_NEXT(1, 10) },
} },
/* The winner hears it and announces again: see r4. */
{ .name = "r11_one_last_advert_on_stepping_down", .advbase = 1,
    .advskew = 20, .steps = {
	MASTER_AT_MD(1, 20),
	{ INPUT(T0 + 3500 * MS, 1, 10, 0, "10.0.0.2"), .act = SEND | ST,
	    .state = CARP_BACKUP, .next = OFF, .tko = OFF,
	    .md = T0 + 3500 * MS + MD(1, 20),
	    .dl = T0 + 3500 * MS + MD(1, 20), .master = "10.0.0.2" },
	/* sent after the step: an ordinary advert, not a bow-out */
	{ ADVERT(1, 20, 0), .state = CARP_BACKUP },
	{ INPUT(T0 + 4500 * MS, 1, 10, 0, "10.0.0.2"), .state = CARP_BACKUP },
	{ TIMEOUT(T0 + 4500 * MS + 1), .state = CARP_BACKUP },
} },
{ .name = "r11_last_advert_carries_demotion", .advbase = 1, .steps = {
	MASTER_AT_MD(1, 0),
	{ DEMOTE(T0 + 3500 * MS, 1), .act = SEND, .state = CARP_MASTER },
	{ INPUT(T0 + 3600 * MS, 1, 50, 0, "10.0.0.2"), .act = SEND | ST,
	    .state = CARP_BACKUP, .reason = "preempted by 10.0.0.2 "
	    "(demote 0 < 1)" },
	{ ADVERT(1, 1, 1), .state = CARP_BACKUP },
} },
{ .name = "r12_promote_refused_not_started", .advbase = 1, .steps = {
	{ PROMOTE(T0), .state = CARP_INIT, .dl = OFF,
	    .reason = "not started" },
	{ START(T0), .act = ST, .state = CARP_BACKUP },
	{ LEAVE(T0 + SEC, 1), .act = ST, .state = CARP_INIT },
	{ PROMOTE(T0 + 4 * SEC), .state = CARP_INIT, .dl = OFF,
	    .reason = "not started" },
} },
{ .name = "r12_promote_refused_link_down", .advbase = 1, .steps = {
	{ LINK(T0, 0), .act = ST, .state = CARP_LINKDOWN },
	{ PROMOTE(T0 + 4 * SEC), .state = CARP_LINKDOWN, .dl = OFF,
	    .reason = "link down" },
} },
{ .name = "r12_promote_refused_already_master", .advbase = 1, .steps = {
	MASTER_AT_MD(1, 0),
	{ PROMOTE(T0 + 3500 * MS), .state = CARP_MASTER,
	    .next = MD_NEXT(1, 0), .reason = "already master" },
} },
{ .name = "r12_promote_refused_bowing_out", .advbase = 1, .steps = {
	MASTER_AT_MD(1, 0),
	{ LEAVE(T0 + 3500 * MS, 0), .act = SEND, .state = CARP_MASTER },
	{ PROMOTE(T0 + 3550 * MS), .state = CARP_MASTER,
	    .next = T0 + 3600 * MS, .lby = T0 + 6600 * MS,
	    .reason = "bowing out" },
	{ ADVERT(255, 255, 0), .state = CARP_MASTER },
} },
{ .name = "r12_promote_refused_still_listening", .advbase = 1,
    .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP },
	{ PROMOTE(T0 + SEC), .state = CARP_BACKUP, .md = T0 + 3 * SEC,
	    .reason = "still listening" },
	/* a worse master heard: listening still ends at 3 s */
	{ INPUT(T0 + 2 * SEC, 1, 50, 0, "10.0.0.2"), .state = CARP_BACKUP,
	    .md = T0 + 5 * SEC },
	{ PROMOTE(T0 + 3 * SEC - 1), .state = CARP_BACKUP,
	    .reason = "still listening" },
	{ PROMOTE(T0 + 3 * SEC), .act = CLAIM, .state = CARP_MASTER,
	    .md = OFF, .lst = OFF, .next = NEXT(T0 + 3 * SEC, IV(1, 0)),
	    .master = "none", .reason = "promoted by operator" },
} },
{ .name = "r12_promote_over_worse_master_ignores_preempt", .advbase = 1,
    .advskew = 10, .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP },
	{ INPUT(T0 + 2 * SEC, 1, 50, 0, "10.0.0.2"), .state = CARP_BACKUP },
	{ INPUT(T0 + 4 * SEC, 1, 50, 0, "10.0.0.2"), .state = CARP_BACKUP,
	    .tko = OFF, .md = T0 + 4 * SEC + MD(1, 10) },
	{ PROMOTE(T0 + 4500 * MS), .act = CLAIM, .state = CARP_MASTER,
	    .md = OFF, .tko = OFF, .next = NEXT(T0 + 4500 * MS, IV(1, 10)),
	    .master = "none", .reason = "promoted by operator" },
	{ TIMEOUT(NEXT(T0 + 4500 * MS, IV(1, 10))), .act = SEND,
	    .state = CARP_MASTER,
	    .next = NEXT(T0 + 4500 * MS, IV(1, 10)) + IV(1, 10) },
	/* the old master's next advert is answered: it yields */
	{ INPUT(T0 + 5 * SEC, 1, 50, 0, "10.0.0.2"), .act = SEND | ANN,
	    .state = CARP_MASTER },
	{ PROMOTE(T0 + 5500 * MS), .state = CARP_MASTER,
	    .reason = "already master" },
} },
{ .name = "r12_promote_refused_better_master", .advbase = 1,
    .advskew = 100, .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP },
	/* named before the listening: waiting would not help */
	{ INPUT(T0 + SEC, 1, 0, 0, "10.0.0.2"), .state = CARP_BACKUP },
	{ PROMOTE(T0 + 1500 * MS), .state = CARP_BACKUP,
	    .md = T0 + SEC + MD(1, 100), .reason = "master 10.0.0.2 "
	    "advertises 1+0/256 s demote 0, better than our 1+100/256 s "
	    "demote 0: demote it there first" },
	{ INPUT(T0 + 4 * SEC, 1, 0, 0, "10.0.0.2"), .state = CARP_BACKUP },
	{ PROMOTE(T0 + 4500 * MS), .state = CARP_BACKUP, .tko = OFF,
	    .md = T0 + 4 * SEC + MD(1, 100), .master = "10.0.0.2",
	    .reason = "master 10.0.0.2 "
	    "advertises 1+0/256 s demote 0, better than our 1+100/256 s "
	    "demote 0: demote it there first" },
} },
{ .name = "r12_promote_demote_byte_decides_first", .advbase = 1,
    .demote = 1, .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP },
	{ INPUT(T0 + 4 * SEC, 2, 0, 0, "10.0.0.2"), .state = CARP_BACKUP },
	{ PROMOTE(T0 + 4500 * MS), .state = CARP_BACKUP, .tko = OFF,
	    .reason = "master 10.0.0.2 advertises 2+0/256 s demote 0, "
	    "better than our 1+1/256 s demote 1: demote it there first" },
} },
{ .name = "r12_promote_over_demoted_master_at_once", .advbase = 1,
    .advskew = 100, .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP },
	{ INPUT(T0 + 2 * SEC, 1, 0, 0, "10.0.0.2"), .state = CARP_BACKUP },
	{ INPUT(T0 + 4 * SEC, 1, 0, 0, "10.0.0.2"), .state = CARP_BACKUP },
	/* it is demoted: the takeover waits the stagger, a promote not */
	{ INPUT(T0 + 5 * SEC, 1, 0, 1, "10.0.0.2"), .state = CARP_BACKUP,
	    .tko = T0 + 5 * SEC + TK(100) },
	{ PROMOTE(T0 + 5 * SEC + MS), .act = CLAIM, .state = CARP_MASTER,
	    .tko = OFF, .reason = "promoted by operator" },
} },
{ .name = "r12_promote_refused_equal_interval_lower_address",
    .advbase = 1, .advskew = 10, .self = "10.0.0.2", .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP },
	/* last octet first, as ucarp on x86: 10.0.1.1 < 10.0.0.2 */
	{ INPUT(T0 + 4 * SEC, 1, 10, 0, "10.0.1.1"), .state = CARP_BACKUP },
	{ PROMOTE(T0 + 4500 * MS), .state = CARP_BACKUP,
	    .reason = "master 10.0.1.1 advertises 1+10/256 s demote 0, "
	    "better than our 1+10/256 s demote 0: demote it there first" },
} },
{ .name = "r12_promote_equal_interval_higher_address", .advbase = 1,
    .advskew = 10, .self = "10.0.1.1", .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP },
	{ INPUT(T0 + 4 * SEC, 1, 10, 0, "10.0.0.2"), .state = CARP_BACKUP,
	    .tko = OFF },
	{ PROMOTE(T0 + 4500 * MS), .act = CLAIM, .state = CARP_MASTER,
	    .reason = "promoted by operator" },
} },
{ .name = "r12_promote_over_bowout_at_once", .advbase = 1, .advskew = 50,
    .steps = {
	LISTENED(1, 50),
	{ INPUT(T0 + 4500 * MS, 255, 255, 0, "10.0.0.3"),
	    .state = CARP_BACKUP, .tko = T0 + 4500 * MS + TK(50) },
	{ PROMOTE(T0 + 4510 * MS), .act = CLAIM, .state = CARP_MASTER,
	    .tko = OFF, .next = NEXT(T0 + 4510 * MS, IV(1, 50)),
	    .reason = "promoted by operator" },
} },
{ .name = "r12_promote_after_leave_without_successor", .advbase = 1,
    .steps = {
	MASTER_AT_MD(1, 0),
	{ LEAVE(T0 + 3500 * MS, 0), .act = SEND, .state = CARP_MASTER },
	{ TIMEOUT(T0 + 6600 * MS), .act = ST, .state = CARP_BACKUP,
	    .master = "none", .lst = OFF,
	    .reason = "no successor within 3100 ms" },
	{ PROMOTE(T0 + 6700 * MS), .act = CLAIM, .state = CARP_MASTER,
	    .next = NEXT(T0 + 6700 * MS, IV(1, 0)),
	    .reason = "promoted by operator" },
} },
/* Quorum: hafod.8 ELECTION, Quorum. */
{ .name = "q1_no_quorum_master_lets_go_at_once", .advbase = 1, .steps = {
	MASTER_AT_MD(1, 0),
	/* Backup at once, no successor awaited; bow-outs 100 ms apart. */
	{ HOLD(T0 + 3500 * MS, 1), .act = SEND | ST, .state = CARP_BACKUP,
	    .next = T0 + 3600 * MS, .lby = OFF, .reason = "quorum lost" },
	{ ADVERT(255, 255, 0), .state = CARP_BACKUP },
	{ TIMEOUT(T0 + 3600 * MS), .act = SEND, .state = CARP_BACKUP,
	    .next = T0 + 3700 * MS },
	{ TIMEOUT(T0 + 3700 * MS), .act = SEND, .state = CARP_BACKUP,
	    .next = OFF },
	/* Three in all; then an ordinary backup's advert, never sent. */
	{ ADVERT(1, 0, 0), .state = CARP_BACKUP },
	/* The master-down timer runs, but claims nothing. */
	{ TIMEOUT(T0 + 6500 * MS), .state = CARP_BACKUP, .md = OFF,
	    .dl = 0 },
} },
{ .name = "q1_no_quorum_leaving_master_lets_go_at_once", .advbase = 1,
    .steps = {
	MASTER_AT_MD(1, 0),
	{ LEAVE(T0 + 3500 * MS, 0), .act = SEND, .state = CARP_MASTER },
	{ HOLD(T0 + 3550 * MS, 1), .act = SEND | ST, .state = CARP_BACKUP,
	    .lby = OFF, .reason = "quorum lost" },
} },
{ .name = "q1_no_quorum_stopping_master_stops", .advbase = 1, .steps = {
	MASTER_AT_MD(1, 0),
	{ LEAVE(T0 + 3500 * MS, 1), .act = SEND, .state = CARP_MASTER },
	{ HOLD(T0 + 3550 * MS, 1), .act = SEND | ST, .state = CARP_INIT,
	    .reason = "quorum lost" },
} },
{ .name = "q2_no_quorum_backup_claims_nothing", .advbase = 1, .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP },
	{ HOLD(T0 + SEC, 1), .state = CARP_BACKUP, .md = T0 + 3 * SEC },
	/* Neither the master-down timer... */
	{ TIMEOUT(T0 + 3 * SEC), .state = CARP_BACKUP, .md = OFF, .dl = 0 },
	/* ...nor a bow-out... */
	{ INPUT(T0 + 4 * SEC, 255, 255, 0, "10.0.0.2"), .state = CARP_BACKUP,
	    .tko = OFF },
	/* ...nor a worse master. */
	{ INPUT(T0 + 5 * SEC, 1, 0, 200, "10.0.0.2"), .state = CARP_BACKUP,
	    .tko = OFF },
} },
{ .name = "q2_no_quorum_promote_refused", .advbase = 1, .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP },
	{ HOLD(T0 + SEC, 1), .state = CARP_BACKUP },
	{ TIMEOUT(T0 + 3 * SEC), .state = CARP_BACKUP, .md = OFF },
	{ PROMOTE(T0 + 4 * SEC), .state = CARP_BACKUP,
	    .reason = "no quorum" },
} },
{ .name = "q3_quorum_back_listens_before_claiming", .advbase = 1,
    .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP },
	{ HOLD(T0 + SEC, 1), .state = CARP_BACKUP },
	{ TIMEOUT(T0 + 3 * SEC), .state = CARP_BACKUP, .md = OFF },
	{ HOLD(T0 + 5 * SEC, 0), .state = CARP_BACKUP, .md = T0 + 8 * SEC,
	    .lst = T0 + 8 * SEC, .dl = T0 + 8 * SEC },
	/* Not even a demoted master is replaced before that. */
	{ INPUT(T0 + 6 * SEC, 1, 0, 200, "10.0.0.2"), .state = CARP_BACKUP,
	    .tko = T0 + 8 * SEC },
	{ TIMEOUT(T0 + 8 * SEC), .act = CLAIM, .state = CARP_MASTER,
	    .reason = "master 10.0.0.2 demoted (demote 200 > 0)" },
} },
{ .name = "q4_strict_silent_master_waits_for_claim_after", .advbase = 1,
    .steps = {
	LISTENED(1, 0),
	{ CLAIM_AFTER(T0 + 4 * SEC, NEVER), .state = CARP_BACKUP },
	{ TIMEOUT(T0 + 7 * SEC), .state = CARP_BACKUP, .md = OFF, .dl = 0 },
	/* Corosync dropped it: claim once it must have let go. */
	{ CLAIM_AFTER(T0 + 8 * SEC, T0 + 10 * SEC), .state = CARP_BACKUP,
	    .md = T0 + 10 * SEC, .dl = T0 + 10 * SEC },
	{ TIMEOUT(T0 + 10 * SEC - 1), .state = CARP_BACKUP },
	{ TIMEOUT(T0 + 10 * SEC), .act = CLAIM, .state = CARP_MASTER,
	    .reason = "master down timer expired" },
} },
{ .name = "q4_strict_claim_after_passed_claims_at_once", .advbase = 1,
    .steps = {
	LISTENED(1, 0),
	{ CLAIM_AFTER(T0 + 4 * SEC, NEVER), .state = CARP_BACKUP },
	{ TIMEOUT(T0 + 7 * SEC), .state = CARP_BACKUP, .md = OFF },
	{ CLAIM_AFTER(T0 + 9 * SEC, T0 + 8 * SEC), .act = CLAIM,
	    .state = CARP_MASTER, .reason = "master down timer expired, "
	    "master out of the quorum" },
} },
{ .name = "q4_strict_master_heard_again_ends_the_wait", .advbase = 1,
    .steps = {
	LISTENED(1, 0),
	{ CLAIM_AFTER(T0 + 4 * SEC, NEVER), .state = CARP_BACKUP },
	{ TIMEOUT(T0 + 7 * SEC), .state = CARP_BACKUP, .md = OFF },
	{ INPUT(T0 + 7500 * MS, 0, 200, 0, "10.0.0.3"), .state = CARP_BACKUP,
	    .md = T0 + 7500 * MS + MD(1, 0) },
	/* Told it may claim: but the master is speaking. */
	{ CLAIM_AFTER(T0 + 8 * SEC, T0 + 8 * SEC), .state = CARP_BACKUP,
	    .md = T0 + 7500 * MS + MD(1, 0) },
} },
{ .name = "q4_strict_bowout_is_not_waited_for", .advbase = 1, .steps = {
	LISTENED(1, 0),
	{ CLAIM_AFTER(T0 + 4 * SEC, NEVER), .state = CARP_BACKUP },
	/* The master says itself that it lets go. */
	{ INPUT(T0 + 5 * SEC, 255, 255, 0, "10.0.0.3"), .act = CLAIM,
	    .state = CARP_MASTER },
} },
{ .name = "q4_strict_claim_after_past_is_no_wait", .advbase = 1,
    .steps = {
	{ START(T0), .act = ST, .state = CARP_BACKUP },
	{ CLAIM_AFTER(T0 + SEC, T0 + SEC), .state = CARP_BACKUP },
	{ TIMEOUT(T0 + 3 * SEC), .act = CLAIM, .state = CARP_MASTER,
	    .reason = "master down timer expired" },
} },
};

static void
check_timer(const char *name, const char *what, size_t i, uint64_t got,
    uint64_t want)
{
	if (want == 0)
		return;
	if (want == OFF)
		want = 0;
	ATF_CHECK_MSG(got == want, "%s step %zu: %s is T0%+lld, expected "
	    "T0%+lld", name, i, what, (long long)(got - T0),
	    (long long)(want - T0));
}

static void
run_case(const struct tcase *c)
{
	struct fsm		 f;
	struct fsm_advert	 adv;
	const struct step	*s;
	char			 b1[64], b2[64], want[sizeof(f.reason)];
	uint64_t		 dl;
	size_t			 i;
	int			 act;

	memset(&f, 0, sizeof(f));
	f.advbase = c->advbase;
	f.advskew = c->advskew;
	f.demote = c->demote;
	f.preempt = c->preempt;
	f.self = addr4(c->self != NULL ? c->self : SELF);
	fsm_init(&f);
	ATF_REQUIRE_EQ(f.state, CARP_INIT);
	ATF_REQUIRE_EQ(fsm_deadline(&f), 0);

	for (i = 0; i < MAXSTEPS && c->steps[i].op != OP_END; i++) {
		s = &c->steps[i];
		act = 0;
		switch (s->op) {
		case OP_START:
			act = fsm_start(&f, s->at);
			break;
		case OP_INPUT:
			memset(&adv, 0, sizeof(adv));
			adv.advbase = s->base;
			adv.advskew = s->skew;
			adv.demote = s->demote;
			adv.src = addr4(s->src);
			act = fsm_input(&f, &adv, s->at);
			break;
		case OP_TIMEOUT:
			act = fsm_timeout(&f, s->at);
			break;
		case OP_LEAVE:
			act = fsm_leave(&f, s->arg, s->at);
			break;
		case OP_LINK:
			act = fsm_link(&f, s->arg, s->at);
			break;
		case OP_DEMOTE:
			act = fsm_set_demote(&f, s->arg, s->at);
			break;
		case OP_PROMOTE:
			act = fsm_promote(&f, s->at);
			break;
		case OP_HOLD:
			act = fsm_hold(&f, s->arg, "quorum lost", s->at);
			break;
		case OP_CLAIM_AFTER:
			act = fsm_claim_after(&f, s->until, s->at);
			break;
		case OP_ADVERT:
			fsm_advert(&f, &adv);
			ATF_CHECK_MSG(adv.advbase == s->base &&
			    adv.advskew == s->skew && adv.demote == s->demote,
			    "%s step %zu: advert %u/%u/%u, expected %u/%u/%u",
			    c->name, i, adv.advbase, adv.advskew, adv.demote,
			    s->base, s->skew, s->demote);
			ATF_CHECK(addr_eq(&adv.src, &f.self));
			break;
		case OP_END:
			break;
		}
		ATF_CHECK_MSG(act == s->act, "%s step %zu: actions %s, "
		    "expected %s", c->name, i, acts(act, b1, sizeof(b1)),
		    acts(s->act, b2, sizeof(b2)));
		ATF_CHECK_MSG(f.state == s->state, "%s step %zu: state %s, "
		    "expected %s", c->name, i, state_name(f.state),
		    state_name(s->state));
		if (act & FSM_STATE)
			ATF_CHECK_MSG(f.reason[0] != '\0',
			    "%s step %zu: no reason", c->name, i);
		check_timer(c->name, "master_down", i, f.master_down, s->md);
		check_timer(c->name, "takeover", i, f.takeover, s->tko);
		check_timer(c->name, "next_advert", i, f.next_advert, s->next);
		check_timer(c->name, "leave_by", i, f.leave_by, s->lby);
		check_timer(c->name, "listen_until", i, f.listen_until, s->lst);
		check_timer(c->name, "answered", i, f.answered, s->ans);
		if (s->succ != 0)
			ATF_CHECK_MSG(f.succeeded == (s->succ == YES),
			    "%s step %zu: succeeded %d", c->name, i,
			    f.succeeded);
		dl = fsm_deadline(&f);
		check_timer(c->name, "deadline", i, dl, s->dl);
		if (s->master != NULL)
			ATF_CHECK_STREQ_MSG(addr_ntop(&f.master), s->master,
			    "%s step %zu: master", c->name, i);
		/* A reason too long for the buffer is cut short, no more. */
		if (s->reason != NULL) {
			strlcpy(want, s->reason, sizeof(want));
			ATF_CHECK_STREQ_MSG(f.reason, want,
			    "%s step %zu: reason", c->name, i);
		}
		/* The engine's loop relies on nothing being left due. */
		if (s->op != OP_ADVERT)
			ATF_CHECK_MSG(dl == 0 || dl > s->at,
			    "%s step %zu: deadline T0%+lld not after now",
			    c->name, i, (long long)(dl - T0));
	}
}

static void
run_named(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strcmp(cases[i].name, name) == 0) {
			run_case(&cases[i]);
			return;
		}
	atf_tc_fail("no table entry %s", name);
}

#define X(n) \
	ATF_TC_WITHOUT_HEAD(n); \
	ATF_TC_BODY(n, tc) \
	{ \
		run_named(#n); \
	}
TABLE_CASES
#undef X

/* Every table entry runs as a test case of its own name. */
ATF_TC_WITHOUT_HEAD(table_cases_all_registered);
ATF_TC_BODY(table_cases_all_registered, tc)
{
#define X(n) #n,
	static const char	*registered[] = { TABLE_CASES };
#undef X
	size_t			 i, j, nreg, ncases;

	nreg = sizeof(registered) / sizeof(registered[0]);
	ncases = sizeof(cases) / sizeof(cases[0]);
	ATF_CHECK_EQ(nreg, ncases);
	for (i = 0; i < ncases; i++) {
		for (j = 0; j < nreg; j++)
			if (strcmp(cases[i].name, registered[j]) == 0)
				break;
		ATF_CHECK_MSG(j < nreg, "%s is not registered", cases[i].name);
	}
}

ATF_TC_WITHOUT_HEAD(interval_in_ticks_of_1_256_s);
ATF_TC_BODY(interval_in_ticks_of_1_256_s, tc)
{
	ATF_CHECK_EQ(fsm_interval_us(1, 0), 1000000);
	ATF_CHECK_EQ(fsm_interval_us(1, 10), 1039062);	/* 1039062.5 */
	ATF_CHECK_EQ(fsm_interval_us(0, 1), 3906);	/* 3906.25 */
	ATF_CHECK_EQ(fsm_interval_us(0, 128), 500000);
	ATF_CHECK_EQ(fsm_interval_us(255, 254), 255992187);
	ATF_CHECK_EQ(fsm_interval_us(0, 0), 0);
	ATF_CHECK(fsm_interval_us(1, 10) < fsm_interval_us(1, 11));
	ATF_CHECK(fsm_interval_us(0, 255) < fsm_interval_us(1, 0));
}

ATF_TC_WITHOUT_HEAD(state_names);
ATF_TC_BODY(state_names, tc)
{
	ATF_CHECK_STREQ(state_name(CARP_INIT), "INIT");
	ATF_CHECK_STREQ(state_name(CARP_BACKUP), "BACKUP");
	ATF_CHECK_STREQ(state_name(CARP_MASTER), "MASTER");
	ATF_CHECK_STREQ(state_name(CARP_LINKDOWN), "LINKDOWN");
}

/*
 * handover exclusive (ehandover.c) waits for the master followed before:
 * one that bowed out can say it released, one that fell silent cannot.
 */
ATF_TC_WITHOUT_HEAD(r1_new_master_keeps_its_predecessor);
ATF_TC_BODY(r1_new_master_keeps_its_predecessor, tc)
{
	struct fsm		 f;
	struct fsm_advert	 adv;

	memset(&f, 0, sizeof(f));
	f.advbase = 1;
	f.self = addr4(SELF);
	fsm_init(&f);
	ATF_CHECK_EQ(fsm_start(&f, T0), FSM_STATE);
	/* Nobody heard since the start: no predecessor. */
	ATF_CHECK_EQ(fsm_timeout(&f, T0 + 3 * SEC), CLAIM);
	ATF_CHECK_EQ(f.pred.af, AF_UNSPEC);
	ATF_CHECK_EQ(f.pred_silent, 0);

	/* A better master takes over, then bows out: it can say so. */
	memset(&adv, 0, sizeof(adv));
	adv.advbase = 0;
	adv.advskew = 100;
	adv.src = addr4("10.0.0.9");
	ATF_CHECK_EQ(fsm_input(&f, &adv, T0 + 4 * SEC),
	    FSM_SEND | FSM_STATE);
	ATF_CHECK_EQ(f.state, CARP_BACKUP);
	adv.advbase = CARP_BOWOUT;
	adv.advskew = CARP_BOWOUT;
	(void)fsm_input(&f, &adv, T0 + 5 * SEC);
	(void)fsm_timeout(&f, T0 + 5 * SEC);
	ATF_CHECK_EQ(f.state, CARP_MASTER);
	ATF_CHECK_STREQ(addr_ntop(&f.pred), "10.0.0.9");
	ATF_CHECK_EQ(f.pred_silent, 0);

	/* It preempts again, then falls silent: it cannot. */
	adv.advbase = 0;
	adv.advskew = 100;
	(void)fsm_input(&f, &adv, T0 + 6 * SEC);
	ATF_CHECK_EQ(f.state, CARP_BACKUP);
	ATF_CHECK_EQ(fsm_timeout(&f, T0 + 9 * SEC), CLAIM);
	ATF_CHECK_STREQ(addr_ntop(&f.pred), "10.0.0.9");
	ATF_CHECK_EQ(f.pred_silent, 1);
}

/* 0/0 runs at 1/256 s rather than spinning. */
ATF_TC_WITHOUT_HEAD(r1_advbase_0_advskew_0_runs_at_one_tick);
ATF_TC_BODY(r1_advbase_0_advskew_0_runs_at_one_tick, tc)
{
	struct fsm	 f;

	memset(&f, 0, sizeof(f));
	f.self = addr4(SELF);
	fsm_init(&f);
	ATF_CHECK_EQ(fsm_start(&f, T0), FSM_STATE);
	ATF_CHECK_EQ(f.master_down, T0 + 11718);
	ATF_CHECK_EQ(fsm_timeout(&f, T0 + 11718), CLAIM);
	ATF_CHECK_EQ(f.next_advert, NEXT(T0 + 11718, IV(0, 1)));
	ATF_CHECK_EQ(fsm_timeout(&f, NEXT(T0 + 11718, IV(0, 1))), FSM_SEND);
	ATF_CHECK_EQ(f.next_advert, NEXT(T0 + 11718, IV(0, 1)) + IV(0, 1));
}

/* fsm_init() clears the run, not the configuration. */
ATF_TC_WITHOUT_HEAD(r1_init_keeps_configuration);
ATF_TC_BODY(r1_init_keeps_configuration, tc)
{
	struct fsm		 f;
	struct hafod_addr	 self = addr4(SELF);

	memset(&f, 0xa5, sizeof(f));
	f.advbase = 2;
	f.advskew = 7;
	f.demote = 1;
	f.preempt = 1;
	f.self = self;
	fsm_init(&f);
	ATF_CHECK_EQ(f.state, CARP_INIT);
	ATF_CHECK_EQ(f.leaving, 0);
	ATF_CHECK_EQ(f.final, 0);
	ATF_CHECK_EQ(f.bowouts, 0);
	ATF_CHECK_EQ(fsm_deadline(&f), 0);
	ATF_CHECK_EQ(f.master.af, 0);
	ATF_CHECK_EQ(f.master_seen, 0);
	ATF_CHECK_EQ(f.leave_by, 0);
	ATF_CHECK_EQ(f.listen_until, 0);
	ATF_CHECK_EQ(f.answered, 0);
	ATF_CHECK_EQ(f.succeeded, 0);
	ATF_CHECK_STREQ(f.reason, "");
	ATF_CHECK_EQ(f.advbase, 2);
	ATF_CHECK_EQ(f.advskew, 7);
	ATF_CHECK_EQ(f.demote, 1);
	ATF_CHECK_EQ(f.preempt, 1);
	ATF_CHECK(addr_eq(&f.self, &self));
}

/*
 * Two services of one interval that claimed at different instants, not
 * a whole number of intervals apart, fall due at the same instant from
 * the first advert of the earlier one on, so that the engine wakes once
 * for both; reaching the second a little late does not part them.
 */
ATF_TC_WITHOUT_HEAD(r4_same_interval_masters_fall_due_together);
ATF_TC_BODY(r4_same_interval_masters_fall_due_together, tc)
{
	struct fsm	 a, b;
	uint64_t	 iv = IV(1, 10), ta, tb, due;
	int		 i;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.advbase = b.advbase = 1;
	a.advskew = b.advskew = 10;
	a.self = addr4("10.0.0.1");
	b.self = addr4("10.0.0.2");
	fsm_init(&a);
	fsm_init(&b);
	ATF_CHECK_EQ(fsm_start(&a, T0), FSM_STATE);
	ATF_CHECK_EQ(fsm_start(&b, T0 + 300 * MS), FSM_STATE);
	ta = T0 + MD(1, 10);
	tb = T0 + 300 * MS + MD(1, 10);
	ATF_CHECK_EQ(fsm_timeout(&a, ta), CLAIM);
	ATF_CHECK_EQ(fsm_timeout(&b, tb), CLAIM);
	ATF_CHECK_EQ(fsm_deadline(&a), NEXT(ta, iv));
	ATF_CHECK_EQ(fsm_deadline(&b), NEXT(tb, iv));
	/* at most one advert of a's alone, then they are due together */
	if (NEXT(ta, iv) < NEXT(tb, iv))
		ATF_CHECK_EQ(fsm_timeout(&a, NEXT(ta, iv)), FSM_SEND);
	due = NEXT(tb, iv);
	ATF_CHECK_EQ(fsm_deadline(&a), due);
	for (i = 0; i < 5; i++) {
		ATF_CHECK_EQ(fsm_timeout(&a, due), FSM_SEND);
		ATF_CHECK_EQ(fsm_timeout(&b, due + 2 * MS), FSM_SEND);
		due += iv;
		ATF_CHECK_EQ(fsm_deadline(&a), due);
		ATF_CHECK_EQ(fsm_deadline(&b), due);
	}
}

/*
 * Whenever it claims, a new master's next advert is within one interval:
 * a backup without preempt follows a master up to three of its own
 * intervals slow, and would take over if the gap were longer.
 */
ATF_TC_WITHOUT_HEAD(r4_first_advert_within_one_interval);
ATF_TC_BODY(r4_first_advert_within_one_interval, tc)
{
	struct fsm	 f;
	uint64_t	 iv = IV(2, 128), t, step = iv / 97;
	int		 actions;

	for (t = T0; t < T0 + 2 * iv; t += step) {
		memset(&f, 0, sizeof(f));
		f.advbase = 2;
		f.advskew = 128;
		f.self = addr4(SELF);
		fsm_init(&f);
		ATF_REQUIRE_EQ(fsm_start(&f, t), FSM_STATE);
		actions = fsm_timeout(&f, t + MD(2, 128));
		ATF_REQUIRE_EQ(actions, CLAIM);
		ATF_CHECK(fsm_deadline(&f) > t + MD(2, 128));
		ATF_CHECK(fsm_deadline(&f) <= t + MD(2, 128) + iv);
	}
}

/*
 * The simulation: nodes on a fake wire.  Every FSM_SEND is delivered to
 * the other nodes of the same partition after sim.delay; adverts can
 * also be injected as from a rogue.  Time jumps from event to event.
 * A master holds the addresses from sim.install after it claimed, the
 * time its parent takes to add them, until it leaves MASTER.
 */

#define SIM_NODES	5
#define SIM_QUEUE	4096
#define SIM_EVENTS	10000000

struct sim_node {
	struct fsm	 fsm;
	int		 alive;
	int		 link;
	int		 group;		/* partition */
	unsigned int	 sends;
	unsigned int	 bowouts;
	unsigned int	 announces;
	unsigned int	 lasts;		/* adverts sent stepping down */
	unsigned int	 claims;
	int		 ever_master;
	uint64_t	 became_master;
	uint64_t	 changed;	/* last state change */
	uint64_t	 last_announce;
	uint64_t	 min_announce_gap;
};

struct sim_pkt {
	uint64_t		 at;
	uint64_t		 seq;
	int			 from;	/* -1: injected */
	int			 to;
	struct fsm_advert	 adv;
};

struct sim {
	struct sim_node		 node[SIM_NODES];
	int			 n;
	uint64_t		 now;
	uint64_t		 delay;
	uint64_t		 install;
	struct sim_pkt		 q[SIM_QUEUE];
	size_t			 nq;
	uint64_t		 seq;
	uint64_t		 overlap_since;	/* two or more masters */
	uint64_t		 overlap_max;
	int			 held;		/* the addresses, once */
	uint64_t		 gap_since;	/* nobody holds them */
	uint64_t		 gap_max;
};

static struct sim *
sim_new(int n, uint64_t delay)
{
	struct sim	*sim;
	char		 a[INET_ADDRSTRLEN];
	int		 i;

	ATF_REQUIRE(n <= SIM_NODES);
	ATF_REQUIRE((sim = calloc(1, sizeof(*sim))) != NULL);
	sim->n = n;
	sim->delay = delay;
	sim->now = T0;
	for (i = 0; i < n; i++) {
		snprintf(a, sizeof(a), "10.0.0.%d", i + 1);
		sim->node[i].fsm.self = addr4(a);
		sim->node[i].fsm.advbase = 1;
		sim->node[i].alive = 1;
		sim->node[i].link = 1;
		fsm_init(&sim->node[i].fsm);
	}
	return (sim);
}

static void
sim_enqueue(struct sim *sim, uint64_t at, int from, int to,
    const struct fsm_advert *adv)
{
	struct sim_pkt	*p;

	ATF_REQUIRE(sim->nq < SIM_QUEUE);
	p = &sim->q[sim->nq++];
	p->at = at;
	p->seq = sim->seq++;
	p->from = from;
	p->to = to;
	p->adv = *adv;
}

/* What the engine would do with the actions of one call. */
static void
sim_handle(struct sim *sim, int i, int act)
{
	struct sim_node		*nd = &sim->node[i];
	struct fsm_advert	 adv;
	uint64_t		 gap;
	int			 j;

	if (act & FSM_ANNOUNCE)
		ATF_CHECK_MSG(nd->fsm.state == CARP_MASTER,
		    "node %d announces in %s", i, state_name(nd->fsm.state));
	/* Only a master sends, but for its last advert as it steps down. */
	if (act & FSM_SEND)
		ATF_CHECK_MSG(nd->fsm.state == CARP_MASTER ||
		    (nd->fsm.state == CARP_BACKUP && (act & FSM_STATE)),
		    "node %d sends in %s", i, state_name(nd->fsm.state));
	if (act & FSM_SEND) {
		fsm_advert(&nd->fsm, &adv);
		nd->sends++;
		if (nd->fsm.state == CARP_BACKUP)
			nd->lasts++;
		if (adv.advbase == CARP_BOWOUT && adv.advskew == CARP_BOWOUT)
			nd->bowouts++;
		for (j = 0; j < sim->n; j++)
			if (j != i)
				sim_enqueue(sim, sim->now + sim->delay, i, j,
				    &adv);
	}
	if (act & FSM_ANNOUNCE) {
		if (nd->announces > 0) {
			gap = sim->now - nd->last_announce;
			if (nd->min_announce_gap == 0 ||
			    gap < nd->min_announce_gap)
				nd->min_announce_gap = gap;
		}
		nd->announces++;
		nd->last_announce = sim->now;
	}
	if (act & FSM_STATE) {
		nd->changed = sim->now;
		if (nd->fsm.state == CARP_MASTER) {
			nd->claims++;
			nd->ever_master = 1;
			nd->became_master = sim->now;
		}
	}
}

static int
sim_masters(const struct sim *sim)
{
	int	 i, n = 0;

	for (i = 0; i < sim->n; i++)
		if (sim->node[i].alive &&
		    sim->node[i].fsm.state == CARP_MASTER)
			n++;
	return (n);
}

/* The only master, or -1. */
static int
sim_master(const struct sim *sim)
{
	int	 i;

	if (sim_masters(sim) != 1)
		return (-1);
	for (i = 0; i < sim->n; i++)
		if (sim->node[i].alive &&
		    sim->node[i].fsm.state == CARP_MASTER)
			return (i);
	return (-1);
}

/* The install time of a master still waiting for it, or 0. */
static uint64_t
sim_installing(const struct sim *sim, int i)
{
	const struct sim_node	*nd = &sim->node[i];

	if (!nd->alive || nd->fsm.state != CARP_MASTER ||
	    sim->now >= nd->became_master + sim->install)
		return (0);
	return (nd->became_master + sim->install);
}

static int
sim_holders(const struct sim *sim)
{
	int	 i, n = 0;

	for (i = 0; i < sim->n; i++)
		if (sim->node[i].alive &&
		    sim->node[i].fsm.state == CARP_MASTER &&
		    sim_installing(sim, i) == 0)
			n++;
	return (n);
}

static void
sim_observe(struct sim *sim)
{
	int	 m = sim_masters(sim), h = sim_holders(sim);

	if (m >= 2 && sim->overlap_since == 0)
		sim->overlap_since = sim->now;
	if (m < 2 && sim->overlap_since != 0) {
		if (sim->now - sim->overlap_since > sim->overlap_max)
			sim->overlap_max = sim->now - sim->overlap_since;
		sim->overlap_since = 0;
	}
	if (h > 0)
		sim->held = 1;
	if (h == 0 && sim->held && sim->gap_since == 0)
		sim->gap_since = sim->now;
	if (h > 0 && sim->gap_since != 0) {
		if (sim->now - sim->gap_since > sim->gap_max)
			sim->gap_max = sim->now - sim->gap_since;
		sim->gap_since = 0;
	}
}

/* The longest time with two masters, counting one still going on. */
static uint64_t
sim_overlap(const struct sim *sim)
{
	uint64_t	 o = sim->overlap_max;

	if (sim->overlap_since != 0 && sim->now - sim->overlap_since > o)
		o = sim->now - sim->overlap_since;
	return (o);
}

static uint64_t
sim_gap(const struct sim *sim)
{
	uint64_t	 g = sim->gap_max;

	if (sim->gap_since != 0 && sim->now - sim->gap_since > g)
		g = sim->now - sim->gap_since;
	return (g);
}

static void
sim_reset_stats(struct sim *sim)
{
	struct sim_node	*nd;
	int		 i;

	for (i = 0; i < sim->n; i++) {
		nd = &sim->node[i];
		nd->sends = nd->bowouts = nd->announces = nd->claims = 0;
		nd->lasts = 0;
		nd->ever_master = 0;
		nd->min_announce_gap = 0;
	}
	sim->overlap_max = 0;
	sim->overlap_since = sim_masters(sim) >= 2 ? sim->now : 0;
	sim->gap_max = 0;
	sim->gap_since = sim->held && sim_holders(sim) == 0 ?
	    sim->now : 0;
}

static int
sim_earliest(const struct sim *sim)
{
	size_t	 i;
	int	 best = -1;

	for (i = 0; i < sim->nq; i++)
		if (best == -1 || sim->q[i].at < sim->q[best].at ||
		    (sim->q[i].at == sim->q[best].at &&
		    sim->q[i].seq < sim->q[best].seq))
			best = (int)i;
	return (best);
}

static void
sim_deliver(struct sim *sim, const struct sim_pkt *p)
{
	struct sim_node	*to = &sim->node[p->to];

	if (!to->alive || !to->link)
		return;
	if (p->from >= 0 && (!sim->node[p->from].link ||
	    sim->node[p->from].group != to->group))
		return;
	sim_handle(sim, p->to, fsm_input(&to->fsm, &p->adv, sim->now));
}

/* Run every event up to and including until. */
static void
sim_run(struct sim *sim, uint64_t until)
{
	struct sim_pkt	 p;
	uint64_t	 next, dl;
	long		 events = 0;
	int		 i, k;

	ATF_REQUIRE(until >= sim->now);
	for (;;) {
		next = UINT64_MAX;
		if ((k = sim_earliest(sim)) != -1)
			next = sim->q[k].at;
		for (i = 0; i < sim->n; i++) {
			if (!sim->node[i].alive)
				continue;
			dl = fsm_deadline(&sim->node[i].fsm);
			if (dl != 0 && dl < next)
				next = dl;
			dl = sim_installing(sim, i);
			if (dl != 0 && dl < next)
				next = dl;
		}
		if (next > until)
			break;
		ATF_REQUIRE(next >= sim->now);
		sim->now = next;
		while ((k = sim_earliest(sim)) != -1 &&
		    sim->q[k].at <= sim->now) {
			p = sim->q[k];
			sim->q[k] = sim->q[--sim->nq];
			sim_deliver(sim, &p);
			ATF_REQUIRE(++events < SIM_EVENTS);
		}
		for (i = 0; i < sim->n; i++) {
			if (!sim->node[i].alive)
				continue;
			dl = fsm_deadline(&sim->node[i].fsm);
			if (dl != 0 && dl <= sim->now)
				sim_handle(sim, i, fsm_timeout(
				    &sim->node[i].fsm, sim->now));
			/* The engine's loop relies on nothing left due. */
			dl = fsm_deadline(&sim->node[i].fsm);
			ATF_REQUIRE_MSG(dl == 0 || dl > sim->now,
			    "node %d: deadline left due", i);
		}
		sim_observe(sim);
		ATF_REQUIRE(++events < SIM_EVENTS);
	}
	sim->now = until;
	sim_observe(sim);
}

static void
sim_start(struct sim *sim, int i)
{
	sim->node[i].alive = 1;
	sim_handle(sim, i, fsm_start(&sim->node[i].fsm, sim->now));
	sim_observe(sim);
}

static void
sim_start_all(struct sim *sim)
{
	int	 i;

	for (i = 0; i < sim->n; i++)
		sim_start(sim, i);
}

/* Power off: no timers, no adverts in or out; what is on the wire stays. */
static void
sim_kill(struct sim *sim, int i)
{
	sim->node[i].alive = 0;
	sim_observe(sim);
}

static void
sim_revive(struct sim *sim, int i)
{
	fsm_init(&sim->node[i].fsm);
	sim_start(sim, i);
}

static void
sim_inject(struct sim *sim, uint64_t at, const struct fsm_advert *adv)
{
	int	 i;

	for (i = 0; i < sim->n; i++)
		sim_enqueue(sim, at, -1, i, adv);
}

static void
sim_set(struct sim *sim, int i, uint8_t advbase, uint8_t advskew,
    int preempt)
{
	sim->node[i].fsm.advbase = advbase;
	sim->node[i].fsm.advskew = advskew;
	sim->node[i].fsm.preempt = preempt;
}

/* Three nodes with advskew 0, 10, 20, started together. */
static struct sim *
sim_three(uint64_t delay, int preempt)
{
	struct sim	*sim = sim_new(3, delay);
	int		 i;

	for (i = 0; i < 3; i++)
		sim_set(sim, i, 1, 10 * i, preempt);
	sim_start_all(sim);
	return (sim);
}

ATF_TC_WITHOUT_HEAD(sim_three_nodes_elect_lowest_advskew);
ATF_TC_BODY(sim_three_nodes_elect_lowest_advskew, tc)
{
	struct sim	*sim = sim_three(MS, 0);

	sim_run(sim, T0 + 10 * SEC);
	ATF_CHECK_EQ(sim_master(sim), 0);
	ATF_CHECK_EQ(sim->node[0].became_master, T0 + 3 * SEC);
	ATF_CHECK_STREQ(sim->node[0].fsm.reason, "master down timer expired");
	ATF_CHECK_EQ(sim->node[0].claims, 1);
	ATF_CHECK_EQ(sim->node[0].sends, 8);	/* at 3, 4, ... 10 s */
	ATF_CHECK(!sim->node[1].ever_master);
	ATF_CHECK(!sim->node[2].ever_master);
	ATF_CHECK_EQ(sim->node[1].fsm.state, CARP_BACKUP);
	ATF_CHECK_EQ(sim->node[2].fsm.state, CARP_BACKUP);
	ATF_CHECK_STREQ(addr_ntop(&sim->node[2].fsm.master), "10.0.0.1");
	ATF_CHECK_EQ(sim_overlap(sim), 0);
	free(sim);
}

ATF_TC_WITHOUT_HEAD(sim_master_dies_next_best_takes_over);
ATF_TC_BODY(sim_master_dies_next_best_takes_over, tc)
{
	struct sim	*sim = sim_three(MS, 0);

	sim_run(sim, T0 + 10 * SEC);
	ATF_REQUIRE_EQ(sim_master(sim), 0);
	/* its last advert, sent at 10 s, is still on the wire */
	sim_kill(sim, 0);
	sim_reset_stats(sim);
	sim_run(sim, T0 + 20 * SEC);
	ATF_CHECK_EQ(sim_master(sim), 1);
	ATF_CHECK_EQ(sim->node[1].became_master,
	    T0 + 10 * SEC + MS + MD(1, 10));
	ATF_CHECK(!sim->node[2].ever_master);
	ATF_CHECK_EQ(sim->node[2].fsm.state, CARP_BACKUP);
	ATF_CHECK_STREQ(addr_ntop(&sim->node[2].fsm.master), "10.0.0.2");
	ATF_CHECK_EQ(sim_overlap(sim), 0);
	free(sim);
}

ATF_TC_WITHOUT_HEAD(sim_bowout_only_best_backup_claims);
ATF_TC_BODY(sim_bowout_only_best_backup_claims, tc)
{
	struct sim	*sim = sim_new(4, MS);
	uint64_t	 leave = T0 + 10500 * MS;
	int		 i;

	for (i = 0; i < 4; i++)
		sim_set(sim, i, 1, 10 * i, 0);
	sim_start_all(sim);
	sim_run(sim, leave);
	ATF_REQUIRE_EQ(sim_master(sim), 0);
	sim_reset_stats(sim);
	sim_handle(sim, 0, fsm_leave(&sim->node[0].fsm, 1, sim->now));
	sim_run(sim, T0 + 20 * SEC);
	ATF_CHECK_EQ(sim_master(sim), 1);
	ATF_CHECK_EQ(sim->node[1].became_master, leave + MS + TK(10));
	ATF_CHECK_STREQ(sim->node[1].fsm.reason,
	    "bow-out heard from 10.0.0.1");
	ATF_CHECK(!sim->node[2].ever_master);
	ATF_CHECK(!sim->node[3].ever_master);
	ATF_CHECK_EQ(sim->node[0].fsm.state, CARP_INIT);
	ATF_CHECK_EQ(sim->node[0].changed, leave + MS + TK(10) + MS + GRACE);
	ATF_CHECK_STREQ(sim->node[0].fsm.reason,
	    "successor 10.0.0.2 took over");
	/* the next bow-out was due 100 ms after the first */
	ATF_CHECK_EQ(sim->node[0].bowouts, 1);
	ATF_CHECK_EQ(fsm_deadline(&sim->node[0].fsm), 0);
	/* make before break: never without a master, two for the grace */
	ATF_CHECK_EQ(sim_gap(sim), 0);
	ATF_CHECK_EQ(sim_overlap(sim), MS + GRACE);
	free(sim);
}

/*
 * The successor claims between the old master's second and third
 * bow-outs; the third reaches the other backup after the successor's
 * advert and must not start a second takeover.
 */
ATF_TC_WITHOUT_HEAD(sim_late_bowout_copy_elects_no_second_node);
ATF_TC_BODY(sim_late_bowout_copy_elects_no_second_node, tc)
{
	struct sim	*sim = sim_new(3, 50 * MS);
	uint64_t	 leave = T0 + 10500 * MS;

	sim_set(sim, 0, 1, 0, 0);
	sim_set(sim, 1, 1, 30, 0);
	sim_set(sim, 2, 1, 60, 0);
	sim_start_all(sim);
	sim_run(sim, leave);
	ATF_REQUIRE_EQ(sim_master(sim), 0);
	sim_reset_stats(sim);
	sim_handle(sim, 0, fsm_leave(&sim->node[0].fsm, 1, sim->now));
	sim_run(sim, T0 + 20 * SEC);
	ATF_CHECK_EQ(sim->node[0].bowouts, 3);
	ATF_CHECK_EQ(sim_master(sim), 1);
	ATF_CHECK_EQ(sim->node[1].became_master, leave + 50 * MS + TK(30));
	ATF_CHECK_EQ(sim->node[1].claims, 1);
	ATF_CHECK(!sim->node[2].ever_master);
	ATF_CHECK_EQ(sim->node[0].fsm.state, CARP_INIT);
	ATF_CHECK_EQ(sim_overlap(sim), sim->delay + GRACE);
	ATF_CHECK_EQ(sim_gap(sim), 0);
	free(sim);
}

ATF_TC_WITHOUT_HEAD(sim_equal_advskew_lower_address_wins);
ATF_TC_BODY(sim_equal_advskew_lower_address_wins, tc)
{
	struct sim	*sim = sim_new(2, MS);

	sim->node[0].fsm.self = addr4("10.0.0.2");
	sim->node[1].fsm.self = addr4("10.0.1.1");
	sim_set(sim, 0, 1, 10, 0);
	sim_set(sim, 1, 1, 10, 0);
	sim_start_all(sim);
	sim_run(sim, T0 + 10 * SEC);
	/* both claim at once; ucarp's order prefers 10.0.1.1 */
	ATF_CHECK_EQ(sim->node[0].claims, 1);
	ATF_CHECK_EQ(sim->node[1].claims, 1);
	ATF_CHECK_EQ(sim_master(sim), 1);
	ATF_CHECK_STREQ(sim->node[0].fsm.reason, "preempted by 10.0.1.1 "
	    "(equal interval 1+10/256, lower address)");
	/* the winner answered the other's claim, once: it crossed first */
	ATF_CHECK_EQ(sim->node[0].lasts, 1);
	ATF_CHECK_EQ(sim->node[1].announces, 2);
	ATF_CHECK_EQ(sim_overlap(sim), MS);
	free(sim);
}

ATF_TC_WITHOUT_HEAD(sim_equal_advskew_backups_after_bowout);
ATF_TC_BODY(sim_equal_advskew_backups_after_bowout, tc)
{
	struct sim	*sim = sim_new(3, MS);

	sim_set(sim, 0, 1, 0, 0);
	sim_set(sim, 1, 1, 10, 0);
	sim_set(sim, 2, 1, 10, 0);
	sim_start_all(sim);
	sim_run(sim, T0 + 10500 * MS);
	ATF_REQUIRE_EQ(sim_master(sim), 0);
	sim_reset_stats(sim);
	sim_handle(sim, 0, fsm_leave(&sim->node[0].fsm, 1, sim->now));
	sim_run(sim, T0 + 20 * SEC);
	ATF_CHECK_EQ(sim_master(sim), 1);	/* 10.0.0.2 < 10.0.0.3 */
	ATF_CHECK_EQ(sim->node[2].fsm.state, CARP_BACKUP);
	ATF_CHECK(sim_overlap(sim) <= fsm_interval_us(1, 10));
	ATF_CHECK_EQ(sim_gap(sim), 0);
	free(sim);
}

/*
 * Node 0 is cut off at 10 s, with its advert of 10 s still on the wire,
 * and node 1 takes over on its side; the wire comes back at the given
 * time.  Node 0 advertises on whole seconds, node 1 claims at 9.001 s +
 * 3.117 s and advertises on the multiples of 1.039 s from 13.085 s
 * (..., 19.320 s, 20.359 s).
 */
static struct sim *
sim_split_brain(uint64_t heal)
{
	struct sim	*sim = sim_three(MS, 0);

	sim_run(sim, T0 + 10 * SEC);
	ATF_REQUIRE_EQ(sim_master(sim), 0);
	sim->node[0].group = 1;
	sim_run(sim, heal);
	ATF_CHECK_EQ(sim_masters(sim), 2);
	ATF_CHECK_EQ(sim->node[0].fsm.state, CARP_MASTER);
	ATF_CHECK_EQ(sim->node[1].fsm.state, CARP_MASTER);
	ATF_CHECK(!sim->node[2].ever_master);

	sim->node[0].group = 0;
	sim_reset_stats(sim);
	sim_run(sim, heal + 3 * fsm_interval_us(1, 0));
	ATF_CHECK_EQ(sim_master(sim), 0);
	ATF_CHECK(sim_overlap(sim) <= 3 * fsm_interval_us(1, 0));
	ATF_CHECK_EQ(sim->node[1].fsm.state, CARP_BACKUP);
	ATF_CHECK_EQ(sim->node[2].fsm.state, CARP_BACKUP);
	return (sim);
}

static void
sim_split_brain_stays_healed(struct sim *sim)
{
	sim_reset_stats(sim);
	sim_run(sim, sim->now + 10 * SEC);
	ATF_CHECK_EQ(sim_master(sim), 0);
	ATF_CHECK_EQ(sim_overlap(sim), 0);
	ATF_CHECK_EQ(sim_gap(sim), 0);
	ATF_CHECK(!sim->node[1].ever_master);
	ATF_CHECK(!sim->node[2].ever_master);
	free(sim);
}

/*
 * Node 1's advert crosses first: node 0 answers and re-announces.  Its
 * adverts are on the grid of its interval, so the first after the heal
 * leaves at 20.359 s (72 ms sooner than 12.118 s plus eight intervals).
 */
ATF_TC_WITHOUT_HEAD(sim_split_brain_heals_worse_master_heard_first);
ATF_TC_BODY(sim_split_brain_heals_worse_master_heard_first, tc)
{
	uint64_t	 heal = T0 + 20200 * MS, iv = IV(1, 10), t1;
	struct sim	*sim = sim_split_brain(heal);

	/* node 1's first advert after the heal, still before 21 s */
	t1 = NEXT(T0 + 9 * SEC + MS + MD(1, 10), iv) + 7 * iv;
	ATF_REQUIRE(t1 > heal && t1 - iv < heal && t1 < T0 + 21 * SEC);
	ATF_CHECK_EQ(sim->node[0].announces, 1);
	ATF_CHECK_EQ(sim->node[0].last_announce, t1 + MS);
	ATF_CHECK_EQ(sim->node[1].changed, t1 + 2 * MS);
	ATF_CHECK_STREQ(sim->node[1].fsm.reason,
	    "preempted by 10.0.0.1 (interval 1+0/256 < 1+10/256)");
	sim_split_brain_stays_healed(sim);
}

/*
 * Node 0's advert crosses first: node 1 yields with one last advert, and
 * node 0, hearing that another node believed itself master, announces
 * again for the neighbours that followed node 1.
 */
ATF_TC_WITHOUT_HEAD(sim_split_brain_heals_better_master_heard_first);
ATF_TC_BODY(sim_split_brain_heals_better_master_heard_first, tc)
{
	struct sim	*sim = sim_split_brain(T0 + 19900 * MS);

	ATF_CHECK_EQ(sim->node[1].changed, T0 + 20 * SEC + MS);
	ATF_CHECK_EQ(sim->node[1].sends, 1);
	ATF_CHECK_EQ(sim->node[1].lasts, 1);
	ATF_CHECK_EQ(sim->node[0].announces, 1);
	ATF_CHECK_EQ(sim->node[0].last_announce, T0 + 20 * SEC + 2 * MS);
	ATF_CHECK_EQ(sim->node[2].announces, 0);
	sim_split_brain_stays_healed(sim);
}

static struct sim *
sim_master_returns(int preempt)
{
	struct sim	*sim = sim_new(2, MS);

	sim_set(sim, 0, 1, 0, preempt);
	sim_set(sim, 1, 1, 10, 0);
	sim_start_all(sim);
	sim_run(sim, T0 + 10 * SEC);
	ATF_REQUIRE_EQ(sim_master(sim), 0);
	sim_kill(sim, 0);
	sim_run(sim, T0 + 20 * SEC);
	ATF_REQUIRE_EQ(sim_master(sim), 1);
	sim_revive(sim, 0);
	sim_reset_stats(sim);
	return (sim);
}

ATF_TC_WITHOUT_HEAD(sim_returning_node_without_preempt_stays_backup);
ATF_TC_BODY(sim_returning_node_without_preempt_stays_backup, tc)
{
	struct sim	*sim = sim_master_returns(0);

	sim_run(sim, T0 + 40 * SEC);
	ATF_CHECK_EQ(sim_master(sim), 1);
	ATF_CHECK(!sim->node[0].ever_master);
	ATF_CHECK_EQ(sim->node[0].fsm.state, CARP_BACKUP);
	ATF_CHECK_EQ(sim->node[1].claims, 0);
	ATF_CHECK_EQ(sim_overlap(sim), 0);
	ATF_CHECK_EQ(sim_gap(sim), 0);
	free(sim);
}

ATF_TC_WITHOUT_HEAD(sim_returning_node_with_preempt_waits_then_takes_over);
ATF_TC_BODY(sim_returning_node_with_preempt_waits_then_takes_over, tc)
{
	struct sim	*sim = sim_master_returns(1);
	uint64_t	 back = sim->now;

	sim_run(sim, T0 + 40 * SEC);
	ATF_CHECK_EQ(sim_master(sim), 0);
	/* it heard the worse master at once, yet listened a full 3 s */
	ATF_CHECK_EQ(sim->node[0].became_master, back + MD(1, 0));
	ATF_CHECK_STREQ(sim->node[0].fsm.reason,
	    "preempting 10.0.0.2 (interval 1+0/256 < 1+10/256)");
	ATF_CHECK_EQ(sim->node[0].claims, 1);
	ATF_CHECK_EQ(sim->node[1].fsm.state, CARP_BACKUP);
	ATF_CHECK_EQ(sim_overlap(sim), MS);
	ATF_CHECK_EQ(sim_gap(sim), 0);
	free(sim);
}

ATF_TC_WITHOUT_HEAD(sim_demoted_master_yields_without_preempt);
ATF_TC_BODY(sim_demoted_master_yields_without_preempt, tc)
{
	struct sim	*sim = sim_new(2, MS);
	uint64_t	 t = T0 + 10500 * MS;

	sim_set(sim, 0, 1, 0, 0);
	sim_set(sim, 1, 1, 50, 0);
	sim_start_all(sim);
	sim_run(sim, t);
	ATF_REQUIRE_EQ(sim_master(sim), 0);
	sim_reset_stats(sim);
	sim_handle(sim, 0, fsm_set_demote(&sim->node[0].fsm, 1, sim->now));
	ATF_CHECK_EQ(sim->node[0].sends, 1);
	sim_run(sim, T0 + 15 * SEC);
	ATF_CHECK_EQ(sim_master(sim), 1);
	ATF_CHECK_EQ(sim->node[1].became_master, t + MS + TK(50));
	ATF_CHECK_STREQ(sim->node[1].fsm.reason,
	    "master 10.0.0.1 demoted (demote 1 > 0)");
	ATF_CHECK_STREQ(sim->node[0].fsm.reason,
	    "preempted by 10.0.0.2 (demote 0 < 1)");
	ATF_CHECK_EQ(sim_overlap(sim), MS);
	ATF_CHECK_EQ(sim_gap(sim), 0);

	/* healthy again, but without preempt it does not take back */
	sim_handle(sim, 0, fsm_set_demote(&sim->node[0].fsm, 0, sim->now));
	sim_reset_stats(sim);
	sim_run(sim, T0 + 25 * SEC);
	ATF_CHECK_EQ(sim_master(sim), 1);
	ATF_CHECK(!sim->node[0].ever_master);
	free(sim);
}

ATF_TC_WITHOUT_HEAD(sim_advbase_0_subsecond_failover);
ATF_TC_BODY(sim_advbase_0_subsecond_failover, tc)
{
	struct sim	*sim = sim_new(2, 100);
	uint64_t	 last;

	sim_set(sim, 0, 0, 10, 0);
	sim_set(sim, 1, 0, 20, 0);
	sim_start_all(sim);
	sim_run(sim, T0 + SEC);
	ATF_CHECK_EQ(sim_master(sim), 0);
	ATF_CHECK_EQ(sim->node[0].became_master, T0 + MD(0, 10));
	/*
	 * The claim at 117 ms, then 10/256 s apart on the grid from
	 * 143 ms: 23 adverts in the first second, the last at 964 ms.
	 */
	ATF_CHECK_EQ(sim->node[0].sends, 23);
	last = NEXT(T0 + MD(0, 10), IV(0, 10)) + 21 * IV(0, 10);
	ATF_REQUIRE(last <= T0 + SEC && last + IV(0, 10) > T0 + SEC);
	sim_kill(sim, 0);
	sim_run(sim, T0 + 2 * SEC);
	ATF_CHECK_EQ(sim_master(sim), 1);
	ATF_CHECK_EQ(sim->node[1].became_master, last + 100 + MD(0, 20));
	ATF_CHECK(sim->node[1].became_master < T0 + SEC + 300 * MS);
	free(sim);
}

ATF_TC_WITHOUT_HEAD(sim_flood_of_worse_adverts_one_announce_per_interval);
ATF_TC_BODY(sim_flood_of_worse_adverts_one_announce_per_interval, tc)
{
	struct sim		*sim = sim_new(2, MS);
	struct fsm_advert	 rogue;
	uint64_t		 t;

	sim_set(sim, 0, 1, 0, 0);
	sim_set(sim, 1, 1, 10, 0);
	sim_start_all(sim);
	sim_run(sim, T0 + 10 * SEC - 1);
	ATF_REQUIRE_EQ(sim_master(sim), 0);
	memset(&rogue, 0, sizeof(rogue));
	rogue.advbase = 1;
	rogue.advskew = 200;
	rogue.src = addr4("10.0.0.99");
	/* 500 adverts, one every 10 ms, over 5 s */
	for (t = T0 + 10 * SEC; t < T0 + 15 * SEC; t += 10 * MS)
		sim_inject(sim, t, &rogue);
	sim_reset_stats(sim);
	sim_run(sim, T0 + 15 * SEC - 1);
	ATF_CHECK_EQ(sim_master(sim), 0);
	ATF_CHECK(!sim->node[1].ever_master);
	ATF_CHECK_EQ(sim->node[0].announces, 5);
	ATF_CHECK_EQ(sim->node[0].min_announce_gap, fsm_interval_us(1, 0));
	/* five periodic adverts and five answers */
	ATF_CHECK_EQ(sim->node[0].sends, 10);
	free(sim);
}

/*
 * Node 0, master, is demoted by the operator at 10.5 s; node 1 needs
 * install to add the addresses once it has claimed.
 */
static struct sim *
sim_planned_leave(uint64_t install)
{
	struct sim	*sim = sim_new(2, MS);

	sim->install = install;
	sim_set(sim, 0, 1, 0, 0);
	sim_set(sim, 1, 1, 10, 0);
	sim_start_all(sim);
	sim_run(sim, T0 + 10500 * MS);
	ATF_REQUIRE_EQ(sim_master(sim), 0);
	sim_reset_stats(sim);
	sim_handle(sim, 0, fsm_leave(&sim->node[0].fsm, 0, sim->now));
	sim_run(sim, T0 + 20 * SEC);
	ATF_CHECK_EQ(sim_master(sim), 1);
	ATF_CHECK_EQ(sim->node[0].fsm.state, CARP_BACKUP);
	ATF_CHECK_STREQ(sim->node[0].fsm.reason,
	    "successor 10.0.0.2 took over");
	ATF_CHECK_STREQ(addr_ntop(&sim->node[0].fsm.master), "10.0.0.2");
	ATF_CHECK(!sim->node[0].ever_master);
	ATF_CHECK_EQ(sim->node[1].claims, 1);
	return (sim);
}

ATF_TC_WITHOUT_HEAD(sim_leave_with_successor_makes_before_break);
ATF_TC_BODY(sim_leave_with_successor_makes_before_break, tc)
{
	struct sim	*sim = sim_planned_leave(0);
	uint64_t	 t = T0 + 10500 * MS;

	ATF_CHECK_EQ(sim->node[1].became_master, t + MS + TK(10));
	/* it heard the successor's first advert and kept on for the grace */
	ATF_CHECK_EQ(sim->node[0].changed, t + MS + TK(10) + MS + GRACE);
	ATF_CHECK_EQ(sim_gap(sim), 0);
	ATF_CHECK_EQ(sim_overlap(sim), MS + GRACE);
	free(sim);
}

/*
 * The successor's parent adds the addresses while its first advert is on
 * the wire: the old master keeps them until the grace is out, so that
 * at no instant does nobody hold them.
 */
ATF_TC_WITHOUT_HEAD(sim_leave_grace_covers_successor_install);
ATF_TC_BODY(sim_leave_grace_covers_successor_install, tc)
{
	struct sim	*sim = sim_planned_leave(40 * MS);
	uint64_t	 held = sim->node[1].became_master + 40 * MS;

	ATF_CHECK(sim->node[0].changed > held);
	ATF_CHECK_EQ(sim->node[0].changed, held - 40 * MS + MS + GRACE);
	ATF_CHECK_EQ(sim_gap(sim), 0);
	free(sim);
}

/* The grace is a bound: a parent slower than it leaves a gap. */
ATF_TC_WITHOUT_HEAD(sim_leave_grace_bounded);
ATF_TC_BODY(sim_leave_grace_bounded, tc)
{
	struct sim	*sim = sim_planned_leave(80 * MS);

	ATF_CHECK_EQ(sim_gap(sim), 80 * MS - MS - GRACE);
	free(sim);
}

ATF_TC_WITHOUT_HEAD(sim_leave_without_successor_lets_go_at_bound);
ATF_TC_BODY(sim_leave_without_successor_lets_go_at_bound, tc)
{
	struct sim	*sim = sim_new(2, MS);
	uint64_t	 t = T0 + 10500 * MS;

	sim_set(sim, 1, 1, 10, 0);
	sim_start_all(sim);
	sim_run(sim, t);
	ATF_REQUIRE_EQ(sim_master(sim), 0);
	sim_kill(sim, 1);
	sim_reset_stats(sim);
	sim_handle(sim, 0, fsm_leave(&sim->node[0].fsm, 1, sim->now));
	sim_run(sim, T0 + 20 * SEC);
	ATF_CHECK_EQ(sim_masters(sim), 0);
	ATF_CHECK_EQ(sim->node[0].fsm.state, CARP_INIT);
	ATF_CHECK_EQ(sim->node[0].changed, t + 3100 * MS);
	ATF_CHECK_STREQ(sim->node[0].fsm.reason,
	    "no successor within 3100 ms");
	/* at +0, +100, +200 ms, then +1.2 and +2.2 s */
	ATF_CHECK_EQ(sim->node[0].bowouts, 5);
	ATF_CHECK_EQ(sim->node[0].sends, 5);
	ATF_CHECK_EQ(fsm_deadline(&sim->node[0].fsm), 0);
	free(sim);
}

/*
 * hafoctl undemote during a bow-out: the master stays if no successor
 * has spoken, and the backup that was about to claim hears a master
 * again and stays backup.
 */
ATF_TC_WITHOUT_HEAD(sim_stay_cancels_bowout_before_successor);
ATF_TC_BODY(sim_stay_cancels_bowout_before_successor, tc)
{
	struct sim	*sim = sim_new(2, MS);

	sim_set(sim, 1, 1, 10, 0);
	sim_start_all(sim);
	sim_run(sim, T0 + 10500 * MS);
	ATF_REQUIRE_EQ(sim_master(sim), 0);
	sim_handle(sim, 0, fsm_leave(&sim->node[0].fsm, 0, sim->now));
	ATF_REQUIRE(sim->node[0].fsm.leaving);
	sim_handle(sim, 0, fsm_stay(&sim->node[0].fsm, sim->now));
	ATF_CHECK(!sim->node[0].fsm.leaving);
	sim_run(sim, T0 + 20 * SEC);
	ATF_CHECK_EQ(sim_master(sim), 0);
	ATF_CHECK_EQ(sim->node[1].fsm.state, CARP_BACKUP);
	ATF_CHECK_EQ(sim->node[1].claims, 0);
	free(sim);
}

/* Too late once the successor is master, and never for a shutdown. */
ATF_TC_WITHOUT_HEAD(sim_stay_too_late_after_successor_or_final);
ATF_TC_BODY(sim_stay_too_late_after_successor_or_final, tc)
{
	struct sim	*sim = sim_new(2, MS);
	struct fsm	 f;

	sim_set(sim, 1, 1, 10, 0);
	sim_start_all(sim);
	sim_run(sim, T0 + 10500 * MS);
	ATF_REQUIRE_EQ(sim_master(sim), 0);
	sim_handle(sim, 0, fsm_leave(&sim->node[0].fsm, 0, sim->now));
	/* the successor claims after 39 ms, is heard 1 ms later */
	sim_run(sim, T0 + 10500 * MS + 60 * MS);
	ATF_REQUIRE(sim->node[0].fsm.succeeded);
	ATF_CHECK_EQ(fsm_stay(&sim->node[0].fsm, sim->now), 0);
	sim_run(sim, T0 + 20 * SEC);
	ATF_CHECK_EQ(sim_master(sim), 1);
	ATF_CHECK_EQ(sim->node[0].fsm.state, CARP_BACKUP);

	f = sim->node[1].fsm;
	ATF_REQUIRE(fsm_leave(&f, 1, sim->now) != 0);
	ATF_CHECK_EQ(fsm_stay(&f, sim->now), 0);
	ATF_CHECK(f.leaving);
	free(sim);
}

ATF_TC_WITHOUT_HEAD(sim_link_down_moves_master_and_back);
ATF_TC_BODY(sim_link_down_moves_master_and_back, tc)
{
	struct sim	*sim = sim_new(2, MS);
	uint64_t	 down = T0 + 10500 * MS, up = T0 + 20 * SEC;

	sim_set(sim, 0, 1, 0, 1);
	sim_set(sim, 1, 1, 10, 0);
	sim_start_all(sim);
	sim_run(sim, down);
	ATF_REQUIRE_EQ(sim_master(sim), 0);
	sim_reset_stats(sim);
	sim->node[0].link = 0;
	sim_handle(sim, 0, fsm_link(&sim->node[0].fsm, 0, sim->now));
	sim_observe(sim);
	ATF_CHECK_EQ(sim->node[0].fsm.state, CARP_LINKDOWN);
	ATF_CHECK_STREQ(sim->node[0].fsm.reason, "link down");
	sim_run(sim, up);
	ATF_CHECK_EQ(sim_master(sim), 1);
	/* the last advert from node 0 left at 10 s */
	ATF_CHECK_EQ(sim->node[1].became_master,
	    T0 + 10 * SEC + MS + MD(1, 10));
	ATF_CHECK_EQ(sim->node[0].sends, 0);
	ATF_CHECK_EQ(sim_gap(sim), MD(1, 10) + 10 * SEC + MS - 10500 * MS);

	sim->node[0].link = 1;
	sim_handle(sim, 0, fsm_link(&sim->node[0].fsm, 1, sim->now));
	sim_reset_stats(sim);
	sim_run(sim, T0 + 30 * SEC);
	ATF_CHECK_EQ(sim_master(sim), 0);
	ATF_CHECK_EQ(sim->node[0].became_master, up + MD(1, 0));
	ATF_CHECK_EQ(sim->node[1].fsm.state, CARP_BACKUP);
	ATF_CHECK_EQ(sim_overlap(sim), MS);
	ATF_CHECK_EQ(sim_gap(sim), 0);
	free(sim);
}

/*
 * Each master in turn leaves for good and comes back 5 s later: the
 * addresses move three times with never a moment without a master and
 * never two for longer than the wire delay.
 */
ATF_TC_WITHOUT_HEAD(sim_rolling_restart_keeps_one_master);
ATF_TC_BODY(sim_rolling_restart_keeps_one_master, tc)
{
	struct sim	*sim = sim_three(MS, 0);
	uint64_t	 t;
	int		 round, m, expect[3] = { 1, 0, 1 };

	sim_run(sim, T0 + 10 * SEC);
	ATF_REQUIRE_EQ(sim_master(sim), 0);
	sim_reset_stats(sim);
	for (round = 0; round < 3; round++) {
		t = T0 + (10 + 20 * round) * SEC + 500 * MS;
		sim_run(sim, t);
		m = sim_master(sim);
		ATF_REQUIRE(m != -1);
		sim_handle(sim, m, fsm_leave(&sim->node[m].fsm, 1,
		    sim->now));
		sim_run(sim, t + 5 * SEC);
		ATF_CHECK_EQ(sim->node[m].fsm.state, CARP_INIT);
		ATF_CHECK_EQ(sim_master(sim), expect[round]);
		sim_revive(sim, m);
	}
	sim_run(sim, T0 + 80 * SEC);
	ATF_CHECK_EQ(sim_master(sim), 1);
	ATF_CHECK_EQ(sim_gap(sim), 0);
	ATF_CHECK(sim_overlap(sim) <= sim->delay + GRACE);
	free(sim);
}

/*
 * hafoctl promote on the returning node without preempt: it takes back
 * at once, the old master yields with a last advert and the new one
 * announces again.  Before its listening is over it refuses.
 */
ATF_TC_WITHOUT_HEAD(sim_promote_takes_back_without_preempt);
ATF_TC_BODY(sim_promote_takes_back_without_preempt, tc)
{
	struct sim	*sim = sim_master_returns(0);
	uint64_t	 back = sim->now;

	sim_run(sim, back + SEC);
	ATF_CHECK_EQ(fsm_promote(&sim->node[0].fsm, sim->now), 0);
	ATF_CHECK_STREQ(sim->node[0].fsm.reason, "still listening");
	sim_run(sim, back + 5 * SEC);
	ATF_CHECK_EQ(sim_master(sim), 1);
	ATF_CHECK(!sim->node[0].ever_master);
	sim_handle(sim, 0, fsm_promote(&sim->node[0].fsm, sim->now));
	sim_observe(sim);
	ATF_CHECK_EQ(sim->node[0].fsm.state, CARP_MASTER);
	ATF_CHECK_STREQ(sim->node[0].fsm.reason, "promoted by operator");
	sim_run(sim, back + 20 * SEC);
	ATF_CHECK_EQ(sim_master(sim), 0);
	ATF_CHECK_EQ(sim->node[0].became_master, back + 5 * SEC);
	ATF_CHECK_EQ(sim->node[0].claims, 1);
	ATF_CHECK_EQ(sim->node[1].changed, back + 5 * SEC + MS);
	ATF_CHECK_EQ(sim->node[1].lasts, 1);
	/* on the claim, and once more on node 1's last advert */
	ATF_CHECK_EQ(sim->node[0].announces, 2);
	ATF_CHECK_EQ(sim->node[0].last_announce, back + 5 * SEC + 2 * MS);
	ATF_CHECK_EQ(sim_overlap(sim), MS);
	ATF_CHECK_EQ(sim_gap(sim), 0);
	free(sim);
}

/* Promoting the worse node is refused and changes nothing. */
ATF_TC_WITHOUT_HEAD(sim_promote_refused_under_better_master);
ATF_TC_BODY(sim_promote_refused_under_better_master, tc)
{
	struct sim	*sim = sim_three(MS, 0);
	char		 want[sizeof(sim->node[0].fsm.reason)];

	sim_run(sim, T0 + 10500 * MS);
	ATF_REQUIRE_EQ(sim_master(sim), 0);
	sim_reset_stats(sim);
	ATF_CHECK_EQ(fsm_promote(&sim->node[2].fsm, sim->now), 0);
	strlcpy(want, "master 10.0.0.1 advertises 1+0/256 s demote 0, "
	    "better than our 1+20/256 s demote 0: demote it there first",
	    sizeof(want));
	ATF_CHECK_STREQ(sim->node[2].fsm.reason, want);
	ATF_CHECK_EQ(fsm_promote(&sim->node[0].fsm, sim->now), 0);
	ATF_CHECK_STREQ(sim->node[0].fsm.reason, "already master");
	sim_run(sim, T0 + 20 * SEC);
	ATF_CHECK_EQ(sim_master(sim), 0);
	ATF_CHECK_EQ(sim->node[0].claims, 0);
	ATF_CHECK(!sim->node[2].ever_master);
	ATF_CHECK_EQ(sim_overlap(sim), 0);
	free(sim);
}

/*
 * The bundle's timing (hafod.8, BUNDLE FORMAT): an interval of base_us *
 * (256 + advskew) / 256, CARP's arithmetic on a base other than 1 s.
 */

/* BIV(base, s): a bundle interval, written out apart from fsm.c. */
#define BIV(base, s)	((uint64_t)(base) * (256 + (s)) / 256)
#define BMD(base, s)	((uint64_t)3 * (base) * (256 + (s)) / 256)

static void
sim_set_base(struct sim *sim, int i, uint32_t base_us)
{
	sim->node[i].fsm.base_us = base_us;
}

static struct fsm_advert
mkadvert(uint8_t advbase, uint8_t advskew, uint32_t base_us, const char *src)
{
	struct fsm_advert	 adv;

	memset(&adv, 0, sizeof(adv));
	adv.advbase = advbase;
	adv.advskew = advskew;
	adv.base_us = base_us;
	adv.src = addr4(src);
	return (adv);
}

/*
 * A backup with preempt at our own timing hears adv while it listens:
 * 1 and the reason if it claims when the listening ends, 0 if it does
 * not.  advert_cmp() and why() as the log shows them.
 */
static int
preempt_reason(uint32_t base_us, uint8_t advbase, uint8_t advskew,
    int preempt, const struct fsm_advert *adv, char *buf, size_t len)
{
	struct fsm	 f;
	int		 act;

	memset(&f, 0, sizeof(f));
	f.self = addr4(SELF);
	f.advbase = advbase;
	f.advskew = advskew;
	f.preempt = preempt;
	f.base_us = base_us;
	fsm_init(&f);
	ATF_REQUIRE_EQ(fsm_start(&f, T0), FSM_STATE);
	ATF_REQUIRE_EQ(fsm_input(&f, adv, T0 + 1), 0);
	buf[0] = '\0';
	if (f.takeover == 0)
		return (0);
	ATF_CHECK_EQ(f.takeover, f.listen_until);
	act = fsm_timeout(&f, f.takeover);
	ATF_CHECK_EQ(act, CLAIM);
	ATF_CHECK_EQ(f.state, CARP_MASTER);
	strlcpy(buf, f.reason, len);
	return (1);
}

struct cmp_case {
	const char	*name;
	uint32_t	 own_base;	/* 0: CARP */
	uint8_t		 own_advbase;
	uint8_t		 own_skew;
	uint8_t		 advbase;	/* the peer's */
	uint8_t		 skew;
	uint32_t	 base;
	const char	*src;
	const char	*reason;	/* NULL: no takeover */
	int		 nopreempt;	/* to see the rules after it */
};

static void
run_cmp_cases(const struct cmp_case *cc, size_t n)
{
	struct fsm_advert	 adv;
	char			 reason[STATE_REASON_MAX];
	size_t			 i;
	int			 took;

	for (i = 0; i < n; i++) {
		adv = mkadvert(cc[i].advbase, cc[i].skew, cc[i].base,
		    cc[i].src);
		took = preempt_reason(cc[i].own_base, cc[i].own_advbase,
		    cc[i].own_skew, !cc[i].nopreempt, &adv, reason,
		    sizeof(reason));
		if (cc[i].reason == NULL) {
			ATF_CHECK_MSG(!took, "%s: took over: %s",
			    cc[i].name, reason);
			continue;
		}
		ATF_CHECK_MSG(took, "%s: no takeover", cc[i].name);
		ATF_CHECK_MSG(strcmp(reason, cc[i].reason) == 0,
		    "%s: reason \"%s\", expected \"%s\"", cc[i].name,
		    reason, cc[i].reason);
	}
}

/* CARP against CARP orders as it always did, by ticks, then address. */
ATF_TC_WITHOUT_HEAD(bundle_carp_adverts_compare_as_before);
ATF_TC_BODY(bundle_carp_adverts_compare_as_before, tc)
{
	static const struct cmp_case cmp[] = {
		{ "longer interval", 0, 1, 10, 1, 11, 0, "10.0.0.3",
		    "preempting 10.0.0.3 (interval 1+10/256 < 1+11/256)", 0 },
		{ "shorter interval", 0, 1, 10, 1, 9, 0, "10.0.0.3", NULL, 0 },
		{ "one tick shorter, advbase 0", 0, 1, 10, 0, 255, 0,
		    "10.0.0.3", NULL, 0 },
		{ "longer advbase", 0, 1, 10, 2, 0, 0, "10.0.0.3",
		    "preempting 10.0.0.3 (interval 1+10/256 < 2+0/256)", 0 },
		{ "equal, higher address", 0, 1, 10, 1, 10, 0, "10.0.0.3",
		    "preempting 10.0.0.3 (equal interval 1+10/256, lower "
		    "address)", 0 },
		{ "equal, lower address", 0, 1, 10, 1, 10, 0, "9.0.0.1",
		    NULL, 0 },
		{ "slow master", 0, 1, 10, 3, 1, 0, "9.0.0.1",
		    "master 9.0.0.1 interval 3+1/256 over 3 s", 1 },
	};

	run_cmp_cases(cmp, sizeof(cmp) / sizeof(cmp[0]));
}

/*
 * Bases differ: the intervals decide, in microseconds.  Base 1 s is
 * CARP's advbase 1 exactly, so such nodes tie and the address decides.
 */
ATF_TC_WITHOUT_HEAD(bundle_mixed_bases_compare_by_interval);
ATF_TC_BODY(bundle_mixed_bases_compare_by_interval, tc)
{
	static const struct cmp_case cmp[] = {
		{ "base 1 s ties CARP advbase 1", 0, 1, 10, 0, 10,
		    1000000, "10.0.0.3",
		    "preempting 10.0.0.3 (equal interval 1+10/256, lower "
		    "address)", 0 },
		{ "CARP against base 1 s, longer", 0, 1, 10, 0, 11,
		    1000000, "10.0.0.3",
		    "preempting 10.0.0.3 (interval 1+10/256 < "
		    "1000ms+11/256)", 0 },
		{ "CARP against base 1 s, shorter", 0, 1, 10, 0, 9,
		    1000000, "10.0.0.3", NULL, 0 },
		{ "5 ms beats CARP 0+2/256", 5000, 1, 0, 0, 2, 0,
		    "10.0.0.3",
		    "preempting 10.0.0.3 (interval 5ms+0/256 < 0+2/256)", 0 },
		{ "CARP 0+1/256 beats 5 ms", 5000, 1, 0, 0, 1, 0,
		    "10.0.0.3", NULL, 0 },
		{ "4ms+64/256 ties 5 ms", 5000, 1, 0, 0, 64, 4000,
		    "10.0.0.3",
		    "preempting 10.0.0.3 (equal interval 5ms+0/256, lower "
		    "address)", 0 },
		{ "4ms+65/256 loses to 5 ms", 5000, 1, 0, 0, 65, 4000,
		    "10.0.0.3",
		    "preempting 10.0.0.3 (interval 5ms+0/256 < "
		    "4ms+65/256)", 0 },
		{ "4ms+63/256 beats 5 ms", 5000, 1, 0, 0, 63, 4000,
		    "10.0.0.3", NULL, 0 },
		{ "slow master for a 5 ms base", 5000, 1, 0, 1, 0, 0,
		    "9.0.0.1",
		    "master 9.0.0.1 interval 1+0/256 over 15 ms", 1 },
	};

	run_cmp_cases(cmp, sizeof(cmp) / sizeof(cmp[0]));
}

/*
 * At a 1 ms base the master-down timer is 3 ms: a backup claims that
 * long after the master's last advert reached it, not 3 s.
 */
ATF_TC_WITHOUT_HEAD(bundle_1ms_backup_takes_over_after_3ms);
ATF_TC_BODY(bundle_1ms_backup_takes_over_after_3ms, tc)
{
	struct sim		*sim = sim_new(2, 50);
	struct fsm_advert	 adv;
	uint64_t		 last = T0 + 100 * MS;

	sim_set(sim, 0, 1, 0, 0);
	sim_set(sim, 1, 1, 10, 0);
	sim_set_base(sim, 0, 1000);
	sim_set_base(sim, 1, 1000);
	sim_start_all(sim);
	sim_run(sim, last);
	ATF_REQUIRE_EQ(sim_master(sim), 0);
	ATF_CHECK_EQ(sim->node[0].became_master, T0 + 3 * MS);
	/* one advert a millisecond from the claim to the last, included */
	ATF_CHECK_EQ(sim->node[0].sends, 98);
	fsm_advert(&sim->node[0].fsm, &adv);
	ATF_CHECK_EQ(adv.base_us, 1000);
	ATF_CHECK_EQ(adv.advbase, 1);
	ATF_CHECK_EQ(adv.advskew, 0);
	/* its last advert, sent at 100 ms, is still on the wire */
	sim_kill(sim, 0);
	sim_reset_stats(sim);
	sim_run(sim, last + SEC);
	ATF_CHECK_EQ(sim_master(sim), 1);
	ATF_CHECK_EQ(sim->node[1].became_master, last + 50 + BMD(1000, 10));
	ATF_CHECK_EQ(BMD(1000, 10), 3117);
	ATF_CHECK_STREQ(sim->node[1].fsm.reason, "master down timer expired");
	free(sim);
}

/*
 * A bow-out at a 1 ms base: the burst is spaced by a quarter of the
 * interval, not by CARP's tick of 3.9 ms, which would outlast three
 * intervals; the best backup claims after its skew in 256ths of 1 ms.
 */
ATF_TC_WITHOUT_HEAD(bundle_bowout_at_1ms);
ATF_TC_BODY(bundle_bowout_at_1ms, tc)
{
	struct sim		*sim = sim_new(3, 50);
	struct fsm		*m = &sim->node[0].fsm;
	struct fsm_advert	 adv;
	uint64_t		 leave = T0 + 100 * MS + 500;
	int			 i;

	/* 50 in 256ths of 1 ms is 195 us: more than the wire's 50 us */
	for (i = 0; i < 3; i++) {
		sim_set(sim, i, 1, 50 * i, 0);
		sim_set_base(sim, i, 1000);
	}
	sim_start_all(sim);
	sim_run(sim, leave);
	ATF_REQUIRE_EQ(sim_master(sim), 0);
	sim_reset_stats(sim);
	ATF_CHECK_EQ(fsm_leave(m, 1, sim->now), FSM_SEND);
	ATF_CHECK_EQ(m->next_advert, leave + 250);
	ATF_CHECK_EQ(m->leave_by, leave + 3 * MS + 100 * MS);
	fsm_advert(m, &adv);
	ATF_CHECK_EQ(adv.advbase, CARP_BOWOUT);
	ATF_CHECK_EQ(adv.advskew, CARP_BOWOUT);
	ATF_CHECK_EQ(adv.base_us, 1000);
	sim_handle(sim, 0, FSM_SEND);
	sim_run(sim, leave + SEC);
	ATF_CHECK_EQ(sim_master(sim), 1);
	ATF_CHECK_EQ(sim->node[1].became_master, leave + 50 + 50 * 1000 / 256);
	ATF_CHECK_STREQ(sim->node[1].fsm.reason,
	    "bow-out heard from 10.0.0.1");
	ATF_CHECK(!sim->node[2].ever_master);
	ATF_CHECK_EQ(sim->node[0].fsm.state, CARP_INIT);
	/*
	 * The burst at 0, 250 and 500 us, then one a millisecond from
	 * 1.5 ms until the grace ends, 50 ms after the successor's advert
	 * came in at 295 us: 49 more.
	 */
	ATF_CHECK_EQ(sim->node[0].bowouts, 3 + 49);
	ATF_CHECK_EQ(sim_gap(sim), 0);
	free(sim);
}

/* The 1 ms floor of a bow-out gap: a quarter, but never under 100 us. */
ATF_TC_WITHOUT_HEAD(bundle_bowout_gap_floor);
ATF_TC_BODY(bundle_bowout_gap_floor, tc)
{
	struct fsm	 f;

	memset(&f, 0, sizeof(f));
	f.self = addr4(SELF);
	f.advbase = 1;
	f.base_us = 1000;
	fsm_init(&f);
	ATF_REQUIRE_EQ(fsm_start(&f, T0), FSM_STATE);
	ATF_REQUIRE_EQ(fsm_timeout(&f, T0 + 3 * MS), CLAIM);
	/* 1 ms * 256/256 / 4 */
	ATF_CHECK_EQ(fsm_leave(&f, 0, T0 + 3 * MS), FSM_SEND);
	ATF_CHECK_EQ(f.next_advert, T0 + 3 * MS + 250);
	ATF_CHECK_EQ(fsm_timeout(&f, T0 + 3 * MS + 250), FSM_SEND);
	ATF_CHECK_EQ(f.next_advert, T0 + 3 * MS + 500);
	ATF_CHECK_EQ(fsm_timeout(&f, T0 + 3 * MS + 500), FSM_SEND);
	/* the burst is over: one interval to the next */
	ATF_CHECK_EQ(f.next_advert, T0 + 3 * MS + 1500);
}

/*
 * Three nodes on a 5 ms base, advskew 0, 10, 20: the lowest advskew wins,
 * and when it dies the next claims 3 * 5 ms * 266/256 after its last
 * advert; the third node never does.
 */
ATF_TC_WITHOUT_HEAD(bundle_5ms_advskew_orders_the_nodes);
ATF_TC_BODY(bundle_5ms_advskew_orders_the_nodes, tc)
{
	struct sim	*sim = sim_new(3, 50);
	uint64_t	 last = T0 + 500 * MS;
	int		 i;

	for (i = 0; i < 3; i++) {
		sim_set(sim, i, 1, 10 * i, 0);
		sim_set_base(sim, i, 5000);
	}
	sim_start_all(sim);
	sim_run(sim, last);
	ATF_REQUIRE_EQ(sim_master(sim), 0);
	ATF_CHECK_EQ(sim->node[0].became_master, T0 + BMD(5000, 0));
	ATF_CHECK(!sim->node[1].ever_master);
	ATF_CHECK(!sim->node[2].ever_master);
	/* the advert sent at last is still on the wire, not the one before */
	ATF_CHECK_EQ(sim->node[1].fsm.master_down,
	    last - 5 * MS + 50 + BMD(5000, 10));
	ATF_CHECK_EQ(sim->node[2].fsm.master_down,
	    last - 5 * MS + 50 + BMD(5000, 20));
	sim_kill(sim, 0);
	sim_reset_stats(sim);
	sim_run(sim, last + SEC);
	ATF_CHECK_EQ(sim_master(sim), 1);
	ATF_CHECK_EQ(sim->node[1].became_master, last + 50 + BMD(5000, 10));
	ATF_CHECK(!sim->node[2].ever_master);
	ATF_CHECK_STREQ(addr_ntop(&sim->node[2].fsm.master), "10.0.0.2");
	/* node 1 now advertises every 5 ms * 266/256 */
	ATF_CHECK_EQ(sim->node[1].fsm.next_advert -
	    sim->node[1].fsm.next_advert / BIV(5000, 10) * BIV(5000, 10), 0);
	ATF_CHECK_EQ(sim_overlap(sim), 0);
	free(sim);
}

/* A better bundle node with preempt takes over, the log says why. */
ATF_TC_WITHOUT_HEAD(bundle_5ms_preempt_by_advskew);
ATF_TC_BODY(bundle_5ms_preempt_by_advskew, tc)
{
	struct sim	*sim = sim_new(2, 50);
	uint64_t	 t = T0 + 500 * MS;

	sim_set(sim, 0, 1, 20, 1);
	sim_set(sim, 1, 1, 12, 1);
	sim_set_base(sim, 0, 5000);
	sim_set_base(sim, 1, 5000);
	sim_start(sim, 0);
	sim_run(sim, t);
	ATF_REQUIRE_EQ(sim_master(sim), 0);
	sim_start(sim, 1);
	sim_run(sim, t + SEC);
	ATF_CHECK_EQ(sim_master(sim), 1);
	ATF_CHECK_STREQ(sim->node[1].fsm.reason,
	    "preempting 10.0.0.1 (interval 5ms+12/256 < 5ms+20/256)");
	/* it claims when its listening ends, 3 intervals of its own */
	ATF_CHECK_EQ(sim->node[1].became_master, t + BMD(5000, 12));
	ATF_CHECK_STREQ(sim->node[0].fsm.reason,
	    "preempted by 10.0.0.2 (interval 5ms+12/256 < 5ms+20/256)");
	free(sim);
}

ATF_TP_ADD_TCS(tp)
{
#define X(n) ATF_TP_ADD_TC(tp, n);
	TABLE_CASES
#undef X
	ATF_TP_ADD_TC(tp, table_cases_all_registered);
	ATF_TP_ADD_TC(tp, interval_in_ticks_of_1_256_s);
	ATF_TP_ADD_TC(tp, state_names);
	ATF_TP_ADD_TC(tp, r1_new_master_keeps_its_predecessor);
	ATF_TP_ADD_TC(tp, r1_advbase_0_advskew_0_runs_at_one_tick);
	ATF_TP_ADD_TC(tp, r1_init_keeps_configuration);
	ATF_TP_ADD_TC(tp, r4_same_interval_masters_fall_due_together);
	ATF_TP_ADD_TC(tp, r4_first_advert_within_one_interval);
	ATF_TP_ADD_TC(tp, sim_three_nodes_elect_lowest_advskew);
	ATF_TP_ADD_TC(tp, sim_master_dies_next_best_takes_over);
	ATF_TP_ADD_TC(tp, sim_bowout_only_best_backup_claims);
	ATF_TP_ADD_TC(tp, sim_late_bowout_copy_elects_no_second_node);
	ATF_TP_ADD_TC(tp, sim_equal_advskew_lower_address_wins);
	ATF_TP_ADD_TC(tp, sim_equal_advskew_backups_after_bowout);
	ATF_TP_ADD_TC(tp, sim_split_brain_heals_worse_master_heard_first);
	ATF_TP_ADD_TC(tp, sim_split_brain_heals_better_master_heard_first);
	ATF_TP_ADD_TC(tp, sim_returning_node_without_preempt_stays_backup);
	ATF_TP_ADD_TC(tp,
	    sim_returning_node_with_preempt_waits_then_takes_over);
	ATF_TP_ADD_TC(tp, sim_demoted_master_yields_without_preempt);
	ATF_TP_ADD_TC(tp, sim_advbase_0_subsecond_failover);
	ATF_TP_ADD_TC(tp,
	    sim_flood_of_worse_adverts_one_announce_per_interval);
	ATF_TP_ADD_TC(tp, sim_leave_with_successor_makes_before_break);
	ATF_TP_ADD_TC(tp, sim_leave_grace_covers_successor_install);
	ATF_TP_ADD_TC(tp, sim_leave_grace_bounded);
	ATF_TP_ADD_TC(tp, sim_leave_without_successor_lets_go_at_bound);
	ATF_TP_ADD_TC(tp, sim_stay_cancels_bowout_before_successor);
	ATF_TP_ADD_TC(tp, sim_stay_too_late_after_successor_or_final);
	ATF_TP_ADD_TC(tp, sim_link_down_moves_master_and_back);
	ATF_TP_ADD_TC(tp, sim_rolling_restart_keeps_one_master);
	ATF_TP_ADD_TC(tp, sim_promote_takes_back_without_preempt);
	ATF_TP_ADD_TC(tp, sim_promote_refused_under_better_master);
	ATF_TP_ADD_TC(tp, bundle_carp_adverts_compare_as_before);
	ATF_TP_ADD_TC(tp, bundle_mixed_bases_compare_by_interval);
	ATF_TP_ADD_TC(tp, bundle_1ms_backup_takes_over_after_3ms);
	ATF_TP_ADD_TC(tp, bundle_bowout_at_1ms);
	ATF_TP_ADD_TC(tp, bundle_bowout_gap_floor);
	ATF_TP_ADD_TC(tp, bundle_5ms_advskew_orders_the_nodes);
	ATF_TP_ADD_TC(tp, bundle_5ms_preempt_by_advskew);

	return (atf_no_error());
}
