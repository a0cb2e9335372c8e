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
 * The engine's system call allowlist.  The engine reads every byte that
 * comes from the wire and from control clients; should one of them ever
 * take it over, it must find nothing to do but what the engine already
 * does: read and write the descriptors it holds, keep time, allocate
 * memory.  Anything else kills the process, and the parent, seeing its
 * engine die, removes its addresses and exits.
 *
 * The set was measured on running daemons (strace -f on the engine
 * through elections, hafoctl show, demote, promote, reload and log,
 * hostile control clients, link and address changes, SIGTERM).
 *
 * The parent is not confined here: it runs hooks and checks, which may
 * be any program doing anything, and a filter is inherited across
 * execve.  It reads no untrusted bytes (DESIGN.md).
 */

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "hafod.h"
#include "log.h"

/* Allowed whatever their arguments. */
static const int sandbox_allow[] = {
	/* libevent's loop; msgchan_flush() polls the parent's socket. */
	SCMP_SYS(epoll_wait),
	SCMP_SYS(epoll_pwait),
	SCMP_SYS(epoll_ctl),
	/* libevent's precise timer: its timerfd is set before each wait. */
	SCMP_SYS(timerfd_settime),
	SCMP_SYS(poll),
	SCMP_SYS(ppoll),
	/* The descriptors already held: sockets, the signal pipe, stderr. */
	SCMP_SYS(read),
	SCMP_SYS(write),
	SCMP_SYS(writev),
	SCMP_SYS(recvmsg),
	SCMP_SYS(sendmsg),
	SCMP_SYS(sendmmsg),
	SCMP_SYS(close),
	/* Control clients. */
	SCMP_SYS(accept4),
	/* Time, if the vDSO cannot serve it. */
	SCMP_SYS(clock_gettime),
	SCMP_SYS(gettimeofday),
	SCMP_SYS(time),
	/* Memory; executable mappings are refused below. */
	SCMP_SYS(brk),
	SCMP_SYS(munmap),
	SCMP_SYS(mremap),
	/* libcrypto's and libc's locks; arc4random's entropy. */
	SCMP_SYS(futex),
	SCMP_SYS(getrandom),
	/* Message headers carry the pid; libevent asks who it runs as. */
	SCMP_SYS(getpid),
	SCMP_SYS(getuid),
	SCMP_SYS(geteuid),
	SCMP_SYS(getgid),
	SCMP_SYS(getegid),
	/* Signals (SIGTERM) and the way out. */
	SCMP_SYS(rt_sigreturn),
	SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(exit),
	SCMP_SYS(exit_group),
	/* abort(3): so that a failed assertion still says SIGABRT. */
	SCMP_SYS(gettid),
#ifdef __SANITIZE_ADDRESS__
	/*
	 * The sanitizers' runtime takes down its alternate signal stack
	 * as a thread exits: without this an ASan build (make soak
	 * SOAK_ASAN=1) is killed at every clean stop.  Release builds
	 * never call it.
	 */
	SCMP_SYS(sigaltstack),
#endif
};

/*
 * Refused with an error rather than killed: what a library may try on a
 * path that copes with failure.  libcrypto looks for its configuration,
 * syslog(3) reconnects to /dev/log after syslogd restarted (there is
 * none in the chroot anyway).
 */
static const int sandbox_eacces[] = {
	SCMP_SYS(open),
	SCMP_SYS(openat),
	SCMP_SYS(socket),
	SCMP_SYS(connect),
};

/* libevent may look at or set a descriptor's flags, nothing more. */
static const int sandbox_fcntl[] = { F_GETFL, F_SETFL, F_GETFD, F_SETFD };

static void	sandbox_rule(scmp_filter_ctx, uint32_t, int, unsigned int,
		    const struct scmp_arg_cmp *);
static void	sandbox_warm_up(void);

static void
sandbox_rule(scmp_filter_ctx ctx, uint32_t action, int nr, unsigned int n,
    const struct scmp_arg_cmp *cmp)
{
	int	rv;

	/* A system call this architecture lacks needs no rule. */
	if (nr < 0)
		return;
	if ((rv = seccomp_rule_add_array(ctx, action, nr, n, cmp)) < 0) {
		errno = -rv;
		fatal("seccomp: rule for %s",
		    seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr));
	}
}

/*
 * libcrypto sets itself up on first use, loading its provider and
 * fetching HMAC, SHA-1 and SHA-256: do that now rather than under the
 * filter, by the same calls as for an advertisement and a bundle, so
 * that nothing is left.
 */
static void
sandbox_warm_up(void)
{
	struct service_conf	 conf;
	struct carp_key		 key;
	struct carp_advert	 adv;

	memset(&conf, 0, sizeof(conf));
	memset(&adv, 0, sizeof(adv));
	carp_key_init(&key, &conf);
	carp_sign(&key, &adv);
	explicit_bzero(&key, sizeof(key));
	/* And HMAC-SHA-256 for the bundle format. */
	(void)bundle_digest(&conf);
}

void
sandbox_engine(void)
{
	scmp_filter_ctx		 ctx;
	struct scmp_arg_cmp	 cmp[2];
	size_t			 i;
	int			 rv;

	sandbox_warm_up();
	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL)
		fatalx("seccomp_init failed");

	for (i = 0; i < sizeof(sandbox_allow) / sizeof(sandbox_allow[0]); i++)
		sandbox_rule(ctx, SCMP_ACT_ALLOW, sandbox_allow[i], 0, NULL);
	for (i = 0; i < sizeof(sandbox_eacces) / sizeof(sandbox_eacces[0]);
	    i++)
		sandbox_rule(ctx, SCMP_ACT_ERRNO(EACCES), sandbox_eacces[i], 0,
		    NULL);

	/* Memory, never executable. */
	cmp[0] = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
	sandbox_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1, cmp);
	sandbox_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1, cmp);
	/* free(3) giving pages back. */
	cmp[0] = SCMP_A2(SCMP_CMP_EQ, MADV_DONTNEED);
	sandbox_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(madvise), 1, cmp);

	/* Who a control client is (control.c); nothing else to ask. */
	cmp[0] = SCMP_A1(SCMP_CMP_EQ, SOL_SOCKET);
	cmp[1] = SCMP_A2(SCMP_CMP_EQ, SO_PEERCRED);
	sandbox_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(getsockopt), 2, cmp);

	/* syslog(3) on its connected socket: no address of our choosing. */
	cmp[0] = SCMP_A4(SCMP_CMP_EQ, 0);
	sandbox_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sendto), 1, cmp);

	for (i = 0; i < sizeof(sandbox_fcntl) / sizeof(sandbox_fcntl[0]);
	    i++) {
		cmp[0] = SCMP_A1(SCMP_CMP_EQ, sandbox_fcntl[i]);
		sandbox_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1, cmp);
	}

	/* abort(3) signals this process, and no other. */
	cmp[0] = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid());
	cmp[1] = SCMP_A2(SCMP_CMP_EQ, SIGABRT);
	sandbox_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 2, cmp);

	if ((rv = seccomp_load(ctx)) < 0) {
		errno = -rv;
		fatal("seccomp_load");
	}
	seccomp_release(ctx);
	log_debug("system calls confined");
}
