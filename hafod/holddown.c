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
 * The hold-down of a failed promote hook, pure.  A node whose controller
 * would not start gives mastership away and stays demoted a while, so
 * that the next best node serves.  Two nodes that both fail must not
 * hand the service back and forth for ever: each failure in a row here
 * doubles the hold-down, and the limit-th keeps the node demoted until
 * the operator lifts it, so that every node gives the service away at
 * most limit times before it stays put.
 */

#include <sys/types.h>

#include <stdint.h>

#include "hafod.h"

/*
 * The hold-down in seconds after the n-th failure in a row (from 1) of a
 * block whose policy is hold and limit; 0: demoted until the operator.
 */
uint32_t
holddown_secs(uint32_t hold, uint32_t limit, uint32_t n)
{
	uint32_t	secs = hold;

	if (n >= limit)
		return (0);
	/* Doubled n - 1 times, stopping at the cap: no overflow. */
	for (; n > 1 && secs > 0 && secs < HOLDDOWN_MAX; n--)
		secs *= 2;
	return (secs > HOLDDOWN_MAX ? HOLDDOWN_MAX : secs);
}
