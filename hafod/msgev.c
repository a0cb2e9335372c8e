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
 * A message channel's writes in a daemon's event loop: what the socket
 * takes now, the rest when it becomes writable, the write event armed
 * only while frames wait.  No process of hafod ever waits for another
 * to read.  Apart from msg.c, which hafoctl links without libevent.
 */

#include <sys/types.h>

#include <event2/event.h>

#include "hafod.h"
#include "log.h"

/*
 * -1 with errno on a write error, the event then disarmed: what such an
 * error means for the peer is the caller's to say.
 */
int
msgev_write(struct msgchan *chan, struct event *ev)
{
	int	rv;

	if ((rv = msgchan_write(chan)) == 0) {
		if (event_add(ev, NULL) == -1)
			fatalx("event_add");
		return (0);
	}
	if (event_del(ev) == -1)
		fatalx("event_del");
	return (rv == -1 ? -1 : 0);
}
