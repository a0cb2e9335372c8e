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

#include <arpa/inet.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atf-c.h>
#include <stdio.h>
#include <string.h>

#include "hafod.h"

/*
 * Advertisements sent by a real ucarp 1.5.2 (Debian 12 package), captured
 * in two network namespaces joined by a veth pair, 10.99.0.1/24 in
 * carptask-a and 10.99.0.2/24 in carptask-b:
 *
 *   ip netns exec carptask-b tcpdump -i carptask-vb -w c.pcap -c 4 \
 *       'ip proto 112'
 *   ip netns exec carptask-a ucarp -i carptask-va -s 10.99.0.1 \
 *       -u /bin/true -d /bin/true -n -f none <options below>
 *
 * with, for the three pairs in order:
 *
 *   -v 42 -p s3cret -a 10.99.0.100 -b 1 -k 10
 *   -v 7 -p Nineteen-chars-pw19 -a 10.99.0.200 -b 2 -k 100
 *   -v 255 -p x -a 10.99.0.3 -b 3 -k 0
 *
 * Each array is the 36 bytes after the 20-byte IP header (TOS 0x10, TTL
 * 255, to 224.0.0.18) of one MASTER advertisement.  Having heard no peer,
 * ucarp puts a fresh random counter in every one.  The HMACs were checked
 * with Python's hmac module before they went in here.
 */
struct ucarp_vector {
	const char	*pass;
	const char	*vip;
	uint8_t		 vhid;
	uint8_t		 advskew;
	uint8_t		 advbase;
	uint64_t	 counter;
	uint8_t		 pkt[CARP_ADVERT_LEN];
};

static const struct ucarp_vector ucarp_vectors[] = {
	{ "s3cret", "10.99.0.100", 42, 10, 1, 0x778cdade1475e904ULL,
	  {
		0x21, 0x2a, 0x0a, 0x07, 0x00, 0x01, 0xc3, 0xfb,
		0x77, 0x8c, 0xda, 0xde, 0x14, 0x75, 0xe9, 0x04,
		0x01, 0x77, 0xf1, 0x9e, 0x5e, 0x79, 0xe0, 0xf4,
		0x7c, 0x01, 0x0b, 0xb4, 0x46, 0xc7, 0x6a, 0xff,
		0x53, 0x04, 0x01, 0xe8,
	  } },
	{ "s3cret", "10.99.0.100", 42, 10, 1, 0x8da67148606ec50cULL,
	  {
		0x21, 0x2a, 0x0a, 0x07, 0x00, 0x01, 0x6a, 0x5a,
		0x8d, 0xa6, 0x71, 0x48, 0x60, 0x6e, 0xc5, 0x0c,
		0xb2, 0xbb, 0xe1, 0x3d, 0x45, 0x34, 0x90, 0x1c,
		0x12, 0xf6, 0xee, 0x6c, 0x56, 0x96, 0x67, 0x26,
		0x47, 0xf4, 0xd5, 0xaa,
	  } },
	{ "Nineteen-chars-pw19", "10.99.0.200", 7, 100, 2,
	  0x3f104aeda63c35e4ULL,
	  {
		0x21, 0x07, 0x64, 0x07, 0x00, 0x02, 0xc5, 0x9a,
		0x3f, 0x10, 0x4a, 0xed, 0xa6, 0x3c, 0x35, 0xe4,
		0x56, 0x59, 0x7e, 0x90, 0xdb, 0x57, 0x31, 0x44,
		0xd7, 0x82, 0xc5, 0x83, 0xc7, 0x49, 0xe3, 0x8a,
		0x26, 0x0c, 0xff, 0xc8,
	  } },
	{ "Nineteen-chars-pw19", "10.99.0.200", 7, 100, 2,
	  0x717da6325a77e4a0ULL,
	  {
		0x21, 0x07, 0x64, 0x07, 0x00, 0x02, 0xca, 0x55,
		0x71, 0x7d, 0xa6, 0x32, 0x5a, 0x77, 0xe4, 0xa0,
		0xc4, 0xdf, 0x84, 0x50, 0x72, 0x80, 0xe1, 0x51,
		0xa7, 0xd7, 0x4c, 0x3d, 0xd5, 0xc1, 0x34, 0x06,
		0x83, 0x14, 0x3b, 0xdd,
	  } },
	{ "x", "10.99.0.3", 255, 0, 3, 0xe0d7884208db17d2ULL,
	  {
		0x21, 0xff, 0x00, 0x07, 0x00, 0x03, 0x3b, 0x3f,
		0xe0, 0xd7, 0x88, 0x42, 0x08, 0xdb, 0x17, 0xd2,
		0xb7, 0x89, 0x68, 0x34, 0xda, 0xc7, 0x61, 0x34,
		0xd1, 0xfe, 0x8d, 0xeb, 0x23, 0x56, 0x75, 0xbd,
		0x83, 0xe5, 0x40, 0x52,
	  } },
	{ "x", "10.99.0.3", 255, 0, 3, 0x9dc81b76d91b113dULL,
	  {
		0x21, 0xff, 0x00, 0x07, 0x00, 0x03, 0xa6, 0xf1,
		0x9d, 0xc8, 0x1b, 0x76, 0xd9, 0x1b, 0x11, 0x3d,
		0xa0, 0x60, 0xb2, 0xbf, 0x93, 0x0f, 0xd9, 0xdd,
		0x8e, 0xae, 0x84, 0x77, 0x10, 0x9d, 0xd8, 0x82,
		0x2f, 0x37, 0xa7, 0xe2,
	  } },
};

