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

#include <stdio.h>
#include <string.h>

#include "hafod.h"

static void	print_string(const char *, size_t);
static void	print_service(const struct service_conf *);

/*
 * Always quoted, so that a name that is also a keyword reads back as a
 * name; the lexer takes \" and \\ inside quotes as the character.
 */
static void
print_string(const char *s, size_t len)
{
	size_t	i;

	putchar('"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			putchar('\\');
		putchar(s[i]);
	}
	putchar('"');
}

/*
 * Every setting, resolved: the output stands alone, without global
 * defaults, and reads back as the same service.
 */
static void
print_service(const struct service_conf *sc)
{
	int	i;

	printf("service ");
	print_string(sc->name, strnlen(sc->name, sizeof(sc->name)));
	printf(" {\n\tinterface ");
	print_string(sc->ifname, strnlen(sc->ifname, sizeof(sc->ifname)));
	printf("\n\tvhid %u\n", sc->vhid);
	printf("\tadvbase %u\n", sc->advbase);
	printf("\tadvskew %u\n", sc->advskew);
	printf("\tpreempt %s\n", sc->preempt ? "yes" : "no");
	if (sc->passlen > 0) {
		printf("\tpassword ");
		print_string(sc->pass, sc->passlen);
		putchar('\n');
	}
	for (i = 0; i < sc->nvips; i++)
		printf("\taddress %s/%u\n", addr_ntop(&sc->vips[i]),
		    sc->vips[i].prefixlen);
	for (i = 0; i < sc->npeers; i++)
		printf("\tpeer %s\n", addr_ntop(&sc->peers[i]));
	printf("\tannounce count %u interval %u\n", sc->announce_count,
	    sc->announce_interval);
	printf("}\n");
}

void
print_config(const struct config *conf)
{
	const struct service	*svc;

	printf("user ");
	print_string(conf->user, strnlen(conf->user, sizeof(conf->user)));
	printf("\nchroot ");
	print_string(conf->chroot, strnlen(conf->chroot,
	    sizeof(conf->chroot)));
	printf("\nsocket ");
	print_string(conf->socket, strnlen(conf->socket,
	    sizeof(conf->socket)));
	printf("\nstate ");
	print_string(conf->state, strnlen(conf->state, sizeof(conf->state)));
	putchar('\n');
	TAILQ_FOREACH(svc, &conf->services, entry) {
		putchar('\n');
		print_service(&svc->conf);
	}
}
