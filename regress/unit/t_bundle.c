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
 * The bundle codec, hafod/bundle.c (hafod.8, BUNDLE FORMAT): what goes
 * out comes back, what is malformed is dropped whole, and the MAC covers
 * every byte and the source address.
 */

#include <arpa/inet.h>

#include <atf-c.h>
#include <stdio.h>
#include <string.h>

#include "hafod.h"

#define SRC4	"192.0.2.1"

/*
 * bundle_key_derive() is RFC 5869 HKDF-SHA-256 with salt "hafod bundle
 * v1": PRK = HMAC(salt, password); key = HMAC(PRK, "key" || 0x01), the
 * first block of HKDF-Expand(PRK, "key", 32); key id = the first 4 bytes
 * of HMAC(PRK, "key id" || 0x01).  The values below were computed once
 * with Python's hmac and hashlib, not with this code, and checked against
 * a generic RFC 5869 HKDF written there:
 *
 *	prk = hmac.new(b"hafod bundle v1", pw, hashlib.sha256).digest()
 *	key = hmac.new(prk, b"key\x01", hashlib.sha256).digest()
 *	kid = hmac.new(prk, b"key id\x01", hashlib.sha256).digest()[:4]
 */
static const struct {
	const char	*pass;
	uint8_t		 key[BUNDLE_KEY_LEN];
	uint8_t		 id[BUNDLE_KEYID_LEN];
} kat[] = {
	{ "",
	  { 0xf6, 0xb7, 0xe3, 0x93, 0x4e, 0x26, 0x97, 0xb9,
	    0x64, 0x2e, 0x76, 0x39, 0x9b, 0x02, 0x0b, 0xb0,
	    0x31, 0x23, 0xa1, 0x47, 0x15, 0x1b, 0xa5, 0x89,
	    0x8b, 0x2b, 0xbb, 0xc8, 0x87, 0xe5, 0xac, 0xd6 },
	  { 0xe3, 0x12, 0x29, 0x23 } },
	{ "hafod-test",
	  { 0xe3, 0xf9, 0x84, 0xb1, 0xf3, 0xc7, 0x7f, 0x69,
	    0xfe, 0x37, 0x56, 0x67, 0x3c, 0xbc, 0x7d, 0xfd,
	    0xc6, 0x45, 0xf4, 0x45, 0xda, 0x5d, 0x77, 0x54,
	    0x59, 0x82, 0x8e, 0x72, 0x06, 0x45, 0x96, 0xb1 },
	  { 0xd8, 0xb6, 0x31, 0xa3 } },
};

/*
 * A datagram built byte by byte in Python (hmac, hashlib) from the
 * format in hafod.8, not by bundle_encode(): key "hafod-test", source
 * 192.0.2.1, header base 1000 ms, counter 0x0000123456000007; entry
 * vhid 7 MASTER advskew 100 demote 0; entry vhid 9 MASTER|BASE|DIGEST
 * advskew 0 demote 2, base 5 ms, digest 0xdeadbeef; then the MAC.
 */
static const uint8_t captured[] = {
	0x01, 0x02, 0x03, 0xe8, 0xd8, 0xb6, 0x31, 0xa3,
	0x00, 0x00, 0x12, 0x34, 0x56, 0x00, 0x00, 0x07,
	0x07, 0x01, 0x64, 0x00, 0x09, 0x0d, 0x00, 0x02,
	0x00, 0x05, 0xde, 0xad, 0xbe, 0xef, 0x8e, 0x32,
	0xae, 0x43, 0xc5, 0x28, 0x93, 0x1a, 0x28, 0x26,
	0x69, 0x74, 0x3a, 0x2c, 0x45, 0xfb,
};
#define CAPTURED_ADVSKEW	18	/* vhid 7's advskew byte */

static struct hafod_addr
addr(const char *s)
{
	struct hafod_addr	a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, s, &a.u.v4) == 1)
		a.af = AF_INET;
	else {
		ATF_REQUIRE(inet_pton(AF_INET6, s, &a.u.v6) == 1);
		a.af = AF_INET6;
	}
	return (a);
}

static void
key_of(const char *pass, struct bundle_key *key)
{
	bundle_key_derive((const uint8_t *)pass, strlen(pass), key);
}

/* The bundle the captured datagram holds. */
static void
captured_bundle(struct bundle *b)
{
	memset(b, 0, sizeof(*b));
	b->base = 1000;
	b->counter = 0x0000123456000007ULL;
	b->nentries = 2;
	b->entries[0].vhid = 7;
	b->entries[0].flags = BUNDLE_F_MASTER;
	b->entries[0].advskew = 100;
	b->entries[0].base = 1000;
	b->entries[1].vhid = 9;
	b->entries[1].flags = BUNDLE_F_MASTER | BUNDLE_F_DIGEST;
	b->entries[1].demote = 2;
	b->entries[1].base = 5;
	b->entries[1].digest = 0xdeadbeef;
}