#define NVECTORS	(sizeof(ucarp_vectors) / sizeof(ucarp_vectors[0]))

static void
conf_init(struct service_conf *conf, uint8_t vhid, const char *pass)
{
	size_t	len = strlen(pass);

	ATF_REQUIRE(len <= CARP_PASS_MAX);
	memset(conf, 0, sizeof(*conf));
	strlcpy(conf->name, "test", sizeof(conf->name));
	conf->vhid = vhid;
	memcpy(conf->pass, pass, len);
	conf->passlen = len;
}

static void
conf_add_vip(struct service_conf *conf, const char *str)
{
	struct hafod_addr	*a;

	ATF_REQUIRE(conf->nvips < SERVICE_VIPS_MAX);
	a = &conf->vips[conf->nvips];
	memset(a, 0, sizeof(*a));
	if (strchr(str, ':') != NULL) {
		a->af = AF_INET6;
		a->prefixlen = 64;
	} else {
		a->af = AF_INET;
		a->prefixlen = 24;
	}
	ATF_REQUIRE_EQ_MSG(inet_pton(a->af, str, &a->u), 1, "%s", str);
	conf->nvips++;
}

static void
key_for(struct carp_key *key, uint8_t vhid, const char *pass,
    const char *vip)
{
	struct service_conf	conf;

	conf_init(&conf, vhid, pass);
	conf_add_vip(&conf, vip);
	carp_key_init(key, &conf);
}

/* HMAC-SHA1 computed here, from a message the test builds by hand. */
static void
ref_hmac(const void *pass, size_t passlen, const uint8_t *msg, size_t len,
    uint8_t *out)
{
	unsigned int	outlen = 0;

	ATF_REQUIRE(HMAC(EVP_sha1(), pass, passlen, msg, len, out,
	    &outlen) != NULL);
	ATF_REQUIRE_EQ(outlen, CARP_HMAC_LEN);
}

static size_t
put_counter(uint8_t *p, uint64_t counter)
{
	int	i;

	for (i = 0; i < 8; i++)
		p[i] = counter >> (56 - 8 * i);
	return (8);
}

/*
 * The checksum computed differently from carp.c: the bytes in even and
 * odd positions summed apart, weighted, folded, complemented.
 */
static uint16_t
ref_cksum(const uint8_t *pkt)
{
	uint8_t		buf[CARP_ADVERT_LEN];
	uint64_t	hi = 0, lo = 0, sum;
	size_t		i;

	memcpy(buf, pkt, sizeof(buf));
	buf[6] = buf[7] = 0;
	for (i = 0; i < sizeof(buf); i++) {
		if (i % 2 == 0)
			hi += buf[i];
		else
			lo += buf[i];
	}
	sum = hi * 256 + lo;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (~sum & 0xffff);
}

static void
fix_cksum(uint8_t *pkt)
{
	uint16_t	sum = ref_cksum(pkt);

	pkt[6] = sum >> 8;
	pkt[7] = sum & 0xff;
}

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (*s);
}

static void
decode_ok(const uint8_t *pkt, struct carp_advert *adv)
{
	enum carp_drop	r;

	r = carp_decode(pkt, CARP_ADVERT_LEN, CARP_TTL, adv);
	ATF_REQUIRE_EQ_MSG(r, DROP_NONE, "%s", carp_drop_name(r));
}

ATF_TC_WITHOUT_HEAD(ucarp_decode);
ATF_TC_BODY(ucarp_decode, tc)
{
	struct carp_advert	adv;
	size_t			i;

	for (i = 0; i < NVECTORS; i++) {
		const struct ucarp_vector *v = &ucarp_vectors[i];

		memset(&adv, 0xa5, sizeof(adv));
		decode_ok(v->pkt, &adv);
		ATF_CHECK_EQ(adv.version, 2);
		ATF_CHECK_EQ(adv.type, 1);
		ATF_CHECK_EQ(adv.vhid, v->vhid);
		ATF_CHECK_EQ(adv.advskew, v->advskew);
		ATF_CHECK_EQ(adv.authlen, 7);
		ATF_CHECK_EQ(adv.demote, 0);
		ATF_CHECK_EQ(adv.advbase, v->advbase);
		ATF_CHECK_EQ_MSG(adv.counter, v->counter, "vector %zu", i);
		ATF_CHECK(memcmp(adv.hmac, v->pkt + 16, CARP_HMAC_LEN) == 0);
	}
}

ATF_TC_WITHOUT_HEAD(ucarp_verify);
ATF_TC_BODY(ucarp_verify, tc)
{
	struct carp_advert	adv, mine;
	struct carp_key		key;
	uint8_t			buf[CARP_ADVERT_LEN];
	size_t			i;

	for (i = 0; i < NVECTORS; i++) {
		const struct ucarp_vector *v = &ucarp_vectors[i];

		key_for(&key, v->vhid, v->pass, v->vip);
		decode_ok(v->pkt, &adv);
		ATF_CHECK_MSG(carp_verify(&key, &adv), "vector %zu", i);

		/* What we would send with ucarp's counter is what it sent. */
		mine = adv;
		memset(mine.hmac, 0, sizeof(mine.hmac));
		carp_sign(&key, &mine);
		ATF_CHECK(memcmp(mine.hmac, v->pkt + 16, CARP_HMAC_LEN) == 0);
		carp_encode(&mine, buf);
		ATF_CHECK_MSG(memcmp(buf, v->pkt, sizeof(buf)) == 0,
		    "vector %zu re-encodes differently", i);
	}
}

