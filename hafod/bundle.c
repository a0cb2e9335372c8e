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
 * The bundle: one datagram for all the services a node runs on one
 * interface under one key (hafod.8, BUNDLE FORMAT).  Pure code: the
 * engine decides what goes in and what an entry means.
 *
 *	header	version(1) count(1) base(2, ms) key id(4) counter(8)
 *	entry	vhid(1) flags(1) advskew(1) demote(1) [base(2)] [digest(4)]
 *	MAC	HMAC-SHA-256 over the source address and all of the above,
 *		its first 16 bytes
 */

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <stdlib.h>
#include <string.h>

#include "hafod.h"
#include "log.h"

#define BUNDLE_SHA256_LEN	32

static const char bundle_salt[] = "hafod bundle v1";
static const char bundle_digest_key[] = "hafod bundle digest v1";

static EVP_MAC_CTX *bundle_mac(void);
static void	bundle_hmac(const uint8_t *, size_t, const uint8_t *, size_t,
		    const uint8_t *, size_t, uint8_t *);
static int	bundle_vip_cmp(const void *, const void *);
static size_t	bundle_addr_len(const struct hafod_addr *);
static int	bundle_flags_ok(uint8_t);

/* One HMAC-SHA-256 context for the process (hmac.c). */
static EVP_MAC_CTX *
bundle_mac(void)
{
	static EVP_MAC_CTX	*ctx;

	if (ctx == NULL)
		ctx = hmac_new("SHA256");
	return (ctx);
}

/* HMAC-SHA-256 of two pieces under key; out has BUNDLE_SHA256_LEN. */
static void
bundle_hmac(const uint8_t *key, size_t keylen, const uint8_t *a, size_t alen,
    const uint8_t *b, size_t blen, uint8_t *out)
{
	EVP_MAC_CTX	*ctx = bundle_mac();
	size_t		 outlen = 0;

	if (!EVP_MAC_init(ctx, key, keylen, NULL) ||
	    !EVP_MAC_update(ctx, a, alen) ||
	    !EVP_MAC_update(ctx, b, blen) ||
	    !EVP_MAC_final(ctx, out, &outlen, BUNDLE_SHA256_LEN) ||
	    outlen != BUNDLE_SHA256_LEN)
		fatalx("%s: HMAC-SHA256 failed", __func__);
}

/*
 * HKDF-SHA-256 (RFC 5869) with a fixed salt: the extract step takes a
 * password of any length and quality (the empty one too, as CARP allows
 * it), the expand step gives the key and, under another label, the key
 * id that tells a receiver which key to try without revealing the key.
 */
void
bundle_key_derive(const uint8_t *secret, size_t len, struct bundle_key *key)
{
	static const uint8_t	 label_key[] = "key\x01";
	static const uint8_t	 label_id[] = "key id\x01";
	uint8_t			 prk[BUNDLE_SHA256_LEN];
	uint8_t			 id[BUNDLE_SHA256_LEN];

	bundle_hmac((const uint8_t *)bundle_salt, sizeof(bundle_salt) - 1,
	    secret, len, NULL, 0, prk);
	bundle_hmac(prk, sizeof(prk), label_key, sizeof(label_key) - 1,
	    NULL, 0, key->key);
	bundle_hmac(prk, sizeof(prk), label_id, sizeof(label_id) - 1,
	    NULL, 0, id);
	memcpy(key->id, id, sizeof(key->id));
	OPENSSL_cleanse(prk, sizeof(prk));
}

static size_t
bundle_addr_len(const struct hafod_addr *a)
{
	return (a->af == AF_INET6 ? 16 : 4);
}

/* VIPs in one order whatever the order of the configuration. */
static int
bundle_vip_cmp(const void *pa, const void *pb)
{
	const struct hafod_addr	*a = pa, *b = pb;

	if (a->af != b->af)
		return (a->af < b->af ? -1 : 1);
	if (a->prefixlen != b->prefixlen)
		return (a->prefixlen < b->prefixlen ? -1 : 1);
	return (memcmp(a->u.bytes, b->u.bytes, sizeof(a->u.bytes)));
}

/*
 * What peers of one vhid must agree on beyond what an entry says: the
 * addresses, with their prefixes, and whether they move with a virtual
 * MAC.  Timing travels in the entry itself, the password in the key id.
 */
