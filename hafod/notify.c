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
 * The parent's word to the service manager: READY, RELOADING, STOPPING,
 * a STATUS line, and the watchdog, in the notify protocol of sd_notify(3).
 *
 * The protocol is spoken here, not through libsystemd: it is one
 * datagram of "KEY=value" lines to the AF_UNIX socket named in
 * $NOTIFY_SOCKET, documented and stable since systemd 209, and a root
 * daemon is better off without one more library (and its own
 * dependencies) in its address space for that.
 *
 * The watchdog is fed only while the engine proves its loop runs: the
 * engine sends MSG_ALIVE from a timer of its own loop, at a quarter of
 * $WATCHDOG_USEC; the parent, at half of it, says WATCHDOG=1 only if an
 * MSG_ALIVE came within that half.  A wedged engine (or parent) thus
 * stops the pings and the service manager restarts the daemon.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <event2/event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hafod.h"
#include "log.h"
#include "parent.h"

static int			 notify_fd = -1;
static struct sockaddr_un	 notify_sun;
static socklen_t		 notify_len;
static uint64_t			 watchdog_us;	/* 0: no watchdog */
static uint64_t			 alive_at;	/* last MSG_ALIVE, us */
static int			 ready_pending = 1;
static struct event		*watchdog_ev;
static char			 last_status[128];
static const char		*quorum_word;	/* NULL: no quorum */

static uint64_t
mono_us(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return ((uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

/*
 * Read and clear the environment the service manager gave us: neither
 * the engine, nor hooks (whose environment is built anew anyway), nor
 * the quorum process may speak for the daemon.  A "@" names a socket in
 * the abstract namespace, whose name begins with a NUL byte.
 */
void
notify_init(void)
{
	const char	*path, *s;
	char		*end;
	size_t		 len;
	unsigned long long v;

	path = getenv("NOTIFY_SOCKET");
	if (path != NULL && (path[0] == '/' || path[0] == '@') &&
	    (len = strlen(path)) < sizeof(notify_sun.sun_path)) {
		memset(&notify_sun, 0, sizeof(notify_sun));
		notify_sun.sun_family = AF_UNIX;
		memcpy(notify_sun.sun_path, path, len);
		if (path[0] == '@')
			notify_sun.sun_path[0] = '\0';
		notify_len = offsetof(struct sockaddr_un, sun_path) + len;
		if ((notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC,
		    0)) == -1)
			log_warn("notify socket");
	} else if (path != NULL)
		log_warnx("NOTIFY_SOCKET %s: not a socket path: ignored",
		    path);

	/* As sd_watchdog_enabled(3): for us only if the pid is ours. */
	if (notify_fd != -1 && (s = getenv("WATCHDOG_USEC")) != NULL) {
		errno = 0;
		v = strtoull(s, &end, 10);
		if (errno != 0 || *end != '\0' || v == 0 ||
		    v / 4000 > UINT32_MAX)
			log_warnx("WATCHDOG_USEC %s: ignored", s);
		else if ((s = getenv("WATCHDOG_PID")) != NULL &&
		    strtoll(s, NULL, 10) != (long long)getpid())
			log_debug("watchdog is for pid %s, not us", s);
		else
			watchdog_us = v;
	}
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

static void	notify_send(const char *, ...)
		    __attribute__((__format__ (printf, 1, 2)));

/* One datagram; the service manager may be gone, which is no error. */
static void
notify_send(const char *fmt, ...)
{
	char	 buf[512];
	va_list	 ap;
	int	 n;

	if (notify_fd == -1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		log_warnx("notify message too long");
		return;
	}
	if (sendto(notify_fd, buf, n, MSG_NOSIGNAL,
	    (struct sockaddr *)&notify_sun, notify_len) == -1)
		log_debug("notify: %s", strerror(errno));
}

/* What the engine's MSG_ALIVE should come every, in ms; 0: no watchdog. */
uint32_t
notify_alive_ms(void)
{
	uint64_t	ms = watchdog_us / 4000;

	if (watchdog_us == 0)
		return (0);
	return (ms == 0 ? 1 : ms);
}

/* Said once a silence, which ends at the next MSG_ALIVE. */
static void
watchdog_tick(int fd, short event, void *arg)
{
	static int	silent;

	if (mono_us() - alive_at < watchdog_us / 2) {
		silent = 0;
		notify_send("WATCHDOG=1");
	} else if (!silent) {
		silent = 1;
		log_warnx("engine silent for %llu ms: not feeding the "
		    "watchdog", (unsigned long long)(mono_us() - alive_at) /
		    1000);
	}
}

/* The parent's loop exists: the watchdog can be fed from it. */
void
notify_start(struct event_base *base)
{
	struct timeval	tv;

	if (watchdog_us == 0)
		return;
	tv.tv_sec = watchdog_us / 2 / 1000000;
	tv.tv_usec = watchdog_us / 2 % 1000000;
	if ((watchdog_ev = event_new(base, -1, EV_PERSIST, watchdog_tick,
	    NULL)) == NULL || event_add(watchdog_ev, &tv) == -1)
		fatalx("watchdog timer");
}

/*
 * The engine answered, so it has read all that was sent before: after a
 * start or reload, the configuration.  Ready then, not before.
 */
void
notify_alive(void)
{
	alive_at = mono_us();
	if (ready_pending) {
		ready_pending = 0;
		notify_send("READY=1\nSTATUS=%s", last_status);
	}
}

/* systemd 253 wants MONOTONIC_USEC with RELOADING; older ones ignore it. */
void
notify_reloading(void)
{
	notify_send("RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)mono_us());
	ready_pending = 1;
}

void
notify_stopping(void)
{
	notify_send("STOPPING=1");
}

/* A line for "systemctl status": how many services hold which state. */
void
notify_status(void)
{
	struct pservice	*ps;
	char		 buf[sizeof(last_status)];
	int		 master = 0, backup = 0, other = 0;

	TAILQ_FOREACH(ps, &pservices, entry) {
		if (ps->state == CARP_MASTER)
			master++;
		else if (ps->state == CARP_BACKUP)
			backup++;
		else
			other++;
	}
	snprintf(buf, sizeof(buf), "%d master, %d backup", master, backup);
	if (other) {
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
		    ", %d starting or link down", other);
	}
	if (quorum_word != NULL) {
		strlcat(buf, ", ", sizeof(buf));
		strlcat(buf, quorum_word, sizeof(buf));
	}
	if (strcmp(buf, last_status) == 0)
		return;
	strlcpy(last_status, buf, sizeof(last_status));
	if (!ready_pending)
		notify_send("STATUS=%s", last_status);
}

/* Only with quorum configured: what the engine is told of it. */
void
notify_quorate(int quorate)
{
	quorum_word = quorate ? "quorate" : "not quorate";
	notify_status();
}
