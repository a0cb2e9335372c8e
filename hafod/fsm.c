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
 * The CARP election.  Pure: every entry point takes the time as an
 * argument (microseconds of CLOCK_MONOTONIC) and returns what the caller
 * must do (FSM_SEND, FSM_STATE, FSM_ANNOUNCE); fsm_deadline() says when
 * to call fsm_timeout() next.  The rules are stated for users in the
 * ELECTION section of hafod.8.
 *
 * An interval is counted in 1/256 s ticks, advbase * 256 + advskew, and
 * the shorter interval is the better node.  A bundle service (hafod.8,
 * BUNDLE FORMAT) counts in 1/256 of its base instead, base_us * (256 +
 * advskew) / 256 microseconds, so that base 1 s is CARP's advbase 1; an
 * fsm or an advert with base_us 0 keeps CARP's ticks.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hafod.h"

#define USEC_PER_SEC	1000000ULL
#define TICKS_PER_SEC	256U
#define MASTER_DOWN_MUL	3U		/* intervals of silence */
#define BOWOUT_BURST	3		/* bow-outs sent back to back */
#define BOWOUT_GAP_MAX	100000ULL	/* usec between them, at most */
#define LEAVE_SLACK	100000ULL	/* usec added to the leave bound */
#define LEAVE_MAX	5000000ULL	/* usec a master waits, at most */
#define BOWOUT_GAP_MIN	100ULL		/* usec, bundle: the floor of a gap */

/*
 * A successor's engine advertises the moment it decides, while its parent
 * is still adding the addresses and announcing them; a leaving master that
 * dropped its own on that first advert would leave the clients nobody to
 * talk to for that while.  It keeps them this much longer, usec.
 */
#define FSM_LEAVE_GRACE	50000ULL

static unsigned int	ticks(unsigned int, unsigned int);
static uint64_t		ticks_us(uint64_t);
static uint64_t		base_interval(uint32_t, unsigned int);
static uint64_t		advert_interval(const struct fsm_advert *);
static void		interval_str(char *, size_t,
			    const struct fsm_advert *);
static uint64_t		skew_us(const struct fsm *);
static uint8_t		effective_advskew(const struct fsm *);
static unsigned int	own_ticks(const struct fsm *);
static uint64_t		own_interval(const struct fsm *);
static uint64_t		master_down_us(const struct fsm *);
static uint64_t		bowout_gap(const struct fsm *);
static uint64_t		leave_bound(const struct fsm *);
static void		own_advert(const struct fsm *, struct fsm_advert *);
static int		is_bowout(const struct fsm_advert *);
static int		advert_cmp(const struct fsm_advert *,
			    const struct fsm_advert *);
static void		fmt(char *, size_t, const char *, ...)
			    __attribute__((__format__ (printf, 3, 4)));
static void		why(char *, size_t, const struct fsm_advert *,
			    const struct fsm_advert *);
static void		clear_run(struct fsm *);
static void		forget_master(struct fsm *);
static void		record_master(struct fsm *,
			    const struct fsm_advert *, uint64_t);
static void		master_advert(const struct fsm *, struct fsm_advert *);
static int		start_listening(struct fsm *, uint64_t);
static int		become_master(struct fsm *, uint64_t);
static int		become_master_down(struct fsm *, uint64_t);
static int		become_backup(struct fsm *, uint64_t);
static int		let_go(struct fsm *, uint64_t);
static int		let_go_to_successor(struct fsm *, uint64_t);
static int		takeover_cause(const struct fsm *, char *, size_t);
static int		takeover_fire(struct fsm *, uint64_t);
static int		schedule_takeover(struct fsm *, uint64_t);
static int		master_input(struct fsm *, const struct fsm_advert *,
			    uint64_t);
static int		leaving_input(struct fsm *, const struct fsm_advert *,
			    uint64_t);
static int		backup_input(struct fsm *, const struct fsm_advert *,
			    uint64_t);
static int		master_timeout(struct fsm *, uint64_t);
static int		backup_timeout(struct fsm *, uint64_t);
static int		farewell_timeout(struct fsm *, uint64_t);

static unsigned int
ticks(unsigned int advbase, unsigned int advskew)
{
	return (advbase * TICKS_PER_SEC + advskew);
}