ATF_TC_WITHOUT_HEAD(ucarp_wrong_pass);
ATF_TC_BODY(ucarp_wrong_pass, tc)
{
	static const char	*wrong[] = {
		"s3cre", "s3cret!", "S3cret", "", "Nineteen-chars-pw1",
		"Nineteen-chars-pw18", "y", "x\x01",
	};
	struct carp_advert	 adv;
	struct carp_key		 key;
	size_t			 i, j;

	for (i = 0; i < NVECTORS; i++) {
		const struct ucarp_vector *v = &ucarp_vectors[i];

		decode_ok(v->pkt, &adv);
		for (j = 0; j < sizeof(wrong) / sizeof(wrong[0]); j++) {
			key_for(&key, v->vhid, wrong[j], v->vip);
			ATF_CHECK_MSG(!carp_verify(&key, &adv),
			    "vector %zu verifies with \"%s\"", i, wrong[j]);
		}
	}
}

ATF_TC_WITHOUT_HEAD(ucarp_wrong_vip);
ATF_TC_BODY(ucarp_wrong_vip, tc)
{
	struct service_conf	 conf;
	struct carp_advert	 adv;
	struct carp_key		 key;
	size_t			 i;

	for (i = 0; i < NVECTORS; i++) {
		const struct ucarp_vector *v = &ucarp_vectors[i];

		decode_ok(v->pkt, &adv);

		key_for(&key, v->vhid, v->pass, "10.99.0.101");
		ATF_CHECK(!carp_verify(&key, &adv));
		key_for(&key, v->vhid, v->pass, "100.0.99.10");
		ATF_CHECK(!carp_verify(&key, &adv));

		/* No VIP at all. */
		conf_init(&conf, v->vhid, v->pass);
		carp_key_init(&key, &conf);
		ATF_CHECK(!carp_verify(&key, &adv));

		/* A second IPv4 VIP, before or after ucarp's one. */
		conf_init(&conf, v->vhid, v->pass);
		conf_add_vip(&conf, v->vip);
		conf_add_vip(&conf, "10.99.0.250");
		carp_key_init(&key, &conf);
		ATF_CHECK(!carp_verify(&key, &adv));
		conf_init(&conf, v->vhid, v->pass);
		conf_add_vip(&conf, v->vip);
		conf_add_vip(&conf, "10.0.0.1");
		carp_key_init(&key, &conf);
		ATF_CHECK(!carp_verify(&key, &adv));

		/* A global IPv6 VIP is hashed, so ucarp no longer agrees. */
		conf_init(&conf, v->vhid, v->pass);
		conf_add_vip(&conf, v->vip);
		conf_add_vip(&conf, "2001:db8::100");
		carp_key_init(&key, &conf);
		ATF_CHECK(!carp_verify(&key, &adv));

		/* A link-local one is not: the ucarp packet still verifies. */
		conf_init(&conf, v->vhid, v->pass);
		conf_add_vip(&conf, "fe80::100");
		conf_add_vip(&conf, v->vip);
		carp_key_init(&key, &conf);
		ATF_CHECK(carp_verify(&key, &adv));
	}
}

ATF_TC_WITHOUT_HEAD(ucarp_wrong_vhid);
ATF_TC_BODY(ucarp_wrong_vhid, tc)
{
	struct carp_advert	 adv;
	struct carp_key		 key;
	size_t			 i;

	for (i = 0; i < NVECTORS; i++) {
		const struct ucarp_vector *v = &ucarp_vectors[i];

		decode_ok(v->pkt, &adv);
		key_for(&key, v->vhid ^ 1, v->pass, v->vip);
		ATF_CHECK(!carp_verify(&key, &adv));
		key_for(&key, v->vhid ^ 0x80, v->pass, v->vip);
		ATF_CHECK(!carp_verify(&key, &adv));
	}
}

ATF_TC_WITHOUT_HEAD(ucarp_tampered);
ATF_TC_BODY(ucarp_tampered, tc)
{
	struct carp_advert	 adv, bad;
	struct carp_key		 key;
	size_t			 i;
	int			 bit;

	for (i = 0; i < NVECTORS; i++) {
		const struct ucarp_vector *v = &ucarp_vectors[i];

		key_for(&key, v->vhid, v->pass, v->vip);
		decode_ok(v->pkt, &adv);
		ATF_REQUIRE(carp_verify(&key, &adv));
		for (bit = 0; bit < 64; bit++) {
			bad = adv;
			bad.counter ^= 1ULL << bit;
			ATF_CHECK_MSG(!carp_verify(&key, &bad),
			    "vector %zu: counter bit %d", i, bit);
		}
		for (bit = 0; bit < 8 * CARP_HMAC_LEN; bit++) {
			bad = adv;
			bad.hmac[bit / 8] ^= 1 << (bit % 8);
			ATF_CHECK_MSG(!carp_verify(&key, &bad),
			    "vector %zu: hmac bit %d", i, bit);
		}

		/* Unauthenticated fields: a replay may change them. */
		bad = adv;
		bad.advbase = CARP_BOWOUT;
		bad.advskew = CARP_BOWOUT;
		bad.demote = 9;
		ATF_CHECK(carp_verify(&key, &bad));
	}
}