/* Encode, decode, verify: everything comes back as it went. */
static size_t
round_trip(const struct bundle *b, const char *pass, const char *src,
    uint8_t *buf, size_t bufsz)
{
	struct bundle		 got;
	struct bundle_key	 key;
	struct hafod_addr	 a = addr(src);
	const struct bundle_entry *e, *g;
	ssize_t			 n;
	unsigned int		 i;

	key_of(pass, &key);
	n = bundle_encode(b, &key, &a, buf, bufsz);
	ATF_REQUIRE_MSG(n > 0, "bundle_encode refused %u entries", b->nentries);
	ATF_REQUIRE_EQ(bundle_decode(buf, n, CARP_TTL, &got), DROP_NONE);
	ATF_REQUIRE(bundle_verify(buf, n, &key, &a));
	ATF_CHECK_EQ(got.base, b->base);
	ATF_CHECK_EQ(got.counter, b->counter);
	ATF_CHECK(memcmp(got.keyid, key.id, BUNDLE_KEYID_LEN) == 0);
	ATF_REQUIRE_EQ(got.nentries, b->nentries);
	for (i = 0; i < b->nentries; i++) {
		e = &b->entries[i];
		g = &got.entries[i];
		ATF_CHECK_EQ(g->vhid, e->vhid);
		ATF_CHECK_EQ(g->flags, e->flags & ~BUNDLE_F_BASE);
		ATF_CHECK_EQ(g->advskew, e->advskew);
		ATF_CHECK_EQ(g->demote, e->demote);
		ATF_CHECK_EQ(g->base, e->base);
		if (e->flags & BUNDLE_F_DIGEST)
			ATF_CHECK_EQ(g->digest, e->digest);
	}
	return (n);
}

ATF_TC_WITHOUT_HEAD(key_known_answers);
ATF_TC_BODY(key_known_answers, tc)
{
	struct bundle_key	key;
	size_t			i;

	for (i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		key_of(kat[i].pass, &key);
		ATF_CHECK_MSG(memcmp(key.key, kat[i].key, BUNDLE_KEY_LEN) == 0,
		    "key of \"%s\"", kat[i].pass);
		ATF_CHECK_MSG(memcmp(key.id, kat[i].id, BUNDLE_KEYID_LEN) == 0,
		    "key id of \"%s\"", kat[i].pass);
	}
}

ATF_TC_WITHOUT_HEAD(key_empty_and_distinct);
ATF_TC_BODY(key_empty_and_distinct, tc)
{
	static const char	*pass[] = { "", "a", "b", "A", "hafod-test",
				    "hafod-test ", "0123456789abcdef" };
	struct bundle_key	 keys[sizeof(pass) / sizeof(pass[0])];
	struct bundle		 b;
	uint8_t			 buf[256];
	size_t			 i, j;

	/* The empty password derives and works, as CARP allows it. */
	captured_bundle(&b);
	round_trip(&b, "", SRC4, buf, sizeof(buf));
	/* An empty secret with no pointer at all, as a parser may pass. */
	bundle_key_derive(NULL, 0, &keys[0]);
	ATF_CHECK(memcmp(keys[0].key, kat[0].key, BUNDLE_KEY_LEN) == 0);

	for (i = 0; i < sizeof(pass) / sizeof(pass[0]); i++)
		key_of(pass[i], &keys[i]);
	for (i = 0; i < sizeof(pass) / sizeof(pass[0]); i++)
		for (j = i + 1; j < sizeof(pass) / sizeof(pass[0]); j++) {
			ATF_CHECK_MSG(memcmp(keys[i].id, keys[j].id,
			    BUNDLE_KEYID_LEN) != 0, "\"%s\" and \"%s\" share "
			    "a key id", pass[i], pass[j]);
			ATF_CHECK(memcmp(keys[i].key, keys[j].key,
			    BUNDLE_KEY_LEN) != 0);
		}
	/* The key id is not a piece of the key. */
	for (i = 0; i + BUNDLE_KEYID_LEN <= BUNDLE_KEY_LEN; i++)
		ATF_CHECK(memcmp(keys[4].key + i, keys[4].id,
		    BUNDLE_KEYID_LEN) != 0);
}

ATF_TC_WITHOUT_HEAD(encode_known_answer);
ATF_TC_BODY(encode_known_answer, tc)
{
	struct bundle		 b;
	struct bundle_key	 key;
	struct hafod_addr	 src = addr(SRC4);
	uint8_t			 buf[256];

	captured_bundle(&b);
	key_of("hafod-test", &key);
	ATF_REQUIRE_EQ(bundle_encode(&b, &key, &src, buf, sizeof(buf)),
	    (ssize_t)sizeof(captured));
	ATF_CHECK(memcmp(buf, captured, sizeof(captured)) == 0);
	/* The exact size fits, one byte less does not. */
	ATF_CHECK_EQ(bundle_encode(&b, &key, &src, buf, sizeof(captured)),
	    (ssize_t)sizeof(captured));
	ATF_CHECK_EQ(bundle_encode(&b, &key, &src, buf,
	    sizeof(captured) - 1), -1);
}