static uint64_t
ticks_us(uint64_t t)
{
	return (t * USEC_PER_SEC / TICKS_PER_SEC);
}

uint64_t
fsm_interval_us(uint8_t advbase, uint8_t advskew)
{
	return (ticks_us(ticks(advbase, advskew)));
}

/* The bundle's interval: advskew 256ths of the base added to it. */
static uint64_t
base_interval(uint32_t base_us, unsigned int advskew)
{
	return ((uint64_t)base_us * (TICKS_PER_SEC + advskew) /
	    TICKS_PER_SEC);
}

/*
 * In microseconds, so that CARP and bundle adverts compare; for CARP
 * adverts it orders as the ticks do, a tick being over 3900 usec.
 */
static uint64_t
advert_interval(const struct fsm_advert *adv)
{
	if (adv->base_us == 0)
		return (ticks_us(ticks(adv->advbase, adv->advskew)));
	return (base_interval(adv->base_us, adv->advskew));
}

/* "1+20/256" for CARP, "5ms+20/256" for a bundle service. */
static void
interval_str(char *buf, size_t len, const struct fsm_advert *adv)
{
	if (adv->base_us == 0)
		fmt(buf, len, "%u+%u/256", adv->advbase, adv->advskew);
	else if (adv->base_us % 1000 == 0)
		fmt(buf, len, "%ums+%u/256", adv->base_us / 1000,
		    adv->advskew);
	else
		fmt(buf, len, "%uus+%u/256", adv->base_us, adv->advskew);
}

/*
 * The demotion is also added to advskew, so that FreeBSD and ucarp peers,
 * which ignore the demote byte, see a demoted node as a worse one.
 */
static uint8_t
effective_advskew(const struct fsm *fsm)
{
	unsigned int	 skew = fsm->advskew + fsm->demote;

	return (skew > CARP_ADVSKEW_MAX ? CARP_ADVSKEW_MAX : skew);
}

/* 0/0 would advertise without pause; OpenBSD runs it at 1/256 s. */
static unsigned int
own_ticks(const struct fsm *fsm)
{
	unsigned int	 t = ticks(fsm->advbase, effective_advskew(fsm));

	return (t == 0 ? 1 : t);
}

static uint64_t
own_interval(const struct fsm *fsm)
{
	if (fsm->base_us != 0)
		return (base_interval(fsm->base_us, effective_advskew(fsm)));
	return (ticks_us(own_ticks(fsm)));
}

/* The stagger of a takeover: our advskew, in 256ths of our base. */
static uint64_t
skew_us(const struct fsm *fsm)
{
	if (fsm->base_us != 0)
		return ((uint64_t)fsm->base_us * effective_advskew(fsm) /
		    TICKS_PER_SEC);
	return (ticks_us(effective_advskew(fsm)));
}

/*
 * A master advertises on the multiples of its interval on the engine's
 * clock, not one interval after it last woke: a late wake-up does not
 * slow the rate down, and the services of one interval fall due at the
 * same instant, so that the engine wakes once for them all and sends
 * them in one system call.  A new master's second advertisement may so
 * follow its first closely, never later than one interval: a backup
 * that follows a slow master counts on that.
 */
static uint64_t
next_advert_after(const struct fsm *fsm, uint64_t now)
{
	uint64_t	 iv = own_interval(fsm);

	return (now / iv * iv + iv);
}

/* OpenBSD r1.370: three whole intervals, the skew included. */
static uint64_t
master_down_us(const struct fsm *fsm)
{
	if (fsm->base_us != 0)
		return ((uint64_t)MASTER_DOWN_MUL * fsm->base_us *
		    (TICKS_PER_SEC + effective_advskew(fsm)) / TICKS_PER_SEC);
	return (ticks_us((uint64_t)MASTER_DOWN_MUL * own_ticks(fsm)));
}

/*
 * The bow-outs of a burst are spaced so that one lost packet does not
 * lose them all, yet the last one leaves well within the first interval.
 * CARP's floor is the tick; a bundle interval of 1 ms would be ended by
 * a tick, so its floor is only what a wake-up may take.
 */
