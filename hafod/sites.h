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
 * Sites (hafod.8, SITES): the rules every member of the CPG group
 * "hafod-sites" applies to the same totally ordered stream of
 * membership changes and words, so that all agree on the controller
 * site of each entity without any consensus of our own.  Pure: no I/O,
 * no corosync; the clock is passed in.  cpg.c feeds it, t_sites.c
 * tests it.
 */

#ifndef SITES_H
#define SITES_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "hafod.h"

#define SITES_WORD_VERSION	1
#define SITES_ENTITIES_MAX	512	/* entities in one word */
/* The largest word: header, site table, entities of the longest form. */
#define SITES_WORD_MAX		(8 + SITES_MAX * SITE_NAME_MAX + \
	SITES_ENTITIES_MAX * (SERVICE_NAME_MAX + 5 + SITES_MAX + 1 + 8))

/* One entity as one member's word tells it; sites are word indexes. */
struct sites_entity {
	char			name[SERVICE_NAME_MAX];
	uint8_t			kind;		/* SITE_KIND_* */
	uint8_t			state;		/* enum carp_state */
	uint8_t			healthy;
	uint8_t			holding;
	uint8_t			failback;
	uint8_t			nprefer;
	uint8_t			prefer[SITES_MAX];
	uint8_t			belief;		/* SITE_NONE: none */
	uint64_t		term;		/* of the belief */
};

/*
 * A member's word: its own site is sites[0]; entities in strictly
 * ascending order of name, so that a name is never there twice.
 */
struct sites_word {
	uint8_t			quorate;
	uint8_t			nsites;
	uint16_t		nentities;
	char			sites[SITES_MAX][SITE_NAME_MAX];
	struct sites_entity	entities[SITES_ENTITIES_MAX];
};

/* A member of the group: a (nodeid, pid) of corosync's. */
struct sites_member {
	uint32_t		nodeid;
	uint32_t		pid;
	int			synced;		/* spoke since the change */
	struct sites_word	word;
};

/* The agreed state of one entity: the same on every member. */
struct sites_decision {
	char			name[SERVICE_NAME_MAX];
	uint8_t			kind;
	char			controller[SITE_NAME_MAX]; /* "": none */
	char			target[SITE_NAME_MAX];
	uint64_t		term;
	uint64_t		since_ms;	/* local clock: for show */
	/* Local only: a holder of another site left the membership. */
	uint64_t		left_at_ms;
	char			left_site[SITE_NAME_MAX]; /* "": none */
};

struct sites_table {
	uint32_t		myid;		/* this node's nodeid */
	uint32_t		mypid;
	int			synced;		/* all members spoke since */
	int			kept;		/* agreed when it changed */
	uint64_t		changed_ms;	/* last membership change */
	size_t			nmembers;	/* by (nodeid, pid) */
	struct sites_member	members[QUORUM_MEMBERS_MAX];
	size_t			ndecisions;	/* by name */
	struct sites_decision	decisions[SITES_ENTITIES_MAX];
};

int	 sites_name_ok(const char *, size_t);
int	 sites_cstr_ok(const char *, size_t);
void	 sites_init(struct sites_table *, uint32_t, uint32_t);
void	 sites_confchg(struct sites_table *, const uint32_t *,
	    const uint32_t *, size_t, uint64_t);
int	 sites_deliver(struct sites_table *, uint32_t, uint32_t,
	    const void *, size_t, uint64_t, char *, size_t);
const struct sites_decision *
	 sites_decision(const struct sites_table *, const char *);
void	 sites_word(const struct sites_table *, const char *, int,
	    const struct msg_site_local *, size_t, struct sites_word *);
size_t	 sites_report(const struct sites_table *, const char *, int,
	    uint64_t, uint32_t, struct msg_sites *, struct msg_site_role *,
	    size_t, uint64_t *);

/* The CPG word on the wire. */
ssize_t	 sites_encode(const struct sites_word *, uint8_t *, size_t);
int	 sites_decode(const uint8_t *, size_t, struct sites_word *, char *,
	    size_t);

#endif /* SITES_H */
