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
 * Sites: the word each node multicasts to the CPG group, encoded and
 * decoded (hafod.8, ACROSS SITES); sites.c applies the rules to it.
 *
 * The word on the wire, version 1, big-endian:
 *	u8 version, u8 flags (1: quorate), u8 nsites (1-8), u8 0,
 *	u16 nentities (0-512), u16 0,
 *	nsites times: u8 len (1-31), the site's name (sites[0]: the
 *	    sender's own site; no name twice),
 *	nentities times, in strictly ascending order of name:
 *	    u8 len (1-31), name, u8 kind, u8 state, u8 flags (1 healthy,
 *	    2 holding, 4 failback), u8 nprefer (0-8), nprefer site
 *	    indexes (each < nsites, none twice), u8 belief (< nsites or
 *	    255: none), u64 term.
 * Anything else, including a byte too many, is refused.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hafod.h"
#include "sites.h"

#define WORD_F_QUORATE		0x01
#define ENT_F_HEALTHY		0x01
#define ENT_F_HOLDING		0x02
#define ENT_F_FAILBACK		0x04
#define ENT_F_ALL		(ENT_F_HEALTHY | ENT_F_HOLDING | ENT_F_FAILBACK)

/* The names of hafod.conf: letters, digits, '-', '_', '.'. */
static int
name_ok(const char *s, size_t len, size_t max)
{
	size_t	i;

	if (len == 0 || len >= max)
		return (0);
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '-' || s[i] == '_' || s[i] == '.'))
			return (0);
	return (1);
}

/* A NUL-ended name of at most max bytes, as hafod.conf allows it. */
int
sites_cstr_ok(const char *s, size_t max)
{
	return (name_ok(s, strnlen(s, max), max));
}

/* A site's or an entity's name as hafod.conf allows it. */
int
sites_name_ok(const char *s, size_t size)
{
	return (sites_cstr_ok(s, size));
}

/* Codec */

struct wbuf {
	uint8_t		*p;
	size_t		 len, off;
};

static int
put(struct wbuf *b, const void *v, size_t n)
{
	if (n > b->len - b->off)
		return (-1);
	memcpy(b->p + b->off, v, n);
	b->off += n;
	return (0);
}

static int
put8(struct wbuf *b, uint8_t v)
{
	return (put(b, &v, 1));
}

static int
put_name(struct wbuf *b, const char *s)
{
	size_t	len = strnlen(s, SITE_NAME_MAX);

	return (put8(b, (uint8_t)len) == -1 || put(b, s, len) == -1 ?
	    -1 : 0);
}

/* The word as it goes on the wire; -1: it breaks a rule, or no room. */
ssize_t
sites_encode(const struct sites_word *w, uint8_t *buf, size_t len)
{
	struct wbuf			 b = { buf, len, 0 };
	const struct sites_entity	*e;
	uint8_t				 hdr[8], term[8];
	size_t				 i, j;

	if (w->nsites < 1 || w->nsites > SITES_MAX ||
	    w->nentities > SITES_ENTITIES_MAX)
		return (-1);
	hdr[0] = SITES_WORD_VERSION;
	hdr[1] = w->quorate ? WORD_F_QUORATE : 0;
	hdr[2] = w->nsites;
	hdr[3] = 0;
	hdr[4] = w->nentities >> 8;
	hdr[5] = w->nentities & 0xff;
	hdr[6] = hdr[7] = 0;
	if (put(&b, hdr, sizeof(hdr)) == -1)
		return (-1);
	for (i = 0; i < w->nsites; i++)
		if (!sites_cstr_ok(w->sites[i], SITE_NAME_MAX) ||
		    put_name(&b, w->sites[i]) == -1)
			return (-1);
	for (i = 0; i < w->nentities; i++) {
		e = &w->entities[i];
		if (!sites_cstr_ok(e->name, SERVICE_NAME_MAX) ||
		    e->nprefer > SITES_MAX ||
		    put_name(&b, e->name) == -1 || put8(&b, e->kind) == -1 ||
		    put8(&b, e->state) == -1 ||
		    put8(&b, (e->healthy ? ENT_F_HEALTHY : 0) |
		    (e->holding ? ENT_F_HOLDING : 0) |
		    (e->failback ? ENT_F_FAILBACK : 0)) == -1 ||
		    put8(&b, e->nprefer) == -1 ||
		    put(&b, e->prefer, e->nprefer) == -1 ||
		    put8(&b, e->belief) == -1)
			return (-1);
		for (j = 0; j < 8; j++)
			term[j] = e->term >> (56 - 8 * j);
		if (put(&b, term, sizeof(term)) == -1)
			return (-1);
	}
	return ((ssize_t)b.off);
}