static uint64_t
bowout_gap(const struct fsm *fsm)
{
	uint64_t	 gap = own_interval(fsm) / 4;
	uint64_t	 min;

	min = fsm->base_us != 0 ? BOWOUT_GAP_MIN : ticks_us(1);
	if (gap > BOWOUT_GAP_MAX)
		gap = BOWOUT_GAP_MAX;
	if (gap < min)
		gap = min;
	return (gap);
}

/*
 * How long a leaving master keeps its addresses for want of a successor:
 * a backup that heard no bow-out at all claims after one master-down
 * interval of its own, so three of our intervals cover a backup like us;
 * the cap keeps a shutdown with slow timers short.
 */
static uint64_t
leave_bound(const struct fsm *fsm)
{
	uint64_t	 bound;

	bound = MASTER_DOWN_MUL * own_interval(fsm) + LEAVE_SLACK;

	return (bound > LEAVE_MAX ? LEAVE_MAX : bound);
}

static void
own_advert(const struct fsm *fsm, struct fsm_advert *adv)
{
	memset(adv, 0, sizeof(*adv));
	adv->advbase = fsm->advbase;
	adv->advskew = effective_advskew(fsm);
	adv->demote = fsm->demote;
	adv->base_us = fsm->base_us;
	adv->src = fsm->self;
}

void
fsm_advert(const struct fsm *fsm, struct fsm_advert *adv)
{
	own_advert(fsm, adv);
	if (fsm->leaving || fsm->farewells > 0) {
		adv->advbase = CARP_BOWOUT;
		adv->advskew = CARP_BOWOUT;
	}
}

static int
is_bowout(const struct fsm_advert *adv)
{
	return (adv->advbase == CARP_BOWOUT && adv->advskew == CARP_BOWOUT);
}

/*
 * Negative if a beats b, positive if b beats a.  The demote byte first
 * (OpenBSD), then the interval, then the lower address (ucarp's order,
 * which addr_cmp() keeps); a bow-out loses to anything.
 */
static int
advert_cmp(const struct fsm_advert *a, const struct fsm_advert *b)
{
	uint64_t	 ta, tb;

	if (is_bowout(a) || is_bowout(b))
		return (is_bowout(a) - is_bowout(b));
	if (a->demote != b->demote)
		return (a->demote < b->demote ? -1 : 1);
	ta = advert_interval(a);
	tb = advert_interval(b);
	if (ta != tb)
		return (ta < tb ? -1 : 1);
	return (addr_cmp(&a->src, &b->src));
}

/* A reason cut short by the buffer is still a useful reason. */
static void
fmt(char *buf, size_t len, const char *f, ...)
{
	va_list	 ap;

	va_start(ap, f);
	if (vsnprintf(buf, len, f, ap) < 0)
		strlcpy(buf, "(no reason)", len);
	va_end(ap);
}

/* Why win beats lose, in the words of a log line. */
static void
why(char *buf, size_t len, const struct fsm_advert *win,
    const struct fsm_advert *lose)
{
	char	 w[24], l[24];

	interval_str(w, sizeof(w), win);
	interval_str(l, sizeof(l), lose);
	if (win->demote != lose->demote)
		fmt(buf, len, "demote %u < %u", win->demote, lose->demote);
	else if (advert_interval(win) != advert_interval(lose))
		fmt(buf, len, "interval %s < %s", w, l);
	else
		fmt(buf, len, "equal interval %s, lower address", w);
}

static void
forget_master(struct fsm *fsm)
{
	memset(&fsm->master, 0, sizeof(fsm->master));
	fsm->master_seen = 0;
	fsm->master_advbase = 0;
	fsm->master_advskew = 0;
	fsm->master_demote = 0;
	fsm->master_base_us = 0;
}

/* Every change of state starts afresh: only the final flag carries over. */
static void
clear_run(struct fsm *fsm)
{
	fsm->leaving = 0;
	fsm->succeeded = 0;
	fsm->bowouts = 0;
	fsm->next_advert = 0;
	fsm->master_down = 0;
	fsm->takeover = 0;
	fsm->leave_by = 0;
	fsm->listen_until = 0;
	fsm->answered = 0;
	fsm->md_waiting = 0;
	fsm->farewells = 0;
	forget_master(fsm);
}

