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
 * CPG words as the quorum process takes them from other members:
 * sites_decode() on any bytes.  What decodes must encode back to the
 * very same bytes (one form for one word), and, fed to a table as a
 * member's word beside a fixed one, must give a report whose every
 * index and count is within bounds, as pquorum.c checks it.
 *
 * Input: the word's bytes.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hafod.h"
#include "sites.h"
#include "fuzz.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct sites_table	*table;
static struct sites_word	*word;
static uint8_t			 buf[SITES_WORD_MAX];
static uint8_t			 fixed[SITES_WORD_MAX];
static ssize_t			 fixedlen;
static struct msg_site_role	 roles[SITES_ENTITIES_MAX];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct msg_site_local	l;

	fuzz_quiet();
	if ((table = malloc(sizeof(*table))) == NULL ||
	    (word = malloc(sizeof(*word))) == NULL)
		fuzz_fail("malloc");
	/* The fixed member: east, master of "db", preferring west. */
	memset(&l, 0, sizeof(l));
	strlcpy(l.name, "db", sizeof(l.name));
	l.state = CARP_MASTER;
	l.healthy = l.holding = 1;
	l.conf.nprefer = 1;
	strlcpy(l.conf.prefer[0], "west", sizeof(l.conf.prefer[0]));
	sites_init(table, 1, 1);
	sites_word(table, "east", 1, &l, 1, word);
	if ((fixedlen = sites_encode(word, fixed, sizeof(fixed))) <= 0)
		fuzz_fail("the fixed word does not encode");
	return (0);
}

static void
check_report(void)
{
	struct msg_sites	 s;
	uint64_t		 next;
	size_t			 n, i, j;

	n = sites_report(table, "east", 1, 1000, 5000, &s, roles,
	    SITES_ENTITIES_MAX, &next);
	if (n != s.nroles || n > SITES_ENTITIES_MAX ||
	    s.nsites > SITES_MAX || s.nmembers > QUORUM_MEMBERS_MAX ||
	    (s.mysite != SITE_NONE && s.mysite >= s.nsites))
		fuzz_fail("report out of bounds");
	for (i = 0; i < s.nsites; i++)
		if (memchr(s.sites[i], '\0', sizeof(s.sites[i])) == NULL ||
		    s.sites[i][0] == '\0')
			fuzz_fail("report: bad site name");
	for (i = 0; i < s.nmembers; i++)
		if (s.members[i].site != SITE_NONE &&
		    s.members[i].site >= s.nsites)
			fuzz_fail("report: member's site out of bounds");
	for (i = 0; i < n; i++) {
		if ((roles[i].controller != SITE_NONE &&
		    roles[i].controller >= s.nsites) ||
		    (roles[i].target != SITE_NONE &&
		    roles[i].target >= s.nsites) ||
		    roles[i].grant > 1 || roles[i].release > 1 ||
		    (roles[i].grant && roles[i].release) ||
		    memchr(roles[i].name, '\0', sizeof(roles[i].name)) ==
		    NULL)
			fuzz_fail("report: role out of bounds");
		for (j = s.nsites; j < SITES_MAX; j++)
			if (roles[i].masters[j] != 0)
				fuzz_fail("report: master of no site");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	uint32_t	ids[2] = { 1, 2 };
	char		why[128];
	ssize_t		n;

	if (sites_decode(data, len, word, why, sizeof(why)) == -1)
		return (0);
	if ((n = sites_encode(word, buf, sizeof(buf))) < 0)
		fuzz_fail("a decoded word does not encode");
	if ((size_t)n != len || memcmp(buf, data, len) != 0)
		fuzz_fail("a decoded word encodes otherwise");
	sites_init(table, 1, 1);
	sites_confchg(table, ids, ids, 2, 1000);
	if (sites_deliver(table, 1, 1, fixed, fixedlen, 1000, why,
	    sizeof(why)) != 1 ||
	    sites_deliver(table, 2, 2, data, len, 1000, why,
	    sizeof(why)) != 1)
		fuzz_fail("a word decoded once is refused");
	check_report();
	/* Again, the other member leaving while it held anything. */
	sites_confchg(table, ids, ids, 1, 2000);
	if (sites_deliver(table, 1, 1, fixed, fixedlen, 2000, why,
	    sizeof(why)) != 1)
		fuzz_fail("the fixed word is refused");
	check_report();
	return (0);
}