ATF_TC_WITHOUT_HEAD(round_trip_one);
ATF_TC_BODY(round_trip_one, tc)
{
	struct bundle	b;
	uint8_t		buf[BUNDLE_DATAGRAM_MAX];

	memset(&b, 0, sizeof(b));
	b.base = 1000;
	b.counter = 1;
	b.nentries = 1;
	b.entries[0].vhid = 255;
	b.entries[0].flags = BUNDLE_F_MASTER;
	b.entries[0].advskew = 254;
	b.entries[0].demote = 255;
	b.entries[0].base = 1000;
	ATF_CHECK_EQ(round_trip(&b, "hafod-test", SRC4, buf, sizeof(buf)),
	    BUNDLE_HDR_LEN + BUNDLE_ENTRY_LEN + BUNDLE_MAC_LEN);
	/* IPv6, the extremes of base and counter, a bow-out. */
	b.base = BUNDLE_INTERVAL_MAX;
	b.entries[0].base = BUNDLE_INTERVAL_MAX;
	b.counter = UINT64_MAX;
	b.entries[0].flags = BUNDLE_F_BOWOUT;
	b.entries[0].vhid = 1;
	round_trip(&b, "hafod-test", "fe80::1", buf, sizeof(buf));
	b.base = BUNDLE_INTERVAL_MIN;
	b.entries[0].base = BUNDLE_INTERVAL_MIN;
	b.counter = 0;
	b.entries[0].flags = 0;
	round_trip(&b, "", "2001:db8::1", buf, sizeof(buf));
}

ATF_TC_WITHOUT_HEAD(round_trip_mixed);
ATF_TC_BODY(round_trip_mixed, tc)
{
	struct bundle	b;
	uint8_t		buf[BUNDLE_DATAGRAM_MAX];

	memset(&b, 0, sizeof(b));
	b.base = 5;
	b.counter = 0x0123456789abcdefULL;
	b.nentries = 4;
	b.entries[0] = (struct bundle_entry){ .vhid = 1, .flags =
	    BUNDLE_F_MASTER, .advskew = 0, .base = 5 };
	/* F_BASE set by the caller for the header's base: not sent. */
	b.entries[1] = (struct bundle_entry){ .vhid = 2, .flags =
	    BUNDLE_F_MASTER | BUNDLE_F_BASE | BUNDLE_F_DIGEST, .advskew = 10,
	    .base = 5, .digest = 0x01020304 };
	b.entries[2] = (struct bundle_entry){ .vhid = 3, .flags =
	    BUNDLE_F_MASTER, .advskew = 20, .demote = 1, .base = 250 };
	b.entries[3] = (struct bundle_entry){ .vhid = 200, .flags =
	    BUNDLE_F_DIGEST, .advskew = 30, .base = 60000,
	    .digest = 0xffffffff };
	ATF_CHECK_EQ(round_trip(&b, "hafod-test", SRC4, buf, sizeof(buf)),
	    BUNDLE_HDR_LEN + 4 * BUNDLE_ENTRY_LEN + 4 + 2 + 2 + 4 +
	    BUNDLE_MAC_LEN);
	ATF_CHECK_EQ(bundle_entry_len(&b.entries[0], 5), BUNDLE_ENTRY_LEN);
	ATF_CHECK_EQ(bundle_entry_len(&b.entries[1], 5), BUNDLE_ENTRY_LEN + 4);
	ATF_CHECK_EQ(bundle_entry_len(&b.entries[2], 5), BUNDLE_ENTRY_LEN + 2);
	ATF_CHECK_EQ(bundle_entry_len(&b.entries[3], 5), BUNDLE_ENTRY_LEN + 6);
}