struct rbuf {
	const uint8_t	*p;
	size_t		 len, off;
	char		*why;
	size_t		 whylen;
};

static int
bad(struct rbuf *b, const char *what)
{
	(void)snprintf(b->why, b->whylen, "%s at byte %zu", what, b->off);
	return (-1);
}

static int
get(struct rbuf *b, void *v, size_t n)
{
	if (n > b->len - b->off)
		return (bad(b, "truncated"));
	memcpy(v, b->p + b->off, n);
	b->off += n;
	return (0);
}

static int
get8(struct rbuf *b, uint8_t *v)
{
	return (get(b, v, 1));
}

static int
get_name(struct rbuf *b, char *s, size_t max)
{
	uint8_t	len;

	if (get8(b, &len) == -1)
		return (-1);
	if (len == 0 || len >= max)
		return (bad(b, "bad name length"));
	if (get(b, s, len) == -1)
		return (-1);
	if (!name_ok(s, len, max))
		return (bad(b, "bad name"));
	memset(s + len, 0, max - len);
	return (0);
}

/* A word from the wire, checked in full; -1 with the reason in why. */
int
sites_decode(const uint8_t *buf, size_t len, struct sites_word *w,
    char *why, size_t whylen)
{
	struct rbuf		 b = { buf, len, 0, why, whylen };
	struct sites_entity	*e;
	uint8_t			 hdr[8], flags, term[8];
	uint16_t		 n;
	size_t			 i, j, k;

	memset(w, 0, offsetof(struct sites_word, entities));
	if (get(&b, hdr, sizeof(hdr)) == -1)
		return (-1);
	if (hdr[0] != SITES_WORD_VERSION)
		return (bad(&b, "unknown version"));
	if ((hdr[1] & ~WORD_F_QUORATE) != 0 || hdr[3] != 0 || hdr[6] != 0 ||
	    hdr[7] != 0)
		return (bad(&b, "reserved bits set"));
	w->quorate = (hdr[1] & WORD_F_QUORATE) != 0;
	if (hdr[2] < 1 || hdr[2] > SITES_MAX)
		return (bad(&b, "bad number of sites"));
	w->nsites = hdr[2];
	n = (uint16_t)(hdr[4] << 8 | hdr[5]);
	if (n > SITES_ENTITIES_MAX)
		return (bad(&b, "too many entities"));
	w->nentities = n;
	for (i = 0; i < w->nsites; i++) {
		if (get_name(&b, w->sites[i], SITE_NAME_MAX) == -1)
			return (-1);
		for (j = 0; j < i; j++)
			if (strcmp(w->sites[j], w->sites[i]) == 0)
				return (bad(&b, "site twice"));
	}
	for (i = 0; i < w->nentities; i++) {
		e = &w->entities[i];
		memset(e, 0, sizeof(*e));
		if (get_name(&b, e->name, sizeof(e->name)) == -1)
			return (-1);
		if (i > 0 && strcmp(w->entities[i - 1].name, e->name) >= 0)
			return (bad(&b, "entities out of order"));
		if (get8(&b, &e->kind) == -1 || get8(&b, &e->state) == -1 ||
		    get8(&b, &flags) == -1 || get8(&b, &e->nprefer) == -1)
			return (-1);
		if (e->kind != SITE_KIND_SERVICE && e->kind != SITE_KIND_GROUP)
			return (bad(&b, "bad kind"));
		if (e->state >= CARP_STATE_MAX)
			return (bad(&b, "bad state"));
		if ((flags & ~ENT_F_ALL) != 0)
			return (bad(&b, "reserved bits set"));
		e->healthy = (flags & ENT_F_HEALTHY) != 0;
		e->holding = (flags & ENT_F_HOLDING) != 0;
		e->failback = (flags & ENT_F_FAILBACK) != 0;
		if (e->nprefer > SITES_MAX)
			return (bad(&b, "bad number of preferred sites"));
		if (get(&b, e->prefer, e->nprefer) == -1)
			return (-1);
		for (j = 0; j < e->nprefer; j++) {
			if (e->prefer[j] >= w->nsites)
				return (bad(&b, "bad site index"));
			for (k = 0; k < j; k++)
				if (e->prefer[k] == e->prefer[j])
					return (bad(&b,
					    "site preferred twice"));
		}
		if (get8(&b, &e->belief) == -1)
			return (-1);
		if (e->belief != SITE_NONE && e->belief >= w->nsites)
			return (bad(&b, "bad site index"));
		if (get(&b, term, sizeof(term)) == -1)
			return (-1);
		for (j = 0; j < 8; j++)
			e->term = e->term << 8 | term[j];
	}
	if (b.off != b.len)
		return (bad(&b, "trailing bytes"));
	return (0);
}