ATF_TC_WITHOUT_HEAD(roundtrip);
ATF_TC_BODY(roundtrip, tc)
{
	struct carp_advert	 in, out;
	uint8_t			 buf[CARP_ADVERT_LEN];
	uint64_t		 seed = 0x9e3779b97f4a7c15ULL;
	int			 n;
	size_t			 i;

	for (n = 0; n < 2000; n++) {
		memset(&in, 0, sizeof(in));
		in.version = CARP_VERSION;
		in.type = CARP_TYPE_ADVERT;
		in.authlen = CARP_AUTHLEN;
		in.vhid = xorshift(&seed);
		in.advskew = xorshift(&seed);
		in.demote = xorshift(&seed);
		in.advbase = xorshift(&seed);
		switch (n) {
		case 0:
			in.counter = 0;
			memset(in.hmac, 0, sizeof(in.hmac));
			break;
		case 1:
			in.counter = UINT64_MAX;
			memset(in.hmac, 0xff, sizeof(in.hmac));
			in.vhid = in.advskew = in.demote = in.advbase = 0xff;
			break;
		default:
			in.counter = xorshift(&seed);
			for (i = 0; i < sizeof(in.hmac); i++)
				in.hmac[i] = xorshift(&seed);
			break;
		}

		carp_encode(&in, buf);
		ATF_REQUIRE_EQ(buf[0], 0x21);
		ATF_REQUIRE_EQ(buf[1], in.vhid);
		ATF_REQUIRE_EQ(buf[2], in.advskew);
		ATF_REQUIRE_EQ(buf[3], 7);
		ATF_REQUIRE_EQ(buf[4], in.demote);
		ATF_REQUIRE_EQ(buf[5], in.advbase);
		/* Counter: high word first, each word big-endian. */
		ATF_REQUIRE_EQ(buf[8], (uint8_t)(in.counter >> 56));
		ATF_REQUIRE_EQ(buf[11], (uint8_t)(in.counter >> 32));
		ATF_REQUIRE_EQ(buf[12], (uint8_t)(in.counter >> 24));
		ATF_REQUIRE_EQ(buf[15], (uint8_t)in.counter);
		ATF_REQUIRE(memcmp(buf + 16, in.hmac, CARP_HMAC_LEN) == 0);

		memset(&out, 0x5a, sizeof(out));
		decode_ok(buf, &out);
		ATF_REQUIRE_EQ(out.version, in.version);
		ATF_REQUIRE_EQ(out.type, in.type);
		ATF_REQUIRE_EQ(out.vhid, in.vhid);
		ATF_REQUIRE_EQ(out.advskew, in.advskew);
		ATF_REQUIRE_EQ(out.authlen, in.authlen);
		ATF_REQUIRE_EQ(out.demote, in.demote);
		ATF_REQUIRE_EQ(out.advbase, in.advbase);
		ATF_REQUIRE_EQ(out.counter, in.counter);
		ATF_REQUIRE(memcmp(out.hmac, in.hmac, CARP_HMAC_LEN) == 0);
	}
}

ATF_TC_WITHOUT_HEAD(checksum);
ATF_TC_BODY(checksum, tc)
{
	struct carp_advert	 adv;
	uint8_t			 buf[CARP_ADVERT_LEN];
	uint64_t		 seed = 12345;
	uint16_t		 got;
	size_t			 i;
	int			 n;

	/* ucarp's checksums are an outside computation: check ours too. */
	for (i = 0; i < NVECTORS; i++) {
		const uint8_t *pkt = ucarp_vectors[i].pkt;

		ATF_CHECK_EQ(ref_cksum(pkt), pkt[6] << 8 | pkt[7]);
	}

	for (n = 0; n < 2000; n++) {
		memset(&adv, 0, sizeof(adv));
		adv.version = CARP_VERSION;
		adv.type = CARP_TYPE_ADVERT;
		adv.authlen = CARP_AUTHLEN;
		adv.vhid = xorshift(&seed);
		adv.advskew = xorshift(&seed);
		adv.demote = xorshift(&seed);
		adv.advbase = xorshift(&seed);
		adv.counter = n == 0 ? UINT64_MAX : xorshift(&seed);
		for (i = 0; i < sizeof(adv.hmac); i++)
			adv.hmac[i] = n == 0 ? 0xff : xorshift(&seed);

		carp_encode(&adv, buf);
		got = buf[6] << 8 | buf[7];
		ATF_REQUIRE_EQ_MSG(got, ref_cksum(buf), "packet %d", n);
	}
}

ATF_TC_WITHOUT_HEAD(drop_length);
ATF_TC_BODY(drop_length, tc)
{
	static const size_t	 lens[] = { 0, 1, 8, 20, 35, 37, 40, 56, 64 };
	struct carp_advert	 adv;
	uint8_t			 buf[64];
	size_t			 i;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, ucarp_vectors[0].pkt, CARP_ADVERT_LEN);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		ATF_CHECK_EQ_MSG(carp_decode(buf, lens[i], CARP_TTL, &adv),
		    DROP_LENGTH, "length %zu", lens[i]);
	ATF_CHECK_EQ(carp_decode(buf, CARP_ADVERT_LEN, CARP_TTL, &adv),
	    DROP_NONE);
}