ATF_TC_WITHOUT_HEAD(round_trip_255);
ATF_TC_BODY(round_trip_255, tc)
{
	struct bundle	b;
	uint8_t		buf[4096];
	unsigned int	i;

	memset(&b, 0, sizeof(b));
	b.base = 1000;
	b.counter = 42;
	b.nentries = BUNDLE_ENTRIES_MAX;
	for (i = 0; i < b.nentries; i++) {
		b.entries[i].vhid = 255 - i;
		b.entries[i].flags = i % 3 == 0 ? BUNDLE_F_MASTER :
		    i % 3 == 1 ? BUNDLE_F_BOWOUT : 0;
		if (i % 2)
			b.entries[i].flags |= BUNDLE_F_DIGEST;
		b.entries[i].advskew = i;
		b.entries[i].demote = i * 7;
		b.entries[i].base = i % 5 == 0 ? 1 + i : 1000;
		b.entries[i].digest = i * 0x01010101U;
	}
	round_trip(&b, "hafod-test", SRC4, buf, sizeof(buf));
	/* Every entry at its largest, 2582 bytes, still comes back. */
	for (i = 0; i < b.nentries; i++) {
		b.entries[i].flags |= BUNDLE_F_DIGEST;
		b.entries[i].base = 1 + i;
	}
	ATF_CHECK_EQ(round_trip(&b, "x", "2001:db8::2", buf, sizeof(buf)),
	    BUNDLE_HDR_LEN + 255 * (BUNDLE_ENTRY_LEN + 6) + BUNDLE_MAC_LEN);
}

ATF_TC_WITHOUT_HEAD(encode_refuses);
ATF_TC_BODY(encode_refuses, tc)
{
	struct bundle		 b, good;
	struct bundle_key	 key;
	struct hafod_addr	 src = addr(SRC4);
	uint8_t			 buf[4096];

	key_of("hafod-test", &key);
	captured_bundle(&good);
	ATF_REQUIRE(bundle_encode(&good, &key, &src, buf, sizeof(buf)) > 0);

	b = good;
	b.nentries = 0;
	ATF_CHECK_EQ(bundle_encode(&b, &key, &src, buf, sizeof(buf)), -1);
	b = good;
	b.nentries = BUNDLE_ENTRIES_MAX + 1;
	ATF_CHECK_EQ(bundle_encode(&b, &key, &src, buf, sizeof(buf)), -1);
	b = good;
	b.base = 0;
	ATF_CHECK_EQ(bundle_encode(&b, &key, &src, buf, sizeof(buf)), -1);
	b.base = BUNDLE_INTERVAL_MAX + 1;
	ATF_CHECK_EQ(bundle_encode(&b, &key, &src, buf, sizeof(buf)), -1);
	b = good;
	b.entries[1].base = 0;
	ATF_CHECK_EQ(bundle_encode(&b, &key, &src, buf, sizeof(buf)), -1);
	b.entries[1].base = BUNDLE_INTERVAL_MAX + 1;
	ATF_CHECK_EQ(bundle_encode(&b, &key, &src, buf, sizeof(buf)), -1);
	b = good;
	b.entries[1].vhid = 0;
	ATF_CHECK_EQ(bundle_encode(&b, &key, &src, buf, sizeof(buf)), -1);
	/* What the receiver would drop whole is not sent. */
	b = good;
	b.entries[1].vhid = b.entries[0].vhid;
	ATF_CHECK_EQ(bundle_encode(&b, &key, &src, buf, sizeof(buf)), -1);
	b = good;
	b.entries[0].flags |= 0x10;
	ATF_CHECK_EQ(bundle_encode(&b, &key, &src, buf, sizeof(buf)), -1);
	b = good;
	b.entries[0].flags |= 0x80;
	ATF_CHECK_EQ(bundle_encode(&b, &key, &src, buf, sizeof(buf)), -1);
	b = good;
	b.entries[0].flags = BUNDLE_F_MASTER | BUNDLE_F_BOWOUT;
	ATF_CHECK_EQ(bundle_encode(&b, &key, &src, buf, sizeof(buf)), -1);
	/* Too small a buffer, down to none. */
	b = good;
	ATF_CHECK_EQ(bundle_encode(&b, &key, &src, buf, BUNDLE_HDR_LEN), -1);
	ATF_CHECK_EQ(bundle_encode(&b, &key, &src, buf, 0), -1);
}

/* Header, raw entry bytes, 16 bytes standing for a MAC. */
static size_t
craft(uint8_t *buf, uint8_t version, uint8_t count, uint16_t base,
    const uint8_t *entries, size_t elen)
{
	memset(buf, 0, BUNDLE_HDR_LEN);
	buf[0] = version;
	buf[1] = count;
	buf[2] = base >> 8;
	buf[3] = base & 0xff;
	buf[15] = 1;
	memcpy(buf + BUNDLE_HDR_LEN, entries, elen);
	memset(buf + BUNDLE_HDR_LEN + elen, 0xaa, BUNDLE_MAC_LEN);
	return (BUNDLE_HDR_LEN + elen + BUNDLE_MAC_LEN);
}

#define DECODES(want, count, base, ...) do {				\
	static const uint8_t e_[] = { __VA_ARGS__ };			\
	size_t n_ = craft(buf, BUNDLE_VERSION, count, base, e_,		\
	    sizeof(e_));						\
	ATF_CHECK_EQ_MSG(bundle_decode(buf, n_, CARP_TTL, &b), want,	\
	    "line %d", __LINE__);					\
} while (0)

