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
 * The engine's system call filter (sandbox.c), applied in a child: what
 * the engine does after its setup still works, what it never does kills
 * the process, and what a library may try fails with an error.
 */

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <atf-c.h>

#include "engine.h"
#include "hafod.h"

/* Set up before the filter, as the engine's descriptors are. */
static int	sv[2], ep = -1;
static pid_t	parent;

/* Run fn in a child under the filter; its wait(2) status. */
static int
confined(void (*fn)(void))
{
	pid_t	pid;
	int	status;

	ATF_REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	    sv) == 0);
	ATF_REQUIRE((ep = epoll_create1(EPOLL_CLOEXEC)) != -1);
	parent = getpid();
	ATF_REQUIRE((pid = fork()) != -1);
	if (pid == 0) {
		sandbox_engine();
		fn();
		_exit(0);
	}
	ATF_REQUIRE(waitpid(pid, &status, 0) == pid);
	close(sv[0]);
	close(sv[1]);
	close(ep);
	return (status);
}

static void
killed_by_filter(void (*fn)(void), const char *what)
{
	int	status = confined(fn);

	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
		atf_tc_fail("%s: not killed by the filter (status %#x)",
		    what, status);
}

static void
exits_zero(void (*fn)(void), const char *what)
{
	int	status = confined(fn);

	if (WIFSIGNALED(status))
		atf_tc_fail("%s: killed by signal %d", what,
		    WTERMSIG(status));
	if (WEXITSTATUS(status) != 0)
		atf_tc_fail("%s: failed at step %d", what,
		    WEXITSTATUS(status));
}

/* What the engine does: each step exits with its own number if wrong. */
static void
engine_work(void)
{
	struct epoll_event	 ev;
	struct pollfd		 pfd;
	struct timespec		 ts;
	struct ucred		 cred;
	socklen_t		 len = sizeof(cred);
	uint8_t			 key[20] = "hafod-test", md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen;
	char			 buf[64];
	void			*p;
	int			 flags;

	/* Memory, small and large (mmap, munmap, madvise by free(3)). */
	if ((p = malloc(16)) == NULL)
		_exit(1);
	free(p);
	if ((p = malloc(8 << 20)) == NULL)
		_exit(2);
	memset(p, 1, 8 << 20);
	free(p);
	if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) == -1)
		_exit(3);
	if (getrandom(buf, sizeof(buf), 0) != sizeof(buf))
		_exit(4);
	arc4random_buf(buf, sizeof(buf));
	if (HMAC(EVP_sha1(), key, sizeof(key), key, sizeof(key), md,
	    &mdlen) == NULL)
		_exit(5);
	/* Its sockets, its loop, its control clients. */
	if (send(sv[0], "x", 1, 0) != 1 || read(sv[1], buf, 1) != 1)
		_exit(6);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev) == -1 ||
	    epoll_wait(ep, &ev, 1, 0) == -1)
		_exit(7);
	pfd.fd = sv[0];
	pfd.events = POLLOUT;
	if (poll(&pfd, 1, 0) != 1)
		_exit(8);
	if (getsockopt(sv[1], SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1 ||
	    cred.pid != parent)
		_exit(9);
	if ((flags = fcntl(sv[0], F_GETFL)) == -1 ||
	    fcntl(sv[0], F_SETFL, flags | O_NONBLOCK) == -1)
		_exit(10);
	if (accept4(sv[0], NULL, NULL, SOCK_NONBLOCK) != -1 ||
	    errno != EINVAL)
		_exit(11);
	if (close(sv[0]) == -1)
		_exit(12);
	/* And out the usual way, atexit handlers and all. */
	exit(0);
}