/*
 * VRRP shares protocol 112 and the raw socket.  A VRRPv2 advertisement
 * starts with 0x21 too, and its checksum is the same sum without a
 * pseudo-header; only the length and the address count tell it apart.
 */
ATF_TC_WITHOUT_HEAD(drop_vrrp);
ATF_TC_BODY(drop_vrrp, tc)
{
	/* VRRPv2, vrid 42, prio 100, one address, no auth: 20 bytes. */
	static const uint8_t	 v2one[20] = {
		0x21, 0x2a, 0x64, 0x01, 0x00, 0x01, 0x00, 0x00,
		0x0a, 0x63, 0x00, 0x64,
		0, 0, 0, 0, 0, 0, 0, 0,
	};
	/* VRRPv2 with five addresses is 36 bytes: the count is not 7. */
	uint8_t			 v2five[CARP_ADVERT_LEN] = {
		0x21, 0x2a, 0x64, 0x05, 0x00, 0x01, 0x00, 0x00,
		0x0a, 0x63, 0x00, 0x64, 0x0a, 0x63, 0x00, 0x65,
		0x0a, 0x63, 0x00, 0x66, 0x0a, 0x63, 0x00, 0x67,
		0x0a, 0x63, 0x00, 0x68,
		0, 0, 0, 0, 0, 0, 0, 0,
	};
	/* VRRPv3, one IPv4 address, interval 100 cs: 12 bytes. */
	static const uint8_t	 v3one[12] = {
		0x31, 0x2a, 0x64, 0x01, 0x00, 0x64, 0x00, 0x00,
		0x0a, 0x63, 0x00, 0x64,
	};
	/* VRRPv3 with seven IPv4 addresses: 36 bytes, count 7. */
	uint8_t			 v3seven[CARP_ADVERT_LEN] = {
		0x31, 0x2a, 0x64, 0x07, 0x00, 0x64, 0x00, 0x00,
		0x0a, 0x63, 0x00, 0x64, 0x0a, 0x63, 0x00, 0x65,
		0x0a, 0x63, 0x00, 0x66, 0x0a, 0x63, 0x00, 0x67,
		0x0a, 0x63, 0x00, 0x68, 0x0a, 0x63, 0x00, 0x69,
		0x0a, 0x63, 0x00, 0x6a,
	};
	/* VRRPv3 over IPv6, one address: 24 bytes. */
	static const uint8_t	 v3six[24] = {
		0x31, 0x2a, 0x64, 0x01, 0x00, 0x64, 0x00, 0x00,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0x01,
	};
	struct carp_advert	 adv;

	fix_cksum(v2five);
	ATF_CHECK_EQ(carp_decode(v2one, sizeof(v2one), CARP_TTL, &adv),
	    DROP_LENGTH);
	ATF_CHECK_EQ(carp_decode(v2five, sizeof(v2five), CARP_TTL, &adv),
	    DROP_AUTHLEN);
	ATF_CHECK_EQ(carp_decode(v3one, sizeof(v3one), CARP_TTL, &adv),
	    DROP_LENGTH);
	ATF_CHECK_EQ(carp_decode(v3six, sizeof(v3six), CARP_TTL, &adv),
	    DROP_LENGTH);
	ATF_CHECK_EQ(carp_decode(v3seven, sizeof(v3seven), CARP_TTL, &adv),
	    DROP_VERSION);
	/* Even with a checksum that would pass, it is not CARP. */
	fix_cksum(v3seven);
	ATF_CHECK_EQ(carp_decode(v3seven, sizeof(v3seven), CARP_TTL, &adv),
	    DROP_VERSION);
}

ATF_TC_WITHOUT_HEAD(drop_version);
ATF_TC_BODY(drop_version, tc)
{
	static const uint8_t	 bytes[] = {
		0x00, 0x11, 0x20, 0x22, 0x2f, 0x31, 0x12, 0xf1, 0xff,
	};
	struct carp_advert	 adv;
	uint8_t			 buf[CARP_ADVERT_LEN];
	size_t			 i;

	for (i = 0; i < sizeof(bytes); i++) {
		memcpy(buf, ucarp_vectors[0].pkt, sizeof(buf));
		buf[0] = bytes[i];
		fix_cksum(buf);
		ATF_CHECK_EQ_MSG(carp_decode(buf, sizeof(buf), CARP_TTL,
		    &adv), DROP_VERSION, "byte 0 0x%02x", bytes[i]);
	}
}

ATF_TC_WITHOUT_HEAD(drop_authlen);
ATF_TC_BODY(drop_authlen, tc)
{
	static const uint8_t	 lens[] = { 0, 1, 5, 6, 8, 9, 0x70, 0xff };
	struct carp_advert	 adv;
	uint8_t			 buf[CARP_ADVERT_LEN];
	size_t			 i;

	for (i = 0; i < sizeof(lens); i++) {
		memcpy(buf, ucarp_vectors[2].pkt, sizeof(buf));
		buf[3] = lens[i];
		fix_cksum(buf);
		ATF_CHECK_EQ_MSG(carp_decode(buf, sizeof(buf), CARP_TTL,
		    &adv), DROP_AUTHLEN, "authlen %u", lens[i]);
	}
}