static void
record_master(struct fsm *fsm, const struct fsm_advert *adv, uint64_t now)
{
	fsm->master = adv->src;
	fsm->master_seen = now;
	fsm->master_advbase = adv->advbase;
	fsm->master_advskew = adv->advskew;
	fsm->master_demote = adv->demote;
	fsm->master_base_us = adv->base_us;
}

static void
master_advert(const struct fsm *fsm, struct fsm_advert *adv)
{
	memset(adv, 0, sizeof(*adv));
	adv->advbase = fsm->master_advbase;
	adv->advskew = fsm->master_advskew;
	adv->demote = fsm->master_demote;
	adv->base_us = fsm->master_base_us;
	adv->src = fsm->master;
}

void
fsm_init(struct fsm *fsm)
{
	fsm->state = CARP_INIT;
	fsm->final = 0;
	fsm->hold = 0;
	fsm->claim_after = 0;
	memset(&fsm->pred, 0, sizeof(fsm->pred));
	fsm->pred_silent = 0;
	clear_run(fsm);
	memset(fsm->reason, 0, sizeof(fsm->reason));
}

/*
 * BACKUP after start-up or link-up: nobody is heard yet, so nothing may
 * be claimed for one whole master-down interval, not even on a preempt,
 * a bow-out or the operator's word.
 */
static int
start_listening(struct fsm *fsm, uint64_t now)
{
	clear_run(fsm);
	fsm->state = CARP_BACKUP;
	fsm->master_down = now + master_down_us(fsm);
	fsm->listen_until = fsm->master_down;
	return (FSM_STATE);
}

/*
 * The caller has set the reason.  The master followed until now is kept
 * as the predecessor: an exclusive handover waits for it (ehandover.c).
 */
static int
become_master(struct fsm *fsm, uint64_t now)
{
	fsm->pred = fsm->master;
	fsm->pred_silent = 0;
	clear_run(fsm);
	fsm->state = CARP_MASTER;
	fsm->next_advert = next_advert_after(fsm, now);
	return (FSM_SEND | FSM_STATE | FSM_ANNOUNCE);
}

/* A master that fell silent: it may have stopped, or be cut off. */
static int
become_master_down(struct fsm *fsm, uint64_t now)
{
	int	rv = become_master(fsm, now);

	fsm->pred_silent = fsm->pred.af != AF_UNSPEC;
	return (rv);
}

/* The caller has set the reason and records the new master. */
static int
become_backup(struct fsm *fsm, uint64_t now)
{
	clear_run(fsm);
	fsm->state = CARP_BACKUP;
	fsm->master_down = now + master_down_us(fsm);
	return (FSM_STATE);
}

/* The end of a bow-out; the caller has set the reason. */
static int
let_go(struct fsm *fsm, uint64_t now)
{
	if (!fsm->final)
		return (become_backup(fsm, now));
	clear_run(fsm);
	fsm->state = CARP_INIT;
	return (FSM_STATE);
}

/* The grace is over; unless stopping, follow the successor heard. */
static int
let_go_to_successor(struct fsm *fsm, uint64_t now)
{
	struct fsm_advert	 succ;
	uint64_t		 seen = fsm->master_seen;
	int			 rv;

	master_advert(fsm, &succ);
	fmt(fsm->reason, sizeof(fsm->reason), "successor %s took over",
	    addr_ntop(&succ.src));
	rv = let_go(fsm, now);
	if (fsm->state == CARP_BACKUP)
		record_master(fsm, &succ, seen);
	return (rv);
}

int
fsm_start(struct fsm *fsm, uint64_t now)
{
	if (fsm->state != CARP_INIT)
		return (0);
	fsm->final = 0;
	fmt(fsm->reason, sizeof(fsm->reason), "startup");
	return (start_listening(fsm, now));
}

/*
 * Whether the last advert heard in BACKUP still makes us claim.  It is
 * asked again when the staggered takeover fires, because our own demote
 * may have changed in between.
 */
