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
 * Bundle datagrams as the engine takes them from the wire:
 * bundle_decode() on any bytes with any TTL, bundle_verify() under a few
 * keys and sources.  What decodes must be exactly what bundle_encode()
 * would send, and a MAC must verify only if it is the one bundle_encode()
 * makes for that key and source.
 *
 * Input: one byte of TTL (0 stands for "none received", as net_recv()
 * reports it), one byte choosing the source address (NSRCS of them,
 * both families), then the UDP payload.
 */

#include <arpa/inet.h>

#include <stdint.h>
#include <string.h>

#include "hafod.h"
#include "fuzz.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NKEYS	3
#define NSRCS	4

static const char	*passes[NKEYS] = {
	"", "hafod-test", "nineteen-characters",
};
static const char	*srcs[NSRCS] = {
	"192.0.2.1", "192.0.2.2", "fe80::1", "2001:db8::1",
};

static struct bundle_key	keys[NKEYS];
static struct hafod_addr	addrs[NSRCS];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int	 i;

	fuzz_quiet();
	for (i = 0; i < NKEYS; i++)
		bundle_key_derive((const uint8_t *)passes[i],
		    strlen(passes[i]), &keys[i]);
	for (i = 0; i < NSRCS; i++) {
		memset(&addrs[i], 0, sizeof(addrs[i]));
		addrs[i].af = strchr(srcs[i], ':') ? AF_INET6 : AF_INET;
		if (inet_pton(addrs[i].af, srcs[i], &addrs[i].u) != 1)
			fuzz_fail("bad source %s", srcs[i]);
	}
	return (0);
}

/* Every field of a decoded bundle within what the format allows. */
static void
check_shape(const struct bundle *b)
{
	const struct bundle_entry	*e;
	uint8_t				 seen[256 / 8];
	unsigned int			 i;

	if (b->nentries == 0 || b->nentries > BUNDLE_ENTRIES_MAX ||
	    b->base < BUNDLE_INTERVAL_MIN || b->base > BUNDLE_INTERVAL_MAX)
		fuzz_fail("header accepted with count %u base %u",
		    b->nentries, b->base);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < b->nentries; i++) {
		e = &b->entries[i];
		if (e->vhid == 0 || (seen[e->vhid / 8] & (1 << e->vhid % 8)))
			fuzz_fail("vhid %u accepted twice or as 0", e->vhid);
		seen[e->vhid / 8] |= 1 << e->vhid % 8;
		if ((e->flags & ~(BUNDLE_F_MASTER | BUNDLE_F_BOWOUT |
		    BUNDLE_F_DIGEST)) != 0 || ((e->flags & BUNDLE_F_MASTER) &&
		    (e->flags & BUNDLE_F_BOWOUT)))
			fuzz_fail("flags %#x left in a decoded entry",
			    e->flags);
		if (e->base < BUNDLE_INTERVAL_MIN ||
		    e->base > BUNDLE_INTERVAL_MAX)
			fuzz_fail("entry base %u accepted", e->base);
		if (!(e->flags & BUNDLE_F_DIGEST) && e->digest != 0)
			fuzz_fail("a digest from nowhere");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bundle	 b;
	static uint8_t		 buf[BUNDLE_HDR_LEN + BUNDLE_ENTRIES_MAX *
				    (BUNDLE_ENTRY_LEN + 6) + BUNDLE_MAC_LEN];
	const struct hafod_addr	*src;
	const uint8_t		*pkt;
	enum carp_drop		 why;
	ssize_t			 n;
	size_t			 len;
	int			 ttl, i, ok;

	if (size < 2)
		return (0);
	ttl = data[0] == 0 ? -1 : data[0];
	src = &addrs[data[1] % NSRCS];
	pkt = data + 2;
	len = size - 2;

	/* Any bytes, whatever decode says of them. */
	for (i = 0; i < NKEYS; i++)
		(void)bundle_verify(pkt, len, &keys[i], src);

	memset(&b, 0xa5, sizeof(b));
	why = bundle_decode(pkt, len, ttl, &b);
	if (why != DROP_NONE && why != DROP_LENGTH && why != DROP_VERSION &&
	    why != DROP_TTL && why != DROP_MALFORMED)
		fuzz_fail("bundle_decode returned %d", why);
	if (strcmp(carp_drop_name(why), "unknown") == 0)
		fuzz_fail("reason %d has no name", why);
	if (why != DROP_NONE) {
		/* Each reason must be true of the datagram. */
		if ((why == DROP_LENGTH) != (len < BUNDLE_HDR_LEN +
		    BUNDLE_ENTRY_LEN + BUNDLE_MAC_LEN))
			fuzz_fail("length %zu misjudged", len);
		if (why == DROP_VERSION && pkt[0] == BUNDLE_VERSION)
			fuzz_fail("version %u dropped", pkt[0]);
		if (why == DROP_TTL && ttl == CARP_TTL)
			fuzz_fail("TTL 255 dropped");
		return (0);
	}
	if (ttl != CARP_TTL || pkt[0] != BUNDLE_VERSION)
		fuzz_fail("accepted with TTL %d, version %u", ttl, pkt[0]);
	check_shape(&b);

	/*
	 * What was accepted is what we would have sent: the same bytes
	 * but for the key id and MAC, which are the key's.  Under a key
	 * it verifies if and only if our encoding is the datagram itself.
	 */
	for (i = 0; i < NKEYS; i++) {
		n = bundle_encode(&b, &keys[i], src, buf, sizeof(buf));
		if (n < 0 || (size_t)n != len)
			fuzz_fail("re-encoded to %zd bytes, not %zu", n, len);
		if (memcmp(buf, pkt, 4) != 0 || memcmp(buf + 8, pkt + 8,
		    len - 8 - BUNDLE_MAC_LEN) != 0)
			fuzz_fail("decode and encode disagree");
		if (!bundle_verify(buf, n, &keys[i], src))
			fuzz_fail("own MAC does not verify");
		ok = bundle_verify(pkt, len, &keys[i], src);
		if (ok != (memcmp(buf, pkt, len) == 0))
			fuzz_fail("verify disagrees with encode");
	}
	return (0);
}