ATF_TC_WITHOUT_HEAD(drop_ttl);
ATF_TC_BODY(drop_ttl, tc)
{
	static const int	 ttls[] = { 254, 64, 1, 0, -1, 128, 256 };
	struct carp_advert	 adv;
	size_t			 i;

	for (i = 0; i < sizeof(ttls) / sizeof(ttls[0]); i++)
		ATF_CHECK_EQ_MSG(carp_decode(ucarp_vectors[4].pkt,
		    CARP_ADVERT_LEN, ttls[i], &adv), DROP_TTL, "ttl %d",
		    ttls[i]);
	ATF_CHECK_EQ(carp_decode(ucarp_vectors[4].pkt, CARP_ADVERT_LEN, 255,
	    &adv), DROP_NONE);
}

ATF_TC_WITHOUT_HEAD(drop_checksum);
ATF_TC_BODY(drop_checksum, tc)
{
	struct carp_advert	 adv;
	uint8_t			 buf[CARP_ADVERT_LEN];
	size_t			 i;
	int			 bit;

	/*
	 * Every single-bit error changes the sum.  Bytes 0 and 3 are left
	 * out: a flip there is caught earlier as a version or authlen.
	 */
	for (i = 1; i < sizeof(buf); i++) {
		if (i == 3)
			continue;
		for (bit = 0; bit < 8; bit++) {
			memcpy(buf, ucarp_vectors[1].pkt, sizeof(buf));
			buf[i] ^= 1 << bit;
			ATF_CHECK_EQ_MSG(carp_decode(buf, sizeof(buf),
			    CARP_TTL, &adv), DROP_CHECKSUM,
			    "byte %zu bit %d", i, bit);
		}
	}

	memcpy(buf, ucarp_vectors[1].pkt, sizeof(buf));
	buf[6] = buf[7] = 0;
	ATF_CHECK_EQ(carp_decode(buf, sizeof(buf), CARP_TTL, &adv),
	    DROP_CHECKSUM);

	/* Two bytes swapped within the packet: same bytes, wrong sum. */
	memcpy(buf, ucarp_vectors[1].pkt, sizeof(buf));
	buf[16] = ucarp_vectors[1].pkt[17];
	buf[17] = ucarp_vectors[1].pkt[16];
	ATF_CHECK_EQ(carp_decode(buf, sizeof(buf), CARP_TTL, &adv),
	    DROP_CHECKSUM);
}

/* The first failure in the documented order is the one named. */
ATF_TC_WITHOUT_HEAD(drop_order);
ATF_TC_BODY(drop_order, tc)
{
	struct carp_advert	 adv;
	uint8_t			 buf[CARP_ADVERT_LEN];

	memcpy(buf, ucarp_vectors[0].pkt, sizeof(buf));
	buf[0] = 0x31;
	buf[3] = 5;
	buf[6] ^= 0xff;
	ATF_CHECK_EQ(carp_decode(buf, sizeof(buf) - 1, 64, &adv),
	    DROP_LENGTH);
	ATF_CHECK_EQ(carp_decode(buf, sizeof(buf), 64, &adv), DROP_VERSION);
	buf[0] = 0x21;
	ATF_CHECK_EQ(carp_decode(buf, sizeof(buf), 64, &adv), DROP_AUTHLEN);
	buf[3] = 7;
	ATF_CHECK_EQ(carp_decode(buf, sizeof(buf), 64, &adv), DROP_TTL);
	ATF_CHECK_EQ(carp_decode(buf, sizeof(buf), 255, &adv),
	    DROP_CHECKSUM);
	buf[6] ^= 0xff;
	ATF_CHECK_EQ(carp_decode(buf, sizeof(buf), 255, &adv), DROP_NONE);
}

ATF_TC_WITHOUT_HEAD(drop_names);
ATF_TC_BODY(drop_names, tc)
{
	static const char	*names[DROP_MAX] = {
		"none", "bad-length", "bad-version", "bad-authlen",
		"bad-ttl", "bad-checksum", "unknown-vhid", "bad-hmac",
		"own-address", "unexpected-source", "replay", "other-format",
		"too-many-senders", "malformed",
	};
	int			 i;

	ATF_REQUIRE_EQ(DROP_MAX, 14);
	for (i = 0; i < DROP_MAX; i++)
		ATF_CHECK_STREQ(carp_drop_name(i), names[i]);
	ATF_CHECK_STREQ(carp_drop_name(DROP_MAX), "unknown");
	ATF_CHECK_STREQ(carp_drop_name(DROP_MAX + 1), "unknown");
	ATF_CHECK_STREQ(carp_drop_name((enum carp_drop)-1), "unknown");
	ATF_CHECK_STREQ(carp_drop_name((enum carp_drop)1000), "unknown");
}

/*
 * Five VIPs whose memcmp order differs both from the order given and
 * from addr_cmp()'s last-octet-first order: the HMAC must follow the
 * network bytes, as the BSDs do, whatever order the config lists them in.
 */
static const char *sort_input[] = {
	"10.0.0.10", "2001:db8:0:0:1::1", "9.0.0.3", "2001:db8::2",
	"10.0.0.2",
};

static const uint8_t sort_msg[] = {
	0x02, 0x01, 0x33,
	9, 0, 0, 3,
	10, 0, 0, 2,
	10, 0, 0, 10,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0x01, 0, 0, 0, 0, 0, 0x01,
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
};