static int
takeover_cause(const struct fsm *fsm, char *buf, size_t len)
{
	struct fsm_advert	 peer, own;
	char			 w[64], pi[24];
	uint64_t		 limit;

	if (fsm->master.af == AF_UNSPEC)
		return (0);
	master_advert(fsm, &peer);
	if (is_bowout(&peer)) {
		fmt(buf, len, "bow-out heard from %s", addr_ntop(&peer.src));
		return (1);
	}
	own_advert(fsm, &own);
	if (fsm->preempt && advert_cmp(&own, &peer) < 0) {
		why(w, sizeof(w), &own, &peer);
		fmt(buf, len, "preempting %s (%s)", addr_ntop(&peer.src), w);
		return (1);
	}
	if (peer.demote > own.demote) {
		fmt(buf, len, "master %s demoted (demote %u > %u)",
		    addr_ntop(&peer.src), peer.demote, own.demote);
		return (1);
	}
	/* It would time out before its next advert anyway. */
	if (fsm->base_us != 0)
		limit = (uint64_t)MASTER_DOWN_MUL * fsm->base_us;
	else
		limit = fsm->advbase != 0 ?
		    ticks_us(MASTER_DOWN_MUL * ticks(fsm->advbase, 0)) : 0;
	if (limit != 0 && advert_interval(&peer) > limit) {
		interval_str(pi, sizeof(pi), &peer);
		if (fsm->base_us != 0)
			fmt(buf, len, "master %s interval %s over %llu ms",
			    addr_ntop(&peer.src), pi,
			    (unsigned long long)(limit / 1000));
		else
			fmt(buf, len, "master %s interval %s over %u s",
			    addr_ntop(&peer.src), pi,
			    MASTER_DOWN_MUL * fsm->advbase);
		return (1);
	}
	return (0);
}

static int
takeover_fire(struct fsm *fsm, uint64_t now)
{
	char	 reason[STATE_REASON_MAX];

	/* Without quorum, no cause is good enough. */
	if (fsm->hold || !takeover_cause(fsm, reason, sizeof(reason))) {
		fsm->takeover = 0;
		return (0);
	}
	strlcpy(fsm->reason, reason, sizeof(fsm->reason));
	return (become_master(fsm, now));
}

/*
 * The best backup, with the lowest advskew, claims first and its advert
 * cancels the others' takeovers before they fire.
 */
static int
schedule_takeover(struct fsm *fsm, uint64_t now)
{
	uint64_t	 at;

	at = now + skew_us(fsm);
	if (fsm->listen_until > at)
		at = fsm->listen_until;
	if (fsm->takeover != 0 && fsm->takeover <= at)
		return (0);
	if (at <= now)
		return (takeover_fire(fsm, now));
	fsm->takeover = at;
	return (0);
}

/*
 * A worse master is a split brain healing or a rogue: it hears us and
 * yields, and the neighbours' caches are pointed back at us.  Both are
 * done at most once per interval so that a flood cannot make us spray.
 */
static int
master_input(struct fsm *fsm, const struct fsm_advert *adv, uint64_t now)
{
	struct fsm_advert	 own;
	char			 w[64];

	if (is_bowout(adv))
		return (0);
	own_advert(fsm, &own);
	if (advert_cmp(adv, &own) < 0) {
		why(w, sizeof(w), adv, &own);
		fmt(fsm->reason, sizeof(fsm->reason), "preempted by %s (%s)",
		    addr_ntop(&adv->src), w);
		become_backup(fsm, now);
		record_master(fsm, adv, now);
		/*
		 * One last advert, as ucarp sends: after a split brain it
		 * tells the winner that neighbours may still point at us,
		 * and the winner announces its addresses again.
		 */
		return (FSM_SEND | FSM_STATE);
	}
	if (fsm->answered != 0 && now < fsm->answered + own_interval(fsm))
		return (0);
	fsm->answered = now;
	return (FSM_SEND | FSM_ANNOUNCE);
}

/*
 * Make before break: the addresses stay until a successor has spoken and
 * then for the grace, while the bow-outs go on.  Any advert but a bow-out
 * is a successor, a better one too.  Of several, the best is the one a
 * backup will end up following.
 */
static int
leaving_input(struct fsm *fsm, const struct fsm_advert *adv, uint64_t now)
{
	struct fsm_advert	 succ;

	if (is_bowout(adv))
		return (0);
	master_advert(fsm, &succ);
	if (!fsm->succeeded || addr_eq(&adv->src, &succ.src) ||
	    advert_cmp(adv, &succ) < 0)
		record_master(fsm, adv, now);
	fsm->succeeded = 1;
	if (fsm->leave_by > now + FSM_LEAVE_GRACE)
		fsm->leave_by = now + FSM_LEAVE_GRACE;
	return (0);
}