ATF_TC_WITHOUT_HEAD(decode_malformed);
ATF_TC_BODY(decode_malformed, tc)
{
	struct bundle	b;
	uint8_t		buf[512];
	size_t		n;

	/* The crafting itself is sound. */
	DECODES(DROP_NONE, 1, 1000, 7, 1, 0, 0);
	DECODES(DROP_NONE, 2, 1000, 7, 1, 0, 0, 8, 0x0c, 0, 0, 0, 5,
	    1, 2, 3, 4);

	/* Short: less than a header, an entry and a MAC. */
	n = craft(buf, BUNDLE_VERSION, 1, 1000, (const uint8_t *)"\7\1\0\0",
	    4);
	for (; n-- > 0; )
		if (n < BUNDLE_HDR_LEN + BUNDLE_ENTRY_LEN + BUNDLE_MAC_LEN)
			ATF_CHECK_EQ(bundle_decode(buf, n, CARP_TTL, &b),
			    DROP_LENGTH);
	ATF_CHECK_EQ(bundle_decode(NULL, 0, CARP_TTL, &b), DROP_LENGTH);

	/* Version. */
	n = craft(buf, 2, 1, 1000, (const uint8_t *)"\7\1\0\0", 4);
	ATF_CHECK_EQ(bundle_decode(buf, n, CARP_TTL, &b), DROP_VERSION);
	buf[0] = 0;
	ATF_CHECK_EQ(bundle_decode(buf, n, CARP_TTL, &b), DROP_VERSION);
	/* TTL: 255 only, -1 is none received. */
	buf[0] = BUNDLE_VERSION;
	ATF_CHECK_EQ(bundle_decode(buf, n, 254, &b), DROP_TTL);
	ATF_CHECK_EQ(bundle_decode(buf, n, 64, &b), DROP_TTL);
	ATF_CHECK_EQ(bundle_decode(buf, n, 1, &b), DROP_TTL);
	ATF_CHECK_EQ(bundle_decode(buf, n, -1, &b), DROP_TTL);
	ATF_CHECK_EQ(bundle_decode(buf, n, 256, &b), DROP_TTL);

	/* Count 0, a count that lies upwards or downwards. */
	DECODES(DROP_MALFORMED, 0, 1000, 7, 1, 0, 0);
	DECODES(DROP_MALFORMED, 2, 1000, 7, 1, 0, 0);
	DECODES(DROP_MALFORMED, 255, 1000, 7, 1, 0, 0);
	DECODES(DROP_MALFORMED, 1, 1000, 7, 1, 0, 0, 8, 1, 0, 0);
	DECODES(DROP_MALFORMED, 2, 1000, 7, 1, 0, 0, 8, 1, 0, 0, 9, 1, 0, 0);

	/* Option bytes cut short: base, digest, either in part. */
	DECODES(DROP_MALFORMED, 1, 1000, 7, BUNDLE_F_BASE, 0, 0);
	DECODES(DROP_MALFORMED, 1, 1000, 7, BUNDLE_F_BASE, 0, 0, 0);
	DECODES(DROP_MALFORMED, 1, 1000, 7, BUNDLE_F_DIGEST, 0, 0);
	DECODES(DROP_MALFORMED, 1, 1000, 7, BUNDLE_F_DIGEST, 0, 0, 1, 2, 3);
	DECODES(DROP_MALFORMED, 1, 1000, 7, BUNDLE_F_BASE | BUNDLE_F_DIGEST,
	    0, 0, 0, 5, 1, 2, 3);
	DECODES(DROP_MALFORMED, 2, 1000, 7, 1, 0, 0, 8, BUNDLE_F_BASE, 0, 0);

	/* Flags this version does not know, each bit. */
	DECODES(DROP_MALFORMED, 1, 1000, 7, 0x10, 0, 0);
	DECODES(DROP_MALFORMED, 1, 1000, 7, 0x21, 0, 0);
	DECODES(DROP_MALFORMED, 1, 1000, 7, 0x40, 0, 0);
	DECODES(DROP_MALFORMED, 1, 1000, 7, 0x80, 0, 0);
	DECODES(DROP_MALFORMED, 2, 1000, 7, 1, 0, 0, 8, 0xff, 0, 0);
	/* An advertisement and a bow-out at once. */
	DECODES(DROP_MALFORMED, 1, 1000, 7, 0x03, 0, 0);
	DECODES(DROP_MALFORMED, 1, 1000, 7, 0x0b, 0, 0, 1, 2, 3, 4);
	DECODES(DROP_NONE, 1, 1000, 7, 0x02, 0xff, 0);
	DECODES(DROP_NONE, 1, 1000, 7, 0x08, 0, 0, 1, 2, 3, 4);

	/* A vhid twice, next to each other or apart; vhid 0. */
	DECODES(DROP_MALFORMED, 2, 1000, 7, 1, 0, 0, 7, 1, 0, 0);
	DECODES(DROP_MALFORMED, 3, 1000, 255, 1, 0, 0, 1, 1, 0, 0,
	    255, 0, 0, 0);
	DECODES(DROP_MALFORMED, 1, 1000, 0, 1, 0, 0);
	DECODES(DROP_MALFORMED, 2, 1000, 7, 1, 0, 0, 0, 1, 0, 0);

	/* Header base out of range. */
	DECODES(DROP_MALFORMED, 1, 0, 7, 1, 0, 0);
	DECODES(DROP_MALFORMED, 1, BUNDLE_INTERVAL_MAX + 1, 7, 1, 0, 0);
	DECODES(DROP_MALFORMED, 1, 0xffff, 7, 1, 0, 0);
	DECODES(DROP_NONE, 1, BUNDLE_INTERVAL_MAX, 7, 1, 0, 0);
	DECODES(DROP_NONE, 1, BUNDLE_INTERVAL_MIN, 7, 1, 0, 0);
	/* An entry's base out of range, or F_BASE saying the header's. */
	DECODES(DROP_MALFORMED, 1, 1000, 7, BUNDLE_F_BASE, 0, 0, 0, 0);
	DECODES(DROP_MALFORMED, 1, 1000, 7, BUNDLE_F_BASE, 0, 0, 0xea, 0x61);
	DECODES(DROP_MALFORMED, 1, 1000, 7, BUNDLE_F_BASE, 0, 0, 0xff, 0xff);
	DECODES(DROP_MALFORMED, 1, 1000, 7, BUNDLE_F_BASE, 0, 0, 0x03, 0xe8);
	DECODES(DROP_NONE, 1, 1000, 7, BUNDLE_F_BASE, 0, 0, 0xea, 0x60);
	DECODES(DROP_NONE, 1, 1000, 7, BUNDLE_F_BASE, 0, 0, 0x00, 0x01);

	/* Trailing bytes between the last entry and the MAC. */
	DECODES(DROP_MALFORMED, 1, 1000, 7, 1, 0, 0, 0);
	DECODES(DROP_MALFORMED, 1, 1000, 7, 1, 0, 0, 0, 0, 0);
	DECODES(DROP_MALFORMED, 1, 1000, 7, BUNDLE_F_DIGEST, 0, 0,
	    1, 2, 3, 4, 5);
	/* And the captured datagram with one byte more or less. */
	memcpy(buf, captured, sizeof(captured));
	buf[sizeof(captured)] = 0;
	ATF_CHECK_EQ(bundle_decode(buf, sizeof(captured), CARP_TTL, &b),
	    DROP_NONE);
	ATF_CHECK_EQ(bundle_decode(buf, sizeof(captured) + 1, CARP_TTL, &b),
	    DROP_MALFORMED);
	ATF_CHECK_EQ(bundle_decode(buf, sizeof(captured) - 1, CARP_TTL, &b),
	    DROP_MALFORMED);
}