uint32_t
bundle_digest(const struct service_conf *conf)
{
	struct hafod_addr	 vips[SERVICE_VIPS_MAX];
	uint8_t			 buf[2 + SERVICE_VIPS_MAX * 18];
	uint8_t			 out[BUNDLE_SHA256_LEN];
	size_t			 i, n, off = 0;

	n = conf->nvips > SERVICE_VIPS_MAX ? SERVICE_VIPS_MAX : conf->nvips;
	memcpy(vips, conf->vips, n * sizeof(vips[0]));
	qsort(vips, n, sizeof(vips[0]), bundle_vip_cmp);
	buf[off++] = conf->vhid;
	buf[off++] = conf->vmac;
	for (i = 0; i < n; i++) {
		buf[off++] = vips[i].af == AF_INET6 ? 6 : 4;
		buf[off++] = vips[i].prefixlen;
		memcpy(buf + off, vips[i].u.bytes, bundle_addr_len(&vips[i]));
		off += bundle_addr_len(&vips[i]);
	}
	bundle_hmac((const uint8_t *)bundle_digest_key,
	    sizeof(bundle_digest_key) - 1, buf, off, NULL, 0, out);
	return ((uint32_t)out[0] << 24 | (uint32_t)out[1] << 16 |
	    (uint32_t)out[2] << 8 | out[3]);
}

/* Bytes an entry takes after a header whose base is hdrbase. */
size_t
bundle_entry_len(const struct bundle_entry *e, uint16_t hdrbase)
{
	size_t	 len = BUNDLE_ENTRY_LEN;

	if (e->base != hdrbase)
		len += 2;
	if (e->flags & BUNDLE_F_DIGEST)
		len += 4;
	return (len);
}

/*
 * The MAC binds the datagram to its source address: the same bytes from
 * another node are somebody else's words.  The destination is left out,
 * so that one datagram can go to the group or to each unicast peer.
 */