static int
backup_input(struct fsm *fsm, const struct fsm_advert *adv, uint64_t now)
{
	char	 reason[STATE_REASON_MAX];

	if (is_bowout(adv)) {
		/*
		 * A bow-out from a node other than the master last heard
		 * is a late copy from a master already replaced.
		 */
		if (fsm->master.af != AF_UNSPEC &&
		    !addr_eq(&fsm->master, &adv->src))
			return (0);
		record_master(fsm, adv, now);
		return (schedule_takeover(fsm, now));
	}
	record_master(fsm, adv, now);
	if (takeover_cause(fsm, reason, sizeof(reason)))
		return (schedule_takeover(fsm, now));
	fsm->takeover = 0;
	fsm->md_waiting = 0;
	fsm->master_down = now + master_down_us(fsm);
	return (0);
}

int
fsm_input(struct fsm *fsm, const struct fsm_advert *adv, uint64_t now)
{
	/* Our own advert, looped back. */
	if (addr_eq(&adv->src, &fsm->self))
		return (0);
	switch (fsm->state) {
	case CARP_MASTER:
		if (fsm->leaving)
			return (leaving_input(fsm, adv, now));
		return (master_input(fsm, adv, now));
	case CARP_BACKUP:
		return (backup_input(fsm, adv, now));
	case CARP_INIT:
	case CARP_LINKDOWN:
		break;
	}
	return (0);
}

static int
master_timeout(struct fsm *fsm, uint64_t now)
{
	if (fsm->leaving && now >= fsm->leave_by) {
		if (fsm->succeeded)
			return (let_go_to_successor(fsm, now));
		fmt(fsm->reason, sizeof(fsm->reason),
		    "no successor within %llu ms",
		    (unsigned long long)(leave_bound(fsm) / 1000));
		return (let_go(fsm, now));
	}
	if (fsm->next_advert == 0 || now < fsm->next_advert)
		return (0);
	/* A leaving master counts from its burst: it keeps no grid. */
	if (fsm->leaving) {
		if (fsm->bowouts > 0)
			fsm->bowouts--;
		fsm->next_advert = now + (fsm->bowouts > 0 ?
		    bowout_gap(fsm) : own_interval(fsm));
	} else
		fsm->next_advert = next_advert_after(fsm, now);
	return (FSM_SEND);
}

static int
backup_timeout(struct fsm *fsm, uint64_t now)
{
	int	 md_due, takeover_due, rv;

	md_due = fsm->master_down != 0 && now >= fsm->master_down;
	takeover_due = fsm->takeover != 0 && now >= fsm->takeover;
	if (takeover_due && (!md_due || fsm->takeover <= fsm->master_down)) {
		if ((rv = takeover_fire(fsm, now)) != 0)
			return (rv);
	}
	if (!md_due)
		return (0);
	/*
	 * Silent, but perhaps not gone: without quorum we claim nothing,
	 * and under the strict policy not before the master must have
	 * let go (fsm_claim_after()).  The wait ends there, or when the
	 * master speaks again.
	 */
	if (fsm->hold || now < fsm->claim_after) {
		fsm->md_waiting = 1;
		fsm->master_down = fsm->hold || fsm->claim_after == FSM_NEVER ?
		    0 : fsm->claim_after;
		return (0);
	}
	fmt(fsm->reason, sizeof(fsm->reason), "master down timer expired");
	return (become_master_down(fsm, now));
}

/* The bow-outs of a master that let go at once, from BACKUP or INIT. */
static int
farewell_timeout(struct fsm *fsm, uint64_t now)
{
	if (--fsm->farewells > 0)
		fsm->next_advert = now + bowout_gap(fsm);
	else
		fsm->next_advert = 0;
	return (FSM_SEND);
}