/* What the captured datagram decodes to, field by field. */
ATF_TC_WITHOUT_HEAD(decode_captured);
ATF_TC_BODY(decode_captured, tc)
{
	struct bundle		b, want;
	struct bundle_key	key;
	struct hafod_addr	src = addr(SRC4);
	unsigned int		i;

	key_of("hafod-test", &key);
	captured_bundle(&want);
	ATF_REQUIRE_EQ(bundle_decode(captured, sizeof(captured), CARP_TTL,
	    &b), DROP_NONE);
	ATF_CHECK(memcmp(b.keyid, key.id, BUNDLE_KEYID_LEN) == 0);
	ATF_CHECK_EQ(b.counter, want.counter);
	ATF_CHECK_EQ(b.base, want.base);
	ATF_REQUIRE_EQ(b.nentries, want.nentries);
	for (i = 0; i < b.nentries; i++) {
		ATF_CHECK_EQ(b.entries[i].vhid, want.entries[i].vhid);
		ATF_CHECK_EQ(b.entries[i].flags, want.entries[i].flags);
		ATF_CHECK_EQ(b.entries[i].advskew, want.entries[i].advskew);
		ATF_CHECK_EQ(b.entries[i].demote, want.entries[i].demote);
		ATF_CHECK_EQ(b.entries[i].base, want.entries[i].base);
	}
	ATF_CHECK_EQ(b.entries[1].digest, 0xdeadbeef);
	ATF_CHECK(bundle_verify(captured, sizeof(captured), &key, &src));
}

/*
 * Flip every bit of a valid datagram in turn: either it no longer
 * decodes or its MAC no longer verifies.  Nothing is left out of the MAC.
 * Done on the captured datagram and on one of bundle_encode()'s, so that
 * a MAC that skips a byte the same way in both directions is caught too.
 */
