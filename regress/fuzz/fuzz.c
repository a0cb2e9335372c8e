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

#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "fuzz.h"

static char	tmpdir[PATH_MAX];

/*
 * log.c writes to the stdio stream stderr; libFuzzer and the sanitizers
 * write to descriptor 2 directly, so their reports still show.
 */
void
fuzz_quiet(void)
{
	log_init(1, LOG_DAEMON);
	if (getenv("FUZZ_LOG") != NULL)
		return;
	if ((stderr = fopen("/dev/null", "w")) == NULL)
		abort();
}

const char *
fuzz_tmpdir(void)
{
	const char	*base;

	if (tmpdir[0] != '\0')
		return (tmpdir);
	if ((base = getenv("TMPDIR")) == NULL || *base == '\0')
		base = "/tmp";
	if ((size_t)snprintf(tmpdir, sizeof(tmpdir), "%s/hafod-fuzz.XXXXXX",
	    base) >= sizeof(tmpdir) || mkdtemp(tmpdir) == NULL)
		fuzz_fail("cannot make a directory in %s", base);
	return (tmpdir);
}

const char *
fuzz_path(const char *name)
{
	static char	path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", fuzz_tmpdir(),
	    name) >= sizeof(path))
		fuzz_fail("path too long: %s", name);
	return (path);
}

void
fuzz_write(const char *path, const void *data, size_t len)
{
	int	fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1 || (len > 0 && write(fd, data, len) != (ssize_t)len) ||
	    close(fd) == -1)
		fuzz_fail("cannot write %s", path);
}

int
fuzz_lowest_fd(void)
{
	int	fd;

	if ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		fuzz_fail("cannot open /dev/null");
	close(fd);
	return (fd);
}

void
fuzz_fail(const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Straight to descriptor 2: stderr may be quiet. */
	dprintf(STDERR_FILENO, "fuzz: %s\n", msg);
	abort();
}