int
fsm_timeout(struct fsm *fsm, uint64_t now)
{
	if (fsm->state != CARP_MASTER && fsm->farewells > 0 &&
	    fsm->next_advert != 0 && now >= fsm->next_advert)
		return (farewell_timeout(fsm, now));
	switch (fsm->state) {
	case CARP_MASTER:
		return (master_timeout(fsm, now));
	case CARP_BACKUP:
		return (backup_timeout(fsm, now));
	case CARP_INIT:
	case CARP_LINKDOWN:
		break;
	}
	return (0);
}

int
fsm_leave(struct fsm *fsm, int final, uint64_t now)
{
	if (fsm->leaving) {
		/* A shutdown during a demotion's bow-out still stops. */
		if (final)
			fsm->final = 1;
		return (0);
	}
	if (fsm->state == CARP_MASTER) {
		fsm->leaving = 1;
		fsm->final = final != 0;
		fsm->bowouts = BOWOUT_BURST - 1;
		fsm->next_advert = now + bowout_gap(fsm);
		fsm->leave_by = now + leave_bound(fsm);
		return (FSM_SEND);
	}
	if (!final)
		return (0);
	fsm->final = 1;
	if (fsm->state == CARP_INIT)
		return (0);
	fmt(fsm->reason, sizeof(fsm->reason), "stopped");
	return (let_go(fsm, now));
}

/*
 * hafoctl undemote during a bow-out: stay master after all, unless the
 * bow-out is for good (a shutdown, a removal) or a successor has spoken
 * already: that one is master now, and taking the service back from it
 * would move it twice.  An advertisement at once tells the backups that
 * were about to take over that there is a master again.
 */
int
fsm_stay(struct fsm *fsm, uint64_t now)
{
	if (fsm->state != CARP_MASTER || !fsm->leaving || fsm->final ||
	    fsm->succeeded)
		return (0);
	fsm->leaving = 0;
	fsm->bowouts = 0;
	fsm->leave_by = 0;
	fsm->next_advert = next_advert_after(fsm, now);
	return (FSM_SEND);
}

/*
 * A stopped service (INIT after a final leave) stays stopped whatever
 * the link does; one not yet started goes LINKDOWN and starts on link-up.
 */
int
fsm_link(struct fsm *fsm, int up, uint64_t now)
{
	if (!up) {
		if (fsm->state == CARP_LINKDOWN ||
		    (fsm->state == CARP_INIT && fsm->final))
			return (0);
		clear_run(fsm);
		fsm->state = CARP_LINKDOWN;
		fmt(fsm->reason, sizeof(fsm->reason), "link down");
		return (FSM_STATE);
	}
	if (fsm->state != CARP_LINKDOWN)
		return (0);
	if (fsm->final) {
		fsm->state = CARP_INIT;
		fmt(fsm->reason, sizeof(fsm->reason),
		    "link up, service stopped");
		return (FSM_STATE);
	}
	fmt(fsm->reason, sizeof(fsm->reason), "link up");
	return (start_listening(fsm, now));
}

/*
 * The rest follows from the rules on the adverts that come back: a
 * better backup with preempt, or any backup when our demote byte is now
 * higher than its, takes over.  A backup keeps its timers, but for the
 * listening after its start.
 */
int
fsm_set_demote(struct fsm *fsm, uint8_t demote, uint64_t now)
{
	uint8_t		 old = fsm->demote;
	uint64_t	 was, less;

	fsm->demote = demote;
	if (fsm->state == CARP_MASTER && !fsm->leaving && demote > old)
		return (FSM_SEND);
	/*
	 * Still listening after the start, nobody heard: a demotion lifted
	 * now (an application's first heartbeat) shortens the wait by what
	 * it had added, so that the node is not slower than it would have
	 * been without it, and a node still demoted does not claim first.
	 */
	if (fsm->state == CARP_BACKUP && demote < old &&
	    fsm->master.af == AF_UNSPEC && now < fsm->listen_until &&
	    fsm->master_down == fsm->listen_until) {
		fsm->demote = old;
		was = master_down_us(fsm);
		fsm->demote = demote;
		less = was - master_down_us(fsm);
		fsm->listen_until -= less;
		fsm->master_down -= less;
		if (fsm->master_down <= now)
			fsm->master_down = fsm->listen_until = now + 1;
	}
	return (0);
}

