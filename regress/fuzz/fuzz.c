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

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
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

/*
 * Send buf as one piece, with fd attached unless it is -1, as the
 * message layer's peers do; 0, or -1 with errno (EAGAIN: socket full).
 */
int
fuzz_send(int s, const uint8_t *buf, size_t len, int fd)
{
	struct msghdr	 mh;
	struct iovec	 iov;
	struct cmsghdr	*cmsg;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (fd != -1) {
		memset(&cmsgbuf, 0, sizeof(cmsgbuf));
		mh.msg_control = cmsgbuf.buf;
		mh.msg_controllen = sizeof(cmsgbuf.buf);
		cmsg = CMSG_FIRSTHDR(&mh);
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	return (sendmsg(s, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) == -1 ? -1 : 0);
}