/* What a library may try, refused with an error, the process alive. */
static void
library_probes(void)
{
	struct sockaddr_in	sin;

	if (open("/etc/passwd", O_RDONLY) != -1 || errno != EACCES)
		_exit(1);
	if (socket(AF_INET, SOCK_DGRAM, 0) != -1 || errno != EACCES)
		_exit(2);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (connect(sv[0], (struct sockaddr *)&sin, sizeof(sin)) != -1 ||
	    errno != EACCES)
		_exit(3);
}

/* What the engine never does, one per child. */
static void
do_getppid(void)
{
	(void)syscall(SYS_getppid);
}

static void
do_fork(void)
{
	(void)syscall(SYS_fork);
}

static void
do_execve(void)
{
	char	*argv[] = { "true", NULL }, *envp[] = { NULL };

	(void)execve("/bin/true", argv, envp);
}

static void
do_kill(void)
{
	(void)kill(parent, 0);
}

static void
do_tgkill_other(void)
{
	(void)syscall(SYS_tgkill, parent, parent, SIGABRT);
}

static void
do_socketpair(void)
{
	int	fds[2];

	(void)socketpair(AF_UNIX, SOCK_STREAM, 0, fds);
}

static void
do_sendto_address(void)
{
	struct sockaddr_in	sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	(void)sendto(sv[0], "x", 1, 0, (struct sockaddr *)&sin, sizeof(sin));
}

static void
do_recvfrom(void)
{
	char	c;

	(void)recvfrom(sv[1], &c, 1, MSG_DONTWAIT, NULL, NULL);
}

static void
do_getsockopt_other(void)
{
	int		type;
	socklen_t	len = sizeof(type);

	(void)getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len);
}

static void
do_fcntl_dup(void)
{
	(void)fcntl(sv[0], F_DUPFD, 0);
}

static void
do_mmap_exec(void)
{
	(void)mmap(NULL, 4096, PROT_READ | PROT_EXEC,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void
do_mprotect_exec(void)
{
	static char	page[8192] __attribute__((aligned(4096)));

	(void)mprotect(page, 4096, PROT_READ | PROT_EXEC);
}

static void
do_chdir(void)
{
	(void)chdir("/");
}

static void
do_setuid(void)
{
	(void)setuid(0);
}

static void
do_abort(void)
{
	abort();
}

ATF_TC_WITHOUT_HEAD(engine_work);
ATF_TC_BODY(engine_work, tc)
{
	exits_zero(engine_work, "the engine's own work");
}

ATF_TC_WITHOUT_HEAD(library_probes);
ATF_TC_BODY(library_probes, tc)
{
	exits_zero(library_probes, "files and new sockets");
}

ATF_TC_WITHOUT_HEAD(kills);
ATF_TC_BODY(kills, tc)
{
	static const struct {
		void		(*fn)(void);
		const char	*what;
	} calls[] = {
		{ do_getppid, "getppid" },
		{ do_fork, "fork" },
		{ do_execve, "execve" },
		{ do_kill, "kill" },
		{ do_tgkill_other, "tgkill of another process" },
		{ do_socketpair, "socketpair" },
		{ do_sendto_address, "sendto an address" },
		{ do_recvfrom, "recvfrom" },
		{ do_getsockopt_other, "getsockopt other than SO_PEERCRED" },
		{ do_fcntl_dup, "fcntl F_DUPFD" },
		{ do_mmap_exec, "executable mmap" },
		{ do_mprotect_exec, "mprotect to executable" },
		{ do_chdir, "chdir" },
		{ do_setuid, "setuid" },
	};
	size_t	i;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		killed_by_filter(calls[i].fn, calls[i].what);
}

ATF_TC_WITHOUT_HEAD(abort_is_abort);
ATF_TC_BODY(abort_is_abort, tc)
{
	int	status = confined(do_abort);

	/* A failed assertion must still read as one, not as the filter. */
	ATF_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, engine_work);
	ATF_TP_ADD_TC(tp, library_probes);
	ATF_TP_ADD_TC(tp, kills);
	ATF_TP_ADD_TC(tp, abort_is_abort);
	return (atf_no_error());
}