/*
 * hafoctl promote: the operator's word stands in for preempt, but neither
 * for the listening, which protects a master we have not heard yet, nor
 * against a better master, which would take back at once: that one must
 * be demoted where it runs.
 */
int
fsm_promote(struct fsm *fsm, uint64_t now)
{
	struct fsm_advert	 peer, own;
	char			 pi[24], oi[24];

	switch (fsm->state) {
	case CARP_INIT:
		fmt(fsm->reason, sizeof(fsm->reason), "not started");
		return (0);
	case CARP_LINKDOWN:
		fmt(fsm->reason, sizeof(fsm->reason), "link down");
		return (0);
	case CARP_MASTER:
		fmt(fsm->reason, sizeof(fsm->reason), fsm->leaving ?
		    "bowing out" : "already master");
		return (0);
	case CARP_BACKUP:
		break;
	}
	if (fsm->hold) {
		fmt(fsm->reason, sizeof(fsm->reason), "no quorum");
		return (0);
	}
	if (fsm->master.af != AF_UNSPEC) {
		master_advert(fsm, &peer);
		own_advert(fsm, &own);
		if (advert_cmp(&peer, &own) < 0) {
			interval_str(pi, sizeof(pi), &peer);
			interval_str(oi, sizeof(oi), &own);
			fmt(fsm->reason, sizeof(fsm->reason), "master %s "
			    "advertises %s%s demote %u, better than our "
			    "%s%s demote %u: demote it there first",
			    addr_ntop(&peer.src), pi,
			    peer.base_us == 0 ? " s" : "", peer.demote, oi,
			    own.base_us == 0 ? " s" : "", own.demote);
			return (0);
		}
	}
	if (now < fsm->listen_until) {
		fmt(fsm->reason, sizeof(fsm->reason), "still listening");
		return (0);
	}
	fmt(fsm->reason, sizeof(fsm->reason), "promoted by operator");
	return (become_master(fsm, now));
}

uint64_t
fsm_deadline(const struct fsm *fsm)
{
	uint64_t	 t[4], min = 0;
	size_t		 i;

	t[0] = fsm->next_advert;
	t[1] = fsm->master_down;
	t[2] = fsm->takeover;
	t[3] = fsm->leave_by;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i] != 0 && (min == 0 || t[i] < min))
			min = t[i];
	return (min);
}

/*
 * Quorum (hafod.8 ELECTION, Quorum).  A node without quorum is master of
 * nothing: a master lets go at once, keeping nothing for a successor it
 * may never hear, and bows out, so that a node that hears it and holds
 * quorum takes over without waiting for its master-down timer; a backup
 * claims nothing.  When quorum returns, a backup listens for one
 * master-down interval before it may claim: the master may be back.
 */
int
fsm_hold(struct fsm *fsm, int on, const char *why, uint64_t now)
{
	int	 rv;

	if ((on != 0) == (fsm->hold != 0))
		return (0);
	fsm->hold = on != 0;
	if (fsm->state == CARP_BACKUP) {
		fsm->takeover = 0;
		if (!on) {
			fsm->md_waiting = 0;
			fsm->master_down = now + master_down_us(fsm);
			if (fsm->listen_until < fsm->master_down)
				fsm->listen_until = fsm->master_down;
		}
		return (0);
	}
	if (!on || fsm->state != CARP_MASTER)
		return (0);
	fmt(fsm->reason, sizeof(fsm->reason), "%s", why);
	rv = let_go(fsm, now);
	fsm->farewells = BOWOUT_BURST;
	return (rv | farewell_timeout(fsm, now));
}

/*
 * The strict policy's word on a silent master: no master-down claim
 * before t (FSM_NEVER: not until told again).  A claim that waited for
 * this is made now if t has come.
 */
int
fsm_claim_after(struct fsm *fsm, uint64_t t, uint64_t now)
{
	fsm->claim_after = t;
	if (fsm->state != CARP_BACKUP || !fsm->md_waiting || fsm->hold)
		return (0);
	if (t > now) {
		fsm->master_down = t == FSM_NEVER ? 0 : t;
		return (0);
	}
	fmt(fsm->reason, sizeof(fsm->reason), "master down timer expired, "
	    "master out of the quorum");
	return (become_master_down(fsm, now));
}
