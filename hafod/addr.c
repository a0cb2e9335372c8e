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

#include <string.h>

#include "hafod.h"

/*
 * Rotating buffers, so that one log line can print two addresses.  Each
 * process has its own.
 */
const char *
addr_ntop(const struct hafod_addr *a)
{
	static char	bufs[4][INET6_ADDRSTRLEN];
	static int	next;
	char		*buf = bufs[next++ % 4];

	if (inet_ntop(a->af, &a->u, buf, INET6_ADDRSTRLEN) == NULL)
		strlcpy(buf, "none", INET6_ADDRSTRLEN);
	return (buf);
}

/*
 * The order that breaks ties between equal advertisement intervals: the
 * lower address wins.  IPv4 addresses compare from the last octet to the
 * first, as ucarp compares them on every little-endian host, so a mixed
 * hafod and ucarp pair agrees on the winner.  IPv6 compares bytewise.
 */
int
addr_cmp(const struct hafod_addr *a, const struct hafod_addr *b)
{
	int	i;

	if (a->af != b->af)
		return (a->af < b->af ? -1 : 1);
	if (a->af == AF_INET) {
		for (i = 3; i >= 0; i--)
			if (a->u.bytes[i] != b->u.bytes[i])
				return (a->u.bytes[i] < b->u.bytes[i] ? -1 : 1);
		return (0);
	}
	return (memcmp(&a->u.v6, &b->u.v6, sizeof(a->u.v6)));
}

int
addr_eq(const struct hafod_addr *a, const struct hafod_addr *b)
{
	return (addr_cmp(a, b) == 0);
}

/*
 * The family a service advertises in: IPv4 if it has any IPv4 address,
 * else IPv6 (the HMAC covers both families either way).
 */
int
service_af(const struct service_conf *conf)
{
	int	i;

	for (i = 0; i < conf->nvips; i++)
		if (conf->vips[i].af == AF_INET)
			return (AF_INET);
	return (AF_INET6);
}