ATF_TC_WITHOUT_HEAD(sort_vips);
ATF_TC_BODY(sort_vips, tc)
{
	struct service_conf	 conf;
	struct carp_advert	 adv;
	struct carp_key		 key;
	uint8_t			 want[CARP_HMAC_LEN];
	size_t			 perm, i, j, n = 5, idx[5], rest[5], f;

	ref_hmac("sortme", 6, sort_msg, sizeof(sort_msg), want);

	/* All 120 orders, by the factorial number system. */
	for (perm = 0; perm < 120; perm++) {
		for (i = 0; i < n; i++)
			rest[i] = i;
		f = perm;
		for (i = 0; i < n; i++) {
			j = f % (n - i);
			f /= n - i;
			idx[i] = rest[j];
			rest[j] = rest[n - i - 1];
		}

		conf_init(&conf, 0x33, "sortme");
		for (i = 0; i < n; i++)
			conf_add_vip(&conf, sort_input[idx[i]]);
		carp_key_init(&key, &conf);
		ATF_REQUIRE_EQ(key.prefixlen, sizeof(sort_msg) - 8);
		ATF_REQUIRE_MSG(memcmp(key.prefix, sort_msg,
		    key.prefixlen) == 0, "order %zu", perm);

		memset(&adv, 0, sizeof(adv));
		adv.counter = 0x0123456789abcdefULL;
		carp_sign(&key, &adv);
		ATF_REQUIRE_MSG(memcmp(adv.hmac, want, sizeof(want)) == 0,
		    "order %zu", perm);
		ATF_REQUIRE(carp_verify(&key, &adv));
	}
}

ATF_TC_WITHOUT_HEAD(vips_bounded);
ATF_TC_BODY(vips_bounded, tc)
{
	struct service_conf	 conf;
	struct carp_key		 a, b;
	struct carp_advert	 adv;
	int			 i;

	/* Slots past nvips are not VIPs, whatever they hold. */
	conf_init(&conf, 1, "pw");
	conf_add_vip(&conf, "192.0.2.1");
	carp_key_init(&a, &conf);
	conf_add_vip(&conf, "192.0.2.2");
	conf.nvips = 1;
	carp_key_init(&b, &conf);
	ATF_CHECK_EQ(a.prefixlen, b.prefixlen);
	ATF_CHECK(memcmp(a.prefix, b.prefix, a.prefixlen) == 0);

	/* A full table of IPv6 VIPs fits the prefix. */
	conf_init(&conf, 1, "pw");
	for (i = 0; i < SERVICE_VIPS_MAX; i++) {
		char	str[INET6_ADDRSTRLEN];

		ATF_REQUIRE(snprintf(str, sizeof(str), "2001:db8::%x",
		    SERVICE_VIPS_MAX - i) < (int)sizeof(str));
		conf_add_vip(&conf, str);
	}
	carp_key_init(&a, &conf);
	ATF_CHECK_EQ(a.prefixlen, 3 + 16 * SERVICE_VIPS_MAX);
	ATF_CHECK_EQ(a.prefix[3 + 15], 1);
	ATF_CHECK_EQ(a.prefix[a.prefixlen - 1], SERVICE_VIPS_MAX);
	memset(&adv, 0, sizeof(adv));
	carp_sign(&a, &adv);
	ATF_CHECK(carp_verify(&a, &adv));
}

ATF_TC_WITHOUT_HEAD(ipv6_linklocal);
ATF_TC_BODY(ipv6_linklocal, tc)
{
	static const uint8_t	 global_msg[] = {
		0x02, 0x01, 0x05,
		192, 0, 2, 1,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
		0xfe, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
		0, 0, 0, 0, 0, 0, 0, 0x2a,
	};
	static const uint8_t	 empty_msg[] = {
		0x02, 0x01, 0x05,
		0, 0, 0, 0, 0, 0, 0, 0x2a,
	};
	struct service_conf	 conf;
	struct carp_advert	 plain, withll, withsite, onlyll;
	struct carp_key		 key;
	uint8_t			 want[CARP_HMAC_LEN];

	memset(&plain, 0, sizeof(plain));
	plain.counter = 42;
	withll = withsite = onlyll = plain;

	conf_init(&conf, 5, "ll");
	conf_add_vip(&conf, "2001:db8::1");
	conf_add_vip(&conf, "192.0.2.1");
	carp_key_init(&key, &conf);
	carp_sign(&key, &plain);

	/* fe80::/10 runs to febf:: and is left out wherever it appears. */
	conf_init(&conf, 5, "ll");
	conf_add_vip(&conf, "fe80::1");
	conf_add_vip(&conf, "2001:db8::1");
	conf_add_vip(&conf, "febf:ffff::1");
	conf_add_vip(&conf, "192.0.2.1");
	conf_add_vip(&conf, "fe80::5:1");
	carp_key_init(&key, &conf);
	carp_sign(&key, &withll);
	ATF_CHECK(memcmp(withll.hmac, plain.hmac, CARP_HMAC_LEN) == 0);
	ATF_CHECK(carp_verify(&key, &plain));

	/* fec0:: is just past it, so it is hashed. */
	conf_add_vip(&conf, "fec0::1");
	carp_key_init(&key, &conf);
	carp_sign(&key, &withsite);
	ATF_CHECK(memcmp(withsite.hmac, plain.hmac, CARP_HMAC_LEN) != 0);
	ATF_CHECK(!carp_verify(&key, &plain));
	ref_hmac("ll", 2, global_msg, sizeof(global_msg), want);
	ATF_CHECK(memcmp(withsite.hmac, want, sizeof(want)) == 0);

	/* Only link-local VIPs hash like no VIPs at all. */
	conf_init(&conf, 5, "ll");
	conf_add_vip(&conf, "fe80::1");
	carp_key_init(&key, &conf);
	ATF_CHECK_EQ(key.prefixlen, 3);
	carp_sign(&key, &onlyll);
	ref_hmac("ll", 2, empty_msg, sizeof(empty_msg), want);
	ATF_CHECK(memcmp(onlyll.hmac, want, sizeof(want)) == 0);
}

