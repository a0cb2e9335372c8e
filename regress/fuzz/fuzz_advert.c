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
 * Advertisements as the engine takes them from the wire: carp_decode()
 * on any bytes with any TTL, then carp_verify() under a few keys.  What
 * it accepts must be exactly what carp_encode() would send, and a
 * signature must verify only if it is the one carp_sign() makes.
 *
 * Input: one byte of TTL (0 stands for "none received", as net_recv()
 * reports it), then the CARP payload.
 */

#include <arpa/inet.h>

#include <stdint.h>
#include <string.h>

#include "hafod.h"
#include "fuzz.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NKEYS	3

static const char	*passes[NKEYS] = {
	"", "hafod-test", "nineteen-characters",
};

static void
key_for(struct carp_key *key, int which, uint8_t vhid)
{
	struct service_conf	conf;

	memset(&conf, 0, sizeof(conf));
	conf.vhid = vhid;
	conf.passlen = strlen(passes[which]);
	memcpy(conf.pass, passes[which], conf.passlen);
	/* Both families, unsorted, and a link-local that is not hashed. */
	conf.vips[0].af = AF_INET;
	inet_pton(AF_INET, "192.0.2.60", &conf.vips[0].u.v4);
	conf.vips[1].af = AF_INET;
	inet_pton(AF_INET, "192.0.2.50", &conf.vips[1].u.v4);
	conf.vips[2].af = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::50", &conf.vips[2].u.v6);
	conf.vips[3].af = AF_INET6;
	inet_pton(AF_INET6, "fe80::50", &conf.vips[3].u.v6);
	conf.nvips = which == 0 ? 0 : 4;
	carp_key_init(key, &conf);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct carp_advert	 adv, signed_adv;
	struct carp_key		 key;
	const uint8_t		*pkt;
	uint8_t			 buf[CARP_ADVERT_LEN];
	enum carp_drop		 why;
	size_t			 len;
	unsigned int		 sum;
	int			 ttl, i, ok;

	if (size < 1)
		return (0);
	ttl = data[0] == 0 ? -1 : data[0];
	pkt = data + 1;
	len = size - 1;

	memset(&adv, 0xa5, sizeof(adv));
	why = carp_decode(pkt, len, ttl, &adv);
	if ((unsigned int)why >= DROP_MAX || why == DROP_VHID ||
	    why == DROP_HMAC || why == DROP_OWN || why == DROP_SOURCE)
		fuzz_fail("carp_decode returned %d", why);
	if (strcmp(carp_drop_name(why), "unknown") == 0)
		fuzz_fail("reason %d has no name", why);
	if (why != DROP_NONE) {
		/* Each reason must be true of the packet. */
		if ((why == DROP_LENGTH) != (len != CARP_ADVERT_LEN))
			fuzz_fail("length %zu misjudged", len);
		if (why == DROP_TTL && ttl == CARP_TTL)
			fuzz_fail("TTL 255 dropped");
		return (0);
	}

	if (len != CARP_ADVERT_LEN || ttl != CARP_TTL ||
	    adv.version != CARP_VERSION || adv.type != CARP_TYPE_ADVERT ||
	    adv.authlen != CARP_AUTHLEN)
		fuzz_fail("accepted a packet that is not an advertisement");
	/*
	 * What was accepted is what we would have sent, but for the two
	 * forms of a ones'-complement zero a sender may put in the sum.
	 */
	carp_encode(&adv, buf);
	if (memcmp(buf, pkt, 6) != 0 || memcmp(buf + 8, pkt + 8,
	    sizeof(buf) - 8) != 0)
		fuzz_fail("decode and encode disagree");
	sum = pkt[6] << 8 | pkt[7];
	if (memcmp(buf + 6, pkt + 6, 2) != 0 &&
	    (sum ^ (buf[6] << 8 | buf[7])) != 0xffff)
		fuzz_fail("checksum %04x accepted, %02x%02x sent", sum,
		    buf[6], buf[7]);

	for (i = 0; i < NKEYS; i++) {
		key_for(&key, i, adv.vhid);
		signed_adv = adv;
		carp_sign(&key, &signed_adv);
		if (!carp_verify(&key, &signed_adv))
			fuzz_fail("own signature does not verify");
		ok = carp_verify(&key, &adv);
		if (ok != (memcmp(adv.hmac, signed_adv.hmac,
		    CARP_HMAC_LEN) == 0))
			fuzz_fail("verify disagrees with sign");
	}
	return (0);
}