static void
flip_each(const uint8_t *pkt, size_t len, const struct bundle_key *key,
    const struct hafod_addr *src)
{
	struct bundle	b;
	uint8_t		buf[512];
	size_t		i;
	int		bit;

	ATF_REQUIRE(len <= sizeof(buf));
	ATF_REQUIRE_EQ(bundle_decode(pkt, len, CARP_TTL, &b), DROP_NONE);
	ATF_REQUIRE(bundle_verify(pkt, len, key, src));
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(buf, pkt, len);
			buf[i] ^= 1 << bit;
			ATF_CHECK_MSG(bundle_decode(buf, len, CARP_TTL, &b) !=
			    DROP_NONE || !bundle_verify(buf, len, key, src),
			    "byte %zu bit %d flipped and still accepted",
			    i, bit);
		}
		memcpy(buf, pkt, len);
		buf[i] = ~pkt[i];
		ATF_CHECK_MSG(bundle_decode(buf, len, CARP_TTL, &b) !=
		    DROP_NONE || !bundle_verify(buf, len, key, src),
		    "byte %zu inverted and still accepted", i);
	}
	/* Cut at any length: never verifies. */
	for (i = 0; i < len; i++)
		ATF_CHECK(!bundle_verify(pkt, i, key, src));
}

ATF_TC_WITHOUT_HEAD(mac_covers_every_byte);
ATF_TC_BODY(mac_covers_every_byte, tc)
{
	struct bundle		b;
	struct bundle_key	key;
	struct hafod_addr	src = addr(SRC4), src6 = addr("fe80::1");
	uint8_t			buf[512];
	ssize_t			n;
	unsigned int		i;

	key_of("hafod-test", &key);
	flip_each(captured, sizeof(captured), &key, &src);

	captured_bundle(&b);
	b.nentries = 6;
	for (i = 2; i < b.nentries; i++) {
		b.entries[i].vhid = 100 + i;
		b.entries[i].flags = i % 2 ? BUNDLE_F_BOWOUT : BUNDLE_F_DIGEST;
		b.entries[i].advskew = i;
		b.entries[i].demote = i;
		b.entries[i].base = i == 3 ? 1000 : 20 * i;
		b.entries[i].digest = 0x10203040 * i;
	}
	n = bundle_encode(&b, &key, &src6, buf, sizeof(buf));
	ATF_REQUIRE(n > 0);
	flip_each(buf, n, &key, &src6);
}

/*
 * CARP's HMAC (carp_sign) covers the version, type, vhid, counter and
 * addresses but not advskew or advbase: anyone who captures a master's
 * advert can lower its advskew and replay it to win elections without
 * the password (hafod.8, SECURITY, says so).  The bundle has no such
 * gap: editing the advskew byte of an entry of a captured datagram
 * breaks the MAC.  So does its demote, flags and base.
 */
ATF_TC_WITHOUT_HEAD(no_carp_advskew_weakness);
ATF_TC_BODY(no_carp_advskew_weakness, tc)
{
	struct bundle		b;
	struct bundle_key	key;
	struct hafod_addr	src = addr(SRC4);
	uint8_t			buf[sizeof(captured)];
	int			v;

	key_of("hafod-test", &key);
	ATF_REQUIRE(bundle_verify(captured, sizeof(captured), &key, &src));
	for (v = 0; v < 256; v++) {
		if (v == captured[CAPTURED_ADVSKEW])
			continue;
		memcpy(buf, captured, sizeof(buf));
		buf[CAPTURED_ADVSKEW] = v;
		/* Still well formed: only the MAC can catch it. */
		ATF_REQUIRE_EQ(bundle_decode(buf, sizeof(buf), CARP_TTL, &b),
		    DROP_NONE);
		ATF_REQUIRE_EQ(b.entries[0].advskew, v);
		ATF_CHECK_MSG(!bundle_verify(buf, sizeof(buf), &key, &src),
		    "advskew %d accepted", v);
	}
}

ATF_TC_WITHOUT_HEAD(mac_source_and_key);
ATF_TC_BODY(mac_source_and_key, tc)
{
	static const char	*others[] = { "192.0.2.2", "192.0.2.0",
				    "0.0.0.0", "2001:db8::1", "::ffff:192.0.2.1",
				    "c000:201::" };
	struct bundle		 b;
	struct bundle_key	 key, other;
	struct hafod_addr	 src = addr(SRC4), a;
	uint8_t			 buf[256];
	ssize_t			 n;
	size_t			 i;

	key_of("hafod-test", &key);
	/* The same bytes from another address are somebody else's words. */
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		a = addr(others[i]);
		ATF_CHECK_MSG(!bundle_verify(captured, sizeof(captured), &key,
		    &a), "verified from %s", others[i]);
	}
	/* Another key. */
	key_of("hafod-test2", &other);
	ATF_CHECK(!bundle_verify(captured, sizeof(captured), &other, &src));
	key_of("", &other);
	ATF_CHECK(!bundle_verify(captured, sizeof(captured), &other, &src));

	/* IPv6 both ways round. */
	captured_bundle(&b);
	a = addr("fe80::1");
	n = bundle_encode(&b, &key, &a, buf, sizeof(buf));
	ATF_REQUIRE(n > 0);
	ATF_CHECK(bundle_verify(buf, n, &key, &a));
	a = addr("fe80::2");
	ATF_CHECK(!bundle_verify(buf, n, &key, &a));
	ATF_CHECK(!bundle_verify(buf, n, &key, &src));
	key_of("hafod-test2", &other);
	a = addr("fe80::1");
	ATF_CHECK(!bundle_verify(buf, n, &other, &a));
}

