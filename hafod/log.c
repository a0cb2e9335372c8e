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

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* Per process: each of the parent and the engine sets its own. */
static int		 debug;		/* log to stderr */
static int		 verbose;
static const char	*procname = "hafod";
static int		 stamp;		/* running: time-stamp stderr */
static void		(*capture)(const char *, void *);
static void		*capture_arg;

/*
 * The engine, chrooted, could not reopen /dev/log after syslogd restarts:
 * its lines go to the parent, which logs them (log_relay()).  forwarding
 * is set while a line is on its way, so that a line logged meanwhile (a
 * fatal error in the sending) goes straight to syslog instead of round
 * and round.
 */
static int		(*forward)(int, const char *);
static void		(*forward_flush)(void);
static int		 forwarding;

static void	log_line(int, const char *, const char *);

void
log_init(int n_debug, int facility)
{
	debug = n_debug;
	if (!debug)
		openlog("hafod", LOG_PID | LOG_NDELAY, facility);
	tzset();
}

/*
 * A process that has taken its role runs for a while: its messages on
 * stderr name it and get a time to the millisecond, which a failover is
 * read by.  Before that, an error is one plain line ("file:line: ...").
 */
void
log_procinit(const char *name)
{
	if (name != NULL) {
		procname = name;
		stamp = 1;
	}
}

/* Also hand every line to fn, e.g. to answer a client, until NULL. */
void
log_capture(void (*fn)(const char *, void *), void *arg)
{
	capture = fn;
	capture_arg = arg;
}

/*
 * Send every line with fn from now on, unless under -d, where stderr
 * needs no help; fn returns -1 if it could not, and the line goes to
 * syslog as before.  flush, before a fatal error ends the process, gives
 * the last lines a chance to leave.
 */
void
log_forward(int (*fn)(int, const char *), void (*flush)(void))
{
	forward = fn;
	forward_flush = flush;
}

/*
 * A line another process sent, logged here under its name: the engine's,
 * in the parent.  Its bytes are not trusted to be text: a control
 * character could forge a line of its own.
 */
void
log_relay(int pri, const char *name, const char *line)
{
	char		clean[LOG_LINE_MAX];
	unsigned char	c;
	size_t		i;

	for (i = 0; i < sizeof(clean) - 1 && line[i] != '\0'; i++) {
		c = line[i];
		clean[i] = c < ' ' || c == 0x7f ? '?' : c;
	}
	clean[i] = '\0';
	log_line(pri & LOG_PRIMASK, name, clean);
}

void
log_setverbose(int v)
{
	verbose = v;
}

int
log_getverbose(void)
{
	return (verbose);
}

void
logit(int pri, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(pri, fmt, ap);
	va_end(ap);
}

void
vlog(int pri, const char *fmt, va_list ap)
{
	char	line[LOG_LINE_MAX];
	int	saved_errno = errno, sent = -1;

	(void)vsnprintf(line, sizeof(line), fmt, ap);
	if (capture != NULL && pri <= LOG_INFO)
		capture(line, capture_arg);
	if (!debug && forward != NULL && !forwarding) {
		forwarding = 1;
		sent = forward(pri, line);
		forwarding = 0;
	}
	if (sent == -1)
		log_line(pri, procname, line);
	errno = saved_errno;
}

static void
log_line(int pri, const char *name, const char *line)
{
	if (debug && !stamp)
		fprintf(stderr, "%s\n", line);
	else if (debug) {
		struct timespec	ts;
		struct tm	tm;
		char		when[32] = "";

		/* Milliseconds matter when reading a failover. */
		if (clock_gettime(CLOCK_REALTIME, &ts) == 0 &&
		    localtime_r(&ts.tv_sec, &tm) != NULL &&
		    strftime(when, sizeof(when), "%H:%M:%S", &tm) > 0)
			fprintf(stderr, "%s.%03ld %s: %s\n", when,
			    ts.tv_nsec / 1000000, name, line);
		else
			fprintf(stderr, "%s: %s\n", name, line);
		fflush(stderr);
	} else
		syslog(pri, "%s: %s", name, line);
}

void
log_warn(const char *emsg, ...)
{
	char	*nfmt;
	va_list	 ap;
	int	 saved_errno = errno;

	va_start(ap, emsg);
	if (emsg == NULL)
		logit(LOG_ERR, "%s", strerror(saved_errno));
	else if (asprintf(&nfmt, "%s: %s", emsg,
	    strerror(saved_errno)) == -1) {
		/* Without memory, at least say what went wrong. */
		vlog(LOG_ERR, emsg, ap);
		logit(LOG_ERR, "%s", strerror(saved_errno));
	} else {
		vlog(LOG_ERR, nfmt, ap);
		free(nfmt);
	}
	va_end(ap);
	errno = saved_errno;
}

void
log_warnx(const char *emsg, ...)
{
	va_list	ap;

	va_start(ap, emsg);
	vlog(LOG_ERR, emsg, ap);
	va_end(ap);
}

void
log_info(const char *emsg, ...)
{
	va_list	ap;

	va_start(ap, emsg);
	vlog(LOG_INFO, emsg, ap);
	va_end(ap);
}

void
log_debug(const char *emsg, ...)
{
	va_list	ap;

	if (verbose) {
		va_start(ap, emsg);
		vlog(LOG_DEBUG, emsg, ap);
		va_end(ap);
	}
}

static __dead void
vfatalc(int code, const char *emsg, va_list ap)
{
	static char	s[1024];
	const char	*sep;

	if (emsg != NULL) {
		(void)vsnprintf(s, sizeof(s), emsg, ap);
		sep = ": ";
	} else {
		s[0] = '\0';
		sep = "";
	}
	if (code)
		logit(LOG_CRIT, "fatal in %s: %s%s%s",
		    procname, s, sep, strerror(code));
	else
		logit(LOG_CRIT, "fatal in %s%s%s", procname, sep, s);
	/* Not from inside the sending: that is what just failed. */
	if (forward_flush != NULL && !forwarding) {
		forwarding = 1;
		forward_flush();
	}
	exit(1);
}

void
fatal(const char *emsg, ...)
{
	va_list	ap;

	va_start(ap, emsg);
	vfatalc(errno, emsg, ap);
	va_end(ap);
}

void
fatalx(const char *emsg, ...)
{
	va_list	ap;

	va_start(ap, emsg);
	vfatalc(0, emsg, ap);
	va_end(ap);
}
