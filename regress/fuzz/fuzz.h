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
 * What every harness shares.  Each is a libFuzzer program: it links the
 * daemon's own objects, built with ASan and UBSan, and aborts on any
 * broken invariant so that libFuzzer keeps the input.
 */

#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Our log lines go nowhere, unless FUZZ_LOG is set (to read a crash). */
void		 fuzz_quiet(void);
/* A directory of this process's own, under $TMPDIR. */
const char	*fuzz_tmpdir(void);
/* dir/name, in a static buffer. */
const char	*fuzz_path(const char *);
/* Write a whole file, or abort. */
void		 fuzz_write(const char *, const void *, size_t);
/* The lowest free descriptor: it grows when one leaks. */
int		 fuzz_lowest_fd(void);
int		 fuzz_send(int, const uint8_t *, size_t, int);
/* Abort with a message: an invariant the code under test broke. */
void		 fuzz_fail(const char *, ...)
		    __attribute__((__noreturn__, __format__ (printf, 1, 2)));

/*
 * fake_net.c: hafod/net.c without sockets.  net_recv() returns what the
 * harness injected for that descriptor, net_flush() hands each queued
 * advertisement to the harness's callback and reports it sent.
 */
struct hafod_addr;
void		 fake_net_inject(int, const uint8_t *, size_t,
		    const struct hafod_addr *, int);
void		 fake_net_reset(void);
extern void	(*fake_net_sent)(int, const struct hafod_addr *,
		    const uint8_t *, size_t, void *);

#endif /* FUZZ_H */