static void
bundle_sign(const uint8_t *buf, size_t len, const struct bundle_key *key,
    const struct hafod_addr *src, uint8_t *mac)
{
	uint8_t		 out[BUNDLE_SHA256_LEN];

	bundle_hmac(key->key, sizeof(key->key), src->u.bytes,
	    bundle_addr_len(src), buf, len, out);
	memcpy(mac, out, BUNDLE_MAC_LEN);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t
get16(const uint8_t *p)
{
	return ((uint16_t)(p[0] << 8 | p[1]));
}

/*
 * Flags this version knows, and not MASTER with BOWOUT: an entry is an
 * advertisement, a bow-out or a report, never two of them.
 */
static int
bundle_flags_ok(uint8_t flags)
{
	if ((flags & ~BUNDLE_F_ALL) != 0)
		return (0);
	return ((flags & (BUNDLE_F_MASTER | BUNDLE_F_BOWOUT)) !=
	    (BUNDLE_F_MASTER | BUNDLE_F_BOWOUT));
}

/*
 * The datagram's length, or -1 if it would not fit in len or has no
 * entry, too many, a field out of range, flags bundle_flags_ok() refuses
 * or one vhid twice: the caller's mistake, never the wire's, and
 * one bundle_decode() would drop whole, so it is refused before a byte
 * is written.  An entry's base goes on the wire only where it differs
 * from the header's (F_BASE is the encoder's, whatever the caller set);
 * its digest where its flags ask for it.
 */
ssize_t
bundle_encode(const struct bundle *b, const struct bundle_key *key,
    const struct hafod_addr *src, uint8_t *buf, size_t len)
{
	const struct bundle_entry	*e;
	uint8_t				 seen[256 / 8];
	size_t				 off, i;
	int				 shift;

	if (b->nentries == 0 || b->nentries > BUNDLE_ENTRIES_MAX ||
	    b->base < BUNDLE_INTERVAL_MIN || b->base > BUNDLE_INTERVAL_MAX)
		return (-1);
	memset(seen, 0, sizeof(seen));
	off = BUNDLE_HDR_LEN;
	for (i = 0; i < b->nentries; i++) {
		e = &b->entries[i];
		if (e->vhid == 0 || !bundle_flags_ok(e->flags) ||
		    e->base < BUNDLE_INTERVAL_MIN ||
		    e->base > BUNDLE_INTERVAL_MAX ||
		    (seen[e->vhid / 8] & (1 << e->vhid % 8)))
			return (-1);
		seen[e->vhid / 8] |= 1 << e->vhid % 8;
		off += bundle_entry_len(e, b->base);
	}
	if (off + BUNDLE_MAC_LEN > len)
		return (-1);

	buf[0] = BUNDLE_VERSION;
	buf[1] = b->nentries;
	put16(buf + 2, b->base);
	memcpy(buf + 4, key->id, BUNDLE_KEYID_LEN);
	for (shift = 56, off = 8; shift >= 0; shift -= 8)
		buf[off++] = b->counter >> shift;
	for (i = 0; i < b->nentries; i++) {
		e = &b->entries[i];
		buf[off] = e->vhid;
		buf[off + 1] = e->flags & (BUNDLE_F_MASTER | BUNDLE_F_BOWOUT |
		    BUNDLE_F_DIGEST);
		if (e->base != b->base)
			buf[off + 1] |= BUNDLE_F_BASE;
		buf[off + 2] = e->advskew;
		buf[off + 3] = e->demote;
		off += BUNDLE_ENTRY_LEN;
		if (e->base != b->base) {
			put16(buf + off, e->base);
			off += 2;
		}
		if (e->flags & BUNDLE_F_DIGEST) {
			put16(buf + off, e->digest >> 16);
			put16(buf + off + 2, e->digest & 0xffff);
			off += 4;
		}
	}
	bundle_sign(buf, off, key, src, buf + off);
	return (off + BUNDLE_MAC_LEN);
}

/*
 * Everything the bytes say, checked for shape only: the MAC is
 * bundle_verify()'s, once the key id has chosen a key.  Every entry is
 * read within the bytes its count claims, and the count must use them
 * all: a count that lies either way drops the whole datagram, as do
 * flags bundle_flags_ok() refuses and one vhid twice.
 */
enum carp_drop
bundle_decode(const uint8_t *buf, size_t len, int ttl, struct bundle *b)
{
	struct bundle_entry	*e;
	uint8_t			 seen[256 / 8];
	size_t			 off, end, i;

	if (len < BUNDLE_HDR_LEN + BUNDLE_ENTRY_LEN + BUNDLE_MAC_LEN)
		return (DROP_LENGTH);
	if (buf[0] != BUNDLE_VERSION)
		return (DROP_VERSION);
	if (ttl != CARP_TTL)
		return (DROP_TTL);
	memset(b, 0, sizeof(*b));
	b->nentries = buf[1];
	b->base = get16(buf + 2);
	memcpy(b->keyid, buf + 4, BUNDLE_KEYID_LEN);
	for (off = 8; off < BUNDLE_HDR_LEN; off++)
		b->counter = b->counter << 8 | buf[off];
	if (b->nentries == 0 || b->base < BUNDLE_INTERVAL_MIN ||
	    b->base > BUNDLE_INTERVAL_MAX)
		return (DROP_MALFORMED);

	memset(seen, 0, sizeof(seen));
	end = len - BUNDLE_MAC_LEN;
	for (i = 0; i < b->nentries; i++) {
		e = &b->entries[i];
		if (end - off < BUNDLE_ENTRY_LEN)
			return (DROP_MALFORMED);
		e->vhid = buf[off];
		e->flags = buf[off + 1];
		e->advskew = buf[off + 2];
		e->demote = buf[off + 3];
		e->base = b->base;
		off += BUNDLE_ENTRY_LEN;
		if (e->vhid == 0 || !bundle_flags_ok(e->flags) ||
		    (seen[e->vhid / 8] & (1 << e->vhid % 8)))
			return (DROP_MALFORMED);
		seen[e->vhid / 8] |= 1 << e->vhid % 8;
		if (e->flags & BUNDLE_F_BASE) {
			if (end - off < 2)
				return (DROP_MALFORMED);
			e->base = get16(buf + off);
			off += 2;
			if (e->base < BUNDLE_INTERVAL_MIN ||
			    e->base > BUNDLE_INTERVAL_MAX ||
			    e->base == b->base)
				return (DROP_MALFORMED);
		}
		if (e->flags & BUNDLE_F_DIGEST) {
			if (end - off < 4)
				return (DROP_MALFORMED);
			e->digest = (uint32_t)get16(buf + off) << 16 |
			    get16(buf + off + 2);
			off += 4;
		}
		e->flags &= ~BUNDLE_F_BASE;
	}
	if (off != end)
		return (DROP_MALFORMED);
	return (DROP_NONE);
}

/* Whether the datagram's MAC is the one key gives for its source. */
int
bundle_verify(const uint8_t *buf, size_t len, const struct bundle_key *key,
    const struct hafod_addr *src)
{
	uint8_t		 mac[BUNDLE_MAC_LEN];

	if (len < BUNDLE_HDR_LEN + BUNDLE_MAC_LEN)
		return (0);
	bundle_sign(buf, len - BUNDLE_MAC_LEN, key, src, mac);
	return (CRYPTO_memcmp(mac, buf + len - BUNDLE_MAC_LEN,
	    BUNDLE_MAC_LEN) == 0);
}