static void
conf_init(struct service_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->vhid = 7;
	c->nvips = 3;
	c->vips[0] = addr("192.0.2.10");
	c->vips[0].prefixlen = 24;
	c->vips[1] = addr("2001:db8::10");
	c->vips[1].prefixlen = 64;
	c->vips[2] = addr("192.0.2.11");
	c->vips[2].prefixlen = 32;
}

ATF_TC_WITHOUT_HEAD(digest);
ATF_TC_BODY(digest, tc)
{
	struct service_conf	c, d;
	struct hafod_addr	t;
	uint32_t		base;

	conf_init(&c);
	base = bundle_digest(&c);
	/* Any order of the same addresses. */
	d = c;
	t = d.vips[0];
	d.vips[0] = d.vips[2];
	d.vips[2] = t;
	ATF_CHECK_EQ(bundle_digest(&d), base);
	d = c;
	t = d.vips[0];
	d.vips[0] = d.vips[1];
	d.vips[1] = d.vips[2];
	d.vips[2] = t;
	ATF_CHECK_EQ(bundle_digest(&d), base);
	/* What does not belong to a VIP does not count. */
	d = c;
	strlcpy(d.name, "other", sizeof(d.name));
	d.advskew = 100;
	d.vips[3] = addr("192.0.2.99");
	ATF_CHECK_EQ(bundle_digest(&d), base);

	/* Any address, prefix, vhid, vmac, or one more or less. */
	d = c;
	d.vips[0].u.v4.s_addr ^= htonl(1);
	ATF_CHECK(bundle_digest(&d) != base);
	d = c;
	d.vips[1].u.v6.s6_addr[15] ^= 0x80;
	ATF_CHECK(bundle_digest(&d) != base);
	d = c;
	d.vips[1].u.v6.s6_addr[0] ^= 1;
	ATF_CHECK(bundle_digest(&d) != base);
	d = c;
	d.vips[0].prefixlen = 25;
	ATF_CHECK(bundle_digest(&d) != base);
	d = c;
	d.vips[1].prefixlen = 128;
	ATF_CHECK(bundle_digest(&d) != base);
	d = c;
	d.vhid = 8;
	ATF_CHECK(bundle_digest(&d) != base);
	d = c;
	d.vmac = 1;
	ATF_CHECK(bundle_digest(&d) != base);
	d = c;
	d.nvips = 2;
	ATF_CHECK(bundle_digest(&d) != base);
	d = c;
	d.vips[3] = addr("192.0.2.12");
	d.vips[3].prefixlen = 32;
	d.nvips = 4;
	ATF_CHECK(bundle_digest(&d) != base);
	/* The same four bytes as IPv4 and as the start of an IPv6 one. */
	d = c;
	d.vips[0] = addr("c000:20a::");
	d.vips[0].prefixlen = 24;
	ATF_CHECK(bundle_digest(&d) != base);
	/* None at all is a digest too, and depends on the vhid. */
	d = c;
	d.nvips = 0;
	base = bundle_digest(&d);
	d.vhid = 9;
	ATF_CHECK(bundle_digest(&d) != base);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, key_known_answers);
	ATF_TP_ADD_TC(tp, key_empty_and_distinct);
	ATF_TP_ADD_TC(tp, encode_known_answer);
	ATF_TP_ADD_TC(tp, round_trip_one);
	ATF_TP_ADD_TC(tp, round_trip_mixed);
	ATF_TP_ADD_TC(tp, round_trip_255);
	ATF_TP_ADD_TC(tp, encode_refuses);
	ATF_TP_ADD_TC(tp, decode_malformed);
	ATF_TP_ADD_TC(tp, decode_captured);
	ATF_TP_ADD_TC(tp, mac_covers_every_byte);
	ATF_TP_ADD_TC(tp, no_carp_advskew_weakness);
	ATF_TP_ADD_TC(tp, mac_source_and_key);
	ATF_TP_ADD_TC(tp, digest);
	return (atf_no_error());
}
