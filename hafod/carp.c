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

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <stdlib.h>
#include <string.h>

#include "hafod.h"
#include "log.h"

#define CARP_COUNTER_LEN	8

static int	carp_cmp4(const void *, const void *);
static int	carp_cmp16(const void *, const void *);
static int	carp_linklocal(const struct hafod_addr *);
static EVP_MAC_CTX *carp_mac(void);
static void	carp_hmac(const struct carp_key *, uint64_t, uint8_t *);
static uint16_t	carp_cksum(const uint8_t *);

static int
carp_cmp4(const void *a, const void *b)
{
	return (memcmp(a, b, 4));
}

static int
carp_cmp16(const void *a, const void *b)
{
	return (memcmp(a, b, 16));
}

/*
 * fe80::/10.  OpenBSD leaves the automatic link-local address of a carp
 * interface out of the HMAC, and ucarp knows no IPv6 at all, so hashing
 * one would only break interoperability.
 */
static int
carp_linklocal(const struct hafod_addr *a)
{
	return (a->u.bytes[0] == 0xfe && (a->u.bytes[1] & 0xc0) == 0x80);
}

/*
 * The HMAC key is the passphrase itself, not a digest of it: what the
 * BSDs and ucarp actually do, whatever their comments say.  The VIPs go
 * into the message in memcmp order of their network bytes, so peers that
 * list them in a different order still agree.
 */
void
carp_key_init(struct carp_key *key, const struct service_conf *conf)
{
	uint8_t		 v4[SERVICE_VIPS_MAX][4];
	uint8_t		 v6[SERVICE_VIPS_MAX][16];
	size_t		 n4 = 0, n6 = 0, i, nvips, off;

	memset(key, 0, sizeof(*key));

	/* The parser refuses longer ones; the BSDs truncate to the same. */
	key->keylen = conf->passlen;
	if (key->keylen > CARP_PASS_MAX)
		key->keylen = CARP_PASS_MAX;
	memcpy(key->key, conf->pass, key->keylen);

	nvips = conf->nvips;
	if (nvips > SERVICE_VIPS_MAX)
		nvips = SERVICE_VIPS_MAX;
	for (i = 0; i < nvips; i++) {
		const struct hafod_addr	*a = &conf->vips[i];

		if (a->af == AF_INET)
			memcpy(v4[n4++], &a->u.v4, 4);
		else if (a->af == AF_INET6 && !carp_linklocal(a))
			memcpy(v6[n6++], &a->u.v6, 16);
	}
	qsort(v4, n4, sizeof(v4[0]), carp_cmp4);
	qsort(v6, n6, sizeof(v6[0]), carp_cmp16);

	key->prefix[0] = CARP_VERSION;
	key->prefix[1] = CARP_TYPE_ADVERT;
	key->prefix[2] = conf->vhid;
	off = 3;
	/* At most SERVICE_VIPS_MAX addresses in all: prefix has room. */
	memcpy(key->prefix + off, v4, n4 * sizeof(v4[0]));
	off += n4 * sizeof(v4[0]);
	memcpy(key->prefix + off, v6, n6 * sizeof(v6[0]));
	off += n6 * sizeof(v6[0]);
	key->prefixlen = off;
}

/* One HMAC-SHA1 context for the process (hmac.c). */
static EVP_MAC_CTX *
carp_mac(void)
{
	static EVP_MAC_CTX	*ctx;

	if (ctx == NULL)
		ctx = hmac_new("SHA1");
	return (ctx);
}

static void
carp_hmac(const struct carp_key *key, uint64_t counter, uint8_t *out)
{
	EVP_MAC_CTX	*ctx = carp_mac();
	uint8_t		 ctr[CARP_COUNTER_LEN];
	size_t		 i, outlen = 0;

	if (key->prefixlen > sizeof(key->prefix))
		fatalx("%s: prefix of %zu bytes", __func__, key->prefixlen);
	for (i = 0; i < CARP_COUNTER_LEN; i++)
		ctr[i] = counter >> (8 * (CARP_COUNTER_LEN - 1 - i));

	if (!EVP_MAC_init(ctx, key->key, key->keylen, NULL) ||
	    !EVP_MAC_update(ctx, key->prefix, key->prefixlen) ||
	    !EVP_MAC_update(ctx, ctr, sizeof(ctr)) ||
	    !EVP_MAC_final(ctx, out, &outlen, CARP_HMAC_LEN) ||
	    outlen != CARP_HMAC_LEN)
		fatalx("%s: HMAC-SHA1 failed", __func__);
}

void
carp_sign(const struct carp_key *key, struct carp_advert *adv)
{
	carp_hmac(key, adv->counter, adv->hmac);
}

int
carp_verify(const struct carp_key *key, const struct carp_advert *adv)
{
	uint8_t		 mac[CARP_HMAC_LEN];

	carp_hmac(key, adv->counter, mac);
	return (CRYPTO_memcmp(mac, adv->hmac, sizeof(mac)) == 0);
}

/*
 * The Internet checksum of the 36 bytes alone: CARP has no pseudo-header,
 * over IPv4 or IPv6.  Over a packet that carries its checksum the result
 * is 0.
 */
static uint16_t
carp_cksum(const uint8_t *buf)
{
	uint32_t	 sum = 0;
	size_t		 i;

	for (i = 0; i < CARP_ADVERT_LEN; i += 2)
		sum += (uint32_t)buf[i] << 8 | buf[i + 1];
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	return (~sum & 0xffff);
}

void
carp_encode(const struct carp_advert *adv, uint8_t *buf)
{
	uint16_t	 sum;
	size_t		 i;

	buf[0] = adv->version << 4 | (adv->type & 0x0f);
	buf[1] = adv->vhid;
	buf[2] = adv->advskew;
	buf[3] = adv->authlen;
	buf[4] = adv->demote;
	buf[5] = adv->advbase;
	buf[6] = 0;
	buf[7] = 0;
	for (i = 0; i < CARP_COUNTER_LEN; i++)
		buf[8 + i] = adv->counter >> (8 * (CARP_COUNTER_LEN - 1 - i));
	memcpy(buf + 16, adv->hmac, CARP_HMAC_LEN);

	sum = carp_cksum(buf);
	buf[6] = sum >> 8;
	buf[7] = sum & 0xff;
}

/*
 * The raw socket for protocol 112 also delivers VRRP, whose version 2
 * starts with the same 0x21 byte, so nothing here may assume that a
 * packet is CARP before its length and fields say so.
 */
enum carp_drop
carp_decode(const uint8_t *buf, size_t len, int ttl, struct carp_advert *adv)
{
	size_t		 i;

	if (len != CARP_ADVERT_LEN)
		return (DROP_LENGTH);
	if (buf[0] >> 4 != CARP_VERSION || (buf[0] & 0x0f) != CARP_TYPE_ADVERT)
		return (DROP_VERSION);
	if (buf[3] != CARP_AUTHLEN)
		return (DROP_AUTHLEN);
	if (ttl != CARP_TTL)
		return (DROP_TTL);
	if (carp_cksum(buf) != 0)
		return (DROP_CHECKSUM);

	adv->version = buf[0] >> 4;
	adv->type = buf[0] & 0x0f;
	adv->vhid = buf[1];
	adv->advskew = buf[2];
	adv->authlen = buf[3];
	adv->demote = buf[4];
	adv->advbase = buf[5];
	adv->counter = 0;
	for (i = 0; i < CARP_COUNTER_LEN; i++)
		adv->counter = adv->counter << 8 | buf[8 + i];
	memcpy(adv->hmac, buf + 16, CARP_HMAC_LEN);
	return (DROP_NONE);
}