ATF_TC_WITHOUT_HEAD(passphrase);
ATF_TC_BODY(passphrase, tc)
{
	static const char	 p19[] = "0123456789abcdefghi";
	uint8_t			 msg[3 + 4 + 8];
	uint8_t			 want[CARP_HMAC_LEN];
	struct service_conf	 conf;
	struct carp_advert	 adv, other;
	struct carp_key		 key;
	size_t			 len;

	ATF_REQUIRE_EQ(strlen(p19), CARP_PASS_MAX);
	msg[0] = 2;
	msg[1] = 1;
	msg[2] = 9;
	memcpy(msg + 3, "\xc0\x00\x02\x63", 4);
	len = 7 + put_counter(msg + 7, 0xfedcba9876543210ULL);

	/* All 19 bytes are the key, the last one included. */
	memset(&adv, 0, sizeof(adv));
	adv.counter = 0xfedcba9876543210ULL;
	other = adv;
	key_for(&key, 9, p19, "192.0.2.99");
	ATF_CHECK_EQ(key.keylen, 19);
	carp_sign(&key, &adv);
	ref_hmac(p19, 19, msg, len, want);
	ATF_CHECK(memcmp(adv.hmac, want, sizeof(want)) == 0);
	key_for(&key, 9, "0123456789abcdefghj", "192.0.2.99");
	ATF_CHECK(!carp_verify(&key, &adv));
	key_for(&key, 9, "0123456789abcdefgh", "192.0.2.99");
	ATF_CHECK(!carp_verify(&key, &adv));

	/* Bytes after passlen are not part of the key (OpenBSD's pitfall). */
	conf_init(&conf, 9, "abc");
	conf_add_vip(&conf, "192.0.2.99");
	memcpy(conf.pass + 3, "XYZ", 3);
	carp_key_init(&key, &conf);
	carp_sign(&key, &other);
	ref_hmac("abc", 3, msg, len, want);
	ATF_CHECK(memcmp(other.hmac, want, sizeof(want)) == 0);

	/* No passphrase: still an HMAC, with an empty key. */
	conf_init(&conf, 9, "");
	conf_add_vip(&conf, "192.0.2.99");
	memcpy(conf.pass, "stale", 5);
	carp_key_init(&key, &conf);
	ATF_CHECK_EQ(key.keylen, 0);
	carp_sign(&key, &other);
	ref_hmac("", 0, msg, len, want);
	ATF_CHECK(memcmp(other.hmac, want, sizeof(want)) == 0);
	key_for(&key, 9, "x", "192.0.2.99");
	ATF_CHECK(!carp_verify(&key, &other));
}

ATF_TC_WITHOUT_HEAD(sign_counter);
ATF_TC_BODY(sign_counter, tc)
{
	struct carp_advert	 a, b;
	struct carp_key		 key;

	key_for(&key, 1, "pw", "192.0.2.1");
	memset(&a, 0, sizeof(a));
	a.counter = 1;
	b = a;
	carp_sign(&key, &a);
	carp_sign(&key, &b);
	ATF_CHECK(memcmp(a.hmac, b.hmac, CARP_HMAC_LEN) == 0);
	b.counter = 2;
	carp_sign(&key, &b);
	ATF_CHECK(memcmp(a.hmac, b.hmac, CARP_HMAC_LEN) != 0);
	ATF_CHECK(carp_verify(&key, &a));
	ATF_CHECK(carp_verify(&key, &b));
	b.counter = 1;
	ATF_CHECK(!carp_verify(&key, &b));
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, ucarp_decode);
	ATF_TP_ADD_TC(tp, ucarp_verify);
	ATF_TP_ADD_TC(tp, ucarp_wrong_pass);
	ATF_TP_ADD_TC(tp, ucarp_wrong_vip);
	ATF_TP_ADD_TC(tp, ucarp_wrong_vhid);
	ATF_TP_ADD_TC(tp, ucarp_tampered);
	ATF_TP_ADD_TC(tp, roundtrip);
	ATF_TP_ADD_TC(tp, checksum);
	ATF_TP_ADD_TC(tp, drop_length);
	ATF_TP_ADD_TC(tp, drop_vrrp);
	ATF_TP_ADD_TC(tp, drop_version);
	ATF_TP_ADD_TC(tp, drop_authlen);
	ATF_TP_ADD_TC(tp, drop_ttl);
	ATF_TP_ADD_TC(tp, drop_checksum);
	ATF_TP_ADD_TC(tp, drop_order);
	ATF_TP_ADD_TC(tp, drop_names);
	ATF_TP_ADD_TC(tp, sort_vips);
	ATF_TP_ADD_TC(tp, vips_bounded);
	ATF_TP_ADD_TC(tp, ipv6_linklocal);
	ATF_TP_ADD_TC(tp, passphrase);
	ATF_TP_ADD_TC(tp, sign_counter);

	return (atf_no_error());
}
